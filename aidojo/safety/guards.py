"""Output guards: what a model says reaches a citizen only when it holds up; otherwise a person takes over.

    from aidojo.safety import Passage, GuardSettings, guarded_chat, stream_guarded_chat

    passages = [Passage("FAQ-12", "再発行手数料は1000円です。")]
    reply = guarded_chat(prompt, system=SYSTEM, passages=passages, settings=GuardSettings(max_tokens=300))
    reply.handoff, reply.reason, reply.status_ja, reply.text      # False, "", "AIが資料をもとに…", "…1000円です【FAQ-12】"

    for snapshot in stream_guarded_chat(prompt, passages=passages):   # a chat UI: yield snapshot.text
        ...

A model call fails over to a handoff (``backend_timeout`` / ``backend_error`` / ``empty_reply``) after a short
timeout and at most one retry. An answer is shown only when it cites a given passage (``no_citation`` /
``unknown_citation``), and every fee, date, time, duration, count, weekday, place, procedure name, phone number
and URL in it is found in the passages it cites (``unsupported_claim``, see :mod:`aidojo.safety.claims`).
Personal data in the answer is masked, unless the passages themselves publish it (a city office's phone number);
My Numbers, card and bank account numbers are always masked; ``pii="withhold"`` hands off instead. With passages,
a phone number, e-mail address or My Number that no cited passage holds is also an unsupported claim: the answer
is withheld (a handoff), since an answer pointing the citizen to a hidden number helps no one.

Streaming design: release sentence by sentence, never retract. A sentence is released once it is complete, a
given passage has been cited so far, and its claims are found in the passages cited so far (its personal data
masked). A sentence that does not pass is held, and so is everything after it; when the reply ends, the whole
answer is checked like :func:`check_answer` does, and a failure replaces the message by the handoff reply. So
nothing unsupported is ever on screen, and an answer that cites as it goes streams with one sentence of delay.
(Buffering the whole answer would be simpler but shows nothing for the many seconds a real model writes;
streaming raw text and retracting later would show an unsupported fee or date to the citizen first.)
"""

from __future__ import annotations

import logging
import re
import time
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, fields, replace
from typing import Any

import httpx
import openai

from aidojo.llm import HANDOFF_REPLY, LLMError, load_settings, to_messages
from aidojo.llm import client as make_client
from aidojo.safety.claims import Support, unsupported_claims
from aidojo.safety.handoff import handoff_reply
from aidojo.safety.pii import find_pii
from aidojo.safety.pii_types import PLACEHOLDERS
from aidojo.safety.reasons import STATUS_ANSWERED_JA, STATUS_RETRYING_JA, STATUS_WRITING_JA, reason_ja, status_ja

__all__ = [
    "Passage",
    "GuardSettings",
    "GuardedReply",
    "CITATION_PATTERN",
    "ALWAYS_MASKED",
    "as_passages",
    "check_answer",
    "guarded_chat",
    "stream_guarded_chat",
    "handoff_reply",
]

log = logging.getLogger("aidojo.safety.guards")

# [1] / [FAQ-11] / 【FAQ-11】 / 【出典2】 / （出典：gomi.csv 行 12）
CITATION_PATTERN = re.compile(r"\[([^\[\]\n]{1,80})\]|【([^【】\n]{1,80})】|[（(]出典[:：]\s*([^（）()\n]{1,80})[)）]")
# Kinds never shown in an answer, even when a passage holds them.
ALWAYS_MASKED = frozenset({"my_number", "credit_card", "bank_account"})
_CITATION_LIKE = re.compile(r"\d|出典|faq|p\.|行|§|\.(?:csv|md|pdf|txt|docx)\b", re.IGNORECASE)
_SENTENCE_END = re.compile(r"[。！？!?]+[」』）)]*|\n")
_DECLINE = re.compile(r"^\s*(?:分かりません|わかりません|判りません|お答えできません|資料に(?:は)?(?:記載|情報|該当)(?:が|は)?(?:ありません|ない|見つかりません)|"
                      r"i\s+don'?t\s+know)", re.IGNORECASE)
_HANDOFF_WORDS = re.compile(r"担当者に引き継|職員に(?:お)?つな|職員に引き継")


@dataclass(frozen=True)
class Passage:
    """A passage the model may cite: ``label`` as the answer cites it ("FAQ-11", "1", "出典2"), its ``text``,
    and ``citation``, how to show it ("faq.csv 行 12"; the label when empty)."""

    label: str
    text: str
    citation: str = ""

    @property
    def shown(self) -> str:
        """The citation to show to the reader."""
        return self.citation or self.label


def as_passages(passages: Any) -> list[Passage]:
    """Passages from ``None``, one source text, ``{label: text}``, (label, text) pairs, :class:`Passage` objects,
    or search hits (anything with ``.text`` and ``.citation``: numbered 1, 2, … and cited by number or citation)."""
    if passages is None:
        return []
    if isinstance(passages, str):
        return [Passage("資料", passages)]
    if isinstance(passages, Mapping):
        return [Passage(str(k), str(v)) for k, v in passages.items()]
    out: list[Passage] = []
    for i, p in enumerate(passages, start=1):
        if isinstance(p, Passage):
            out.append(p)
        elif isinstance(p, tuple) and len(p) == 2:
            out.append(Passage(str(p[0]), str(p[1])))
        elif hasattr(p, "text") and hasattr(p, "citation"):
            out.append(Passage(str(i), str(p.text), str(p.citation)))
        else:
            raise TypeError(f"passages の {i} 番目が読めません（{type(p).__name__}）。Passage(label, text) か "
                            "{ラベル: 本文} の辞書で渡してください。")
    return out


@dataclass(frozen=True)
class GuardSettings:
    """How a guarded model call is made and checked. A template keeps these in its settings (``from_mapping``)."""

    max_tokens: int | None = 400  # the reply's length limit, sent to the model
    timeout_s: float = 6.0  # longest silence allowed: before the first piece of the reply, and between pieces
    total_s: float = 45.0  # longest the whole reply may take
    retries: int = 1  # retries after a fast failure (5xx, 429, refused connection); never after a timeout
    temperature: float | None = None
    stream: bool = True  # ask for a streamed reply (the short silence timeout needs it); False for a backend without
    require_citation: bool = True  # with passages: an answer must cite one of them
    pii: str = "mask"  # personal data in an answer: "mask" it, or "withhold" the answer (a handoff)
    known_facts: str = ""  # text every answer may rely on besides its citations (the city's office hours, its number)

    def __post_init__(self) -> None:
        problems = []
        if self.max_tokens is not None and (not isinstance(self.max_tokens, int) or self.max_tokens <= 0):
            problems.append(f"max_tokens は正の整数にしてください（{self.max_tokens!r}）")
        if not (isinstance(self.timeout_s, (int, float)) and self.timeout_s > 0):
            problems.append(f"timeout_s は正の秒数にしてください（{self.timeout_s!r}）")
        if not (isinstance(self.total_s, (int, float)) and self.total_s > 0):
            problems.append(f"total_s は正の秒数にしてください（{self.total_s!r}）")
        if self.retries not in (0, 1):
            problems.append(f"retries は 0 か 1 にしてください（{self.retries!r}）")
        if self.pii not in ("mask", "withhold"):
            problems.append(f"pii は \"mask\" か \"withhold\" にしてください（{self.pii!r}）")
        if problems:
            raise ValueError("ガードの設定が正しくありません：" + "、".join(problems))

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any] | None, *, where: str = "設定") -> GuardSettings:
        """Settings from a mapping (e.g. the ``[guard]`` table of a template's ``template.toml``); unknown keys are an
        error that names ``where``."""
        data = dict(data or {})
        names = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - names)
        if unknown:
            raise ValueError(f"{where}: 知らない項目です: {', '.join(unknown)}（使える項目: {', '.join(sorted(names))}）")
        try:
            return cls(**data)
        except ValueError as exc:
            raise ValueError(f"{where}: {exc}") from None


@dataclass(frozen=True)
class GuardedReply:
    """What to show, and why. ``reason`` is a stable English code ("" when the answer is shown), ``status_ja`` the
    visible one-line status, ``citations`` the shown passages' citations, ``masked`` whether personal data was masked,
    ``unsupported`` the claims no cited passage backs (masked), ``final`` False for a stream's partial snapshots."""

    text: str
    handoff: bool = False
    reason: str = ""
    status_ja: str = STATUS_ANSWERED_JA
    citations: list[str] = field(default_factory=list)
    masked: bool = False
    unsupported: list[str] = field(default_factory=list)
    final: bool = True
    attempts: int = 0
    elapsed_s: float = 0.0
    finish_reason: str = ""

    @property
    def reason_ja(self) -> str:
        """Why the answer was handed off, in Japanese ("" when it was not)."""
        return reason_ja(self.reason)

    def __str__(self) -> str:
        return self.text

    def event(self) -> dict[str, Any]:
        """The fields a log may keep (no answer text: it may hold what was withheld)."""
        return {"handoff": self.handoff, "reason": self.reason, "citations": list(self.citations), "masked": self.masked,
                "unsupported": list(self.unsupported), "attempts": self.attempts, "elapsed_s": round(self.elapsed_s, 3),
                "finish_reason": self.finish_reason}


def _handoff(reason: str, **kw: Any) -> GuardedReply:
    return GuardedReply(handoff_reply(reason), True, reason, status_ja(reason), **kw)


# --- checking an answer -------------------------------------------------------------------------------------


def _key(s: str) -> str:
    s = unicodedata.normalize("NFKC", s).strip().strip("[]【】").strip()
    s = re.sub(r"^出典\s*[:：]?\s*", "", s)
    return re.sub(r"\s+", "", s).lower()


def _matches(cited: str, p: Passage) -> bool:
    c = _key(cited)
    for name in filter(None, (p.label, p.citation)):
        k = _key(name)
        if not k:
            continue
        if c == k or c == _key("出典" + name):
            return True
        for m in re.finditer(re.escape(k), c):  # 出典：FAQ-11 / FAQ-11、FAQ-12
            before = c[m.start() - 1] if m.start() else ""
            after = c[m.end()] if m.end() < len(c) else ""
            if not (before.isalnum() or after.isalnum()):
                return True
    return False


def _citations(text: str, passages: list[Passage], pattern: re.Pattern[str]) -> tuple[list[Passage], list[str]]:
    """The passages ``text`` cites (in order) and the citation-like tags that match none."""
    cited: list[Passage] = []
    unknown: list[str] = []
    for m in pattern.finditer(text):
        tag = next((g for g in m.groups() if g), m.group(0)) if m.groups() else m.group(0)
        parts = [tag] + [x for x in re.split(r"[、,，]\s*", tag) if x != tag]
        hit = [p for p in passages if any(_matches(x, p) for x in parts)]
        if hit:
            cited.extend(p for p in hit if p not in cited)
        elif _CITATION_LIKE.search(tag):
            unknown.append(tag)
    return cited, unknown


def _strip_citations(text: str, pattern: re.Pattern[str]) -> str:
    return pattern.sub(" ", text)


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).lower()


def _mask(text: str, support_text: str) -> tuple[str, list[str]]:
    """Mask personal data the support text does not publish; returns the text and the masked kinds."""
    findings = find_pii(text)
    if not findings:
        return text, []
    squashed = _squash(support_text)
    parts, pos, kinds = [], 0, []
    for f in findings:
        if f.kind not in ALWAYS_MASKED and _squash(f.value) and _squash(f.value) in squashed:
            continue
        parts += [text[pos : f.start], PLACEHOLDERS[f.kind]]
        pos = f.end
        kinds.append(f.kind)
    parts.append(text[pos:])
    return "".join(parts), kinds


def _complete_sentences(text: str) -> str:
    """``text`` up to its last sentence end (a reply cut off by ``max_tokens`` loses its broken last sentence)."""
    ends = list(_SENTENCE_END.finditer(text))
    return text[: ends[-1].end()] if ends else ""


def _support_text(passages: list[Passage], known_facts: str) -> str:
    return "\n".join([p.text for p in passages] + ([known_facts] if known_facts else []))


def check_answer(answer: str, passages: Any = None, *, require_citation: bool = True, known_facts: str = "",
                 pii: str = "mask", finish_reason: str = "stop",
                 citation_pattern: re.Pattern[str] = CITATION_PATTERN) -> GuardedReply:
    """Check a finished answer against ``passages`` (see :func:`as_passages`); the result says what to show.

    Without passages only emptiness, declines and personal data are checked. With passages, the answer must cite
    one (unless ``require_citation`` is False: then it is checked against all of them) and every claim in it must
    be found in what it cites (or in ``known_facts``).
    """
    if not isinstance(answer, str):
        raise TypeError(f"answer は文字列で渡してください（渡されたのは {type(answer).__name__} です）")
    if pii not in ("mask", "withhold"):
        raise ValueError(f"pii は \"mask\" か \"withhold\" にしてください（{pii!r}）")
    plist = as_passages(passages)
    text = answer.strip()
    if finish_reason == "length":
        text = _complete_sentences(text).strip()
    if not text:
        return _handoff("empty_reply", finish_reason=finish_reason)
    cited, unknown = _citations(text, plist, citation_pattern) if plist else ([], [])
    body = _strip_citations(text, citation_pattern)
    if (_DECLINE.match(body) and not cited) or (_HANDOFF_WORDS.search(body) and not cited) or HANDOFF_REPLY in text:
        return _handoff("no_grounded_answer", finish_reason=finish_reason)
    if plist and unknown:
        return _handoff("unknown_citation", finish_reason=finish_reason)
    if plist and require_citation and not cited:
        return _handoff("no_citation", finish_reason=finish_reason)
    grounds = cited if (plist and require_citation) else plist
    support_text = _support_text(grounds, known_facts)
    shown, kinds = _mask(text, support_text)
    if kinds and pii == "withhold":
        return _handoff("pii_in_answer", masked=True, finish_reason=finish_reason)
    if plist:  # on the unmasked text: a phone number or My Number no passage publishes is an unsupported claim
        missing = unsupported_claims(_strip_citations(text, citation_pattern), Support(support_text))
        if missing:
            names = list(dict.fromkeys(_mask(c.text, "")[0] for c in missing))
            return _handoff("unsupported_claim", unsupported=names, citations=[p.shown for p in cited],
                            masked=bool(kinds), finish_reason=finish_reason)
    return GuardedReply(shown, False, "", STATUS_ANSWERED_JA, [p.shown for p in cited], bool(kinds),
                        finish_reason=finish_reason)


# --- calling the model --------------------------------------------------------------------------------------


class _Failure(Exception):
    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail


def _classify(exc: BaseException) -> tuple[str, bool, str]:
    """(reason, worth one retry, detail for the log) for an exception from the SDK or httpx."""
    if isinstance(exc, (openai.APITimeoutError, httpx.TimeoutException)):
        return "backend_timeout", False, type(exc).__name__
    if isinstance(exc, openai.APIStatusError):
        retry = exc.status_code >= 500 or exc.status_code in (408, 409, 429)
        return "backend_error", retry, f"HTTP {exc.status_code}"
    if isinstance(exc, (openai.APIConnectionError, httpx.TransportError)):
        return "backend_error", True, type(exc).__name__
    if isinstance(exc, LLMError):
        return "backend_error", False, f"LLMError({exc.kind})"
    return "backend_error", False, type(exc).__name__


def _request(prompt_or_messages: Any, system: str | None, settings: GuardSettings, client: Any, model: str | None
             ) -> tuple[Any, dict[str, Any]]:
    config = load_settings()
    llm = client if client is not None else make_client(config)
    timeout = httpx.Timeout(settings.timeout_s if settings.stream else settings.total_s,
                            connect=min(3.0, settings.timeout_s))
    if hasattr(llm, "with_options"):
        llm = llm.with_options(timeout=timeout, max_retries=0)
    kwargs: dict[str, Any] = {"model": config.resolve_model(model), "messages": to_messages(prompt_or_messages, system),
                              "timeout": timeout}
    if settings.max_tokens is not None:
        kwargs["max_tokens"] = settings.max_tokens
    if settings.temperature is not None:
        kwargs["temperature"] = settings.temperature
    return llm, kwargs


def _pieces(llm: Any, kwargs: dict[str, Any], settings: GuardSettings, started: float) -> Iterator[tuple[str, str]]:
    """One attempt: yield ("text", piece) … then ("finish", finish_reason); raise _Failure."""
    try:
        if not settings.stream:
            response = llm.chat.completions.create(**kwargs)
            choice = response.choices[0] if response.choices else None
            if choice is None:
                raise _Failure("empty_reply", "no choices")
            if choice.finish_reason == "content_filter":
                raise _Failure("backend_error", "content_filter")
            yield "text", choice.message.content or ""
            yield "finish", choice.finish_reason or "stop"
            return
        finish = "stop"
        stream = llm.chat.completions.create(stream=True, **kwargs)
        try:
            for chunk in stream:
                if time.monotonic() - started > settings.total_s:
                    raise _Failure("backend_timeout", f"reply took longer than total_s={settings.total_s:g}")
                if not chunk.choices:
                    continue
                choice = chunk.choices[0]
                if choice.finish_reason == "content_filter":
                    raise _Failure("backend_error", "content_filter")
                if choice.delta and choice.delta.content:
                    yield "text", choice.delta.content
                if choice.finish_reason:
                    finish = choice.finish_reason
        finally:
            close = getattr(stream, "close", None)
            if close:
                close()
        yield "finish", finish
    except _Failure:
        raise
    except Exception as exc:  # the SDK's, httpx's and our own config errors: all become a handoff reason
        reason, retry, detail = _classify(exc)
        failure = _Failure(reason, detail)
        failure.retry = retry  # type: ignore[attr-defined]
        raise failure from exc


def _settings(settings: GuardSettings | None, overrides: dict[str, Any]) -> GuardSettings:
    base = settings or GuardSettings()
    unknown = set(overrides) - {f.name for f in fields(GuardSettings)}
    if unknown:
        raise TypeError(f"知らない設定です: {', '.join(sorted(unknown))}")
    return replace(base, **overrides) if overrides else base


def stream_guarded_chat(prompt_or_messages: str | list[dict[str, Any]], *, passages: Any = None,
                        system: str | None = None, settings: GuardSettings | None = None, client: Any = None,
                        model: str | None = None, citation_pattern: re.Pattern[str] = CITATION_PATTERN,
                        **overrides: Any) -> Iterator[GuardedReply]:
    """Call the model and yield :class:`GuardedReply` snapshots: the text released so far (``final=False``), then
    one final reply (the checked answer, or a handoff). See the module docstring for what is released when.

    ``overrides`` are :class:`GuardSettings` fields (``max_tokens=300``). Never raises for a backend failure.
    """
    cfg = _settings(settings, overrides)
    plist = as_passages(passages)
    started = time.monotonic()
    attempts = 0
    yield GuardedReply("", False, "", STATUS_WRITING_JA, final=False)
    try:
        llm, kwargs = _request(prompt_or_messages, system, cfg, client, model)
    except LLMError as exc:
        log.warning("guarded call handed off before calling: reason=backend_error detail=LLMError(%s)", exc.kind)
        yield _handoff("backend_error", elapsed_s=time.monotonic() - started)
        return
    buffer, released, shown = "", 0, ""
    finish = "stop"
    while True:
        attempts += 1
        try:
            for kind, value in _pieces(llm, kwargs, cfg, started):
                if kind == "finish":
                    finish = value
                    continue
                buffer += value
                released, new = _release(buffer, released, plist, cfg, citation_pattern)
                if new:
                    shown += new
                    yield GuardedReply(shown, False, "", STATUS_WRITING_JA, final=False, attempts=attempts,
                                       elapsed_s=time.monotonic() - started)
            break
        except _Failure as failure:
            elapsed = time.monotonic() - started
            retry = getattr(failure, "retry", False) and not buffer and attempts <= cfg.retries
            if retry and elapsed < cfg.total_s:
                log.info("guarded call failed (%s: %s); retrying once", failure.reason, failure.detail)
                yield GuardedReply(shown, False, "", STATUS_RETRYING_JA, final=False, attempts=attempts, elapsed_s=elapsed)
                time.sleep(0.3)
                continue
            log.warning("guarded call handed off: reason=%s detail=%s attempts=%d elapsed=%.2fs",
                        failure.reason, failure.detail, attempts, elapsed)
            yield _handoff(failure.reason, attempts=attempts, elapsed_s=elapsed)
            return
    final = check_answer(buffer, plist, require_citation=cfg.require_citation, known_facts=cfg.known_facts, pii=cfg.pii,
                         finish_reason=finish, citation_pattern=citation_pattern)
    final = replace(final, attempts=attempts, elapsed_s=time.monotonic() - started)
    if final.handoff:
        log.warning("guarded answer handed off: reason=%s unsupported=%s attempts=%d elapsed=%.2fs",
                    final.reason, final.unsupported, attempts, final.elapsed_s)
    yield final


def _release(buffer: str, released: int, plist: list[Passage], cfg: GuardSettings,
             pattern: re.Pattern[str]) -> tuple[int, str]:
    """Release the complete sentences after ``released`` that pass; returns the new position and the released text."""
    out = []
    cited, unknown = _citations(buffer, plist, pattern) if plist else ([], [])
    if unknown or (plist and cfg.require_citation and not cited):
        return released, ""
    grounds = cited if (plist and cfg.require_citation) else plist
    support_text = _support_text(grounds, cfg.known_facts)
    support = Support(support_text) if plist else None
    while True:
        m = _SENTENCE_END.search(buffer, released)
        if not m:
            break
        sentence = buffer[released : m.end()]
        body = _strip_citations(sentence, pattern)
        if _DECLINE.match(body) or _HANDOFF_WORDS.search(body):
            break
        masked, kinds = _mask(sentence, support_text)
        if kinds and cfg.pii == "withhold":
            break
        if support is not None and unsupported_claims(_strip_citations(sentence, pattern), support):
            break
        out.append(masked.lstrip() if released == 0 else masked)
        released = m.end()
    return released, "".join(out)


def guarded_chat(prompt_or_messages: str | list[dict[str, Any]], *, passages: Any = None, system: str | None = None,
                 settings: GuardSettings | None = None, client: Any = None, model: str | None = None,
                 citation_pattern: re.Pattern[str] = CITATION_PATTERN, **overrides: Any) -> GuardedReply:
    """Call the model once (short timeout, at most one retry) and check its answer: a :class:`GuardedReply`.

    Never raises for a backend failure, a timeout or an empty reply: they become handoffs with a reason.
    """
    final = None
    for final in stream_guarded_chat(prompt_or_messages, passages=passages, system=system, settings=settings,  # noqa: B007
                                     client=client, model=model, citation_pattern=citation_pattern, **overrides):
        pass
    assert final is not None and final.final
    return final


