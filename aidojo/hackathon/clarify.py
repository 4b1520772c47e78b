"""Which entry a question is about: its key terms, and when to ask back.

- ``key_terms``: the runs of kanji, katakana, letters and digits in a question (question words cut out), as
  bigrams, or as one character when the run is one character long: 「犬の登録は？」 → {犬, 登録}. Hiragana is left
  out: it is mostly particles and verb endings, which change with conjugation (届き / 届く).
- How well a passage covers a question is ``aidojo.retrieval``'s ``Hit.relevance`` (a lone kanji such as 犬 of
  「犬の登録」 counts there too, so no second measure is needed here).
- ``choices``: when two or more titles (FAQ questions, manual headings) hold every key term of a question and none
  matches its wording clearly better, the ids to offer: 「手数料は？」 → which one, new card or reissue?

Hand-written rather than left to a model: deterministic, explainable, and it works with the offline model.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from aidojo.text import char_bigrams, normalize

# Question words and request endings say nothing about WHICH entry is meant.
_ASKING = re.compile(
    r"何[日時人円回歳個件階番分年月曜]?|いつ|どこ|どれ|どの|いくら|どのくらい|どれくらい|どうすれば|どうしたら|どう|なぜ|"
    r"誰|だれ|教えて(?:ください|下さい|ほしい|欲しい)?|知りたい|聞きたい|について|のこと|ですか|でしょうか|ますか|ください|"
    r"[?？!！。、]"
)
_RUN = re.compile(r"[一-龥々〆ヵヶ]+|[ァ-ヴ]+|[a-z0-9]+")  # one script per run: 「カード受付」 → カード | 受付
_TOPIC_END = re.compile(r"(?:って|とか|は|も|を|が)$")
GENERIC_TERMS = frozenset({"教え", "知り", "調べ", "質問", "場合", "方法", "手続", "続き"})


def _asked(question: str) -> list[str]:
    parts = (_TOPIC_END.sub("", p.strip()) for p in _ASKING.split(normalize(question)))
    return [p for p in parts if p]


def key_terms(question: str) -> set[str]:
    """The question's key terms: bigrams of its kanji/katakana/letter/digit runs, single characters for runs of one."""
    terms: set[str] = set()
    for part in _asked(question):
        for run in _RUN.findall(part):
            terms |= {run} if len(run) == 1 else set(char_bigrams(run))
    return terms - GENERIC_TERMS


_PARTICLES = frozenset("のはがをにでへや")
# Request endings carry no meaning of their own (every FAQ title may end in 「教えてください」).
_REQUEST = re.compile(r"教えて(?:ください|下さい|ほしい|欲しい)?|ください|について|のこと|知りたい|聞きたい|でしょうか|ですか|"
                      r"ますか|[?？!！。、\s]+")


def _wording(question: str) -> set[str]:
    """The question's bigrams, question words included (「どこで」 tells 「どこでできますか」 from 「いつから」), without
    those that hold a particle (「休暇の取り方」 → 休暇, 取り, り方)."""
    parts = [p for p in _REQUEST.split(normalize(question)) if p]
    grams = {g for p in parts for g in (char_bigrams(p) if len(p) > 1 else [p])}
    return {g for g in grams if not _PARTICLES & set(g)} or grams


def choices(question: str, titles: Mapping[str, str], *, extra: Mapping[str, str] | None = None, ratio: float = 0.8,
            max_choices: int = 4, max_candidates: int = 5) -> list[str]:
    """The ids of ``titles`` to offer when ``question`` is ambiguous, best first; ``[]`` when it is not.

    ``extra`` (other wordings of an entry, e.g. a FAQ's aliases) helps tell the candidates apart: 「暗証番号
    わすれた」 fits the entry whose aliases say わすれた better than the other 暗証番号 entries. A question whose
    words fit more than ``max_candidates`` titles says too little to offer a short list (「マイナンバーについて」):
    it is left to the search, which answers or hands off.
    """
    terms = key_terms(question)
    if not terms:
        return []
    norm = {i: normalize(t) for i, t in titles.items()}
    candidates: Sequence[str] = [i for i, title in norm.items() if all(t in title for t in terms)]
    if not 2 <= len(candidates) <= max_candidates:
        return []
    wording = _wording(question)
    extra = extra or {}
    overlap = {i: len(wording & set(char_bigrams(norm[i] + normalize(extra.get(i, ""))))) / len(wording)
               for i in candidates}
    best = max(overlap.values())
    close = sorted((i for i in candidates if overlap[i] >= best * ratio), key=lambda i: (-overlap[i], candidates.index(i)))
    return close[:max_choices] if len(close) >= 2 else []
