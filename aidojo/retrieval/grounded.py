"""``grounded_answer``: answer only from retrieved passages, cite them, or hand off to a person."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from aidojo.retrieval.index import Hit, Index

# Calibrated on the Tsu garbage table (benchmarks/retrieval.py): with 5.0, 99% of 120 answerable questions
# pass to the model and 30% of 30 off-topic ones are stopped by the score alone (the model's own
# "answer only from the passages" rule hands off 29/30). Raw BM25 grows with corpus size (IDF): for a
# small FAQ of a few dozen entries, check the scores of your own questions and pass ``min_score``.
DEFAULT_MIN_SCORE = 5.0
_TAG = re.compile(r"\[(\d{1,2})\]")
_NO_ANSWER = re.compile(r"^\s*(?:分かりません|わかりません|お答えできません|資料に(?:は)?(?:記載|情報)が?ありません|i don'?t know)", re.I)

SYSTEM_PROMPT = (
    "あなたはみどり市の問い合わせ対応を支援するアシスタントです。"
    "与えられた資料だけを根拠に答え、資料にないことは推測で答えないでください。"
)


def _handoff_reply() -> str:
    from aidojo.safety import HANDOFF_REPLY

    return HANDOFF_REPLY


@dataclass(frozen=True)
class GroundedAnswer:
    """The answer text, the citations it rests on, whether it hands off to a person, and the hits used."""

    text: str
    citations: list[str] = field(default_factory=list)
    handoff: bool = False
    hits: list[Hit] = field(default_factory=list)
    reason: str = ""  # "low_retrieval_score" / "no_grounded_answer" when handed off

    def __str__(self) -> str:
        return self.text


def build_prompt(question: str, hits: list[Hit]) -> str:
    """The grounded-QA prompt: rules, passages tagged [1]..[k] with their citation, then the question."""
    handoff = _handoff_reply()
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


def _cited(reply: str, hits: list[Hit]) -> list[int]:
    nums = [int(n) for n in _TAG.findall(reply)]
    return list(dict.fromkeys(n for n in nums if 1 <= n <= len(hits)))


def grounded_answer(question: str, index: Index, client: Any = None, *, k: int = 4,
                    min_score: float = DEFAULT_MIN_SCORE, model: str | None = None) -> GroundedAnswer:
    """Search ``index``, ask the model to answer from the top ``k`` passages with [n] citations, or hand off.

    Hands off (``HANDOFF_REPLY``, ``handoff=True``) when the best BM25 score is below ``min_score``
    or the model's reply is a handoff or an uncited "分かりません". ``[n]`` tags in the reply become "[file 行 N]"-style citations.
    """
    from aidojo.llm import chat
    from aidojo.safety import is_handoff

    hits = index.search(question, k=k)
    if not hits or hits[0].score < min_score:
        return GroundedAnswer(_handoff_reply(), [], True, hits, "low_retrieval_score")
    reply = chat(build_prompt(question, hits), system=SYSTEM_PROMPT, model=model, client=client)
    if not reply.strip() or is_handoff(reply) or (_NO_ANSWER.match(reply) and not _TAG.search(reply)):
        return GroundedAnswer(_handoff_reply(), [], True, hits, "no_grounded_answer")
    numbers = _cited(reply, hits)
    text = _TAG.sub(lambda m: f"[{hits[int(m.group(1)) - 1].citation}]" if 1 <= int(m.group(1)) <= len(hits) else m.group(0), reply)
    return GroundedAnswer(text, [hits[n - 1].citation for n in numbers], False, hits)
