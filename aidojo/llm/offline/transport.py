"""Serve the offline practice model to the real ``openai`` SDK through an httpx transport.

Implements the parts of the OpenAI HTTP API the course uses: ``POST /chat/completions``
(plain, streaming as server-sent events, ``response_format`` json_object / json_schema) and
``GET /models``. Anything else answers 404 in the API's own error shape.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Iterator

import httpx

from aidojo.llm.offline.engine import MODEL_NAME, respond

CREATED = 1767225600  # fixed timestamp: same input, same output


def estimate_tokens(text: str) -> int:
    """Rough token count (about one token per Japanese character, four ASCII characters per token)."""
    ascii_chars = sum(1 for c in text if c.isascii())
    return (len(text) - ascii_chars) + (ascii_chars + 3) // 4


def _error(status: int, message: str, code: str) -> httpx.Response:
    body = {"error": {"message": message, "type": "invalid_request_error", "param": None, "code": code}}
    return httpx.Response(status, json=body)


def _completion_id(payload: dict) -> str:
    digest = hashlib.sha256(json.dumps(payload, sort_keys=True, ensure_ascii=False).encode()).hexdigest()
    return "chatcmpl-offline-" + digest[:24]


def _chunks(text: str, size: int = 8) -> Iterator[str]:
    for i in range(0, len(text), size):
        yield text[i : i + size]


def complete(payload: dict) -> tuple[dict, list[dict]]:
    """Answer a chat-completions request body; returns the completion and its stream chunks."""
    messages = payload.get("messages")
    if not isinstance(messages, list) or not messages:
        raise ValueError("'messages' must be a non-empty list")
    fmt = payload.get("response_format") or {}
    json_mode = isinstance(fmt, dict) and fmt.get("type") in ("json_object", "json_schema")
    limit = payload.get("max_completion_tokens") or payload.get("max_tokens")
    reply = respond(messages, json_mode=json_mode, max_chars=limit)
    prompt_text = "".join(str(m.get("content") or "") for m in messages)
    usage = {
        "prompt_tokens": estimate_tokens(prompt_text),
        "completion_tokens": estimate_tokens(reply.text),
    }
    usage["total_tokens"] = usage["prompt_tokens"] + usage["completion_tokens"]
    cid = _completion_id(payload)
    completion = {
        "id": cid,
        "object": "chat.completion",
        "created": CREATED,
        "model": MODEL_NAME,
        "system_fingerprint": "aidojo-offline-" + reply.task,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": reply.text, "refusal": None},
                "finish_reason": reply.finish_reason,
                "logprobs": None,
            }
        ],
        "usage": usage,
    }
    include_usage = bool((payload.get("stream_options") or {}).get("include_usage"))
    return completion, stream_chunks(cid, reply.text, reply.finish_reason, usage if include_usage else None)


def stream_chunks(cid: str, text: str, finish_reason: str = "stop", usage: dict | None = None) -> list[dict]:
    """The chat.completion.chunk objects that stream ``text`` (a role chunk, pieces, the finish, optional usage)."""
    base = {"id": cid, "object": "chat.completion.chunk", "created": CREATED, "model": MODEL_NAME}
    chunks = [{**base, "choices": [{"index": 0, "delta": {"role": "assistant", "content": ""}, "finish_reason": None}]}]
    for piece in _chunks(text):
        chunks.append({**base, "choices": [{"index": 0, "delta": {"content": piece}, "finish_reason": None}]})
    chunks.append({**base, "choices": [{"index": 0, "delta": {}, "finish_reason": finish_reason}]})
    if usage is not None:
        chunks.append({**base, "choices": [], "usage": usage})
    return chunks


def sse_response(chunks: list[dict]) -> httpx.Response:
    """A server-sent-events response carrying ``chunks`` and the closing ``[DONE]``."""
    body = "".join(f"data: {json.dumps(c, ensure_ascii=False)}\n\n" for c in chunks) + "data: [DONE]\n\n"
    return httpx.Response(200, headers={"content-type": "text/event-stream"}, content=body.encode("utf-8"))


def handle(request: httpx.Request) -> httpx.Response:
    """Route one HTTP request to the practice model."""
    path = request.url.path.rstrip("/")
    if request.method == "GET" and path.endswith("/models"):
        model = {"id": MODEL_NAME, "object": "model", "created": CREATED, "owned_by": "aidojo"}
        return httpx.Response(200, json={"object": "list", "data": [model]})
    if request.method == "GET" and path.endswith("/models/" + MODEL_NAME):
        return httpx.Response(200, json={"id": MODEL_NAME, "object": "model", "created": CREATED, "owned_by": "aidojo"})
    if request.method != "POST" or not path.endswith("/chat/completions"):
        return _error(404, f"The offline practice model does not serve {request.method} {path}.", "not_found")
    try:
        payload = json.loads(request.content or b"{}")
        completion, chunks = complete(payload)
    except (ValueError, TypeError) as exc:
        return _error(400, f"Invalid request: {exc}", "invalid_request")
    if payload.get("stream"):
        return sse_response(chunks)
    return httpx.Response(200, json=completion)


class OfflineTransport(httpx.BaseTransport):
    """httpx transport that answers OpenAI API calls with the offline practice model."""

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        request.read()
        started = time.perf_counter()
        response = handle(request)
        response.headers["x-aidojo-offline-ms"] = f"{(time.perf_counter() - started) * 1000:.2f}"
        return response


class AsyncOfflineTransport(httpx.AsyncBaseTransport):
    """Async twin of :class:`OfflineTransport` for ``openai.AsyncOpenAI``."""

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        await request.aread()
        return handle(request)
