"""Helpers for the hub tests: a fake OpenAI-compatible backend (streams too) and reading a process's environment."""

from __future__ import annotations

import json
import os
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

CITY_KEY = "sk-midori-city-0123456789abcdefSECRET"


class FakeBackend:
    """An OpenAI-compatible server on 127.0.0.1 that records what reaches it (headers and bodies)."""

    def __init__(self):
        self.requests: list[dict] = []
        self.auth: list[str] = []
        backend = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers.get("content-length") or 0)) or b"{}")
                backend.requests.append(body)
                backend.auth.append(self.headers.get("authorization", ""))
                text = "みどり市の窓口は平日8時30分から17時15分までです。"
                usage = {"prompt_tokens": 40, "completion_tokens": 20, "total_tokens": 60}
                if body.get("stream"):
                    self.send_response(200)
                    self.send_header("content-type", "text/event-stream")
                    self.end_headers()
                    base = {"id": "c1", "object": "chat.completion.chunk", "created": 0, "model": body["model"]}
                    for piece in (text[:10], text[10:]):
                        chunk = {**base, "choices": [{"index": 0, "delta": {"content": piece}, "finish_reason": None}]}
                        self.wfile.write(f"data: {json.dumps(chunk, ensure_ascii=False)}\n\n".encode())
                    end = {**base, "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}
                    self.wfile.write(f"data: {json.dumps(end)}\n\n".encode())
                    if (body.get("stream_options") or {}).get("include_usage"):
                        self.wfile.write(f"data: {json.dumps({**base, 'choices': [], 'usage': usage})}\n\n".encode())
                    self.wfile.write(b"data: [DONE]\n\n")
                    return
                data = json.dumps({"id": "c1", "object": "chat.completion", "created": 0, "model": body["model"],
                                   "choices": [{"index": 0, "message": {"role": "assistant", "content": text},
                                                "finish_reason": "stop"}], "usage": usage}, ensure_ascii=False).encode()
                self.send_response(200)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base_url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def process_environ(pid: int) -> dict[str, str]:
    raw = Path(f"/proc/{pid}/environ").read_bytes()
    return dict(item.split("=", 1) for item in raw.decode("utf-8", "replace").split("\0") if "=" in item)


def user_processes(user: str) -> list[int]:
    """Processes started for hub user ``user`` (their server and its kernels): JUPYTERHUB_USER in the environment."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if process_environ(int(entry.name)).get("JUPYTERHUB_USER") == user:
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


def files_containing(root: Path, needle: str) -> list[Path]:
    hits = []
    for path in Path(root).rglob("*"):
        try:
            if path.is_file() and needle.encode() in path.read_bytes():
                hits.append(path)
        except OSError:
            continue
    return hits


def clean_env() -> dict[str, str]:
    """This process's environment without any model backend setting (as on a fresh server)."""
    from aidojo.hub.spawners import BACKEND_VARIABLES

    return {k: v for k, v in os.environ.items() if k not in BACKEND_VARIABLES}
