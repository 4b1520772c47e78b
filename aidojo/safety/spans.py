"""NFKC normalisation that remembers where every normalised character came from.

Detectors match on the normalised copy (ASCII digits, one dash, ASCII parentheses) and
report spans in the original text. Hand-written because ``unicodedata`` gives no offset
map and no maintained library does this for Japanese text.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# Dash-like characters Japanese text puts between digits; NFKC leaves most of them alone.
DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u2043\u30fc\uff0d\uff70\ufe63\ufe58\u2500\u2501-"
_DASH_BETWEEN_DIGITS = re.compile(rf"(?<=[\d)])[{DASHES}](?=[\d(])")
_KANJI_DIGIT_RUN = re.compile(r"[〇零一二三四五六七八九]{4,}")  # 〇九〇一二三四… written out digit by digit
_KANJI_DIGITS = str.maketrans("〇零一二三四五六七八九", "00123456789")
_ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff"
_HALFWIDTH_MARKS = "\uff9e\uff9f"  # half-width voiced marks combine with the preceding kana under NFKC


@dataclass(frozen=True)
class NormText:
    """A normalised copy of ``original`` with, for each normalised character, its source range."""

    original: str
    text: str
    starts: tuple[int, ...]
    ends: tuple[int, ...]

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """Map the normalised span ``[start, end)`` back to a span of the original text."""
        if end <= start:
            pos = self.starts[start] if start < len(self.starts) else len(self.original)
            return pos, pos
        return self.starts[start], self.ends[end - 1]


def _clusters(text: str):
    """Yield (start, end) of a base character plus the combining marks that follow it."""
    i, n = 0, len(text)
    while i < n:
        j = i + 1
        while j < n and (unicodedata.combining(text[j]) or text[j] in _HALFWIDTH_MARKS):
            j += 1
        yield i, j
        i = j


def normalize_with_map(text: str) -> NormText:
    """NFKC-normalise ``text`` cluster by cluster (length-preserving fix-ups: dashes between digits become ``-``,
    runs of 4+ kanji digits become ASCII digits; zero-width characters are dropped)."""
    out: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    for s, e in _clusters(text):
        piece = text[s:e]
        if piece in _ZERO_WIDTH:
            continue
        norm = unicodedata.normalize("NFKC", piece)
        for ch in norm:
            out.append(ch)
            starts.append(s)
            ends.append(e)
    joined = _KANJI_DIGIT_RUN.sub(lambda m: m.group(0).translate(_KANJI_DIGITS), "".join(out))
    joined = _DASH_BETWEEN_DIGITS.sub("-", joined)
    return NormText(text, joined, tuple(starts), tuple(ends))
