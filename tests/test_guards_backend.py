"""Guards against a faulty OpenAI-compatible server on 127.0.0.1, through the real ``openai`` SDK and ``aidojo.llm``:
500s, a hang, a stall mid-reply, empty replies, hallucinated citations, leaked personal data — each becomes a handoff
with a reason and a log line, never an exception, and nothing unsupported is shown."""

from __future__ import annotations

import logging
import socket

import pytest

from aidojo.retrieval import Index, grounded_answer
from aidojo.safety import BACKEND_REPLY, GuardSettings, Passage, guarded_chat, is_handoff, stream_guarded_chat
from tests.fake_openai_server import FakeOpenAIServer, completion, error

FAQ = [Passage("FAQ-12", "マイナンバーカードの再発行手数料は1,000円です。本人の責任によらない場合は無料です。"),
       Passage("FAQ-30", "市民課は、みどり市役所本庁舎1階の3番窓口です。電話番号は093-582-1111です。")]
GOOD = "再発行の手数料は1,000円です【FAQ-12】。"
FAST = GuardSettings(timeout_s=1.0, total_s=5.0)


@pytest.fixture
def backend(monkeypatch, tmp_path):
    """Point aidojo.llm at a fake server: ``backend(steps)`` starts one and returns it (stopped after the test)."""
    servers = []
    monkeypatch.chdir(tmp_path)

    def start(steps):
        server = FakeOpenAIServer(steps).__enter__()
        servers.append(server)
        monkeypatch.setenv("AIDOJO_PROVIDER", "compatible")
        monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
        monkeypatch.setenv("OPENAI_API_KEY", "not-needed")
        return server

    yield start
    for server in servers:
        server.__exit__(None, None, None)


def test_a_good_reply_is_streamed_and_shown(backend):
    server = backend([(200, completion(GOOD), 0)])
    snaps = list(stream_guarded_chat("手数料は？", passages=FAQ, settings=FAST, max_tokens=200))
    assert snaps[-1].text == GOOD and not snaps[-1].handoff and snaps[-1].citations == ["FAQ-12"]
    assert any(not s.final and s.text == GOOD for s in snaps)
    assert server.requests[0]["max_tokens"] == 200 and server.requests[0]["stream"] is True


def test_500s_become_a_handoff_after_one_retry(backend, caplog):
    server = backend([(500, error(500, "boom"), 0)])
    with caplog.at_level(logging.WARNING, logger="aidojo.safety.guards"):
        snaps = list(stream_guarded_chat("手数料は？", passages=FAQ, settings=FAST))
    final = snaps[-1]
    assert final.handoff and final.reason == "backend_error" and final.text == BACKEND_REPLY and is_handoff(final.text)
    assert final.attempts == 2 and len(server.requests) == 2
    assert "もう一度試しています" in "".join(s.status_ja for s in snaps)  # the visible retry status
    assert "reason=backend_error detail=HTTP 500" in caplog.text


def test_one_500_then_an_answer_is_shown(backend):
    server = backend([(500, error(500, "boom"), 0), (200, completion(GOOD), 0)])
    r = guarded_chat("手数料は？", passages=FAQ, settings=FAST)
    assert not r.handoff and r.text == GOOD and r.attempts == 2 and len(server.requests) == 2


def test_a_hanging_backend_is_a_handoff_after_one_timeout_without_retry(backend):
    server = backend([(200, completion(GOOD), 30)])  # answers after 30 s: far too late
    r = guarded_chat("手数料は？", passages=FAQ, settings=FAST)
    assert r.handoff and r.reason == "backend_timeout" and r.attempts == 1 and len(server.requests) == 1
    assert r.status_ja == "職員におつなぎします（AIの応答が時間内にありませんでした）"


def test_a_hanging_backend_without_streaming_waits_total_s(backend):
    backend([(200, completion(GOOD), 30)])
    r = guarded_chat("手数料は？", passages=FAQ, settings=GuardSettings(stream=False, timeout_s=1, total_s=1.5))
    assert r.handoff and r.reason == "backend_timeout" and r.attempts == 1


def test_a_stall_mid_reply_shows_only_checked_text(backend):
    body = completion(GOOD + "本人の責任によらない場合は無料です【FAQ-12】。")
    body["_stall_after"] = 4  # four 8-character pieces, then silence
    backend([(200, body, 0)])
    snaps = list(stream_guarded_chat("手数料は？", passages=FAQ, settings=FAST))
    assert snaps[-1].handoff and snaps[-1].reason == "backend_timeout"
    assert all(s.text in ("", GOOD) for s in snaps[:-1])


@pytest.mark.parametrize("reply", ["", "   \n"])
def test_an_empty_reply_is_a_handoff(backend, reply):
    backend([(200, completion(reply), 0)])
    r = guarded_chat("手数料は？", passages=FAQ, settings=FAST)
    assert r.handoff and r.reason == "empty_reply" and r.text == BACKEND_REPLY


def test_hallucinated_citation_and_claims(backend):
    backend([(200, completion("はい、手数料は無料で、その日のうちに受け取れます。土日も24時間対応しています。【FAQ-11】"), 0)])
    assert guarded_chat("手数料は？", passages=FAQ, settings=FAST).reason == "unknown_citation"
    backend([(200, completion("はい、手数料は無料で、その日のうちに受け取れます。土日も24時間対応しています。【FAQ-12】"), 0)])
    r = guarded_chat("手数料は？", passages=FAQ, settings=FAST)
    assert r.reason == "unsupported_claim" and "24時間" in r.unsupported


def test_leaked_personal_data_is_never_shown(backend):
    backend([(200, completion("市民課は本庁舎1階です【FAQ-30】。担当の佐藤ウメさん（090-1111-2222、マイナンバー123456789018）が対応します。"), 0)])
    snaps = list(stream_guarded_chat("窓口は？", passages=FAQ, settings=FAST))
    shown = "".join(s.text for s in snaps)
    for secret in ("佐藤ウメ", "090-1111-2222", "123456789018"):
        assert secret not in shown
    assert snaps[-1].handoff and snaps[-1].reason == "unsupported_claim"


@pytest.mark.parametrize("status", [400, 401, 404])
def test_errors_a_retry_cannot_fix_are_not_retried(backend, status):
    server = backend([(status, error(status, "no"), 0)])
    r = guarded_chat("手数料は？", passages=FAQ, settings=FAST)
    assert r.handoff and r.reason == "backend_error" and r.attempts == 1 and len(server.requests) == 1


def test_a_refused_connection_is_a_handoff(monkeypatch, tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed once the block ends: nothing listens there
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("AIDOJO_PROVIDER", "compatible")
    monkeypatch.setenv("OPENAI_BASE_URL", f"http://127.0.0.1:{port}/v1")
    r = guarded_chat("手数料は？", passages=FAQ, settings=FAST)
    assert r.handoff and r.reason == "backend_error" and r.attempts == 2


def test_a_misconfigured_backend_is_a_handoff_not_a_crash(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("AIDOJO_PROVIDER", "compatible")
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    r = guarded_chat("手数料は？", passages=FAQ)
    assert r.handoff and r.reason == "backend_error"


def test_grounded_answer_hands_off_on_backend_faults_and_missing_citations(backend):
    index = Index()
    index.add_text("マイナンバーカードの再発行手数料は1,000円です。", source="FAQ-12")
    index.add_text("市民課は本庁舎1階の3番窓口です。", source="FAQ-30")
    backend([(500, error(500, "boom"), 0)])
    assert grounded_answer("再発行の手数料はいくら？", index, settings=FAST).reason == "backend_error"
    backend([(200, completion("再発行の手数料は1,000円です。"), 0)])
    no_cite = grounded_answer("再発行の手数料はいくら？", index, settings=FAST)
    assert no_cite.handoff and no_cite.reason == "no_citation" and no_cite.citations == []
    backend([(200, completion("再発行の手数料は1,000円です [1]。"), 0)])
    ok = grounded_answer("再発行の手数料はいくら？", index, settings=FAST)
    assert not ok.handoff and ok.text == "再発行の手数料は1,000円です [FAQ-12]。" and ok.citations == ["FAQ-12"]
