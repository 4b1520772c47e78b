"""``find_pii`` and ``mask_pii``: run every detector on an NFKC copy, report spans in the original text."""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterable

from aidojo.safety.address import find_addresses
from aidojo.safety.birthdate import find_birth_dates
from aidojo.safety.contact import find_emails, find_postal_codes
from aidojo.safety.finance import find_bank_accounts, find_credit_cards
from aidojo.safety.mynumber import find_my_numbers
from aidojo.safety.names import find_person_names
from aidojo.safety.phone import find_phones
from aidojo.safety.pii_types import PII_KINDS, PLACEHOLDERS, Candidate, Finding, Masked
from aidojo.safety.public_contact import is_public
from aidojo.safety.spans import normalize_with_map

# Most specific first: when two kinds claim the same characters, the earlier one wins.
DETECTORS: tuple[Callable[[str], list[Candidate]], ...] = (
    find_emails,
    find_credit_cards,
    find_my_numbers,
    find_bank_accounts,
    find_phones,
    find_postal_codes,
    find_birth_dates,
    find_addresses,
    find_person_names,
)
_PRIORITY = ("email", "credit_card", "my_number", "bank_account", "phone", "postal_code", "date_of_birth", "address",
             "person_name")


def _merge_same_kind(cands: Iterable[Candidate]) -> list[Candidate]:
    """Union overlapping spans of the same kind (two detectors of one kind saw one thing)."""
    merged: list[Candidate] = []
    for c in sorted(cands, key=lambda c: (c.kind, c.start, -c.end)):
        last = merged[-1] if merged else None
        if last and last.kind == c.kind and c.start < last.end:
            merged[-1] = Candidate(c.kind, last.start, max(last.end, c.end))
        else:
            merged.append(c)
    return merged


def _resolve(cands: list[Candidate]) -> list[Candidate]:
    """Keep non-overlapping spans: higher-priority kinds first, then longer spans."""
    order = {k: i for i, k in enumerate(_PRIORITY)}
    starts: list[int] = []  # kept spans, sorted by start (they never overlap, so ends are sorted too)
    kept: list[Candidate] = []
    for c in sorted(cands, key=lambda c: (order[c.kind], -(c.end - c.start), c.start)):
        i = bisect.bisect_left(starts, c.start)
        if (i > 0 and kept[i - 1].end > c.start) or (i < len(kept) and kept[i].start < c.end):
            continue
        starts.insert(i, c.start)
        kept.insert(i, c)
    return kept


def find_pii(text: str, kinds: Iterable[str] | None = None) -> list[Finding]:
    """Personal data in ``text`` as findings (kind, start, end, value), spans in the original text.

    ``kinds`` limits the search to some of ``PII_KINDS``.
    """
    if not isinstance(text, str):
        raise TypeError(f"find_pii は文字列を受け取ります（渡されたのは {type(text).__name__} です）")
    wanted = set(PII_KINDS if kinds is None else kinds)
    unknown = wanted - set(PII_KINDS)
    if unknown:
        raise ValueError(f"知らない個人情報の種類です: {sorted(unknown)}（使えるもの: {', '.join(PII_KINDS)}）")
    if not text:
        return []
    norm = normalize_with_map(text)
    cands = [c for detect in DETECTORS for c in detect(norm.text) if c.kind in wanted]
    cands = [c for c in cands if not is_public(norm.text, c)]  # an office's number or address is not personal data
    findings = []
    for c in _resolve(_merge_same_kind(cands)):
        start, end = norm.to_original(c.start, c.end)
        # Leading/trailing spaces are not part of the value.
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if end > start:
            findings.append(Finding(c.kind, start, end, text[start:end]))
    return findings


def mask_pii(text: str, kinds: Iterable[str] | None = None) -> Masked:
    """Replace each finding with its placeholder (［電話番号］, ［マイナンバー］, …)."""
    findings = find_pii(text, kinds)
    parts: list[str] = []
    pos = 0
    for f in findings:
        parts.append(text[pos : f.start])
        parts.append(PLACEHOLDERS[f.kind])
        pos = f.end
    parts.append(text[pos:])
    return Masked("".join(parts), findings)


def contains_pii(text: str) -> bool:
    """True when ``text`` holds any personal data ``find_pii`` recognises."""
    return bool(find_pii(text))
