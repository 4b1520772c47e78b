"""Check one response against a scenario's asserts; each failure is explained in Japanese."""

from __future__ import annotations

import json
import re
import unicodedata

from aidojo.evals.suite import Expect
from aidojo.evals.targets import Response


def _n(text: str) -> str:
    return unicodedata.normalize("NFKC", text).lower()


def _short(text: str, width: int = 40) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def _json(text: str):
    body = text.strip()
    m = re.fullmatch(r"```(?:json)?\s*(.*?)\s*```", body, re.S)
    return json.loads(m.group(1) if m else body)


def check(expect: Expect, r: Response) -> list[str]:
    """The failed asserts of ``expect`` for response ``r`` (empty when all hold)."""
    fails: list[str] = []
    text = r.text
    for s in expect.contains or []:
        if _n(s) not in _n(text):
            fails.append(f"contains: 回答に「{s}」が含まれていません")
    for s in expect.not_contains or []:
        if _n(s) in _n(text):
            fails.append(f"not_contains: 回答に含まれてはいけない「{s}」が含まれています")
    for pattern in expect.regex or []:
        if not re.search(pattern, text):
            fails.append(f"regex: 回答が正規表現 {pattern!r} に一致しません")
    if expect.is_json or expect.json_schema is not None:
        try:
            data = _json(text)
        except ValueError as exc:
            fails.append(f"is_json: 回答が JSON として読めません（{exc.args[0] if exc.args else exc}）")
        else:
            if expect.json_schema is not None:
                fails.extend(_schema(expect.json_schema, data))
    want = expect.outcome()
    if want == "handoff" and not r.handoff:
        did = "聞き返しています" if r.ask_back else "回答しています"
        fails.append(f"handoff: 担当者への引き継ぎが必要なのに、{did}（「{_short(text)}」）")
    if want == "answer" and r.handoff:
        fails.append("answers: 答えるべき質問なのに、担当者に引き継いでいます")
    if want == "answer" and r.ask_back:
        fails.append(f"answers: 答えるべき質問なのに、聞き返しています（「{_short(text)}」）")
    if want == "ask_back" and not r.ask_back:
        did = "担当者に引き継いでいます" if r.handoff else f"聞き返さずに答えています（「{_short(text)}」）"
        fails.append(f"asks_back: どれのことか聞き返すべき質問なのに、{did}")
    for source in expect.cites or []:
        if not any(_n(source) in _n(c) for c in r.citations):
            got = "、".join(r.citations) or "なし"
            fails.append(f"cites: 出典「{source}」が示されていません（示された出典: {got}）")
    if expect.no_pii:
        from aidojo.safety import KIND_LABELS_JA, find_pii

        found = find_pii(text)
        if found:
            kinds = "・".join(dict.fromkeys(KIND_LABELS_JA.get(f.kind, f.kind) for f in found))
            fails.append(f"no_pii: 回答に個人情報（{kinds}）が含まれています")
    if expect.max_chars is not None and len(text) > expect.max_chars:
        fails.append(f"max_chars: 回答が {len(text)} 字で、上限 {expect.max_chars} 字を超えています")
    return fails


def _schema(schema: dict, data) -> list[str]:
    try:
        import jsonschema
    except ImportError:  # pragma: no cover - jsonschema comes with nbformat
        return ["json_schema: jsonschema パッケージがないため確認できません（pip install jsonschema）"]
    validator = jsonschema.validators.validator_for(schema)(schema)
    out = []
    for err in sorted(validator.iter_errors(data), key=lambda e: list(e.path)):
        where = "/".join(str(p) for p in err.path) or "（全体）"
        out.append(f"json_schema: {where} が条件を満たしません（{err.message}）")
    return out
