"""What the AI gateway checks before a request leaves the server: personal data masked, per-learner rate limit,
the class's daily token budget. Errors are OpenAI-format bodies with a Japanese message a learner can act on.
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections import deque
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from aidojo.records.usage import JST, load_usage
from aidojo.safety import mask_pii

ALLOWED_FIELDS = ("messages", "temperature", "top_p", "max_tokens", "max_completion_tokens", "response_format", "stop",
                  "seed", "stream", "stream_options", "presence_penalty", "frequency_penalty", "n", "user")
PROMPT_LOG = Path("records") / "prompts.jsonl"


@dataclass
class GatewayError(Exception):
    """An error answered in the OpenAI API's error shape (``message`` in Japanese)."""

    status: int
    message: str
    code: str
    type: str = "invalid_request_error"
    retry_after: float | None = None

    def body(self) -> dict:
        return {"error": {"message": self.message, "type": self.type, "param": None, "code": self.code}}


def _mask_content(content, counter: list[int]):
    if isinstance(content, str):
        masked = mask_pii(content)
        counter[0] += len(masked.findings)
        return masked.text
    if isinstance(content, list):  # [{"type": "text", "text": ...}, ...]
        parts = []
        for part in content:
            if isinstance(part, dict) and isinstance(part.get("text"), str):
                part = {**part, "text": _mask_content(part["text"], counter)}
            parts.append(part)
        return parts
    return content


def clean_request(payload: object, *, max_chars: int) -> tuple[dict, int]:
    """The request to forward: allowed fields only, every message's text masked. Returns (payload, masked count)."""
    if not isinstance(payload, dict):
        raise GatewayError(400, "リクエストの形が正しくありません（JSON のオブジェクトを送ってください）。", "invalid_json")
    messages = payload.get("messages")
    if not isinstance(messages, list) or not messages or not all(isinstance(m, dict) for m in messages):
        raise GatewayError(400, "messages（会話の一覧）が空か、形が正しくありません。", "invalid_messages")
    size = sum(len(json.dumps(m.get("content"), ensure_ascii=False)) for m in messages)
    if size > max_chars:
        raise GatewayError(400, f"プロンプトが長すぎます（約{size:,}文字、上限 {max_chars:,}文字）。資料を短くして送ってください。",
                           "prompt_too_long")
    counter = [0]
    cleaned = {k: payload[k] for k in ALLOWED_FIELDS if k in payload}
    cleaned["messages"] = [{**m, "content": _mask_content(m.get("content"), counter)} for m in messages]
    return cleaned, counter[0]


class RateLimiter:
    """At most ``per_minute`` requests per user in any 60 seconds (in memory: one gateway process)."""

    def __init__(self, per_minute: int, clock=time.monotonic):
        self.per_minute, self.clock = per_minute, clock
        self._seen: dict[str, deque] = {}
        self._lock = threading.Lock()

    def check(self, user: str) -> None:
        now = self.clock()
        with self._lock:
            seen = self._seen.setdefault(user, deque())
            while seen and now - seen[0] >= 60:
                seen.popleft()
            if len(seen) >= self.per_minute:
                wait = 60 - (now - seen[0])
                raise GatewayError(429, f"短い時間に送りすぎています（1分に{self.per_minute}回まで）。"
                                   f"{wait:.0f}秒ほど待ってから、もう一度送ってください。", "rate_limit_exceeded",
                                   "rate_limit_error", retry_after=wait)
            seen.append(now)


def tokens_today(course_dir: Path) -> int:
    """Tokens the whole class used today (JST), from the usage ledger."""
    today = datetime.now(UTC).astimezone(JST).date()
    return sum(u.prompt_tokens + u.completion_tokens for u in load_usage(course_dir, since=today, until=today))


def check_budget(course_dir: Path, tokens_per_day: int) -> None:
    """GatewayError (429, insufficient_quota) once the class used its tokens for today."""
    used = tokens_today(course_dir)
    if used >= tokens_per_day:
        raise GatewayError(429, f"本日のクラス全体のAI利用枠（{tokens_per_day:,}トークン）を使い切りました"
                           f"（使用 {used:,}）。研修担当に連絡してください。明日（日本時間0時）にまた使えます。",
                           "insufficient_quota", "insufficient_quota")


def log_prompt(course_dir: Path, staff_id: str, messages: list[dict]) -> None:
    """Append the (already masked) messages to the prompt log; only when the trainer turned it on."""
    path = Path(course_dir) / PROMPT_LOG
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    line = json.dumps({"at": datetime.now(UTC).isoformat(timespec="seconds"), "staff_id": staff_id,
                       "messages": messages}, ensure_ascii=False)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    with os.fdopen(fd, "a", encoding="utf-8") as fh:
        fh.write(line + "\n")
