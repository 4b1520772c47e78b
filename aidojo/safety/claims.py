"""What an answer claims, and whether a source supports it: fees, dates, times, durations, counts, weekdays,
places, procedure names, channels (郵送・オンライン・即日 …), phone numbers, e-mail addresses and URLs.

    unsupported_claims("手数料は無料で、即日交付です。土日も24時間対応しています。", "手数料は無料です。")
    # → [Claim('term', '即日', 'term:same_day'), Claim('weekday', '土', 'day:sat'), …]

Each claim has a canonical ``key`` so that different spellings compare equal: 「1,000円」「千円」 → money:1000,
「午後5時15分」「17:15」 → time:17:15, 「令和8年」「2026年」 → year:2026, 「土日」「土曜・日曜」 → day:sat + day:sun,
「その日のうちに」「即日」 → term:same_day. A claim is supported when its key (numbers, dates, terms) or its text
(places, procedure names, URLs) is found in the source. Hand-written: no library extracts these from Japanese
text without a large model, and the guard must be deterministic and explainable.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from aidojo.safety.phone import find_phones

__all__ = ["Claim", "find_claims", "unsupported_claims", "Support", "normalize_for_claims"]


@dataclass(frozen=True)
class Claim:
    """One checkable statement in a text: its ``kind``, the ``text`` as written (normalised) and a canonical ``key``."""

    kind: str  # money, date, year, time, quantity, number, weekday, term, place, procedure, phone, email, url
    text: str
    key: str


# --- normalisation ------------------------------------------------------------------------------

_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u30fc\uff0d-"
_KNUM = "〇零一二三四五六七八九十百千万"
_KDIGIT = {c: i for i, c in enumerate("〇一二三四五六七八九")} | {"零": 0}
_KANJI_NUMBER = re.compile(
    rf"(?<![\d{_KNUM}])(?!万)([{_KNUM}]+)(?=万?円|か月|週間|歳|才)|(?<![\d{_KNUM}])([{_KNUM}]{{2,}})(?=[年月日時分人回枚通件名階部個本])"
)


def _kanji_to_int(s: str) -> int | None:
    """「三百」「千二百」「一万五千」「二〇二六」 → int (None when it is not a number)."""
    if all(c in _KDIGIT for c in s):  # digit by digit: 二〇二六
        return int("".join(str(_KDIGIT[c]) for c in s))
    total, section, digit = 0, 0, None
    for c in s:
        if c in _KDIGIT:
            digit = _KDIGIT[c]
        elif c in "十百千":
            section += (digit if digit is not None else 1) * {"十": 10, "百": 100, "千": 1000}[c]
            digit = None
        elif c == "万":
            total += (section + (digit or 0)) * 10000
            section, digit = 0, None
        else:
            return None
    return total + section + (digit or 0)


def normalize_for_claims(text: str) -> str:
    """NFKC, one dash, no thousands separators, 「ヶ月」→「か月」, kanji numbers before units as digits, no spaces
    between a number and its unit."""
    t = unicodedata.normalize("NFKC", text)
    t = re.sub(rf"(?<=\d)[{_DASHES}](?=\d)", "-", t)
    t = re.sub(r"(?<=\d),(?=\d{3})", "", t)
    t = re.sub(r"[ヶヵケカか]月", "か月", t)
    t = re.sub(r"(?<=\d)\s+(?=[^\s\d])", "", t)

    def kanji(m: re.Match[str]) -> str:
        value = _kanji_to_int(m.group(0))
        return str(value) if value is not None else m.group(0)

    return _KANJI_NUMBER.sub(kanji, t)


# --- patterns ---------------------------------------------------------------------------------------

_NUM = r"\d+(?:\.\d+)?"
_ERA = {"令和": 2018, "平成": 1988, "昭和": 1925, "大正": 1911}
_YEAR = re.compile(r"(令和|平成|昭和|大正)(\d{1,2}|元)年(度)?|(?<!\d)((?:19|20)\d\d)年(度)?")
_YMD_SLASH = re.compile(r"(?<![\d/])((?:19|20)\d\d)[/.-](\d{1,2})[/.-](\d{1,2})(?![\d/])")
_DATE = re.compile(r"(?<!\d)(\d{1,2})月(\d{1,2})日")
_TIME = re.compile(r"(午前|午後)?(?<!\d)(\d{1,2})時(?!間)(?:(\d{1,2})分|(半))?|(?<![\d:])(\d{1,2}):(\d{2})(?![\d:])|(正午)")
_MONEY = re.compile(rf"(?<![\d.])({_NUM})(万)?円")
_FREE = re.compile(r"無料|無償|タダ|(?:手数料|費用|料金|お金)(?:は|が)?(?:一切)?(?:かかりません|かからない|不要|いりません|要りません)")
_UNITS = {
    "か月": "か月", "週間": "週", "週": "週", "時間": "時間", "日間": "日", "営業日": "営業日", "年間": "年", "年度": "年度",
    "日": "日", "年": "年", "分間": "分", "分": "分", "秒": "秒", "歳": "歳", "才": "歳", "枚": "枚", "通": "通", "回": "回",
    "件": "件", "人": "人", "名": "人", "階": "階", "番": "番", "部": "部", "個": "個", "本": "本", "台": "台", "割": "割",
    "%": "%", "パーセント": "%", "cm": "cm", "mm": "mm", "km": "km", "kg": "kg", "m": "m", "g": "g", "l": "l", "号": "号",
    "丁目": "丁目", "kw": "kw", "リットル": "l", "センチ": "cm", "キロ": "kg",
}
_QUANTITY = re.compile(
    rf"(?<![\d.])({_NUM})(?:\s*[〜~～-]\s*({_NUM}))?\s*("
    + "|".join(sorted(map(re.escape, _UNITS), key=len, reverse=True))
    + r")(?![a-z])",
    re.IGNORECASE,
)
_ORDINAL_PLACE = re.compile(r"第(\d+)([一-龥ァ-ヴー]{1,8})")  # 第3会議室: the number is part of the place's name
_BARE_NUMBER = re.compile(rf"(?<![\d.])({_NUM})(?![\d.])")
_LIST_MARKER = re.compile(r"(?m)^\s*(?:\d{1,2}[.)、．]|[(（]\d{1,2}[)）])(?!\d)")
_COUNT_WORDS = re.compile(r"(?<![\d.])[1-9](?:つ|点|項目|種類|通り|段階|ステップ|か所|箇所)")  # 「2つの方法」: structure, not a fact
_EMAIL = re.compile(r"[A-Za-z0-9][A-Za-z0-9._%+\-]*@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}")
_URL = re.compile(r"https?://[^\s<>「」『』（）()]+|www\.[^\s<>「」『』（）()]+")
_DAYS = {"月": "mon", "火": "tue", "水": "wed", "木": "thu", "金": "fri", "土": "sat", "日": "sun"}
_WEEKDAY = re.compile(r"([月火水木金土日])曜日?|[(（]([月火水木金土日])[)）]|(土日)|土・日|(祝日|祝祭日|休日|平日|年末年始)|(?<=[土日・])祝")

# Words that commit the city to something; each class compares equal across its spellings.
_TERMS: tuple[tuple[str, str], ...] = (
    ("same_day", r"即日|当日|その日のうち|その場で|すぐに(?:受け取|交付|発行)"),
    ("paid", r"有料|有償|手数料(?:が|は)?(?:かかり|必要)"),
    ("online", r"オンライン|インターネット|電子申請|ウェブ|web|ホームページ"),
    ("mail", r"郵送|郵便で"),
    ("convenience_store", r"コンビニ"),
    ("smartphone", r"スマートフォン|スマホ"),
    ("proxy", r"代理人|代理で|代理の方|委任状"),
    ("reservation", r"予約"),
    ("not_needed", r"不要|必要(?:は)?ありません|必要ない|いりません|要りません"),
    ("all_day", r"24時間|終日|いつでも"),
    ("every_day", r"毎日|年中無休|365日"),
    ("night", r"夜間"),
    ("deadline", r"期限|締切|締め切り"),
)
_TERM = re.compile("|".join(f"(?P<{name}>{pattern})" for name, pattern in _TERMS), re.IGNORECASE)

_RUN = re.compile(r"[一-龥々〆ヶァ-ヴー・]+")
_PLACE_SUFFIXES = (
    "市役所", "区役所", "役所", "役場", "庁舎", "支所", "出張所", "窓口", "課", "室", "センター", "公民館", "図書館",
    "事務所", "保健所", "病院", "小学校", "中学校", "学校", "保育所", "保育園", "幼稚園", "郵便局", "コーナー", "プラザ",
    "会館", "体育館", "公園", "駅", "カウンター", "ホール", "工場", "交番", "警察署", "消防署", "税務署", "法務局",
    "ハローワーク", "ステーション",
)
_PROCEDURE_SUFFIXES = (
    "届出", "届書", "届", "申請書", "証明書", "手当", "手帳", "給付金", "補助金", "助成金", "交付金", "控除", "カード",
    "保険証", "受給者証", "認定", "登録", "申告", "免除", "減免", "猶予", "通知書", "許可", "謄本", "抄本", "住民票",
    "ポータル", "医療証", "制度",
)
_SUFFIX = re.compile("|".join(sorted(map(re.escape, _PLACE_SUFFIXES + _PROCEDURE_SUFFIXES), key=len, reverse=True)))
_PLACE_SET = set(_PLACE_SUFFIXES)
_GENERIC_WORDS = {"この制度", "同制度", "本制度", "各課", "担当課", "関係課", "所管課", "担当窓口", "各窓口", "課", "室",
                  "届", "制度", "登録", "認定", "申告", "許可", "控除", "カード", "窓口", "担当の窓口"}


def _time_key(ampm: str | None, hour: int, minute: int) -> str:
    if ampm == "午後" and hour < 12:
        hour += 12
    return f"time:{hour:02d}:{minute:02d}"


def _fmt(value: str) -> str:
    f = float(value)
    return str(int(f)) if f.is_integer() else str(f)


def _blank(text: str, start: int, end: int) -> str:
    return text[:start] + " " * (end - start) + text[end:]


def _runs(text: str) -> list[Claim]:
    """Places and procedure names: kanji/katakana runs ending with a place or procedure suffix, cut into parts."""
    out: list[Claim] = []
    for run in _RUN.finditer(text):
        word = run.group(0).strip("・")
        cuts = [0]
        for m in _SUFFIX.finditer(word):
            if m.end() - cuts[-1] >= 2 and m.end() < len(word):  # 市役所本庁舎 → 市役所 | 本庁舎
                cuts.append(m.end())
        cuts.append(len(word))
        for a, b in zip(cuts, cuts[1:]):
            part = word[a:b]
            suffix = next((s for s in sorted(_PLACE_SUFFIXES + _PROCEDURE_SUFFIXES, key=len, reverse=True)
                           if part.endswith(s)), None)
            if suffix is None or len(part) < 2 or part in _GENERIC_WORDS:
                continue
            if len(part) == len(suffix) and suffix not in ("市役所", "区役所", "役所", "役場", "住民票", "郵便局", "図書館",
                                                             "公民館", "保健所", "ハローワーク", "法務局", "税務署"):
                continue  # a bare 窓口 / 課 / 証明書 names nothing in particular
            out.append(Claim("place" if suffix in _PLACE_SET else "procedure", part, part))
    return out


@lru_cache(maxsize=4096)
def _claims(text: str) -> tuple[Claim, ...]:
    t = normalize_for_claims(text)
    out: list[Claim] = []

    def take(pattern: re.Pattern[str], make) -> None:
        nonlocal t
        for m in list(pattern.finditer(t)):
            claims = make(m)
            if claims is None:
                continue
            out.extend(claims)
            t = _blank(t, m.start(), m.end())

    take(_URL, lambda m: [Claim("url", m.group(0), "url:" + m.group(0).rstrip(".。、").lower())])
    take(_EMAIL, lambda m: [Claim("email", m.group(0), "email:" + m.group(0).lower())])
    for c in sorted(find_phones(t), key=lambda c: -c.start):
        digits = re.sub(r"\D", "", t[c.start : c.end])
        out.append(Claim("phone", t[c.start : c.end], "phone:" + digits))
        t = _blank(t, c.start, c.end)

    def year(m: re.Match[str]) -> list[Claim]:
        if m.group(1):
            n = 1 if m.group(2) == "元" else int(m.group(2))
            value, fiscal = _ERA[m.group(1)] + n, m.group(3)
        else:
            value, fiscal = int(m.group(4)), m.group(5)
        return [Claim("year", m.group(0), f"{'fy' if fiscal else 'year'}:{value}")]

    take(_YMD_SLASH, lambda m: [Claim("year", m.group(1), f"year:{int(m.group(1))}"),
                                Claim("date", m.group(0), f"date:{int(m.group(2))}-{int(m.group(3))}")])
    take(_YEAR, year)
    take(_DATE, lambda m: [Claim("date", m.group(0), f"date:{int(m.group(1))}-{int(m.group(2))}")])

    def time(m: re.Match[str]) -> list[Claim] | None:
        if m.group(7):
            return [Claim("time", m.group(0), "time:12:00")]
        if m.group(5):
            hour, minute, ampm = int(m.group(5)), int(m.group(6)), None
        else:
            hour, ampm = int(m.group(2)), m.group(1)
            minute = 30 if m.group(4) else int(m.group(3) or 0)
        if hour > 24 or minute > 59:
            return None
        return [Claim("time", m.group(0), _time_key(ampm, hour, minute))]

    take(_TIME, time)

    def money(m: re.Match[str]) -> list[Claim]:
        value = float(m.group(1)) * (10000 if m.group(2) else 1)
        return [Claim("money", m.group(0), f"money:{_fmt(str(value))}")]

    take(_FREE, lambda m: [Claim("money", m.group(0), "money:0")])
    take(_MONEY, money)

    def term(m: re.Match[str]) -> list[Claim]:
        name = m.lastgroup or ""
        claims = [Claim("term", m.group(0), f"term:{name}")]
        if name == "all_day" and "24" in m.group(0):
            claims.append(Claim("quantity", m.group(0), "qty:時間:24"))
        return claims

    take(_TERM, term)

    def weekday(m: re.Match[str]) -> list[Claim]:
        whole = m.group(0)
        if m.group(3) or whole == "土・日":
            return [Claim("weekday", whole, "day:sat"), Claim("weekday", whole, "day:sun")]
        if m.group(4):
            name = {"祝日": "holiday", "祝祭日": "holiday", "休日": "holiday", "平日": "weekdays", "年末年始": "new_year"}[m.group(4)]
            return [Claim("weekday", whole, f"day:{name}")]
        if whole == "祝":
            return [Claim("weekday", whole, "day:holiday")]
        return [Claim("weekday", whole, f"day:{_DAYS[m.group(1) or m.group(2)]}")]

    take(_WEEKDAY, weekday)
    take(_LIST_MARKER, lambda m: [])
    take(_COUNT_WORDS, lambda m: [])

    def quantity(m: re.Match[str]) -> list[Claim]:
        unit = _UNITS.get(m.group(3).lower(), m.group(3).lower())
        claims = [Claim("quantity", m.group(0), f"qty:{unit}:{_fmt(m.group(1))}")]
        if m.group(2):
            claims.append(Claim("quantity", m.group(0), f"qty:{unit}:{_fmt(m.group(2))}"))
        return claims

    def ordinal_place(m: re.Match[str]) -> list[Claim] | None:
        if not any(m.group(2).endswith(x) for x in _PLACE_SUFFIXES):
            return None
        return [Claim("place", m.group(0), m.group(0))]

    take(_ORDINAL_PLACE, ordinal_place)
    take(_QUANTITY, quantity)
    take(_BARE_NUMBER, lambda m: [Claim("number", m.group(0), f"num:{_fmt(m.group(1))}")])
    out.extend(_runs(t))
    return tuple(out)


def find_claims(text: str) -> list[Claim]:
    """Every checkable claim in ``text`` (see the module docstring for the kinds)."""
    if not isinstance(text, str):
        raise TypeError(f"find_claims は文字列を受け取ります（渡されたのは {type(text).__name__} です）")
    return list(_claims(text))


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", normalize_for_claims(text)).lower()


class Support:
    """What a source text supports: its claim keys, its numbers whatever their unit, and its squashed text."""

    def __init__(self, text: str) -> None:
        self.text = _squash(text)
        claims = find_claims(text)
        self.keys = {c.key for c in claims}
        self.numbers = {c.key.rsplit(":", 1)[1] for c in claims if c.kind in ("quantity", "number", "money")}
        self.numbers |= {c.key.split(":", 1)[1] for c in claims if c.kind == "phone"}

    def supports(self, claim: Claim) -> bool:
        """Whether this source backs ``claim``: same key, or (places, procedures, URLs) the same words."""
        if claim.key in self.keys:
            return True
        if claim.kind == "number":  # a bare number: the source has it with any unit
            return claim.key.split(":", 1)[1] in self.numbers
        if claim.kind == "quantity":  # 2週間 written 2週間 in the source but parsed differently there
            return _squash(claim.text) in self.text
        if claim.kind in ("place", "procedure", "url", "email"):
            return _squash(claim.text).rstrip(".") in self.text
        return False


def unsupported_claims(answer: str, source: str | Support) -> list[Claim]:
    """The claims of ``answer`` that ``source`` does not support (an empty list: everything checks out)."""
    support = source if isinstance(source, Support) else Support(source)
    seen: set[str] = set()
    out = []
    for claim in find_claims(answer):
        if claim.key not in seen and not support.supports(claim):
            out.append(claim)
        seen.add(claim.key)
    return out
