"""Find API keys in notebooks before they leave a learner's laptop (sources, outputs and metadata).

Hand-written (small regexes) because the well-known scanners (detect-secrets, gitleaks) are heavy
dependencies and know nothing of notebooks' outputs; these patterns cover the keys this kit uses.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

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


def _output_texts(output: dict) -> list[str]:
    texts = [output.get("text", "") if isinstance(output.get("text"), str) else "".join(output.get("text") or [])]
    for value in (output.get("data") or {}).values():
        texts.append(value if isinstance(value, str) else json.dumps(value, ensure_ascii=False) if not isinstance(value, list) else "".join(value))
    texts.append(output.get("evalue", "") or "")
    texts.extend(output.get("traceback") or [])
    return texts


def scan_notebook(path: Path, display_name: str | None = None) -> list[KeyFinding]:
    """Keys in ``path`` (a notebook): every cell's source, outputs and metadata, and the notebook metadata."""
    name = display_name or Path(path).name
    nb = json.loads(Path(path).read_text(encoding="utf-8"))
    findings: list[KeyFinding] = []
    for kind in find_keys_in_text(json.dumps(nb.get("metadata", {}), ensure_ascii=False)):
        findings.append(KeyFinding(name, 0, "", "メタデータ", kind))
    for i, cell in enumerate(nb.get("cells", []), start=1):
        cid = str(cell.get("id", ""))
        source = cell.get("source", "")
        source = source if isinstance(source, str) else "".join(source)
        for kind in find_keys_in_text(source):
            findings.append(KeyFinding(name, i, cid, "ソース", kind))
        for output in cell.get("outputs", []) or []:
            for kind in find_keys_in_text("\n".join(_output_texts(output))):
                findings.append(KeyFinding(name, i, cid, "出力", kind))
        for kind in find_keys_in_text(json.dumps(cell.get("metadata", {}), ensure_ascii=False)):
            findings.append(KeyFinding(name, i, cid, "メタデータ", kind))
    return findings
