"""Contact details of an office are not personal data: 「みどり市役所 市民課（電話 093-582-1000）」「〒812-8512 みどり市中央区
本町1-1-1 みどり市役所 宛」「バス停「本町2丁目」」. A mobile or IP-phone number is always someone's, and a person cue
(様, さん, 自宅, 携帯, 直通) between the office and the number makes it someone's again.
"""

from __future__ import annotations

import re

from aidojo.safety.pii_types import Candidate

_OFFICE = (r"(?:市役所|区役所|町役場|村役場|役場|総合案内|代表(?!者)|番号案内|コールセンター|相談ダイヤル|"
           r"[一-龥ァ-ヴーぁ-ん]{1,10}(?:課|係|センター|役所|学校|保育園|保育所|幼稚園|病院|保健所|公民館|図書館|事務所|"
           r"窓口|警察署|消防署|支所|出張所|会館))")
_PERSON_CUE = re.compile(r"様|さん|氏|自宅|携帯|直通|本人|個人|私|ご家族|娘|息子|夫|妻|母|父|の方")
_OFFICE_BEFORE = re.compile(_OFFICE + r"[^。\n]{0,16}$")
_OFFICE_AFTER = re.compile(r"^[)）]?\s*(?:[（(]\s*" + _OFFICE + r"|" + _OFFICE + r"|[)）]?の" + _OFFICE + r")")
_MOBILE = re.compile(r"^(?:\+81[-\s]?)?0?[5789]0")
_LANDMARK_BEFORE = re.compile(r"(?:バス停|停留所|駅|交差点|信号)\s*[「『]?$")
_LANDMARK_AFTER = re.compile(r"^[」』]?(?:の(?:公園|交差点|バス停|駅|信号|角|付近|あたり|辺り|周辺)|(?:駅|バス停|停留所|交差点))")


def _sentence_before(text: str, start: int) -> str:
    cut = max(text.rfind(mark, 0, start) for mark in "。\n「」")
    return text[cut + 1 : start][-28:]


def is_public(text: str, cand: Candidate) -> bool:
    """Whether a phone number, postal code or address found in ``text`` (normalised) belongs to an office or a place."""
    value = text[cand.start : cand.end]
    before = _sentence_before(text, cand.start)
    after = text[cand.end : cand.end + 24]
    if cand.kind == "address" and (_LANDMARK_BEFORE.search(text[max(0, cand.start - 8) : cand.start]) or
                                   _LANDMARK_AFTER.match(after)) and "番" not in value \
            and "号" not in value:
        return True
    if cand.kind not in ("phone", "postal_code", "address"):
        return False
    if cand.kind == "phone" and _MOBILE.match(value.replace("(", "")):
        return False
    office = _OFFICE_BEFORE.search(before)
    if office and not _PERSON_CUE.search(before[office.start() :]):
        return True
    if cand.kind in ("postal_code", "address"):
        # 〒812-8512 みどり市中央区本町1-1-1 みどり市役所 宛: the office follows the address (after a postal code, the address)
        tail = text[cand.end : cand.end + 40]
        if cand.kind == "postal_code":
            tail = re.sub(r"^\s*[^\s（）()]{2,40}?\d(?:[-\d丁目番地号の]*)\s*", "", tail)
        if _OFFICE_AFTER.match(tail.lstrip()) and not _PERSON_CUE.search(tail[:12]):
            return True
    return bool(_OFFICE_AFTER.match(after)) and cand.kind == "phone" and not _PERSON_CUE.search(after[:8])
