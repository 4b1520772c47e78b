"""Japanese text utilities shared by the offline model, safety, retrieval and checks."""

from aidojo.text.normalize import (
    bigram_overlap,
    char_bigrams,
    content_bigrams,
    normalize,
    split_sentences,
)

__all__ = ["normalize", "char_bigrams", "content_bigrams", "bigram_overlap", "split_sentences"]
