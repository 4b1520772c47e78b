"""Read choice answers as learners write them: 「A, C, D」「ＡＣＤ」「A・C・D（BとEは問題ない）」「③と⑤」「A=1, C→②」.

A letter (or number) written next to words that clear it — 「Bは問題ない」「①②④は資料どおり」 — is not chosen.
Hand-written: the forms are Japanese answer-sheet habits no library knows.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from aidojo.text.normalize import normalize

_CIRCLED = {chr(0x2460 + i): str(i + 1) for i in range(20)}  # ①..⑳ → 1..20
# Words that clear an option ("it is fine"), in the clause that names it.
CLEARED = (
    r"問題(?:は)?(?:ない|なし|ありません|無い|無し)|大丈夫|だいじょうぶ|ok|オーケー|セーフ|違反(?:は|で|に)?(?:しない|しません|ではない|でない|じゃない|ではありません|なし|ありません)|"
    r"違反(?:は)?(?:無い|ない)|該当しない|該当せず|該当なし|当てはまらない|適切|適正|使って(?:も)?(?:よい|いい|良い|かまわない|構わない)|"
    r"入力して(?:も)?(?:よい|いい|良い|かまわない|構わない)|(?:よい|いい|良い)(?:です)?(?:。|$)|正しい|合っている|あっている|合ってる|"
    r"資料(?:の)?(?:とおり|通り|どおり)|資料(?:に|で)(?:ある|書いてある|書かれている|確認できる|確かめられる)|資料と(?:同じ|一致)|"
    r"除く|除いて|以外(?:は|の)?(?:問題|大丈夫|ok|セーフ)|安全|公開済み|公開情報|問題ありません|ではない|ではありません|じゃない|外れ|対象外"
)
_CLAUSE_SPLIT = re.compile(r"[。\n;；]|[（(]|[）)]")


def _prepare(answer: object) -> str:
    if answer is None:
        return ""
    if isinstance(answer, (list, tuple, set)):
        answer = "、".join(str(v) for v in answer)
    text = str(answer)
    for circled, digit in _CIRCLED.items():  # before NFKC, which would glue 「③⑤」 into 「35」
        text = text.replace(circled, f" {digit} ")
    return normalize(text)


def _tokens(clause: str, allowed_up: set[str]) -> list[str]:
    up = clause.upper()
    toks = [t for t in re.findall(r"(?<![A-Z0-9])([A-Z]|\d{1,2})(?![A-Z0-9])", up) if t in allowed_up]
    if not toks:
        squeezed = re.sub(r"[\s、,，・と/&＆]|です|。|が|は|も|の|違反|正解|答え|番", "", up)
        if squeezed and all(ch in allowed_up for ch in squeezed):  # 「ACD」
            toks = list(squeezed)
    return toks


def parse_choices(answer: object, allowed: Iterable[str]) -> list[str]:
    """The options a learner chose, upper-cased, in ``allowed`` order; options in a clause that clears them are left out.

    「A・C・D（BとEは問題ない）」 → A, C, D. 「ACD以外は問題ない」 → A, C, D (the letters before 以外 are the chosen ones).
    """
    allowed = list(allowed)
    allowed_up = {a.upper() for a in allowed}
    text = _prepare(answer)
    chosen: set[str] = set()
    for clause in _CLAUSE_SPLIT.split(text):
        if not clause.strip():
            continue
        m = re.search(r"^(.*?)以外", clause)
        if m and re.search(CLEARED, clause[m.end():]):  # 「A、C、D以外は問題ない」
            chosen.update(_tokens(m.group(1), allowed_up))
            continue
        toks = _tokens(clause, allowed_up)
        if not toks:
            continue
        if re.search(CLEARED, clause):
            # 「Bは問題ない」: cleared — unless the clause also names the chosen ones first (「A,C,Dが違反でBとEは問題ない」).
            parts = re.split(r"(?:が|は|を|で)?(?:違反|アウト|ng|だめ|ダメ|誤り|間違い|資料にない|ハルシネーション)(?:です|で|、|,)?", clause, maxsplit=1)
            if len(parts) == 2:
                chosen.update(_tokens(parts[0], allowed_up))
            continue
        chosen.update(toks)
    return [a for a in allowed if a.upper() in chosen]


_RULE_REF = re.compile(r"(?:ルール|rule|規則|番号|no\.?)?\s*(?<![0-9A-Z])([1-5])(?![0-9])(?:番)?", re.I)


def parse_pairs(answer: object, letters: Iterable[str], rule_words: dict[str, str] | None = None) -> dict[str, str]:
    """Letter → rule pairs: 「A=1, C=2」「A：個人情報」「1→A」「A,C,Dはそれぞれ1,2,3」 → {"A": "1", …}.

    ``rule_words`` maps a rule number to a regex of words that name it (「個人情報」 → 1). Letters in a clause that
    clears them (「Bは問題なし」) are left out.
    """
    wanted = [x.upper() for x in letters]
    text = _prepare(answer).upper()
    rule_words = rule_words or {}
    pairs: dict[str, str] = {}
    for sentence in re.split(r"[。\n;；]", text):
        items = _items(sentence, wanted, rule_words)
        kinds = "".join(k for _, k, _ in items)
        if len(items) > 2 and re.fullmatch(r"L+R+", kinds) and kinds.count("L") == kinds.count("R"):
            _pair_up(items, pairs)  # 「A,C,Dはそれぞれ1,2,3」
            continue
        for clause in re.split(r"[,，、/／]|\s{2,}", sentence):
            if not clause.strip() or re.search(CLEARED, clause.lower()) and not re.search(r"[1-5]", clause):
                continue
            _pair_up(_items(clause, wanted, rule_words), pairs)
    return pairs


def _items(clause: str, wanted: list[str], rule_words: dict[str, str]) -> list[tuple[int, str, str]]:
    """(position, "L" for a letter | "R" for a rule, value) in ``clause``, in order."""
    items: list[tuple[int, str, str]] = []
    for m in re.finditer(r"(?<![A-Z])([A-Z])(?![A-Z])", clause):
        if m.group(1) in wanted:
            items.append((m.start(), "L", m.group(1)))
    for m in re.finditer(r"(?<![0-9])([1-5])(?![0-9])", clause):
        items.append((m.start(), "R", m.group(1)))
    low = clause.lower()
    for num, pat in rule_words.items():
        for m in re.finditer(pat, low):
            if not any(abs(p - m.start()) < 2 for p, k, _ in items if k == "R"):
                items.append((m.start(), "R", num))
    items.sort()
    return items


def _pair_up(items: list[tuple[int, str, str]], pairs: dict[str, str]) -> None:
    letters = [v for _, k, v in items if k == "L"]
    rules = [v for _, k, v in items if k == "R"]
    if not letters or not rules:
        return
    kinds = "".join(k for _, k, _ in items)
    if re.fullmatch(r"L+R+", kinds) and len(letters) == len(rules) and len(letters) > 1:  # 「A,C,Dはそれぞれ1,2,3」
        for letter, rule in zip(letters, rules):
            pairs.setdefault(letter, rule)
        return
    first = items[0][1]
    current: str | None = None
    for _, kind, value in items:
        if kind == first:
            current = value
        elif current is not None:
            letter, rule = (current, value) if first == "L" else (value, current)
            pairs.setdefault(letter, rule)
            current = None


__all__ = ["parse_choices", "parse_pairs", "CLEARED"]
