"""Fault injection: every hackathon template, driven through its own UI handler, against a fake OpenAI-compatible
server on 127.0.0.1 reached through the real ``openai`` SDK. The server answers 500, hangs, returns a hallucinated
citation with claims its passage does not make, and leaks personal data. No template may crash, show an unsupported
claim or leak; a fault must give a visible Japanese status and keep the citizen's or staff member's input.

One server and one import of each app serve every check (the apps' timeouts are shortened for the hang).
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from aidojo.hackathon.testing import load_app
from tests.fake_openai_server import (
    HALLUCINATED,
    HALLUCINATED_CLAIMS,
    LEAKED,
    LEAKED_DATA,
    FakeOpenAIServer,
    completion,
    error,
)

REPO = Path(__file__).resolve().parents[1]
TEMPLATES = REPO / "hackathon_templates"
NAMES = ("faq_bot", "gomi_guide", "doc_search", "minutes", "consult_record", "opinions")
FAULTS = ("500", "hang", "hallucination", "leak")
HANG_S = 6.0  # how long the server stays silent; the apps give up after their (shortened) timeout_s
TIMEOUT_S = 1.0


@pytest.fixture(scope="module")
def server():
    with FakeOpenAIServer([(200, completion("はい。"), 0.0)]) as srv:
        yield srv


@pytest.fixture(scope="module")
def apps():
    return {name: load_app(TEMPLATES / name / "app.py") for name in NAMES}


def _inputs(app, name: str, tmp_path: Path):
    """What a user gives each app: a question, a transcript, a CSV."""
    if name == "faq_bot":
        return "なくしたカードが見つかったらどうすればいいですか"
    if name == "gomi_guide":
        return "スプレー缶は何ごみですか"
    if name == "doc_search":
        return "年次休暇は1年目に何日もらえますか"
    if name in ("minutes", "consult_record"):
        return (app.DATA / app.sample_names()[0]).read_text(encoding="utf-8")
    csv = tmp_path / "iken.csv"
    csv.write_text("意見\nバスの便数が少なくて困っています。\n公園の遊具が古くなっています。\n", encoding="utf-8")
    return str(csv)


def _run(app, name: str, given) -> tuple[str, str, str]:
    """Use the app as its user does, through the UI handler: (everything shown, the status line, the input kept)."""
    if name == "faq_bot":
        *_, (_, messages, status, state, _) = list(app._respond(given, app.new_state()))
        return json.dumps(messages, ensure_ascii=False), status, messages[0]["content"]
    if name == "gomi_guide":
        body, status, _ = app._ask(given, True)  # やさしい日本語: the model rewrites the table's note
        return body, status, given
    if name == "doc_search":
        *_, (answer_md, confirm_md, rows, status) = list(app._ask(given, None))
        return f"{answer_md}\n{confirm_md}\n{rows}", status, given
    if name == "minutes":
        minutes, rows, status = app._run(given)
        return f"{minutes}\n{rows}", status, given
    if name == "consult_record":
        masked, note, *fields = app._run(given)
        return "\n".join([masked, *fields]), note, given
    summary, chart, quotes, files, status = app._run(given)
    table = summary.to_csv(index=False) if summary is not None else ""
    texts = [Path(f).read_text(encoding="utf-8-sig") for f in files]
    return "\n".join([table, quotes, *texts]), status, given


@pytest.fixture
def backend(server, monkeypatch, tmp_path):
    monkeypatch.setenv("AIDOJO_PROVIDER", "compatible")
    monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
    monkeypatch.setenv("OPENAI_API_KEY", "test-key")
    monkeypatch.setenv("AIDOJO_HANDOFF_LOG", str(tmp_path / "handoff.jsonl"))
    return server


@pytest.mark.slow
@pytest.mark.server
@pytest.mark.parametrize("fault", FAULTS)
@pytest.mark.parametrize("name", NAMES)
def test_no_template_crashes_shows_an_unsupported_claim_or_leaks(apps, backend, monkeypatch, tmp_path, name, fault):
    app = apps[name]
    guard = replace(app.SETTINGS.guard, timeout_s=TIMEOUT_S, total_s=3 * TIMEOUT_S)
    monkeypatch.setattr(app, "SETTINGS", replace(app.SETTINGS, guard=guard))
    steps = {"500": (500, error(500, "internal error"), 0.0), "hang": (200, completion("はい。"), HANG_S),
             "hallucination": (200, completion(HALLUCINATED), 0.0), "leak": (200, completion(LEAKED), 0.0)}
    backend.always(*steps[fault])
    before = len(backend.requests)
    given = _inputs(app, name, tmp_path)

    shown, status, kept = _run(app, name, given)  # raises if the app crashes

    calls = backend.requests[before:]
    assert calls, f"{name} did not call the backend"
    assert all(c.get("max_tokens") == app.SETTINGS.guard.max_tokens for c in calls), "max_tokens from template.toml"
    for claim in HALLUCINATED_CLAIMS:
        assert claim not in shown, f"{name} showed the unsupported claim 「{claim}」 ({fault})"
    for raw in LEAKED_DATA:
        assert raw not in shown, f"{name} showed leaked personal data {raw} ({fault})"
    assert "Traceback" not in shown and "エラー" not in kept
    if name in ("faq_bot", "doc_search"):  # the citizen-facing answers: the guard, not luck, stopped the reply
        from aidojo.safety import read_handoff_log

        reasons = {r.reason for r in read_handoff_log(tmp_path / "handoff.jsonl")}
        expected = {"500": {"backend_error"}, "hang": {"backend_timeout"}, "hallucination": {"unsupported_claim", "unknown_citation"},
                    "leak": {"unsupported_claim", "unknown_citation", "pii_in_answer"}}[fault]
        assert reasons and reasons <= expected, f"{name} {fault}: handoff reasons {reasons}"
    if fault in ("500", "hang"):
        words = {"500": "エラー", "hang": "時間内"}[fault]
        assert words in status or words in shown, f"{name}: no visible Japanese status for {fault}: {status!r}"
        assert len(calls) <= (2 if fault == "500" else 1) * 2, f"{name} kept calling a failing backend ({len(calls)})"
        assert kept.strip() and (kept in shown or name in ("gomi_guide", "doc_search", "minutes", "opinions")
                                 or kept[:20] in shown or name == "consult_record")


@pytest.mark.slow
def test_every_template_defines_demo_at_module_level_for_gradio_reload(apps):
    import gradio as gr

    for name, app in apps.items():
        assert isinstance(getattr(app, "demo", None), gr.Blocks), f"{name}: `gradio app.py` needs a module-level demo"
