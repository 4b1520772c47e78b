"""Japanese phone numbers: landlines (0ABJ), mobiles, 050 IP phones, 0120/0800/0570, +81."""

from __future__ import annotations

import re

from aidojo.safety.pii_types import Candidate

_SEP = r"[-\s]?"
_BEFORE = r"(?<![\d+])(?<!\d[-./,:])"
_AFTER = r"(?!-?\d)(?![.,:]\d)"

# (pattern, allowed total digit counts). Digit counts are checked after matching.
_PATTERNS: tuple[tuple[re.Pattern[str], tuple[int, ...]], ...] = (
    # mobiles 090/080/070/060 and IP phones 050: 11 digits, 3-4-4
    (re.compile(_BEFORE + r"0[5-9]0" + _SEP + r"\d{4}" + _SEP + r"\d{4}" + _AFTER), (11,)),
    # toll-free 0120 / navi-dial 0570: 10 digits, 4-3-3 (also 4-2-4 style groupings)
    (re.compile(_BEFORE + r"0(?:120|570)" + _SEP + r"\d{2,3}" + _SEP + r"\d{3,4}" + _AFTER), (10,)),
    # toll-free 0800: 11 digits, 4-3-4
    (re.compile(_BEFORE + r"0800" + _SEP + r"\d{3}" + _SEP + r"\d{4}" + _AFTER), (11,)),
    # landlines written 093-582-1234, 03 1234 5678, 0935821234
    (re.compile(_BEFORE + r"0[1-9]\d{0,3}" + _SEP + r"\d{1,4}" + _SEP + r"\d{4}" + _AFTER), (10,)),
    # landlines with the area code in parentheses: (093)582-1234, （03）1234-5678
    (re.compile(r"(?<!\d)\(0[1-9]\d{0,3}\)\s?\d{1,4}" + _SEP + r"\d{4}" + _AFTER), (10,)),
    # landlines with the exchange in parentheses: 093(582)1234
    (re.compile(_BEFORE + r"0[1-9]\d{0,3}\(\d{1,4}\)\d{4}" + _AFTER), (10,)),
    # international form: +81-93-582-1234, +81 90 1234 5678, +81-(0)93-...
    (re.compile(r"\+81" + _SEP + r"(?:\(0\))?" + r"[1-9]\d{0,3}" + _SEP + r"\d{1,4}" + _SEP + r"\d{4}" + _AFTER),
     (11, 12)),
)


def find_phones(text: str) -> list[Candidate]:
    """Phone numbers in the normalised ``text`` (dates, prices, times and other numbers are left alone)."""
    out: list[Candidate] = []
    for pattern, counts in _PATTERNS:
        for m in pattern.finditer(text):
            digits = re.sub(r"\D", "", m.group(0))
            if digits.startswith("810"):  # +81-(0)93-... carries the trunk zero
                digits = "81" + digits[3:]
            if len(digits) in counts:
                out.append(Candidate("phone", m.start(), m.end()))
    return out
