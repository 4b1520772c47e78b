"""E-mail addresses and postal codes (〒 / 郵便番号 context, or a 123-4567 right before an address)."""

from __future__ import annotations

import re

from aidojo.safety.pii_types import Candidate

_EMAIL = re.compile(
    r"(?<![A-Za-z0-9._%+\-])[A-Za-z0-9][A-Za-z0-9._%+\-]*@(?:[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?\.)+[A-Za-z]{2,}"
)
_POSTAL_LABELLED = re.compile(
    r"(?:〒|郵便番号|郵便|postal\s?code|zip)\s*(?:[:(]|は|\(\d桁\))?\s*(\d{3}-?\d{4})(?!-?\d)", re.IGNORECASE
)
_POSTAL_BARE = re.compile(r"(?<![\d\-])(\d{3}-\d{4})(?!-?\d)")
_ADDRESS_AFTER = re.compile(
    r"\s*(?:北海道|東京都|大阪府|京都府|[^\s\d]{2,3}県|[一-龥ぁ-んァ-ヶー]{1,6}[市区町村郡])"
)


def find_emails(text: str) -> list[Candidate]:
    """E-mail addresses (full-width ＠ and letters are already ASCII in the normalised text)."""
    return [Candidate("email", m.start(), m.end()) for m in _EMAIL.finditer(text)]


def find_postal_codes(text: str) -> list[Candidate]:
    """Postal codes after 〒/郵便番号, or a bare 123-4567 directly followed by a prefecture or city."""
    out = [Candidate("postal_code", m.start(1), m.end(1)) for m in _POSTAL_LABELLED.finditer(text)]
    seen = {(c.start, c.end) for c in out}
    for m in _POSTAL_BARE.finditer(text):
        if (m.start(1), m.end(1)) not in seen and _ADDRESS_AFTER.match(text, m.end()):
            out.append(Candidate("postal_code", m.start(1), m.end(1)))
    return out
