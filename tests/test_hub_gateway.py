"""The AI gateway with no backend configured: it serves the offline practice model to the real ``openai`` SDK
(plain and streaming), still masking, limiting and counting. The hub's token check is replaced here by a table
of tokens (the real HubAuth check runs in tests/test_hub_server.py)."""

from __future__ import annotations

import asyncio
import threading

import openai
import pytest
from jupyterhub.services.auth import HubAuth

from aidojo.hub.gateway import Gateway, make_app
from aidojo.hub.settings import GatewaySettings
from aidojo.llm import load_settings
from aidojo.records.usage import load_usage
from tests.conftest import free_port

pytestmark = pytest.mark.server


class TokenTable(HubAuth):
    """HubAuth whose hub answers from a dict (token → user model)."""

    def __init__(self, users: dict[str, dict], **kwargs):
        super().__init__(api_token="unused", api_url="http://127.0.0.1:1/hub/api", access_scopes={"access:services!service=ai"},
                         **kwargs)
        self.users = users

    def user_for_token(self, token, use_cache=True, session_id="", *, sync=True):
        model = self.users.get(token)
        if sync:
            return model
        future = asyncio.get_event_loop().create_future()
        future.set_result(model)
        return future


@pytest.fixture
def gateway(tmp_path):
    users = {"tok-k1": {"name": "k0001", "kind": "user", "scopes": ["access:services!service=ai"]},
             "tok-nope": {"name": "k0009", "kind": "user", "scopes": []}}
    gw = Gateway(GatewaySettings(requests_per_minute=2), tmp_path, load_settings(), TokenTable(users))
    port, ready = free_port(), threading.Event()
    holder = {}

    def serve():
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        server = make_app(gw, "/services/ai/").listen(port, address="127.0.0.1")
        holder["loop"], holder["server"] = loop, server
        ready.set()
        loop.run_forever()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    ready.wait(10)
    yield gw, f"http://127.0.0.1:{port}/services/ai/v1"
    holder["loop"].call_soon_threadsafe(holder["loop"].stop)
    thread.join(10)


def test_offline_model_when_no_backend(gateway):
    gw, url = gateway
    assert gw.backend.provider == "offline"
    client = openai.OpenAI(base_url=url, api_key="tok-k1", max_retries=0)
    assert [m.id for m in client.models.list()] == ["aidojo-offline-practice"]
    reply = client.chat.completions.create(model="default", messages=[{"role": "user", "content":
        "次の文を30文字以内で要約してください。\n資料：みどり市では粗大ごみの収集を予約制にしています。電話090-1234-5678で受け付けます。"}])
    assert reply.model == "aidojo-offline-practice" and reply.choices[0].message.content
    assert "090-1234-5678" not in reply.choices[0].message.content  # masked before the model saw it
    stream = client.chat.completions.create(model="x", stream=True, messages=[{"role": "user", "content": "こんにちは"}])
    assert "".join(c.choices[0].delta.content or "" for c in stream if c.choices)
    day = load_usage(gw.course_dir)
    assert len(day) == 1 and day[0].staff_id == "k0001" and day[0].requests == 2 and day[0].prompt_tokens > 0
    with pytest.raises(openai.RateLimitError, match="1分に2回まで"):
        client.chat.completions.create(model="x", messages=[{"role": "user", "content": "もう一度"}])
    with pytest.raises(openai.PermissionDeniedError, match="AIゲートウェイを使えません"):
        openai.OpenAI(base_url=url, api_key="tok-nope", max_retries=0).models.list()
    with pytest.raises(openai.AuthenticationError, match="認証に失敗"):
        openai.OpenAI(base_url=url, api_key="sk-guess", max_retries=0).models.list()
