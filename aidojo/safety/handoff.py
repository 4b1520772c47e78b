"""The human-handoff rule: when the AI cannot answer well, a person takes over, and the event is logged.

``HandoffPolicy.decide`` turns "injection", "PII in the question", "asks for a person",
"low retrieval score" and "no grounded answer" into the standard reply and an event whose
question is masked with ``mask_pii`` (raw personal data is never logged).
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from aidojo.llm import HANDOFF_REPLY
from aidojo.safety.injection import screen_prompt
from aidojo.safety.pii import find_pii, mask_pii
from aidojo.safety.pii_types import KIND_LABELS_JA

REASONS_JA: dict[str, str] = {
    "injection": "AIへの指示を書き換えようとする入力のため",
    "pii_in_question": "質問に個人情報が含まれているため",
    "asked_for_person": "職員との対応を希望されたため",
    "low_retrieval_score": "資料に十分に関連する箇所が見つからないため",
    "no_grounded_answer": "資料に基づく回答が得られないため",
}
_EXTRA_JA: dict[str, str] = {
    "injection": "この内容にはAIではお答えできません。",
    "pii_in_question": "個人情報（氏名・住所・電話番号・マイナンバーなど）は入力しないでください。",
    "low_retrieval_score": "資料に該当する情報が見つかりませんでした。",
    "no_grounded_answer": "",
    "asked_for_person": "",
}

_PERSON_JA = re.compile(
    r"(?<![\d〇一二三四五六七八九十百千万何数個])"
    r"(?:人|人間|ひと|職員|担当者|担当の方|担当の人|係の人|係員|スタッフ|オペレーター|窓口の人|窓口の方|生身の人)"
    r"(?:さん)?(?:と|に|へ|から)(?:直接)?(?:話|はな|相談|代わ|かわ|替わ|変わ|つな|繋|対応して|説明して|聞きたい)"
    r"|(?:担当者|職員|人間|係の人|オペレーター)(?:を|に)?(?:呼ん|出し|出て|お願い)"
    r"|電話で(?:相談|話|問い合わせ|問合せ|聞)(?:したい|させて|できますか|できる|をしたい|をお願い)"
    r"|直接(?:話|相談|聞)(?:したい|させて|を)|オペレーター|有人(?:対応|窓口|チャット)|人に(?:聞きたい|相談したい|代わって)"
    r"|aiじゃなくて|aiではなく(?:人|職員|担当)"
)
_PERSON_EN = re.compile(
    r"\b(?:talk|speak|chat)\s+(?:to|with)\s+(?:a\s+|an\s+|the\s+|some\s+|real\s+|your\s+)*"
    r"(?:human|person|someone|somebody|staff|agent|operator|representative|officer|clerk|people)\b"
    r"|\b(?:human|live|real)\s+(?:agent|person|operator|support)\b|\boperator\b|\brepresentative\b"
    r"|\b(?:transfer|connect|put)\s+me\s+(?:to|through|with)\b",
    re.IGNORECASE,
)
_HANDOFF_JA = re.compile(
    r"(?:担当者|担当の者|担当職員|職員|係の者|係員|スタッフ|窓口|人間|オペレーター|専門の者|担当部署|担当課)"
    r"(?:に|へ|から|が)(?:お|ご)?(?:引き継|引継|つな|繋|代わ|替わ|回|案内|連絡|対応|折り返)"
)
_HANDOFF_EN = re.compile(
    r"\b(?:hand\s+(?:you|this|it)\s+over|transfer\s+you|connect\s+you|pass\s+(?:you|this)\s+(?:on|over)|"
    r"(?:a|our)\s+(?:staff\s+member|human|person|colleague|officer|representative)\s+will\s+"
    r"(?:help|assist|contact|take\s+over|get\s+back|answer|call))",
    re.IGNORECASE,
)
_NO_ANSWER = re.compile(
    r"分かりません|わかりません|判りません|資料に(?:は)?(?:記載|情報|該当)(?:が|は)?(?:ありません|ない|見つかりません)|"
    r"お答えできません|\bi\s+don'?t\s+know\b|\bnot\s+(?:in|found\s+in)\s+the\s+(?:context|documents?|sources?)\b",
    re.IGNORECASE,
)


def _flat(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text).lower())


def is_handoff(text: str | None) -> bool:
    """True when ``text`` is a handoff reply (HANDOFF_REPLY, 職員におつなぎします, I will hand you over, …)."""
    if not text:
        return False
    if HANDOFF_REPLY in text:
        return True
    norm = unicodedata.normalize("NFKC", text)
    return bool(_HANDOFF_JA.search(_flat(text)) or _HANDOFF_EN.search(norm))


def asks_for_person(text: str) -> bool:
    """True when the user asks to talk to a person (人と話したい, 担当者に代わって, talk to a human, …)."""
    return bool(_PERSON_JA.search(_flat(text)) or _PERSON_EN.search(unicodedata.normalize("NFKC", text)))


@dataclass(frozen=True)
class HandoffDecision:
    """Whether to hand off, why (code and Japanese), the reply to show, and the event to log."""

    handoff: bool
    reason: str = ""
    reason_ja: str = ""
    reply: str = ""
    event: dict[str, Any] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return self.handoff


@dataclass
class HandoffPolicy:
    """The handoff rule. ``min_score`` is on the scale of ``aidojo.retrieval`` hit scores (BM25)."""

    min_score: float = 1.0
    log_path: Path | None = None
    reply: str = HANDOFF_REPLY
    events: list[dict[str, Any]] = field(default_factory=list)

    def __post_init__(self) -> None:
        if self.log_path is not None:
            self.log_path = Path(self.log_path)

    def _reason(self, question: str, answer: str | None, best_score: float | None) -> tuple[str, list[str]]:
        if screen_prompt(question).blocked:
            return "injection", []
        kinds = [f.kind for f in find_pii(question)]
        if kinds:
            return "pii_in_question", kinds
        if asks_for_person(question):
            return "asked_for_person", []
        if best_score is not None and best_score < self.min_score:
            return "low_retrieval_score", []
        if answer is not None and (not answer.strip() or is_handoff(answer) or _NO_ANSWER.search(answer)):
            return "no_grounded_answer", []
        return "", []

    def decide(self, question: str, *, answer: str | None = None, best_score: float | None = None) -> HandoffDecision:
        """Decide for one question (with the model's ``answer`` and the retrieval ``best_score`` when known)."""
        if not isinstance(question, str):
            raise TypeError(f"question は文字列で渡してください（渡されたのは {type(question).__name__} です）")
        reason, kinds = self._reason(question, answer, best_score)
        event: dict[str, Any] = {
            "timestamp": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "handoff": bool(reason),
            "reason": reason,
            "question": mask_pii(question).text,
        }
        if best_score is not None:
            event["best_score"] = round(float(best_score), 4)
        if kinds:
            event["pii_kinds"] = sorted(set(kinds))
        if not reason:
            return HandoffDecision(False, "", "", answer or "", event)
        extra = _EXTRA_JA[reason]
        if reason == "pii_in_question":
            labels = "・".join(dict.fromkeys(KIND_LABELS_JA[k] for k in kinds))
            extra = f"ご質問に個人情報（{labels}）が含まれていたため、AIでは扱いません。{extra}"
        reply = f"{self.reply}{extra}" if extra else self.reply
        event["reason_ja"] = REASONS_JA[reason]
        return HandoffDecision(True, reason, REASONS_JA[reason], reply, event)

    def log(self, decision: HandoffDecision) -> dict[str, Any]:
        """Record the decision's event in ``events`` and, when ``log_path`` is set, append it as one JSON line."""
        event = dict(decision.event)
        self.events.append(event)
        if self.log_path is not None:
            self.log_path.parent.mkdir(parents=True, exist_ok=True)
            line = json.dumps(event, ensure_ascii=False) + "\n"
            with open(self.log_path, "a", encoding="utf-8") as fh:
                fh.write(line)
        return event
