"""Split text into overlapping chunks on sentence boundaries, keeping character offsets.

Hand-written: a few lines over ``re``; text splitters in libraries pull in large frameworks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_BOUNDARY = re.compile(r"[。！？!?]+[」』）)]*|\n+")


@dataclass(frozen=True)
class Span:
    """A piece of a text: ``text == source[start:end]`` (surrounding white space stripped)."""

    text: str
    start: int
    end: int


def _sentences(text: str) -> list[tuple[int, int]]:
    spans, pos = [], 0
    for m in _BOUNDARY.finditer(text):
        if m.end() > pos:
            spans.append((pos, m.end()))
        pos = m.end()
    if pos < len(text):
        spans.append((pos, len(text)))
    return spans


def _strip(text: str, start: int, end: int) -> Span | None:
    piece = text[start:end]
    lead = len(piece) - len(piece.lstrip())
    trail = len(piece) - len(piece.rstrip())
    if not piece.strip():
        return None
    return Span(piece.strip(), start + lead, end - trail)


def chunk_text(text: str, size: int = 400, overlap: int = 80) -> list[Span]:
    """Chunks of at most ``size`` characters that break after sentences and overlap by about ``overlap``."""
    if size <= 0 or overlap < 0 or overlap >= size:
        raise ValueError("chunk_size は正の数、overlap は 0 以上 chunk_size 未満にしてください")
    units: list[tuple[int, int]] = []
    for s, e in _sentences(text):
        while e - s > size:  # a sentence longer than a chunk: cut it
            units.append((s, s + size - overlap))
            s += size - overlap
        units.append((s, e))
    chunks: list[Span] = []
    i = 0
    while i < len(units):
        start, end, j = units[i][0], units[i][1], i + 1
        while j < len(units) and units[j][1] - start <= size:
            end = units[j][1]
            j += 1
        span = _strip(text, start, end)
        if span:
            chunks.append(span)
        if j >= len(units):
            break
        # step back over whole units that fit in the overlap, but always move forward
        k = j
        while k - 1 > i and end - units[k - 1][0] <= overlap:
            k -= 1
        i = k
    return chunks


def line_of(text: str, offset: int) -> int:
    """1-based line number of ``offset`` in ``text``."""
    return text.count("\n", 0, offset) + 1
