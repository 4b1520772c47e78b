"""The one human-handoff rule: when the AI cannot answer well, a person takes over, and a record is kept.

One phrase, one decision, one score scale:

- ``HANDOFF_REPLY`` (「分かりません。担当者に引き継ぎます。」) is what a model is told to say when it cannot answer;
  ``handoff_reply(reason)`` is what the citizen sees: it always ends with 「担当者に引き継ぎます。」, and a request
  for a person is answered as such (「承知しました。…」, never 「分かりません。」).
- ``decide_handoff(question, answer=..., relevance=...)`` decides, in this order: injection (``screen_prompt`` says
  "block" or "review": a suspicious message goes to a person, see ``Screen.hands_off``), personal data in the
  question, a request for a person, low relevance, then the answer (a guarded reply's reason, or an empty / declining
  / handoff answer). ``HandoffPolicy.decide`` is the same function with the policy's threshold.
- ``relevance`` is on one scale for every corpus: ``aidojo.retrieval`` hits carry ``Hit.relevance`` in [0, 1] (the
  IDF-weighted share of the question's key terms found in the passage) and ``MIN_RELEVANCE`` is the one threshold.

``HandoffPolicy.record`` writes a record a person can act on: a case number to show the citizen
(``HandoffRecord.reply_ja``), the masked conversation, the contact the citizen agreed to give, and the reason, as
one JSON line in the log file the template names (``AIDOJO_HANDOFF_LOG`` overrides it, so that evaluation and
scoring write to their own files, never to the team's real log). Raw personal data is never logged, except the
contact the citizen gave for the call back.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import unicodedata
import warnings
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from aidojo.llm import HANDOFF_REPLY
from aidojo.safety.injection import screen_prompt
from aidojo.safety.pii import find_pii, mask_pii
from aidojo.safety.pii_types import KIND_LABELS_JA
from aidojo.safety.reasons import REASONS, reason_ja, status_ja

# The one threshold on the one relevance scale (Hit.relevance, 0..1). Calibrated in benchmarks/retrieval.py.
MIN_RELEVANCE = 0.5
HANDOFF_LOG_ENV = "AIDOJO_HANDOFF_LOG"
PERSON_REPLY = "承知しました。担当者に引き継ぎます。"
BACKEND_REPLY = "申し訳ありません。ただいまAIがお答えできないため、担当者に引き継ぎます。"
_BACKEND_REASONS = {"backend_timeout", "backend_error", "empty_reply"}
JST = timezone(timedelta(hours=9))
_CASE_CHARS = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: read aloud over the phone

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
    """True when the user asks to talk to a person (人と話したい, 職員と話したい, 担当者に代わって, talk to a human, …)."""
    return bool(_PERSON_JA.search(_flat(text)) or _PERSON_EN.search(unicodedata.normalize("NFKC", text)))


def handoff_reply(reason: str, base: str = HANDOFF_REPLY) -> str:
    """What the citizen sees for a handoff with ``reason`` (always ends with a handoff phrase ``is_handoff`` knows)."""
    if base != HANDOFF_REPLY:  # a template's own phrase
        return base
    if reason == "asked_for_person":
        return PERSON_REPLY
    if reason in _BACKEND_REASONS:
        return BACKEND_REPLY
    extra = REASONS[reason].extra_ja if reason in REASONS else ""
    return f"{base}{extra}"


def case_notice_ja(case_id: str) -> str:
    """The sentence that gives the citizen their case number."""
    return f"受付番号は「{case_id}」です。職員からのご連絡やお問い合わせの際は、この番号をお伝えください。"


def new_case_id(now: datetime | None = None) -> str:
    """A case number a citizen can read out: the date (JST) and four characters, e.g. 「260403-K7QM」."""
    now = (now or datetime.now(UTC)).astimezone(JST)
    return f"{now:%y%m%d}-" + "".join(secrets.choice(_CASE_CHARS) for _ in range(4))




@dataclass(frozen=True)
class HandoffDecision:
    """Whether to hand off, why (stable code and Japanese), the reply to show, and the event to log."""

    handoff: bool
    reason: str = ""
    reason_ja: str = ""
    reply: str = ""
    event: dict[str, Any] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return self.handoff

    @property
    def status_ja(self) -> str:
        """The one-line status to show (「職員におつなぎします（…）」 for a handoff)."""
        return status_ja(self.reason)


def _answer_reason(answer: Any) -> str:
    """The handoff reason an answer calls for ("" when it can be shown): a guarded reply's own reason, or
    no_grounded_answer for an empty, declining or handing-off text."""
    if answer is None:
        return ""
    if hasattr(answer, "handoff") and hasattr(answer, "reason"):  # a GuardedReply (or a GroundedAnswer)
        return (answer.reason or "no_grounded_answer") if answer.handoff else ""
    text = str(answer)
    if not text.strip() or is_handoff(text) or _NO_ANSWER.search(text):
        return "no_grounded_answer"
    return ""


def decide_handoff(question: str, *, answer: Any = None, relevance: float | None = None,
                   min_relevance: float = MIN_RELEVANCE, reply: str = HANDOFF_REPLY) -> HandoffDecision:
    """The one handoff decision for a citizen's ``question`` (with the ``answer`` — a text or a ``GuardedReply`` —
    and the best hit's ``relevance`` when known). See the module docstring for the order of the checks."""
    if not isinstance(question, str):
        raise TypeError(f"question は文字列で渡してください（渡されたのは {type(question).__name__} です）")
    if relevance is not None and not 0.0 <= float(relevance) <= 1.0:
        raise ValueError(f"relevance は 0〜1 の値です（{relevance!r}）。BM25 の点数ではなく Hit.relevance を渡してください。")
    kinds: list[str] = []
    screen = screen_prompt(question)
    if screen.hands_off:  # "review" too: a suspicious message goes to a person, never on to the model
        reason = "injection"
    elif kinds := [f.kind for f in find_pii(question)]:
        reason = "pii_in_question"
    elif asks_for_person(question):
        reason = "asked_for_person"
    elif relevance is not None and relevance < min_relevance:
        reason = "low_retrieval_score"
    else:
        reason = _answer_reason(answer)
    event: dict[str, Any] = {
        "timestamp": datetime.now(UTC).isoformat(timespec="seconds"),
        "handoff": bool(reason),
        "reason": reason,
        "question": mask_pii(question).text,
    }
    if relevance is not None:
        event["relevance"] = round(float(relevance), 4)
    if kinds:
        event["pii_kinds"] = sorted(set(kinds))
    if not screen.allowed:
        event["screen"] = {"verdict": screen.verdict, "rules": sorted(set(screen.rules))}
    if hasattr(answer, "event") and callable(answer.event):
        event["guard"] = answer.event()
    if not reason:
        text = answer.text if hasattr(answer, "text") else answer
        return HandoffDecision(False, "", "", "" if text is None else str(text), event)
    text = handoff_reply(reason, reply)
    if reason == "pii_in_question" and reply == HANDOFF_REPLY:
        labels = "・".join(dict.fromkeys(KIND_LABELS_JA[k] for k in kinds))
        text = f"{HANDOFF_REPLY}ご質問に個人情報（{labels}）が含まれていたため、AIでは扱いません。{REASONS[reason].extra_ja}"
    event["reason_ja"] = reason_ja(reason)
    return HandoffDecision(True, reason, reason_ja(reason), text, event)


def _message_text(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, Mapping):
        return str(content.get("text") or content.get("content") or "")
    if isinstance(content, Iterable):
        return "\n".join(_message_text(c) for c in content)
    return "" if content is None else str(content)


def mask_conversation(conversation: Iterable[Any] | None) -> list[dict[str, str]]:
    """A conversation (``[{"role", "content"}]`` as Gradio keeps it, or (user, assistant) pairs) with personal data
    masked in every message."""
    out: list[dict[str, str]] = []
    for item in conversation or []:
        if isinstance(item, Mapping):
            out.append({"role": str(item.get("role", "")), "content": mask_pii(_message_text(item.get("content"))).text})
        elif isinstance(item, (tuple, list)) and len(item) == 2:
            for role, content in zip(("user", "assistant"), item):
                if content is not None:
                    out.append({"role": role, "content": mask_pii(_message_text(content)).text})
        else:
            raise TypeError(f"会話の形式が読めません（{type(item).__name__}）。[{{'role': ..., 'content': ...}}] で渡してください。")
    return out


@dataclass(frozen=True)
class HandoffRecord:
    """One handoff a person can act on: the case number shown to the citizen, when, why, the masked question and
    conversation, and the contact the citizen agreed to give (empty without consent)."""

    case_id: str
    timestamp: str
    reason: str
    reason_ja: str
    question: str
    conversation: list[dict[str, str]] = field(default_factory=list)
    contact: dict[str, str] = field(default_factory=dict)
    source: str = ""
    details: dict[str, Any] = field(default_factory=dict)
    reply: str = ""

    @property
    def reply_ja(self) -> str:
        """The handoff reply with the case number, for the citizen's screen."""
        return f"{self.reply}\n{case_notice_ja(self.case_id)}" if self.reply else case_notice_ja(self.case_id)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _clean_contact(contact: Mapping[str, Any] | None, consent: bool) -> dict[str, str]:
    if not contact or not consent:
        return {}
    return {str(k): str(v).strip() for k, v in contact.items() if v is not None and str(v).strip()}


def append_record(path: str | os.PathLike, record: HandoffRecord | Mapping[str, Any]) -> Path:
    """Append one record as a JSON line (flushed and fsynced; the file is created owner-only: it holds contacts)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    data = record.to_dict() if isinstance(record, HandoffRecord) else dict(record)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    with os.fdopen(fd, "a", encoding="utf-8") as out:
        out.write(json.dumps(data, ensure_ascii=False) + "\n")
        out.flush()
        os.fsync(out.fileno())
    return path


def read_handoff_log(path: str | os.PathLike) -> list[HandoffRecord]:
    """Every record in a handoff log, oldest first (lines that are not records, e.g. a torn last line, are skipped)."""
    path = Path(path)
    if not path.is_file():
        return []
    names = set(HandoffRecord.__dataclass_fields__)
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            data = json.loads(line)
        except ValueError:
            continue
        if isinstance(data, dict) and data.get("case_id"):
            out.append(HandoffRecord(**{k: v for k, v in data.items() if k in names}))
    return out


@dataclass
class HandoffPolicy:
    """The handoff rule with a threshold and a log file. ``min_relevance`` is on the ``Hit.relevance`` scale (0..1).

    ``min_score`` / ``best_score`` (raw BM25) are deprecated: BM25 scores are on a different scale for every corpus.
    """

    min_relevance: float = MIN_RELEVANCE
    log_path: Path | None = None
    reply: str = HANDOFF_REPLY
    source: str = ""
    events: list[dict[str, Any]] = field(default_factory=list)
    min_score: float | None = None  # deprecated: raw BM25

    def __post_init__(self) -> None:
        if self.log_path is not None:
            self.log_path = Path(self.log_path)
        if self.min_score is not None:
            warnings.warn("HandoffPolicy(min_score=…) は非推奨です。Hit.relevance（0〜1）と min_relevance を使ってください。",
                          DeprecationWarning, stacklevel=3)

    @property
    def effective_log_path(self) -> Path | None:
        """Where records go: ``AIDOJO_HANDOFF_LOG`` when set (evaluation, scoring), else ``log_path``."""
        env = os.environ.get(HANDOFF_LOG_ENV)
        return Path(env) if env else self.log_path

    def decide(self, question: str, *, answer: Any = None, relevance: float | None = None,
               best_score: float | None = None) -> HandoffDecision:
        """:func:`decide_handoff` with this policy's threshold and reply."""
        decision = decide_handoff(question, answer=answer, relevance=relevance, min_relevance=self.min_relevance,
                                  reply=self.reply)
        if best_score is not None:  # deprecated BM25 path, kept until every caller passes relevance
            decision.event["best_score"] = round(float(best_score), 4)
            min_score = 1.0 if self.min_score is None else self.min_score
            early = decision.reason in ("injection", "pii_in_question", "asked_for_person")
            if best_score < min_score and not early:
                reason = "low_retrieval_score"
                event = {**decision.event, "handoff": True, "reason": reason, "reason_ja": reason_ja(reason)}
                return HandoffDecision(True, reason, reason_ja(reason), handoff_reply(reason, self.reply), event)
        return decision

    def record(self, decision: HandoffDecision, *, conversation: Iterable[Any] | None = None,
               contact: Mapping[str, Any] | None = None, consent: bool = False,
               details: Mapping[str, Any] | None = None) -> HandoffRecord:
        """Keep a record of ``decision`` a person can act on (in ``events`` and, with a log path, in the log file).

        ``contact`` (e.g. ``{"name": …, "phone": …}``) is recorded only when the citizen agreed (``consent=True``).
        """
        event = decision.event
        extra = {k: v for k, v in event.items() if k not in ("timestamp", "reason", "reason_ja", "question", "handoff")}
        record = HandoffRecord(
            case_id=new_case_id(),
            timestamp=event.get("timestamp") or datetime.now(UTC).isoformat(timespec="seconds"),
            reason=decision.reason,
            reason_ja=decision.reason_ja,
            question=event.get("question", ""),
            conversation=mask_conversation(conversation),
            contact=_clean_contact(contact, consent),
            source=self.source,
            details={**extra, **dict(details or {})},
            reply=decision.reply,
        )
        data = {**record.to_dict(), "handoff": decision.handoff}
        self.events.append(data)
        path = self.effective_log_path
        if path is not None:
            append_record(path, data)
        return record

    def log(self, decision: HandoffDecision) -> dict[str, Any]:
        """Record ``decision`` (see :meth:`record`) and return the logged event as a dict."""
        self.record(decision)
        return self.events[-1]
