"""Run reports: one clear line per problem (Japanese, with staff id and module), printed and saved."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from aidojo.fileio import atomic_write_text

LEVELS = {"ok": "OK", "info": "情報", "warn": "注意", "error": "エラー"}


@dataclass(frozen=True)
class ReportLine:
    """One finding: ``level`` is ok / info / warn / error; ``code`` a stable English tag tests can match."""

    level: str
    code: str
    message: str
    staff_id: str = ""
    module: str = ""
    path: str = ""

    def render(self) -> str:
        who = " ".join(p for p in (self.staff_id, self.module) if p)
        where = f"（{self.path}）" if self.path else ""
        return f"[{LEVELS.get(self.level, self.level)}] {who + ': ' if who else ''}{self.message}{where}"


@dataclass
class Report:
    """A list of findings with a title; ``text()`` is what the trainer reads at the end of a run."""

    title: str
    lines: list[ReportLine] = field(default_factory=list)

    def add(self, level: str, code: str, message: str, staff_id: str = "", module: str = "", path: str = "") -> ReportLine:
        line = ReportLine(level, code, message, staff_id, module, str(path) if path else "")
        self.lines.append(line)
        return line

    def find(self, code: str | None = None, staff_id: str | None = None, level: str | None = None) -> list[ReportLine]:
        return [ln for ln in self.lines if (code is None or ln.code == code)
                and (staff_id is None or ln.staff_id == staff_id) and (level is None or ln.level == level)]

    @property
    def problems(self) -> list[ReportLine]:
        return [ln for ln in self.lines if ln.level in ("warn", "error")]

    def summary(self) -> str:  # overridden by subclasses
        return ""

    def text(self) -> str:
        order = {"error": 0, "warn": 1, "info": 2, "ok": 3}
        body = [ln.render() for ln in sorted(self.lines, key=lambda ln: (order.get(ln.level, 9), ln.staff_id, ln.module))]
        parts = [f"== {self.title} ==", *body]
        if self.summary():
            parts.append(self.summary())
        return "\n".join(parts)

    def save(self, folder: Path, stem: str) -> Path:
        """Write the report to ``folder/<stem>-<UTC time>.txt`` atomically; returns the path."""
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
        return atomic_write_text(Path(folder) / f"{stem}-{stamp}.txt", self.text() + "\n")
