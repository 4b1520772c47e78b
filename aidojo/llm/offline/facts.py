"""Facts in a source text: 「日時：10月18日（土）」 lines, dates, times, places and amounts.

The practice model keeps these exactly as given (a notice, a press release, a requirement check), so that a
learner sees the facts they passed survive. Hand-written: no library reads Japanese notice facts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from aidojo.text.normalize import normalize

# Headings of the prompt's own elements: never facts.
_ELEMENT_KEYS = re.compile(
    r"^(?:役割|目的|背景|目的・背景|指示|依頼|タスク|制約|条件|注意|ルール|禁止|出力|出力形式|形式|構成|フォーマット|書式|手順|例\d*|"
    r"質問|問い|入力|出力例|資料|文章|本文|原文|要件|下書き|申請書|記録|意見|お知らせ|問い合わせ内容|読み手|対象読者|トーン|文体|字数|文字数)$"
)
_KEY_LINE = re.compile(r"^\s*(?:[-*・●■◆]\s*)?([^\s:：、。「」]{1,12})\s*[:：]\s*(.+?)\s*$")

DATE = re.compile(
    r"(?:(?:令和|平成)\s*\d{1,2}年度?|\d{4}年度?)?\s*\d{1,2}月\s*\d{1,2}日(?:\s*[（(][月火水木金土日・祝]{1,3}[)）])?"
    r"(?:\s*[・、]\s*\d{1,2}日(?:\s*[（(][月火水木金土日・祝]{1,3}[)）])?)*"
)
TIME = re.compile(r"(?:午前|午後)?\s*\d{1,2}時(?:\s*\d{1,2}分|半)?(?:\s*(?:〜|～|~|-|－|から)\s*(?:午前|午後)?\s*\d{1,2}時(?:\s*\d{1,2}分|半)?(?:まで)?|から)?")
PLACE = re.compile(r"(?:場所|会場)\s*(?:は|:|：)\s*([^、。\n]{2,30})|([^\s、。「」（）()]{2,25}?)(?:にて|で)(?:開催|行い|行われ|実施)")
NUMBER = re.compile(r"(\d[\d,]*(?:\.\d+)?)\s*(万円|円|歳|名|人|冊|日間|日|時間|時|分|件|回|%|％|年|か月|ヶ月|台|点|階)")

_KEY_KINDS: list[tuple[str, str]] = [
    ("title", r"行事名|行事|イベント名|名称|件名|タイトル|事業名|催し"),
    ("date", r"日時|日程|日付|開催日|期間|期日|とき|いつ"),
    ("time", r"時間|受付時間"),
    ("place", r"場所|会場|ところ|開催場所|どこ"),
    ("content", r"内容|テーマ|概要|プログラム|主な内容|催し物"),
    ("target", r"対象|参加者|定員|参加"),
    ("fee", r"参加費|費用|料金|利用料|手数料|自己負担"),
    ("apply", r"申込|申し込み|取材|応募"),
    ("contact", r"問い合わせ|問合せ|連絡先|担当|お問合せ"),
]


@dataclass(frozen=True)
class Fact:
    """One fact line: its key (``日時``), value, and kind (``date``, ``place``… or ``None``)."""

    key: str | None
    value: str
    kind: str | None = None

    @property
    def line(self) -> str:
        return f"{self.key}：{self.value}" if self.key else self.value


def kind_of(key: str) -> str | None:
    """The kind of a fact key (日時 → date, 会場 → place, 問い合わせ → contact …)."""
    for kind, pattern in _KEY_KINDS:
        if re.search(pattern, key):
            return kind
    return None


def fact_lines(text: str) -> list[Fact]:
    """Key-value facts of a source (「日時：…」, one per line or split by ／), in order; other lines keyed ``None``."""
    facts: list[Fact] = []
    for raw in text.splitlines():
        parts = re.split(r"\s*[／|｜]\s*", raw.strip())
        if all(re.search(r"[:：]", p) for p in re.split(r"[、,，]", raw)) and re.search(r"[、,，]", raw):
            parts = [p.strip() for p in re.split(r"[、,，]", raw)]  # 「満足：45人、やや満足：30人」
        for part in parts:
            if not part:
                continue
            m = _KEY_LINE.match(part)
            if m and not _ELEMENT_KEYS.match(m.group(1)):
                facts.append(Fact(m.group(1), m.group(2), kind_of(m.group(1))))
            elif not _ELEMENT_KEYS.match(part.strip("【】#：: ")):
                facts.append(Fact(None, part))
    return facts


def keyed(facts: list[Fact]) -> dict[str, Fact]:
    """The first fact of each kind."""
    out: dict[str, Fact] = {}
    for f in facts:
        if f.kind and f.kind not in out:
            out[f.kind] = f
    return out


def facts_in_prose(text: str) -> dict[str, str]:
    """Date, time, place and fee written in plain sentences (「10月18日（土）10時から15時、みどり中央公園で開催」)."""
    found: dict[str, str] = {}
    if m := DATE.search(text):
        date = m.group(0).strip()
        rest = text[m.end():m.end() + 25]
        if t := TIME.match(rest.lstrip("、 　")):
            date += t.group(0)
        found["date"] = date
    elif m := TIME.search(text):
        found["date"] = m.group(0).strip()
    if m := PLACE.search(text):
        found["place"] = (m.group(1) or m.group(2)).strip()
    if m := re.search(r"参加(?:費は)?無料|無料|参加費\s*\d[\d,]*円", text):
        found["fee"] = m.group(0)
    if m := re.search(r"対象は、?([^、。\n]{2,30}?)(?:です|の方です)?[。、\n]", text):
        found["target"] = m.group(1)
    return found


def paren_facts(text: str) -> dict[str, str]:
    """Facts written as 「問い合わせ先（危機管理課 防災係）」 inside an instruction."""
    out: dict[str, str] = {}
    for m in re.finditer(r"([^\s、。（(]{2,8})[（(]([^）)\n]{2,30})[）)]", text):
        kind = kind_of(m.group(1))
        if kind and kind not in out and not re.search(r"字|以内|箇条|表|形式", m.group(2)):
            out[kind] = m.group(2)
    return out


def numbers(text: str) -> list[tuple[str, str]]:
    """(number, unit) pairs in ``text`` (NFKC), e.g. [("48", "万円"), ("6", "名")]."""
    return [(n.replace(",", ""), u.replace("％", "%")) for n, u in NUMBER.findall(normalize(text))]


def dates(text: str) -> list[str]:
    """Dates written in ``text`` (normalised, without the weekday), e.g. ['2027年1月20日']."""
    out = []
    for m in DATE.finditer(normalize(text)):
        out.append(re.sub(r"\s|[（(][^)）]*[)）]", "", m.group(0)))
    return out


def western_year(text: str) -> str:
    """令和N年 → 西暦 (令和9年 → 2027年); 令和元年 too."""
    text = re.sub(r"令和元年", "2019年", text)
    return re.sub(r"令和\s*(\d{1,2})\s*年", lambda m: f"{2018 + int(m.group(1))}年", normalize_digits(text))


def normalize_digits(text: str) -> str:
    """Full-width digits → ASCII digits only (keeps full-width brackets and letters as written)."""
    return text.translate(str.maketrans("０１２３４５６７８９", "0123456789"))


__all__ = ["Fact", "fact_lines", "keyed", "kind_of", "facts_in_prose", "paren_facts", "numbers", "dates", "western_year",
           "DATE", "TIME"]
