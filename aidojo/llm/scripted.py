"""A scripted fake backend for lessons and grading: replies and failures in a fixed order.

``scripted_client(["{...}", 429, "text"])`` returns a real ``openai.OpenAI`` whose successive
chat calls get those replies (a string, streamed when asked for) or HTTP errors (an int status), so learners'
retry and parsing code meets the SDK's real exception types without a network.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

import httpx
import openai

from aidojo.llm.offline.transport import complete, sse_response, stream_chunks


class ScriptedTransport(httpx.BaseTransport):
    """Answers chat calls from a script; records every request body in ``.requests``."""

    def __init__(self, script: Iterable[str | int], *, repeat_last: bool = True) -> None:
        self.script = list(script)
        self.repeat_last = repeat_last
        self.requests: list[dict] = []
        self._pos = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        request.read()
        payload = json.loads(request.content or b"{}")
        self.requests.append(payload)
        if not self.script:
            raise RuntimeError("scripted client: empty script")
        if self._pos >= len(self.script) and not self.repeat_last:
            return httpx.Response(500, json={"error": {"message": "script exhausted", "type": "server_error", "code": None}})
        step = self.script[min(self._pos, len(self.script) - 1)]
        self._pos += 1
        if isinstance(step, int):
            return httpx.Response(step, json={"error": {"message": f"scripted HTTP {step}", "type": "scripted", "code": None}})
        completion, chunks = complete({**payload, "messages": payload.get("messages") or [{"role": "user", "content": ""}]})
        completion["choices"][0]["message"]["content"] = step
        completion["choices"][0]["finish_reason"] = "stop"
        if payload.get("stream"):
            return sse_response(stream_chunks(completion["id"], step))
        return httpx.Response(200, json=completion)

    @property
    def calls(self) -> int:
        return len(self.requests)


def scripted_client(script: Iterable[str | int], *, max_retries: int = 0) -> openai.OpenAI:
    """An ``openai.OpenAI`` answered by a script of reply strings and HTTP error codes."""
    transport = ScriptedTransport(script)
    llm = openai.OpenAI(api_key="scripted", base_url="http://aidojo-scripted.invalid/v1",
                        http_client=httpx.Client(transport=transport), max_retries=max_retries)
    llm.transport = transport  # type: ignore[attr-defined]  # lets tests count calls
    return llm
