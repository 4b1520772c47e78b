"""Find API keys in notebooks before they leave a learner's laptop (sources, outputs and metadata).

Hand-written (small regexes) because the well-known scanners (detect-secrets, gitleaks) are heavy
dependencies and know nothing of notebooks' outputs; these patterns cover the keys this kit uses.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from aidojo.course.nbjson import cell_source, parse_notebook

PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("OpenAIのAPIキー", re.compile(r"\bsk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_\-]{20,}")),
    ("AzureのAPIキー", re.compile(
        r"(?i)(?:azure[_-]?openai[_-]?(?:api[_-]?)?key|ocp-apim-subscription-key|api-key)\s*[:=]\s*[\"']?([0-9a-f]{32}|[A-Za-z0-9]{84})\b")),
    ("APIキーの直書き", re.compile(r"(?i)\bapi[_-]?key\s*[:=]\s*[\"']([^\"'\s]{8,})[\"']")),
    ("APIキーの直書き", re.compile(r"(?i)\b(?:OPENAI|AZURE_OPENAI)_API_KEY\s*=\s*[\"']?([^\"'\s]{8,})")),
    ("アクセストークン", re.compile(r"\b(?:ghp_[A-Za-z0-9]{36}|xox[bp]-[A-Za-z0-9-]{20,}|AKIA[0-9A-Z]{16})\b")),
)
# Values that are obviously placeholders, not keys (docs and exercises mention them).
PLACEHOLDERS = re.compile(r"(?i)^(?:x+|\*+|\.+|<.*>|your[-_ ]?(?:api[-_ ]?)?key.*|dummy.*|test.*|example.*|sk-\.\.\.|\$\{?\w+\}?)$")


@dataclass(frozen=True)
class KeyFinding:
    """An API key found in ``file``: cell number (1-based), where (ソース/出力/メタデータ) and what kind."""

    file: str
    cell: int
    cell_id: str
    where: str
    kind: str

    def message(self) -> str:
        cell = f"{self.cell}番目のセル（id: {self.cell_id}）" if self.cell else "ノートブック全体のメタデータ"
        return f"{self.file} の {cell}の{self.where}に{self.kind}らしき文字列があります"


def find_keys_in_text(text: str) -> list[str]:
    """Kinds of keys found in ``text`` (placeholders such as "sk-..." or "your-key" are ignored)."""
    found = []
    for kind, pattern in PATTERNS:
        for m in pattern.finditer(text):
            value = m.group(m.lastindex or 0)
            if not PLACEHOLDERS.match(value.strip()):
                found.append(kind)
                break
    return list(dict.fromkeys(found))


def _strings(value: object, depth: int = 0) -> list[str]:
    """Every string inside a JSON value, and each ``key = "text"`` pair (metadata such as ``{"api_key": "…"}``);
    outputs and metadata can hold anything, since a learner's file is untrusted."""
    if isinstance(value, str):
        return [value]
    if depth > 50:
        return []
    if isinstance(value, dict):
        out = []
        for k, v in value.items():
            out += _strings(k, depth + 1) + _strings(v, depth + 1)
            if isinstance(k, str) and isinstance(v, str):
                out.append(f'{k} = "{v}"')
        return out
    if isinstance(value, list):
        return [s for v in value for s in _strings(v, depth + 1)]
    return []


def _scan_json(value: object) -> list[str]:
    return find_keys_in_text("\n".join(_strings(value)))


def scan_notebook(notebook: dict | Path, display_name: str | None = None) -> list[KeyFinding]:
    """Keys in a notebook (a dict checked by ``aidojo.course.nbjson.parse_notebook``, or a path to read): every
    cell's source, outputs and metadata, and the notebook metadata."""
    if isinstance(notebook, dict):
        nb, name = notebook, display_name or "ノートブック"
    else:
        nb, name = parse_notebook(Path(notebook).read_bytes(), display_name or Path(notebook).name), display_name or Path(notebook).name
    findings: list[KeyFinding] = []
    for kind in _scan_json(nb.get("metadata", {})):
        findings.append(KeyFinding(name, 0, "", "メタデータ", kind))
    for i, cell in enumerate(nb.get("cells", []), start=1):
        cid = str(cell.get("id", ""))
        for kind in find_keys_in_text(cell_source(cell)):
            findings.append(KeyFinding(name, i, cid, "ソース", kind))
        for kind in _scan_json(cell.get("outputs") or []):
            findings.append(KeyFinding(name, i, cid, "出力", kind))
        for kind in _scan_json(cell.get("metadata", {})):
            findings.append(KeyFinding(name, i, cid, "メタデータ", kind))
    return findings
