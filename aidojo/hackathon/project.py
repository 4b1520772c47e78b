"""What every template's ``app.py`` reads from its own project folder: the settings in ``template.toml``.

    from aidojo.hackathon.project import load_settings
    SETTINGS = load_settings(HERE)            # HERE = the folder of app.py
    SETTINGS.guard.max_tokens                 # [guard]: how the AI is called and checked (aidojo.safety.GuardSettings)
    SETTINGS.retrieval["min_relevance"]       # [retrieval]: the template's search settings

A broken file or an unknown setting raises ``ValueError`` with a Japanese message naming the file and the table,
so a team that mistypes ``max_token`` is told so when the app starts, not by a wrong answer later.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aidojo.safety import GuardSettings

SETTINGS_FILE = "template.toml"
TABLES = ("guard", "retrieval")


@dataclass(frozen=True)
class ProjectSettings:
    """A project's settings: the guard (model calls), the retrieval table, and the template's name and team."""

    guard: GuardSettings
    retrieval: dict[str, Any] = field(default_factory=dict)
    name: str = ""
    team: str = ""
    path: Path | None = None

    def value(self, table: str, key: str, default: Any) -> Any:
        """A setting of ``[table]`` (``retrieval``) with ``default`` when the team has not set it; its type must match."""
        data = {"retrieval": self.retrieval}.get(table, {})
        if key not in data:
            return default
        got = data[key]
        want = type(default)
        ok = isinstance(got, want) or (want is float and isinstance(got, int) and not isinstance(got, bool))
        if not ok:
            raise ValueError(f"{self.path} の [{table}] {key} は {want.__name__} で書いてください（今は {got!r}）。")
        return float(got) if want is float else got


def load_settings(project_dir: str | Path) -> ProjectSettings:
    """Read ``template.toml`` of ``project_dir`` (missing file or tables: the defaults)."""
    path = Path(project_dir) / SETTINGS_FILE
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ValueError(f"{path} を読めません（{exc}）。") from None
    for table in TABLES:
        if table in data and not isinstance(data[table], dict):
            raise ValueError(f"{path} の {table} は [{table}] の表として書いてください。")
    guard = GuardSettings.from_mapping(data.get("guard"), where=f"{path} の [guard]")
    return ProjectSettings(guard, dict(data.get("retrieval") or {}), str(data.get("name") or ""),
                           str(data.get("team") or ""), path)


def failure_decision(question: str):
    """The handoff for an unexpected error in the app itself: the citizen sees the backend-failure reply and status
    (never a Gradio error badge), and the record says what failed."""
    from datetime import UTC, datetime

    from aidojo.safety import HandoffDecision, handoff_reply, mask_pii, reason_ja

    reason = "backend_error"
    event = {"timestamp": datetime.now(UTC).isoformat(timespec="seconds"), "handoff": True, "reason": reason,
             "reason_ja": reason_ja(reason), "question": mask_pii(question or "").text, "app_error": True}
    return HandoffDecision(True, reason, reason_ja(reason), handoff_reply(reason), event)
