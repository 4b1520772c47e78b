"""Credit card numbers (Luhn) and bank account numbers (in context)."""

from __future__ import annotations

import re

from aidojo.safety.pii_types import Candidate

_B = r"(?<!\d)(?<!\d[-\s])"
_A = r"(?![-\s]?\d)"
_CARD_PATTERNS = (
    re.compile(_B + r"\d{13,19}" + _A),
    re.compile(_B + r"\d{4}([-\s])\d{4}\1\d{4}\1\d{1,7}" + _A),  # 4-4-4-4 (and 4-4-4-x)
    re.compile(_B + r"\d{4}([-\s])\d{6}\1\d{4,5}" + _A),  # Amex 4-6-5, Diners 4-6-4
)
_CARD_CONTEXT = re.compile(r"(カード|card|クレジット|クレカ)", re.IGNORECASE)
# Numbers that are something else, whatever their check digit: 法人番号9479326529663, ISBN, JAN, 注文番号.
_NOT_CARD_BEFORE = re.compile(r"(?:法人番号|会社法人等番号|ISBN|JAN|注文番号|受付番号|管理番号|問い合わせ番号|お問い合わせ番号|伝票番号)"
                              r"\s*[:：]?\s*$", re.IGNORECASE)
_NOT_UNIT = r"(?![-\d円人件枚個本回年月日時分秒%])"
_ACCOUNT = re.compile(
    r"(?:口座番号|口座|預金|account\s?(?:no\.?|number))(?:\([^()\n]{0,8}\))?[^\d\n。]{0,12}?(?<!\d)(\d{6,8})"
    + _NOT_UNIT,
    re.IGNORECASE,
)
_ACCOUNT_TYPE = re.compile(r"(?:普通|当座)\s?[:]?\s?(\d{6,8})" + _NOT_UNIT)
_YUCHO = re.compile(r"(?:ゆうちょ|記号)[^\d\n。]{0,12}?(?<!\d)(\d{5}[-\s]?\d{6,8})(?!-?\d)")
_YUCHO_PAIR = re.compile(r"記号\s*[:]?\s*(\d{5})(?!\d)[^\d\n。]{0,8}?番号\s*[:]?\s*(\d{6,8})(?!-?\d)")
_YUCHO_BARE = re.compile(r"(?<![\d-])(1\d{4})-(\d{8})(?![-\d])")  # ゆうちょ 記号-番号: 1xxxx-xxxxxxxx
_CONTEXT_WINDOW = 20


def luhn_ok(digits: str) -> bool:
    """Luhn (mod 10) check; hand-written: five lines, not worth a dependency."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch) * (2 if i % 2 else 1)
        total += d - 9 if d > 9 else d
    return total % 10 == 0


def find_credit_cards(text: str) -> list[Candidate]:
    """13–19 digit numbers grouped like cards that pass Luhn, or any such number right after カード."""
    out: list[Candidate] = []
    seen: set[tuple[int, int]] = set()
    for pattern in _CARD_PATTERNS:
        for m in pattern.finditer(text):
            digits = re.sub(r"\D", "", m.group(0))
            if not 13 <= len(digits) <= 19 or (m.start(), m.end()) in seen:
                continue
            before = text[max(0, m.start() - _CONTEXT_WINDOW) : m.start()]
            if _NOT_CARD_BEFORE.search(before):
                continue
            if luhn_ok(digits) or _CARD_CONTEXT.search(before):
                seen.add((m.start(), m.end()))
                out.append(Candidate("credit_card", m.start(), m.end()))
    return out


def find_bank_accounts(text: str) -> list[Candidate]:
    """Account numbers after 口座/普通/当座 (6–8 digits) and ゆうちょ 記号番号 pairs."""
    out = [Candidate("bank_account", m.start(1), m.end(1)) for m in _ACCOUNT.finditer(text)]
    out += [Candidate("bank_account", m.start(1), m.end(1)) for m in _ACCOUNT_TYPE.finditer(text)]
    out += [Candidate("bank_account", m.start(1), m.end(1)) for m in _YUCHO.finditer(text)]
    for m in (*_YUCHO_PAIR.finditer(text), *_YUCHO_BARE.finditer(text)):
        out += [Candidate("bank_account", m.start(1), m.end(1)), Candidate("bank_account", m.start(2), m.end(2))]
    return out
