"""A tiny OpenAI-compatible HTTP server on 127.0.0.1 whose replies a test scripts (errors, delays).

Used to drive the real ``openai`` SDK through real sockets: retries on 429/5xx, timeouts,
authentication and content-filter errors. A request with ``"stream": true`` that gets a 200 completion is
answered as server-sent events (the completion's text in 8-character pieces; ``stall_after`` pieces, then a
hang, when the body carries ``"_stall_after": n``). Hand-written: a few dozen lines of http.server suffice.
"""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def completion(text: str, finish_reason: str = "stop") -> dict:
    return {
        "id": "chatcmpl-test", "object": "chat.completion", "created": 0, "model": "test-model",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": finish_reason}],
        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
    }


class FakeOpenAIServer:
    """Serve a script of (status, body, delay_seconds) steps; the last step repeats."""

    def __init__(self, steps: list[tuple[int, dict, float]]):
        self.steps = steps
        self.requests: list[dict] = []
        self.headers: list[dict] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep test output clean
                pass

            def do_GET(self):  # /v1/models
                self._send(200, {"object": "list", "data": [{"id": "test-model", "object": "model"}]})

            def do_POST(self):
                length = int(self.headers.get("content-length") or 0)
                server.requests.append(json.loads(self.rfile.read(length) or b"{}"))
                server.headers.append({k.lower(): v for k, v in self.headers.items()})
                status, body, delay = server.steps[min(len(server.requests) - 1, len(server.steps) - 1)]
                if delay:
                    time.sleep(delay)
                if status == 200 and server.requests[-1].get("stream") and "choices" in body:
                    self._stream(body)
                else:
                    self._send(status, body)

            def _stream(self, body):
                choice = body["choices"][0]
                text = choice["message"]["content"] or ""
                base = {"id": body["id"], "object": "chat.completion.chunk", "created": 0, "model": body["model"]}
                pieces = [text[i : i + 8] for i in range(0, len(text), 8)]
                stall = body.get("_stall_after")
                try:
                    self.send_response(200)
                    self.send_header("content-type", "text/event-stream")
                    self.end_headers()
                    for n, piece in enumerate(pieces):
                        if stall is not None and n >= stall:
                            time.sleep(3600)  # the connection stays open and silent: a hang mid-reply
                        delta = {"role": "assistant", "content": piece} if n == 0 else {"content": piece}
                        self._event({**base, "choices": [{"index": 0, "delta": delta, "finish_reason": None}]})
                    self._event({**base, "choices": [{"index": 0, "delta": {}, "finish_reason": choice["finish_reason"]}]})
                    self.wfile.write(b"data: [DONE]\n\n")
                    self.wfile.flush()
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def _event(self, chunk):
                self.wfile.write(b"data: " + json.dumps(chunk, ensure_ascii=False).encode() + b"\n\n")
                self.wfile.flush()

            def _send(self, status, body):
                data = json.dumps(body).encode()
                try:
                    self.send_response(status)
                    self.send_header("content-type", "application/json")
                    self.send_header("content-length", str(len(data)))
                    self.send_header("retry-after-ms", "10")
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True  # a handler stuck in a hang does not keep the test process alive
        self.port = self.httpd.server_address[1]
        self.base_url = f"http://127.0.0.1:{self.port}/v1"
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def __enter__(self) -> "FakeOpenAIServer":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def error(status: int, message: str, code: str | None = None) -> dict:
    return {"error": {"message": message, "type": "test_error", "param": None, "code": code}}
