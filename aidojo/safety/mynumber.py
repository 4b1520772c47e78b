"""My Number (個人番号): 12 digits with a check digit.

The check digit rule is the one in the My Number Act's ordinance: weights 6,5,4,3,2,7,6,5,4,3,2
on the first 11 digits from the left, r = sum mod 11, check = 0 if r <= 1 else 11 - r.
Hand-written because it is six lines and no maintained Python library implements it.
"""

from __future__ import annotations

import re
import unicodedata

from aidojo.safety.pii_types import Candidate

_WEIGHTS = (6, 5, 4, 3, 2, 7, 6, 5, 4, 3, 2)
_TWELVE = re.compile(r"(?<!\d)(?<!\d[-\s])(\d{4})([-\s]?)(\d{4})\2(\d{4})(?![-\s]?\d)")
_SPACED_OUT = re.compile(r"(?<![\d-])\d(?:[ -]\d){11}(?![-\s]?\d)")  # 8 1 2 3 4 5 6 7 8 9 0 1
_CONTEXT = re.compile(r"(マイナンバー|個人番号|my\s?number)", re.IGNORECASE)
_CONTEXT_WINDOW = 30


def is_valid_my_number(s: str) -> bool:
    """True when ``s`` (12 digits, full-width, spaces or hyphens allowed) has a valid My Number check digit."""
    digits = re.sub(r"[\s\-\u2010-\u2015\u2212\u30fc\uff0d]", "", unicodedata.normalize("NFKC", str(s)))
    if not re.fullmatch(r"\d{12}", digits):
        return False
    total = sum(int(d) * w for d, w in zip(digits[:11], _WEIGHTS))
    r = total % 11
    check = 0 if r <= 1 else 11 - r
    return check == int(digits[11])


def find_my_numbers(text: str) -> list[Candidate]:
    """12-digit numbers with a valid check digit, or any 12-digit number right after マイナンバー/個人番号."""
    out: list[Candidate] = []
    for m in _TWELVE.finditer(text):
        digits = m.group(1) + m.group(3) + m.group(4)
        before = text[max(0, m.start() - _CONTEXT_WINDOW) : m.start()]
        if is_valid_my_number(digits) or _CONTEXT.search(before):
            out.append(Candidate("my_number", m.start(), m.end()))
    for m in _SPACED_OUT.finditer(text):
        before = text[max(0, m.start() - _CONTEXT_WINDOW) : m.start()]
        if is_valid_my_number(m.group(0)) or _CONTEXT.search(before):
            out.append(Candidate("my_number", m.start(), m.end()))
    return out
