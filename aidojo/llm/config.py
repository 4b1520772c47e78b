"""LLM settings in one place: environment variables, then a ``.env`` file (the environment wins)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from dotenv import dotenv_values, find_dotenv
from pydantic import BaseModel, SecretStr

Provider = Literal["offline", "openai", "azure", "compatible"]
PROVIDERS: tuple[str, ...] = ("offline", "openai", "azure", "compatible")

# Model aliases per backend: AIDOJO_MODEL (or model=...) may name an alias or a real model.
MODEL_ALIASES: dict[str, dict[str, str]] = {
    "offline": {"default": "aidojo-offline-practice", "fast": "aidojo-offline-practice", "smart": "aidojo-offline-practice"},
    "openai": {"default": "gpt-4.1-mini", "fast": "gpt-4.1-nano", "smart": "gpt-4.1"},
    # Azure takes a *deployment* name; set AIDOJO_MODEL to yours.
    "azure": {"default": "gpt-4.1-mini", "fast": "gpt-4.1-nano", "smart": "gpt-4.1"},
    # llama.cpp's server accepts any name; Ollama and vLLM need the served model's name.
    "compatible": {"default": "local-model", "fast": "local-model", "smart": "local-model"},
}


class Settings(BaseModel):
    """Which backend to use and how to reach it. Secrets are ``SecretStr``: never shown in repr."""

    provider: Provider = "offline"
    model: str = "aidojo-offline-practice"
    api_key: SecretStr | None = None
    base_url: str | None = None
    api_version: str | None = None
    timeout: float = 60.0
    max_retries: int = 3
    grading: bool = False
    requested_provider: str | None = None

    def resolve_model(self, name: str | None = None) -> str:
        """Turn an alias ('default', 'fast', 'smart') or ``None`` into this backend's model name."""
        name = name or self.model
        return MODEL_ALIASES[self.provider].get(name, name)

    def describe(self) -> dict[str, str]:
        """A printable summary that never contains the key itself."""
        return {
            "provider": self.provider,
            "model": self.resolve_model(),
            "base_url": self.base_url or "",
            "api_key": "設定済み（表示しません）" if self.api_key else "未設定",
            "timeout": f"{self.timeout:g}s",
            "max_retries": str(self.max_retries),
        }


def _env(dotenv_path: str | Path | None = None) -> dict[str, str]:
    path = str(dotenv_path) if dotenv_path else find_dotenv(usecwd=True)
    values = {k: v for k, v in (dotenv_values(path) if path else {}).items() if v is not None}
    values.update({k: v for k, v in os.environ.items()})
    return values


def load_settings(dotenv_path: str | Path | None = None) -> Settings:
    """Read the settings. ``AIDOJO_PROVIDER`` picks the backend; without it, the offline model."""
    env = _env(dotenv_path)
    requested = (env.get("AIDOJO_PROVIDER") or "offline").strip().lower()
    grading = bool(env.get("NBGRADER_EXECUTION"))
    if requested not in PROVIDERS:
        from aidojo.llm.errors import LLMConfigError

        raise LLMConfigError(
            f"AIDOJO_PROVIDER={requested!r} は使えません。offline / openai / azure / compatible のいずれかを設定してください。"
        )
    provider = "offline" if grading else requested
    timeout = float(env.get("AIDOJO_TIMEOUT") or 60)
    retries = int(env.get("AIDOJO_MAX_RETRIES") or 3)
    model = env.get("AIDOJO_MODEL") or "default"
    if provider == "offline":
        return Settings(provider="offline", model="default", timeout=timeout, max_retries=0, grading=grading, requested_provider=requested)
    if provider == "openai":
        key = env.get("OPENAI_API_KEY")
        return Settings(provider="openai", model=model, api_key=SecretStr(key) if key else None,
                        base_url=env.get("OPENAI_BASE_URL") or None, timeout=timeout, max_retries=retries)
    if provider == "azure":
        key = env.get("AZURE_OPENAI_API_KEY")
        return Settings(provider="azure", model=model, api_key=SecretStr(key) if key else None,
                        base_url=env.get("AZURE_OPENAI_ENDPOINT") or None,
                        api_version=env.get("OPENAI_API_VERSION") or None, timeout=timeout, max_retries=retries)
    key = env.get("OPENAI_API_KEY") or "not-needed"
    return Settings(provider="compatible", model=model, api_key=SecretStr(key),
                    base_url=env.get("OPENAI_BASE_URL") or None, timeout=timeout, max_retries=retries)
