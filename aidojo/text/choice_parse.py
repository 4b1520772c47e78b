"""Read choice answers as learners write them: 「A, C, D」「ＡＣＤ」「A・C・D（BとEは問題ない）」「③と⑤」「A=1, C→②」.

A letter (or number) written next to words that clear it — 「Bは問題ない」「①②④は資料どおり」 — is not chosen.
Marks follow one rule in every question (the notebooks say so): ○ next to an option means "this one" (chosen),
× means "not this one" — 「A○ B× C○」「○A ×B」「A:○」「Aは○」. Marks of one kind only are ticks: 「A○ C○ D○」
and 「A× C× D×」 both choose A, C, D. A learner used to the other habit (○ = fine, × = breaks the rule) writes a
full ○/× grid the other way round: :func:`read_choices` says when an answer is such a grid, so that the checker can
say how marks are read instead of giving contradictory hints.
Hand-written: the forms are Japanese answer-sheet habits no library knows.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

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
    r"×|✕|バツ|ばつ|違う|ちがう|やってはいけない|してはいけない|除く|除いて|対象外|(?<![a-z])誤(?=\s*[:：])|"
    r"選ばない|選ばず|選択しない|含めない|当たらない|あてはまらない|除外|危険|効果(?:が)?ない|逆効果"
)
CHOSEN_BREAKS = r"違反(?!し?ない|では|でない|じゃ|なし)|反する|アウト|(?<![a-z])ng(?![a-z])|だめ|ダメ|いけない|問題(?:が)?(?:ある|あり)"
CHOSEN_UNSUPPORTED = r"資料にない|資料と違う|資料と異なる|誤り|間違い|ハルシネーション|確かめられない|根拠がない|根拠なし"
CHOSEN_RIGHT = r"正しい|正しく|正解|(?<![a-z])正(?=\s*[:：])|必要(?!が)|大切|やるべき|すべき|まず"
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
    return [v for _, v in _letter_tokens(clause, allowed_up)]


def _letter_tokens(text: str, allowed_up: set[str]) -> list[tuple[int, str]]:
    """(position, option) for each option named in ``text``: 「A」, 「ACE」 (a run of options), 「A〜E」 (a range), 「3」."""
    up = text.upper()
    order = sorted(allowed_up)
    found: list[tuple[int, str]] = []
    for m in re.finditer(rf"(?<![A-Z0-9])([A-Z]+|\d{{1,2}})(?:\s*[〜~\-－―]\s*([A-Z]|\d))?(?![A-Z0-9{_COUNTER}])", up):
        first, last = m.group(1), m.group(2)
        if last and len(first) == 1 and first in allowed_up and last in allowed_up and first < last:  # 「A〜E」
            found += [(m.start(), x) for x in order if first <= x <= last]
        elif first in allowed_up:
            found.append((m.start(), first))
        elif len(set(first)) == len(first) and all(ch in allowed_up for ch in first):  # 「ACE」「35」
            found += [(m.start() + i, ch) for i, ch in enumerate(first)]
    return found


_BOUNDARY = re.compile(r"[。\n;；（(）)]")
_YES_MARKS = "○〇◯✓✔☑"
_NO_MARKS = "×✕✗☓"
_MARK_CHAR = rf"[{_YES_MARKS}{_NO_MARKS}]|x(?![a-z])"
# 「A○」「A:○」「A→○」「Aは○」 (mark after the option) and 「○A」 (mark before it).
_MARK_AFTER = re.compile(rf"(?<![A-Z0-9])([A-Z]|\d{{1,2}})\s*(?:[:：=＝→⇒]|は|が)?\s*({_MARK_CHAR})", re.I)
_MARK_BEFORE = re.compile(rf"({_MARK_CHAR})\s*([A-Z]|\d{{1,2}})(?![A-Z0-9])", re.I)


@dataclass(frozen=True)
class ChoiceReading:
    """What a choice answer says: the options chosen and, when it is a ○/× grid, the options marked ×.

    ``grid`` is True when the answer marks options with both ○ and ×: then ○ means chosen and × not chosen.
    """

    chosen: list[str] = field(default_factory=list)
    crossed: list[str] = field(default_factory=list)
    grid: bool = False


def _marks(text: str, allowed_up: set[str]) -> list[tuple[str, bool]]:
    """(option, is ○) for each option with a mark next to it, reading marks after or before the options."""
    tight_after = len(re.findall(rf"[a-z0-9](?:{_MARK_CHAR})", text, re.I))
    tight_before = len(re.findall(rf"(?:{_MARK_CHAR})[a-z0-9]", text, re.I))
    if tight_before > tight_after:
        found = [(m.group(2).upper(), m.group(1)) for m in _MARK_BEFORE.finditer(text)]
    else:
        found = [(m.group(1).upper(), m.group(2)) for m in _MARK_AFTER.finditer(text)]
    return [(x, mark in _YES_MARKS) for x, mark in found if x in allowed_up]


def read_choices(answer: object, allowed: Iterable[str], *, cleared: str = CLEARED_OK,
                 chosen: str = CHOSEN_BREAKS) -> ChoiceReading:
    """Read a choice answer (see :func:`parse_choices`), saying whether it is a ○/× grid."""
    allowed = list(allowed)
    allowed_up = {a.upper() for a in allowed}
    text = _prepare(answer)
    marks = _marks(text, allowed_up)
    if len(marks) >= 2 and len({yes for _, yes in marks}) == 2:  # both ○ and ×: ○ chosen, × not
        yes = {x for x, ok in marks if ok}
        no = {x for x, ok in marks if not ok} - yes
        return ChoiceReading([a for a in allowed if a.upper() in yes], [a for a in allowed if a.upper() in no], True)
    return ChoiceReading(_by_words(text, allowed, allowed_up, cleared, chosen))


def parse_choices(answer: object, allowed: Iterable[str], *, cleared: str = CLEARED_OK,
                  chosen: str = CHOSEN_BREAKS) -> list[str]:
    """The options a learner chose, upper-cased, in ``allowed`` order.

    ``cleared`` / ``chosen``: regexes of the words that clear / choose an option in this question. A word applies to
    the options before it in its sentence (「A、C、Dが違反」「Bは問題ない」), or after it when a colon follows
    (「違反：A／C／D　問題なし：B／E」); options with no word are chosen. Marks: ○ next to an option chooses it and ×
    does not (「A○ B× C○」); marks of one kind only are ticks (「反する：A○ C○ D○」). 「ACD以外は問題ない」 chooses
    A, C, D; 「BとE以外」 chooses the rest.
    """
    return read_choices(answer, allowed, cleared=cleared, chosen=chosen).chosen


def _by_words(text: str, allowed: list[str], allowed_up: set[str], cleared: str, chosen: str) -> list[str]:
    picked: set[str] = set()
    cleared_set: set[str] = set()
    excluded: set[str] = set()
    for sentence in _BOUNDARY.split(text):
        m = re.search(r"^(.*?)以外", sentence)
        if m and _tokens(m.group(1), allowed_up):
            if re.search(cleared, sentence[m.end():]):  # 「A、C、D以外は問題ない」
                picked.update(_tokens(m.group(1), allowed_up))
                continue
            excluded.update(_tokens(m.group(1), allowed_up))  # 「BとE以外の3つ、つまりA、C、D」
            sentence = sentence[m.end():]
        events: list[tuple[int, str, str]] = [(pos, "L", x) for pos, x in _letter_tokens(sentence, allowed_up)]
        for kind, pat in (("chosen", chosen), ("cleared", cleared)):
            for km in re.finditer(pat, sentence):
                forward = bool(re.match(r"\s*(?:もの|の)?\s*[:：]", sentence[km.end():]))
                events.append((km.start(), kind, "forward" if forward else "back"))
        events.sort()
        pending: list[str] = []
        verdict: str | None = None  # the last word after the pending options
        scope: str | None = None  # a 「違反：」 label that applies forward
        for _, kind, value in events:
            if kind == "L":
                if verdict is not None:
                    (picked if verdict == "chosen" else cleared_set).update(pending)
                    pending, verdict = [], None
                if scope is not None:
                    (picked if scope == "chosen" else cleared_set).add(value)
                else:
                    pending.append(value)
            elif value == "forward":
                if pending:
                    (picked if verdict in (None, "chosen") else cleared_set).update(pending)
                    pending, verdict = [], None
                scope = kind
            else:
                scope = None
                verdict = kind
        (picked if verdict in (None, "chosen") else cleared_set).update(pending)
    picked -= cleared_set
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


__all__ = ["ChoiceReading", "read_choices", "parse_choices", "parse_pairs", "CLEARED", "CLEARED_OK", "CLEARED_SUPPORTED", "CLEARED_WRONG", "CHOSEN_BREAKS",
           "CHOSEN_UNSUPPORTED", "CHOSEN_RIGHT"]
