"""NFKC normalisation, sentence splitting and character bigrams for Japanese text.

Hand-written because no maintained library splits Japanese sentences and builds
character n-grams without pulling in a tokenizer and its dictionary.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter

_SPACE = re.compile(r"\s+")
_SENTENCE_END = re.compile(r"(?<=[。！？!?])|\n+")
_BULLET = re.compile(r"^\s*(?:[-*・●○◆■□▪︎]|\d+[.)．、]|[（(]\d+[)）]|[①-⑳])\s*")
_NOISE = re.compile(r"[\s、。，．,.!?！？「」『』（）()\[\]【】〔〕:：;；・\-—―ー〜~\"'`*#]")


def normalize(text: str) -> str:
    """NFKC-normalise and lower-case ``text`` (full-width digits become ASCII)."""
    return unicodedata.normalize("NFKC", text).lower()


def split_sentences(text: str) -> list[str]:
    """Split Japanese or English text into sentences and list items, dropping empties."""
    out: list[str] = []
    for part in _SENTENCE_END.split(text):
        part = _BULLET.sub("", part).strip()
        if not part:
            continue
        # English sentences inside one line.
        for sub in re.split(r"(?<=[.])\s+(?=[A-Z])", part):
            sub = sub.strip()
            if sub:
                out.append(sub)
    return out


def char_bigrams(text: str) -> list[str]:
    """Character bigrams of the normalised text, punctuation and spaces removed.

    Single characters are kept for one-character texts so that they can still match.
    """
    clean = _NOISE.sub("", normalize(text))
    if len(clean) < 2:
        return [clean] if clean else []
    return [clean[i : i + 2] for i in range(len(clean) - 1)]


_HIRAGANA = re.compile(r"[\u3040-\u309f]")


def content_bigrams(text: str) -> set[str]:
    """Bigrams with no hiragana in them: the kanji, katakana and alphanumeric parts that carry meaning."""
    return {g for g in char_bigrams(text) if len(g) == 2 and not _HIRAGANA.search(g)}


def bigram_overlap(query: str, text: str) -> float:
    """Share (0..1) of the query's distinct bigrams that occur in ``text``."""
    q = set(char_bigrams(query))
    if not q:
        return 0.0
    t = set(char_bigrams(text))
    return len(q & t) / len(q)


def bigram_counts(text: str) -> Counter[str]:
    """Bigram frequencies of ``text``."""
    return Counter(char_bigrams(text))


def squash_spaces(text: str) -> str:
    """Collapse runs of white space into one space."""
    return _SPACE.sub(" ", text).strip()
