"""Japanese street addresses: a place name (都道府県/市区町村/町名) followed by 丁目/番地/号 or 1-2-3.

Hand-written because the maintained Japanese address parsers need a large dictionary or a
network service; for masking, a place name glued to a block number is the signal that matters.
"""

from __future__ import annotations

import re

from aidojo.safety.pii_types import Candidate

PREFECTURES = (
    "北海道 青森県 岩手県 宮城県 秋田県 山形県 福島県 茨城県 栃木県 群馬県 埼玉県 千葉県 東京都 神奈川県 "
    "新潟県 富山県 石川県 福井県 山梨県 長野県 岐阜県 静岡県 愛知県 三重県 滋賀県 京都府 大阪府 兵庫県 "
    "奈良県 和歌山県 鳥取県 島根県 岡山県 広島県 山口県 徳島県 香川県 愛媛県 高知県 福岡県 佐賀県 長崎県 "
    "熊本県 大分県 宮崎県 鹿児島県 沖縄県"
).split()
_PREF = re.compile("|".join(PREFECTURES))

_N = r"(?:\d{1,5}|[一二三四五六七八九十百〇]{1,4})"
_KN = r"[一二三四五六七八九十百〇]"
_UNIT_AFTER = r"(?![目線窓手人件台回年月日時分秒歳代%円位級種期便条])"
_ANCHOR = re.compile(
    rf"(?:{_N}丁目\s?(?:{_N}番地?(?:の?{_N}号?)?|\d{{1,5}}(?:-\d{{1,5}}){{0,3}})?"  # 2丁目3番4号 / 2丁目3-4
    rf"|{_N}番地(?:の?{_N}号?)?"  # 1234番地 / 12番地の3
    rf"|(?:\d{{1,5}}|{_KN}{{1,4}}(?=番{_N}))番(?:{_N}号)?"  # 3番4号 / 12番
    rf"|\d{{1,5}}(?:-\d{{1,5}}){{1,3}}"  # 1-2-3 / 1-2-3-201
    rf"|\d{{1,4}}の\d{{1,4}}(?:の\d{{1,4}})?"  # 本町2の5の8 (as said aloud)
    rf"){_UNIT_AFTER}"
)
_BUILDING = re.compile(
    r"\s?[A-Za-zァ-ヶー一-龥ぁ-ん・]{1,15}?\s?[A-Za-z]?\d{1,4}(?:号室|号棟|号|階|F)"
    r"|\s?\d{1,4}号室"
    r"|\s[A-Za-zァ-ヶー一-龥・]{2,15}\d{3,4}(?![\d\-円人件年月日時分])"  # 〜3-9-33 アーバン天神1205
)
_PLACE_CHARS = "一-龥々〆ヶぁ-んァ-ヶー"
_PLACE_RUN = re.compile(rf"[{_PLACE_CHARS}]{{1,25}}$")
_MARKER = re.compile(r"(?<=.)[都道府県市区町村郡]")
_PARTICLES = set("はがをにでとものへやか")
_LABEL = re.compile(r"^(?:現住所|住所|所在地|居所|自宅|住まい|宛先|送付先|送り先|届け先)")
_TOWN_SUFFIX = set("町丁台丘野原通条目谷山川田島沢坂橋浜森林寺宮里園岡崎津浦井瀬口堂新本東西南北中央")
_DATE_LIKE = re.compile(r"(?:19|20)\d\d-\d{1,2}(?:-\d{1,2})?$")
_LABELLED = re.compile(
    r"(?:現住所|住所|所在地|居所|送付先住所|届け先)\s*[:]\s*"
    r"((?:(?!電話|tel|TEL|携帯|メール|mail|氏名|名前|連絡先|〒|郵便)[^\s、。,\n()]){2,40})"
)


def _place_start(text: str, anchor_start: int) -> int | None:
    """Start of the place name glued to the block number at ``anchor_start``, or None when there is none."""
    m = _PLACE_RUN.search(text, max(0, anchor_start - 25), anchor_start)
    if not m or m.end() != anchor_start:
        return None
    run = m.group(0)
    if run[-1] in _PARTICLES:
        return None
    offset = m.start()
    label = _LABEL.match(run)
    if label:
        run, offset = run[label.end() :], offset + label.end()
    if not run:
        return None
    pref = _PREF.search(run)
    if pref:
        return offset + pref.start()
    marker = _MARKER.search(run)
    if marker:
        cut = 0
        for i in range(marker.start()):
            if run[i] in _PARTICLES:
                cut = i + 1
        return offset + cut if cut < marker.start() else None
    # No locality marker: keep the trailing kanji/katakana part of the run (the town name).
    i = len(run)
    while i > 0 and not ("\u3040" <= run[i - 1] <= "\u309f"):
        i -= 1
    return offset + i if i < len(run) else None


def find_addresses(text: str) -> list[Candidate]:
    """Addresses: place name + block number (+ building and room), and values of 住所: fields."""
    out: list[Candidate] = []
    for m in _ANCHOR.finditer(text):
        block = m.group(0)
        if _DATE_LIKE.match(block):
            continue
        start = _place_start(text, m.start())
        if start is None:
            continue
        place = text[start : m.start()]
        if ("-" in block or "の" in block) and "丁目" not in block and "番" not in block and not (
            _PREF.search(place) or _MARKER.search(place) or place[-1] in _TOWN_SUFFIX
        ):
            continue
        end = m.end()
        b = _BUILDING.match(text, end)
        if b:
            end = b.end()
        out.append(Candidate("address", start, end))
    for m in _LABELLED.finditer(text):
        out.append(Candidate("address", m.start(1), m.end(1)))
    return out
