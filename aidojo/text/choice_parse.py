"""Read choice answers as learners write them: 「A, C, D」「ＡＣＤ」「A・C・D（BとEは問題ない）」「③と⑤」「A=1, C→②」.

A letter (or number) written next to words that clear it — 「Bは問題ない」「①②④は資料どおり」 — is not chosen.
Hand-written: the forms are Japanese answer-sheet habits no library knows.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from aidojo.text.normalize import normalize

_CIRCLED = {chr(0x2460 + i): str(i + 1) for i in range(20)}  # ①..⑳ → 1..20
# Words that clear an option ("it is fine") in the clause that names it. Which words clear depends on the question:
# for "which prompts break a rule" 「問題ない」 clears; for "which statements are right" 「誤り」 does.
_NOT = r"(?:しない|しません|ではない|でない|じゃない|ではありません|なし|ありません|無い|ない)"
CLEARED_OK = (
    r"問題(?:は)?(?:ない|なし|ありません|無い|無し)|(?:反|違反)(?:し|さ)(?:ない|ません|ていない|てない)|反しない|大丈夫|だいじょうぶ|(?<![a-z])ok(?![a-z])|オーケー|セーフ|違反(?:は|で|に)?" + _NOT + r"|"
    r"該当しない|該当せず|該当なし|当てはまらない|適切|適正|使って(?:も)?(?:よい|いい|良い|かまわない|構わない)|"
    r"入力して(?:も)?(?:よい|いい|良い|かまわない|構わない)|安全|公開済み|公開情報|対象外|除く|除いて"
)
CLEARED_SUPPORTED = (
    r"資料(?:の)?(?:とおり|通り|どおり)|資料(?:に|で)(?:も)?(?:ある|あり|書いてある|書かれている|載っている|確認できる|確かめられる)|資料と(?:同じ|一致)|"
    r"正しい|合っている|あっている|合ってる|問題(?:は)?(?:ない|なし|ありません)|(?<![a-z])ok(?![a-z])|大丈夫|除く|除いて|対象外"
)
CLEARED_WRONG = (
    r"誤り|あやまり|間違い|まちがい|間違って|誤って(?:いる|る)|不要|必要(?:は)?(?:ない|なし|ありません)|いらない|要らない|不適切|だめ|ダメ|(?<![a-z])ng(?![a-z])|"
    r"×|✕|バツ|ばつ|違う|ちがう|やってはいけない|してはいけない|除く|除いて|対象外|以外"
)
CHOSEN_BREAKS = r"違反|アウト|(?<![a-z])ng(?![a-z])|だめ|ダメ|いけない|問題(?:が)?(?:ある|あり)"
CHOSEN_UNSUPPORTED = r"資料にない|資料と違う|資料と異なる|誤り|間違い|ハルシネーション|確かめられない|根拠がない|根拠なし"
CHOSEN_RIGHT = r"正しい|正解|○|〇|必要|大切|やるべき|すべき|まず"
CLEARED = CLEARED_OK
_CLAUSE_SPLIT = re.compile(r"[。\n;；]|[（(]|[）)]|\s+(?=[^\x00-\x7f、，・／はがもをとのにでや][^\x00-\x7f])")
_COUNTER = "冊日人円時分月年歳回件館点個枚つ名%％万千百"


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
    toks = [t for t in re.findall(rf"(?<![A-Z0-9])([A-Z]|\d{{1,2}})(?![A-Z0-9{_COUNTER}])", up) if t in allowed_up]
    if not toks:
        squeezed = re.sub(r"[\s、,，・と/&＆]|です|。|が|は|も|の|違反|正解|答え|番", "", up)
        if squeezed and all(ch in allowed_up for ch in squeezed):  # 「ACD」
            toks = list(squeezed)
    return toks


def parse_choices(answer: object, allowed: Iterable[str], *, cleared: str = CLEARED_OK,
                  chosen: str = CHOSEN_BREAKS) -> list[str]:
    """The options a learner chose, upper-cased, in ``allowed`` order; options in a clause that clears them are left out.

    ``cleared`` / ``chosen``: regexes of the words that clear / choose an option in this question.
    「A・C・D（BとEは問題ない）」 → A, C, D. 「ACD以外は問題ない」 → A, C, D (the letters before 以外 are the chosen ones).
    """
    allowed = list(allowed)
    allowed_up = {a.upper() for a in allowed}
    text = _prepare(answer)
    picked: set[str] = set()
    excluded: set[str] = set()
    for clause in _CLAUSE_SPLIT.split(text):
        if not clause.strip():
            continue
        m = re.search(r"^(.*?)以外", clause)
        if m and re.search(cleared, clause[m.end():]):  # 「A、C、D以外は問題ない」
            picked.update(_tokens(m.group(1), allowed_up))
            continue
        if m and _tokens(m.group(1), allowed_up):  # 「BとE以外の3つ、つまりA、C、D」: the letters before 以外 are out
            excluded.update(_tokens(m.group(1), allowed_up))
            clause = clause[m.end():]
        toks = _tokens(clause, allowed_up)
        if not toks:
            continue
        hit = re.search(cleared, clause)
        if hit:
            # 「Bは問題ない」: cleared — unless the clause names the chosen ones first (「A,C,Dが違反でBとEは問題ない」).
            before = clause[:hit.start()]
            cut = list(re.finditer(rf"(?:{chosen})", before))
            if cut:
                picked.update(_tokens(before[:cut[-1].end()], allowed_up))
            continue
        picked.update(toks)
    if excluded and not picked:  # 「BとE以外」 alone: everything else
        picked = allowed_up - excluded
    return [a for a in allowed if a.upper() in picked - excluded]


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


__all__ = ["parse_choices", "parse_pairs", "CLEARED", "CLEARED_OK", "CLEARED_SUPPORTED", "CLEARED_WRONG", "CHOSEN_BREAKS",
           "CHOSEN_UNSUPPORTED", "CHOSEN_RIGHT"]
