"""``grounded_answer``: answer only from retrieved passages, cite them, or hand off to a person."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from aidojo.retrieval.index import Hit, Index

# Deprecated: raw BM25 grows with the corpus, so one number cannot fit every index. Use ``Hit.relevance`` and
# ``aidojo.safety.MIN_RELEVANCE`` (one scale, 0..1). Kept for callers that still pass ``min_score``.
DEFAULT_MIN_SCORE = 5.0
_TAG = re.compile(r"\[(\d{1,2})\]")

SYSTEM_PROMPT = (
    "あなたはみどり市の問い合わせ対応を支援するアシスタントです。"
    "与えられた資料だけを根拠に答え、資料にないことは推測で答えないでください。"
)


@dataclass(frozen=True)
class GroundedAnswer:
    """The answer text, the citations it rests on, whether it hands off to a person, and the hits used."""

    text: str
    citations: list[str] = field(default_factory=list)
    handoff: bool = False
    hits: list[Hit] = field(default_factory=list)
    reason: str = ""  # a stable code from aidojo.safety.REASONS when handed off ("low_retrieval_score", "no_citation", …)
    status_ja: str = ""  # the one-line status to show (aidojo.safety.status_ja)

    def __str__(self) -> str:
        return self.text


def build_prompt(question: str, hits: list[Hit]) -> str:
    """The grounded-QA prompt: rules, passages tagged [1]..[k] with their citation, then the question."""
    from aidojo.safety import HANDOFF_REPLY as handoff

    passages = "\n".join(f"[{i}] {h.citation}\n{h.text}\n" for i, h in enumerate(hits, start=1))
    return (
        "以下の資料の番号付きの箇所だけを根拠に、質問に答えてください。\n"
        "条件：\n"
        "- 資料に書かれていないことは答えないこと。\n"
        f"- 資料から答えられない場合は「{handoff}」とだけ答えること。\n"
        "- 根拠にした箇所の番号を [1] のように答えの中に必ず書くこと。\n\n"
        f"資料:\n\"\"\"\n{passages}\"\"\"\n\n"
        f"質問: {question}\n"
    )


def grounded_answer(question: str, index: Index, client: Any = None, *, k: int = 4, min_relevance: float | None = None,
                    min_score: float | None = None, model: str | None = None, settings: Any = None) -> GroundedAnswer:
    """Search ``index``, ask the model to answer from the top ``k`` passages with [n] citations, or hand off.

    Hands off (``handoff=True``, the reply from ``aidojo.safety.handoff_reply``) when the best hit's relevance is below
    ``min_relevance`` (default ``aidojo.safety.MIN_RELEVANCE``), and whenever the output guard does: a backend failure,
    timeout or empty reply, an answer that cites no passage (or one it was not given), or a fee, date, time, place or
    procedure that the cited passages do not state (``aidojo.safety.guarded_chat``). ``[n]`` tags in the answer become
    "[file 行 N]"-style citations. ``settings`` is an ``aidojo.safety.GuardSettings`` (max_tokens, timeouts).
    ``min_score`` (raw BM25) is deprecated; when given it must be met as well.
    """
    from aidojo.safety import MIN_RELEVANCE, Passage, guarded_chat, handoff_reply, status_ja

    threshold = MIN_RELEVANCE if min_relevance is None else min_relevance
    hits = index.search(question, k=k)
    if not hits or hits[0].relevance < threshold or (min_score is not None and hits[0].score < min_score):
        reason = "low_retrieval_score"
        return GroundedAnswer(handoff_reply(reason), [], True, hits, reason, status_ja(reason))
    passages = [Passage(str(i), h.text, h.citation) for i, h in enumerate(hits, start=1)]
    reply = guarded_chat(build_prompt(question, hits), system=SYSTEM_PROMPT, passages=passages, settings=settings,
                         client=client, model=model)
    if reply.handoff:
        return GroundedAnswer(reply.text, [], True, hits, reply.reason, reply.status_ja)
    text = _TAG.sub(lambda m: f"[{hits[int(m.group(1)) - 1].citation}]" if 1 <= int(m.group(1)) <= len(hits) else m.group(0),
                    reply.text)
    return GroundedAnswer(text, list(reply.citations), False, hits, "", reply.status_ja)
