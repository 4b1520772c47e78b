"""The workshop server's settings in one place: ``hub.toml`` in the hub folder, overridden by command-line options.

The same settings produce the JupyterHub configuration (local processes or one Unix account per staff member)
and the Zero to JupyterHub Helm values (Kubernetes), so the three sizes of deployment never drift apart.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, ValidationError, field_validator

from aidojo.course.config import REPO_ROOT, course_data_dir
from aidojo.text.staff_id import StaffIdError, normalize_staff_id

SETTINGS_FILE = "hub.toml"
SERVICE_NAME = "ai"  # the AI gateway's JupyterHub service name: /services/ai/v1


class HubSettingsError(ValueError):
    """hub.toml or an option is wrong (Japanese message naming the setting)."""


def default_hub_dir() -> Path:
    """``AIDOJO_HUB_DIR`` or ``~/.aidojo/hub``: the hub database, cookie secret, passwords, learners' folders."""
    return Path(os.environ.get("AIDOJO_HUB_DIR") or Path.home() / ".aidojo" / "hub").expanduser().resolve()


class LdapSettings(BaseModel):
    """jupyterhub-ldapauthenticator for a city directory (OpenLDAP or Active Directory)."""

    server_address: str = ""
    server_port: int | None = None
    tls_strategy: Literal["before_bind", "on_connect", "insecure"] = "before_bind"
    # Direct bind (OpenLDAP): "uid={username},ou=people,dc=city,dc=example"; AD: "{username}@city.local".
    bind_dn_template: list[str] = Field(default_factory=list)
    # Or look the user up first (AD with a service account); the password comes from AIDOJO_LDAP_PASSWORD.
    lookup_dn: bool = False
    search_bind_dn: str = ""
    user_search_base: str = ""
    user_attribute: str = "uid"  # AD: sAMAccountName
    lookup_dn_user_dn_attribute: str = "uid"
    allowed_groups: list[str] = Field(default_factory=list)


class GatewaySettings(BaseModel):
    """The AI gateway service: the city's key stays in its environment only."""

    port: int = 0  # 0: a free port chosen at start
    requests_per_minute: int = 10  # per learner
    class_tokens_per_day: int = 2_000_000  # all learners together (JST day)
    max_prompt_chars: int = 20_000
    log_prompts: bool = False  # masked prompts to <course data>/records/prompts.jsonl when the trainer turns it on
    env_file: Path | None = None  # dotenv with the backend settings (default <hub_dir>/gateway.env)


class HubSettings(BaseModel):
    """Everything ``aidojo hub`` needs; see docs/trainer/hub.md for each field in Japanese."""

    ip: str = "127.0.0.1"
    port: int = 8000
    public_url: str = ""  # what learners type, e.g. http://aidojo.city.local:8000 (printed on the password cards)
    hub_dir: Path = Field(default_factory=default_hub_dir)
    course_dir: Path = Field(default_factory=course_data_dir)
    repo_dir: Path = REPO_ROOT
    exchange_dir: Path | None = None
    trainers: list[str] = Field(default_factory=list)
    auth: Literal["passwords", "native", "ldap"] = "passwords"
    ldap: LdapSettings = Field(default_factory=LdapSettings)
    spawner: Literal["local", "systemd", "kubernetes"] = "local"
    mem_limit: str = "1G"
    cpu_limit: float = 1.0
    cull_idle_minutes: int = 60
    cull_every_seconds: int = 300
    start_timeout: int = 120
    learner_terminals: bool = False
    gateway: GatewaySettings = Field(default_factory=GatewaySettings)
    # Kubernetes only
    image: str = "quay.io/jupyter/minimal-notebook:2026-01-01"
    storage_capacity: str = "2Gi"

    @field_validator("trainers")
    @classmethod
    def _normalise_trainers(cls, value: list[str]) -> list[str]:
        try:
            return [normalize_staff_id(v) for v in value]
        except StaffIdError as exc:
            raise ValueError(f"trainers: {exc}") from None

    @property
    def exchange(self) -> Path:
        """nbgrader's exchange: the setting, else ``AIDOJO_EXCHANGE``, else ``<course data>/exchange``."""
        return Path(self.exchange_dir or os.environ.get("AIDOJO_EXCHANGE") or self.course_dir / "exchange").resolve()

    @property
    def url(self) -> str:
        host = "127.0.0.1" if self.ip in ("", "0.0.0.0") else self.ip
        return f"http://{host}:{self.port}"

    @property
    def login_url(self) -> str:
        """The address learners open (``public_url``, else this machine's)."""
        return self.public_url.rstrip("/") or self.url

    @property
    def gateway_env_file(self) -> Path:
        return Path(self.gateway.env_file or self.hub_dir / "gateway.env")


def load_settings(path: Path | None = None, **overrides) -> HubSettings:
    """``hub.toml`` (``path``, else ``<hub_dir>/hub.toml`` when present) with ``overrides`` on top (None ignored)."""
    overrides = {k: v for k, v in overrides.items() if v is not None}
    data: dict = {}
    hub_dir = Path(overrides.get("hub_dir") or default_hub_dir())
    path = Path(path) if path else hub_dir / SETTINGS_FILE
    if path.is_file():
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise HubSettingsError(f"{path} を読めません（TOML の書き方を確認してください）: {exc}") from None
    data.update(overrides)
    try:
        return HubSettings(**data)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors())
        raise HubSettingsError(f"{path.name} の設定が正しくありません: {problems}") from None
