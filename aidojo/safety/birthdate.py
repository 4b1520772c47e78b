"""Dates of birth: a date (和暦 or 西暦, in any common spelling) that the context marks as a birth date.

A date is a birth date when 生年月日 / 誕生日 / 生まれは / date of birth comes just before it, when 生まれ / 生 /
うまれ / 出生 follows it, when an age follows it (「昭和38年7月14日（62歳）」), or when it is a full 明治・大正・昭和 date that
no event word follows (「昭和50年4月1日」 alone is someone's birthday far more often than an event; 「昭和63年4月1日に
開設」 is not). A month and day without a year is never one (「4月1日生まれの子は」 is a rule, not a person).
Hand-written: no library recognises Japanese era dates in context.
"""

from __future__ import annotations

import re

from aidojo.safety.pii_types import Candidate

_N = r"(?:\d{1,2}|[〇一二三四五六七八九十]{1,3})"
_ERA_DATE = rf"(?:明治|大正|昭和|平成|令和)\s?(?:{_N}|元)\s?年(?:\s?{_N}\s?月(?:\s?{_N}\s?日)?)?"
_ERA_ABBR = r"(?<![A-Za-z])[MTSHR]\.?\s?\d{1,2}[./-]\d{1,2}[./-]\d{1,2}(?!\d)"
_WESTERN = r"(?<!\d)(?:19|20)\d\d\s?年(?:\s?\d{1,2}\s?月(?:\s?\d{1,2}\s?日)?)?|(?<!\d)(?:19|20)\d\d[/.-]\d{1,2}[/.-]\d{1,2}(?![\d/.-])"
_MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
_ENGLISH = rf"\d{{1,2}}\s(?:{_MONTHS})\s(?:19|20)\d\d|(?:{_MONTHS})\s\d{{1,2}},?\s(?:19|20)\d\d"
_DATE = re.compile(rf"{_ERA_DATE}|{_ERA_ABBR}|{_WESTERN}|{_ENGLISH}")

_BEFORE = re.compile(
    r"(?:生年月日|誕生日|生まれ年|出生日|生年|生まれは|生まれた日は|date\s+of\s+birth|birth\s?date|dob|born(?:\s+on|\s+in)?)"
    r"(?:\s?[(（][^()（）]{0,6}[)）])?(?:[\s:は、,]{0,3}|(?:ですか|は|を|も)?[？?]?\s?)$",
    re.IGNORECASE,
)
_AFTER_FAR = re.compile(r"^[^。\n\d]{0,16}?(?:で|に)(?:出生|生まれ(?!る)|誕生)")  # 昭和33年にみどり市北区で出生
_AFTER = re.compile(r"^\s?(?:生まれ|生れ|うまれ|産まれ|出生|誕生(?!会|祭|日会)|生(?![活涯徒産命存計地物協息])|[(（]?\s?(?:生|満)?\d{1,3}\s?(?:歳|才))")
_EVENT_AFTER = re.compile(
    r"^\s?(?:に|より|から|まで|付け?|以前|以降|以後|現在|時点|の時点|当時|頃|ごろ|代|度|施行|制定|公布|改正|開設|設立|竣工|開業|開始|開館|"
    r"開園|創立|建設|死亡|入居|転入|転居|合併|締結|実施|登録|取得|発行|交付|受付|決定|撮影|作成|発生|発足|廃止)"
)
_OLD_ERA_FULL = re.compile(rf"^(?:明治|大正|昭和)\s?(?:{_N}|元)\s?年\s?{_N}\s?月\s?{_N}\s?日$")


def find_birth_dates(text: str) -> list[Candidate]:
    """Birth dates in the normalised ``text`` (the date itself, without 生まれ)."""
    out: list[Candidate] = []
    for m in _DATE.finditer(text):
        before = text[max(0, m.start() - 24) : m.start()]
        after = text[m.end() : m.end() + 12]
        full = m.group(0)
        if _BEFORE.search(before) or _AFTER.match(after) or _AFTER_FAR.match(text[m.end() : m.end() + 24]):
            out.append(Candidate("date_of_birth", m.start(), m.end()))
        elif _OLD_ERA_FULL.match(full) and not _EVENT_AFTER.match(after):
            out.append(Candidate("date_of_birth", m.start(), m.end()))
    return out
