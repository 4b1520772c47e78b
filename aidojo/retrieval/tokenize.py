"""Tokenizers for the BM25 index: NFKC character bigrams (default, no dictionary) or Janome words."""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

from aidojo.text import char_bigrams, normalize

TOKENIZERS = ("bigram", "janome")
_KANJI_KATA = re.compile(r"[\u4e00-\u9fff\u3400-\u4dbf\u30a1-\u30fa々〆ヵヶ]")
_SKIP_POS = ("助詞", "助動詞", "記号", "フィラー")


class RetrievalError(ValueError):
    """A retrieval input problem, with a Japanese message naming the file and what is wrong."""


def bigram_tokens(text: str) -> list[str]:
    """Character bigrams of the NFKC text, plus single kanji/katakana so one-character words (缶, 傘) still match."""
    grams = char_bigrams(text)
    singles = _KANJI_KATA.findall(normalize(text))
    return grams + singles


@lru_cache(maxsize=1)
def _janome():
    try:
        from janome.tokenizer import Tokenizer
    except ImportError as exc:  # pragma: no cover - janome is in the test extras
        raise RetrievalError("tokenizer='janome' には Janome が必要です：pip install janome") from exc
    return Tokenizer()


def janome_tokens(text: str) -> list[str]:
    """Janome surface forms (NFKC, lower-case) without particles, auxiliaries and symbols."""
    out = []
    for tok in _janome().tokenize(normalize(text)):
        if tok.part_of_speech.split(",")[0] in _SKIP_POS:
            continue
        surface = tok.surface.strip()
        if surface:
            out.append(surface)
    return out


def get_tokenizer(name: str) -> Callable[[str], list[str]]:
    """The tokenizer function called ``name`` ("bigram" or "janome")."""
    if name == "bigram":
        return bigram_tokens
    if name == "janome":
        _janome()
        return janome_tokens
    raise RetrievalError(f"tokenizer は {' / '.join(TOKENIZERS)} のどちらかを指定してください（指定値: {name!r}）")
