"""The AI gateway: a JupyterHub service that is every learner's OpenAI-compatible endpoint.

    POST /services/ai/v1/chat/completions   (plain and streaming)
    GET  /services/ai/v1/models

Each request is authenticated with the caller's hub token (``HubAuth``: the ``OPENAI_API_KEY`` in a learner's
server IS their JupyterHub token), checked against the rate limit and the class budget, masked for personal
data, then forwarded to the backend configured with ``aidojo.llm`` settings — which live only in this process's
environment (or ``gateway.env``) — or answered by the offline practice model when none is configured. Use is
counted per staff member with ``aidojo.records.usage.add_use`` (token counts, no prompt text).

Run by JupyterHub as a managed service (``python -m aidojo.hub.gateway``).
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from urllib.parse import urlparse

import openai
from jupyterhub.services.auth import HubAuth
from tornado import ioloop, web

from aidojo.hub.policy import GatewayError, RateLimiter, check_budget, clean_request, log_prompt
from aidojo.hub.settings import GatewaySettings
from aidojo.llm import async_client, load_settings
from aidojo.llm.config import Settings
from aidojo.llm.offline.transport import estimate_tokens
from aidojo.records.usage import add_use

log = logging.getLogger("aidojo.hub.gateway")


class Gateway:
    """Everything one gateway process holds: backend settings, limits, the course data folder."""

    def __init__(self, config: GatewaySettings, course_dir: Path, backend: Settings, hub_auth: HubAuth | None = None):
        self.config, self.course_dir, self.backend = config, Path(course_dir), backend
        self.limiter = RateLimiter(config.requests_per_minute)
        self.hub_auth = hub_auth or HubAuth()
        self.client = async_client(backend)

    @property
    def model(self) -> str:
        return self.backend.resolve_model()

    def count(self, staff_id: str, prompt_tokens: int, completion_tokens: int) -> None:
        try:
            add_use(self.course_dir, staff_id, prompt_tokens=prompt_tokens, completion_tokens=completion_tokens)
        except Exception:  # counting must never cost the learner their answer
            log.exception("could not count use of %s", staff_id)


class BaseHandler(web.RequestHandler):
    gateway: Gateway

    def initialize(self, gateway: Gateway) -> None:
        self.gateway = gateway

    def check_xsrf_cookie(self) -> None:  # token-authenticated API, no cookies
        return

    async def staff_id(self) -> str:
        auth = self.gateway.hub_auth
        user = await auth.get_user(self, sync=False)
        if not user or user.get("kind", "user") != "user":
            raise GatewayError(401, "AIゲートウェイの認証に失敗しました。JupyterHub にログインし直してから、"
                               "サーバーを再起動してください（OPENAI_API_KEY はハブのトークンです）。", "invalid_api_key",
                               "authentication_error")
        if not auth.check_scopes(auth.access_scopes, user):
            raise GatewayError(403, "このアカウントはAIゲートウェイを使えません。研修担当に確認してください。", "forbidden",
                               "permission_error")
        return user["name"]

    def send_error_body(self, err: GatewayError) -> None:
        self.set_status(err.status)
        self.set_header("Content-Type", "application/json; charset=utf-8")
        self.set_header("x-should-retry", "false")  # the openai SDK shows the message at once instead of retrying
        if err.retry_after is not None:
            self.set_header("retry-after", str(max(1, int(err.retry_after + 0.999))))
        self.finish(json.dumps(err.body(), ensure_ascii=False))


class ModelsHandler(BaseHandler):
    async def get(self) -> None:
        try:
            await self.staff_id()
        except GatewayError as err:
            return self.send_error_body(err)
        self.finish({"object": "list", "data": [{"id": self.gateway.model, "object": "model", "created": 0,
                                                 "owned_by": "aidojo-gateway"}]})


class ChatHandler(BaseHandler):
    async def post(self) -> None:
        gw = self.gateway
        try:
            staff_id = await self.staff_id()
            try:
                payload = json.loads(self.request.body or b"{}")
            except ValueError:
                raise GatewayError(400, "リクエストが JSON として読めません。", "invalid_json") from None
            request, masked = clean_request(payload, max_chars=gw.config.max_prompt_chars)
            gw.limiter.check(staff_id)
            check_budget(gw.course_dir, gw.config.class_tokens_per_day)
        except GatewayError as err:
            return self.send_error_body(err)
        if gw.config.log_prompts:
            log_prompt(gw.course_dir, staff_id, request["messages"])
        self.set_header("x-aidojo-masked", str(masked))
        request["model"] = gw.model  # the city chooses the model; aliases and other names map to it
        try:
            if request.get("stream"):
                await self.stream(staff_id, request)
            else:
                completion = await gw.client.chat.completions.create(**request)
                body = completion.model_dump(mode="json", exclude_unset=True)
                usage = body.get("usage") or {}
                gw.count(staff_id, int(usage.get("prompt_tokens") or 0), int(usage.get("completion_tokens") or 0))
                self.set_header("Content-Type", "application/json; charset=utf-8")
                self.finish(json.dumps(body, ensure_ascii=False))
        except openai.APIStatusError as exc:
            log.warning("backend answered %s for %s", exc.status_code, staff_id)
            status = exc.status_code if exc.status_code in (400, 404, 413, 422, 429) else 502
            self.send_error_body(GatewayError(status, f"AIサービスがエラーを返しました（{exc.status_code}）。"
                                              "しばらく待ってから試し、続くときは研修担当に連絡してください。", "backend_error",
                                              "api_error"))
        except openai.APIError as exc:
            log.warning("backend unreachable for %s: %s", staff_id, type(exc).__name__)
            self.send_error_body(GatewayError(502, "AIサービスにつながりません。研修担当に連絡してください。",
                                              "backend_unreachable", "api_error"))

    async def stream(self, staff_id: str, request: dict) -> None:
        gw = self.gateway
        wants_usage = bool((request.get("stream_options") or {}).get("include_usage"))
        request["stream_options"] = {"include_usage": True}
        stream = await gw.client.chat.completions.create(**request)
        self.set_header("Content-Type", "text/event-stream; charset=utf-8")
        self.set_header("Cache-Control", "no-cache")
        usage, text = None, []
        async for chunk in stream:
            data = chunk.model_dump(mode="json", exclude_unset=True)
            if data.get("usage"):
                usage = data["usage"]
            for choice in data.get("choices") or []:
                text.append((choice.get("delta") or {}).get("content") or "")
            if data.get("choices") or wants_usage:
                self.write(f"data: {json.dumps(data, ensure_ascii=False)}\n\n")
                await self.flush()
        if usage:  # counted before the stream ends: whoever reads the ledger next sees this request
            gw.count(staff_id, int(usage.get("prompt_tokens") or 0), int(usage.get("completion_tokens") or 0))
        else:  # a backend that gives no usage in streams: estimate
            prompt = "".join(json.dumps(m.get("content"), ensure_ascii=False) for m in request["messages"])
            gw.count(staff_id, estimate_tokens(prompt), estimate_tokens("".join(text)))
        self.write("data: [DONE]\n\n")
        await self.finish()


class StatusHandler(BaseHandler):
    def get(self) -> None:
        self.finish({"service": "aidojo-ai-gateway", "model": self.gateway.model,
                     "message": "AI道場のAIゲートウェイです。OpenAI互換の /v1/chat/completions を提供します。"})


def make_app(gateway: Gateway, prefix: str = "/") -> web.Application:
    prefix = "/" + prefix.strip("/") + "/" if prefix.strip("/") else "/"
    args = {"gateway": gateway}
    return web.Application([(prefix + "v1/chat/completions", ChatHandler, args), (prefix + "v1/models", ModelsHandler, args),
                            (prefix.rstrip("/") + "/?", StatusHandler, args)])


def gateway_from_env() -> Gateway:
    """The gateway JupyterHub starts: settings from AIDOJO_GATEWAY_SETTINGS, backend from the env / gateway.env."""
    config = GatewaySettings.model_validate_json(os.environ.get("AIDOJO_GATEWAY_SETTINGS") or "{}")
    env_file = os.environ.get("AIDOJO_GATEWAY_ENV_FILE")
    backend = load_settings(env_file if env_file and Path(env_file).is_file() else os.devnull)
    course_dir = Path(os.environ["AIDOJO_COURSE_DIR"])
    return Gateway(config, course_dir, backend)


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="[aidojo-gateway %(levelname)s] %(message)s")
    gateway = gateway_from_env()
    url = urlparse(os.environ["JUPYTERHUB_SERVICE_URL"])
    app = make_app(gateway, os.environ.get("JUPYTERHUB_SERVICE_PREFIX", "/"))
    app.listen(url.port, address=url.hostname or "127.0.0.1")
    log.info("serving model %s (%s) on %s", gateway.model, gateway.backend.provider, url.geturl())
    try:
        ioloop.IOLoop.current().start()
    except KeyboardInterrupt:  # JupyterHub stops its services with SIGINT
        log.info("stopped")


if __name__ == "__main__":
    main()
