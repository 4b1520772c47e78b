"""Relevance on one scale for every corpus: the IDF-weighted share of a question's key terms found in a passage.

Raw BM25 scores grow with the corpus (a 20-entry FAQ and a 7,000-row table give scores an order of magnitude
apart), which is why each template once had its own threshold. ``relevance`` is in [0, 1] whatever the corpus:
1.0 when the passage holds every key term of the question, 0.0 when it holds none; rare terms weigh more than
terms found in every passage. ``aidojo.safety.MIN_RELEVANCE`` is the one threshold on it.

Key terms are the question's tokens made only of kanji, katakana, letters and digits (no hiragana: particles
and endings carry no topic), none across a kanji/katakana boundary (カード|受け取る), a single kanji kept where
it stands alone (犬 of 「犬の登録」), without question words (何円, いつ, どこ) and request phrases (教えてください,
捨て方, 処分).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Iterable

_QUESTION_WORDS = re.compile(
    r"何[日時人円回歳個件階番分年月曜]?|いつ|どこ|どれ|どの|いくら|どのくらい|どれくらい|どうすれば|どうしたら|どう|なぜ|誰|だれ|"
    r"教えて(?:ください|下さい|ほしい|欲しい)?|知りたい|調べたい|について|に関して|方法|手続き|手続|場合|ですか|でしょうか|ますか|"
    r"捨て方|捨てる|捨てたい|捨てます|捨てれば|処分|分別|出し方|出せ"
)
_HIRAGANA = re.compile(r"[\u3040-\u309f]")
_KANJI = re.compile(r"[\u4e00-\u9fff\u3400-\u4dbf々〆ヵヶ]")
_KATAKANA = re.compile(r"[\u30a1-\u30fa\u30fc]")
_PARTICLE_GRAM = re.compile(r"^[のはがをにでともへや]|[のはがをにでともへや]$")


def is_key_term(token: str) -> bool:
    """A token that carries topic: no hiragana, and letters or digits (kanji and katakana count as letters)."""
    return bool(token) and not _HIRAGANA.search(token) and any(c.isalnum() for c in token)


def is_one_script(token: str) -> bool:
    """Not a bigram across a kanji/katakana boundary (ド受 of 「カード受け取る」, 子レ of 「電子レンジ」): such a bigram
    joins two words and is found only where the same two words stand side by side, so as a key term it would count a
    passage that names both words as missing one. Digits and letters may join a kanji (7日, 3番: a number and its unit);
    a longer token (a Janome word) is kept whole."""
    return len(token) != 2 or not (_KANJI.search(token) and _KATAKANA.search(token))


def query_terms(question: str, tokenize: Callable[[str], list[str]]) -> set[str]:
    """The question's key terms (question words and request phrases cut out first, so no term spans them): tokens
    without hiragana, no bigram across a kanji/katakana boundary, and a single kanji or katakana only where no
    two-character term holds it (「犬の登録」 → 犬, 登録; 「カード受け取る」 → カド, 受, 取)."""
    parts = [p for p in _QUESTION_WORDS.split(question) if p.strip()] or [question]
    tokens = [t for part in parts for t in tokenize(part) if t]
    terms = {t for t in tokens if is_key_term(t) and is_one_script(t)}
    # A single character already inside a two-character term (登 and 録 of 登録) would count twice: keep it only where
    # it stands alone (犬の登録 keeps 犬).
    covered = {c for t in terms if len(t) == 2 for c in t}
    terms = {t for t in terms if len(t) != 1 or t not in covered}
    if not terms:  # a question written in hiragana (ばねの捨て方): its plain tokens, particles aside
        terms = {t for t in tokens if any(c.isalnum() for c in t) and not _PARTICLE_GRAM.search(t)}
    return terms


class TermStats:
    """Document frequencies of an index's chunks, and each chunk's set of terms."""

    def __init__(self, token_lists: Iterable[list[str]]) -> None:
        self.sets = [frozenset(tokens) for tokens in token_lists]
        self.df: Counter[str] = Counter()
        for s in self.sets:
            self.df.update(s)
        self.n = len(self.sets)

    def idf(self, term: str) -> float:
        """BM25's (Lucene) IDF; a term found in no chunk weighs most."""
        df = self.df.get(term, 0)
        return math.log(1 + (self.n - df + 0.5) / (df + 0.5))

    def relevance(self, terms: set[str], chunk: int) -> float:
        """The IDF-weighted share of ``terms`` found in chunk number ``chunk`` (0.0 when there are no terms)."""
        if not terms:
            return 0.0
        weights = {t: self.idf(t) for t in terms}
        total = sum(weights.values())
        if total <= 0:
            return 0.0
        found = sum(w for t, w in weights.items() if t in self.sets[chunk])
        return round(found / total, 4)
