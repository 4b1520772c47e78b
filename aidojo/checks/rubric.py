"""The prompt rubric: which requirements a learner's prompt meets, with Japanese hints for the rest.

Deterministic and explainable: each requirement is a named test that returns the phrase that shows it (the
evidence) or ``None``. Every test reads the prompt through :func:`aidojo.text.prompt_parse.read_prompt` — the
same reader the playground's mirror and the practice model use — so the three never disagree. Element checks
look only at the learner's own words: quoted material (a citizen's mail says 「してください」 too) and sentences
copied from the task's texts are removed first, and a heading with nothing under it counts for nothing.
Hints blame the actual cause: a blank answer is told it is blank, instructions written inside the material's
delimiters are told to move out (and only the hints that remain after moving them follow), and the "works on other
material" check speaks only when swapping the material loses something the prompt had. Choice answers
(:func:`judge_choices`) read ○ next to an option as "this one".
Hand-written: no library grades Japanese prompt structure.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace

from aidojo.checks.result import CheckResult
from aidojo.text import prompt_lexicon as lex
from aidojo.text.choice_parse import CHOSEN_BREAKS, CLEARED_OK, parse_choices, parse_pairs, read_choices
from aidojo.text.normalize import bigram_overlap, normalize
from aidojo.text.prompt_layout import Block
from aidojo.text.prompt_parse import (
    ELEMENT_LABELS,
    PromptReading,
    few_shot_examples,
    listed_labels,
    read_prompt,
    search,
    searchable,
)

# Lines nbgrader's ClearSolutions stub may leave inside an untouched answer string: treated as empty.
STUB_LINES = ("# ここに答えを書いてください", "raise NotImplementedError()", "# YOUR CODE HERE", "ここに答えを書いてください。")


def clean_answer(value: object) -> str:
    """The learner's answer as text, with nbgrader's placeholder lines and outer blanks removed."""
    if value is None:
        return ""
    if isinstance(value, (list, tuple, set)):
        value = "、".join(str(v) for v in value)
    text = str(value)
    lines = [ln for ln in text.splitlines() if ln.strip() not in STUB_LINES]
    return "\n".join(lines).strip()


@dataclass(frozen=True)
class Answer:
    """What a requirement looks at: the whole prompt, the learner's own words, and the shared reading."""

    full: str
    own: str
    reading: PromptReading
    sources: tuple[str, ...] = ()  # the texts the task gives (its material)


@dataclass(frozen=True)
class Requirement:
    """One thing a prompt must do: a key, a Japanese name, a hint when it is missing, and its test."""

    key: str
    label: str
    hint: str
    test: Callable[[Answer], str | None]  # evidence (the phrase that shows it) or None
    explain: Callable[[Answer], str | None] | None = None  # a hint for this answer when it is missing (else ``hint``)


@dataclass
class RubricResult:
    """Which requirements a prompt meets (with evidence) and which it misses (with hints)."""

    met: dict[str, tuple[str, str]] = field(default_factory=dict)  # key → (label, evidence)
    missing: list[Requirement] = field(default_factory=list)
    lead: list[str] = field(default_factory=list)  # what is wrong as a whole (blank, words inside the material): first
    explained: set[str] = field(default_factory=set)  # missing keys whose own hints the lead replaces

    @property
    def ok(self) -> bool:
        return not self.missing

    @property
    def score(self) -> float:
        total = len(self.met) + len(self.missing)
        return len(self.met) / total if total else 0.0

    @property
    def hints(self) -> list[str]:
        return self.lead + [r.hint for r in self.missing if r.key not in self.explained]

    def lines(self) -> list[str]:
        """One line per requirement: ○ with the phrase found, or × with what to add (the lead first)."""
        out = [f"× {h}" for h in self.lead]
        out += [f"○ {label}：「{_short(ev)}」" for label, ev in self.met.values()]
        out += [f"× {r.label}：{r.hint}" for r in self.missing if r.key not in self.explained]
        return out

    def __str__(self) -> str:
        return "\n".join(self.lines())

    def _repr_html_(self) -> str:
        return "<br>".join(html.escape(line) for line in self.lines())


def _short(text: str, n: int = 30) -> str:
    text = re.sub(r"\s+", " ", text).strip()
    return text if len(text) <= n else text[: n - 1] + "…"


def blocks(prompt: str) -> list[str]:
    """The quoted material of ``prompt`` (as the shared reader sees it)."""
    return [b.text for b in read_prompt(prompt).blocks]


def without_source(prompt: str, sources: Iterable[str] = ()) -> str:
    """The learner's own words: ``prompt`` minus its quoted material and sentences copied from ``sources``."""
    return read_prompt(prompt, sources).instructions


BLANK_HINT = ("答えが空です（まだ何も書かれていません）。\"\"\" と \"\"\" の間の空いた行に答えを書き、そのセルを実行（Shift+Enter）"
              "してから、もう一度確かめてください。# で始まる行（メモの行）や \"\"\" の外に書いた文字は、答えとして読まれません。")


def evaluate(prompt: object, requirements: Iterable[Requirement], *, sources: Iterable[str] = (),
             diagnose: bool = True) -> RubricResult:
    """Test ``prompt`` against ``requirements``; ``sources`` are texts the task gives (not the learner's words).

    With ``diagnose``, a prompt that fails as a whole is told so first: a blank answer that it is blank; a prompt
    with material but no words of the writer's own that instructions are still to be written; instructions written
    inside the material's delimiters that they belong outside (then only the hints that remain after moving them).
    """
    text = clean_answer(prompt)
    reqs = list(requirements)
    sources = tuple(sources)
    result = RubricResult()
    if not text:
        result.missing = reqs
        result.lead = [BLANK_HINT]
        result.explained = {r.key for r in reqs}
        return result
    reading = read_prompt(text, list(sources))
    answer = Answer(text, reading.instructions, reading, sources)
    for req in reqs:
        evidence = req.test(answer)
        if evidence:
            result.met[req.key] = (req.label, evidence)
        else:
            specific = req.explain(answer) if req.explain else None
            result.missing.append(replace(req, hint=specific) if specific else req)
    if diagnose and result.missing:
        _diagnose(result, answer, reqs)
    return result


def _tag_name(block: Block) -> str:
    """How a hint names a block's delimiters: 「<事実>〜</事実>」 for a tag, else 「資料の区切り」."""
    return f"<{block.label}>〜</{block.label}>" if block.style == "tag" and block.label else "資料の区切り"


def _opening(block: Block) -> str:
    return f"<{block.label}>" if block.style == "tag" and block.label else "資料の区切り"


def _written_inside(answer: Answer) -> tuple[Block, list[str]] | None:
    """A material block holding lines of the writer's own (lines that are not the task's material)."""
    if not answer.sources:
        return None
    src_lines = [ln for src in answer.sources for ln in src.splitlines() if ln.strip()]
    flat_sources = [re.sub(r"\s+", "", normalize(src)) for src in answer.sources]
    for block in answer.reading.blocks:
        if max(bigram_overlap(src, block.text) for src in answer.sources) < 0.3:
            continue  # not the task's material
        extra = []
        for line in block.text.splitlines():
            flat = re.sub(r"\s+", "", normalize(line))
            if len(flat) < 4 or any(flat in src for src in flat_sources):
                continue
            if max((bigram_overlap(line, s) for s in src_lines), default=0.0) >= 0.6:
                continue  # a material line with a small edit
            extra.append(line.strip())
        if extra:
            return block, extra
    return None


def _diagnose(result: RubricResult, answer: Answer, reqs: list[Requirement]) -> None:
    inside = _written_inside(answer)
    if inside:
        block, extra = inside
        body = block.text
        for line in extra:
            body = body.replace(line, "", 1)
        moved = answer.full[:block.start] + "\n".join(extra) + "\n" + answer.full[block.start:block.end].replace(
            block.text, re.sub(r"\n\s*\n+", "\n", body).strip(), 1) + answer.full[block.end:]
        repaired = evaluate(moved, reqs, sources=answer.sources, diagnose=False)
        gained = {r.key for r in result.missing} - {r.key for r in repaired.missing}
        if gained:
            result.lead = [f"指示が資料の区切り（{_tag_name(block)}）の中に書かれています。区切りの中は資料として読まれ、指示としては"
                           f"数えられません。「{_short(extra[0], 24)}」など、区切りの中に書いた指示や例は、{_opening(block)} の上の"
                           "空いた行に移しましょう。"]
            result.explained = gained
            return
    if answer.reading.blocks and not re.sub(r"\s", "", answer.own):
        block = answer.reading.blocks[0]
        result.lead = [f"まだ自分の言葉（AIへの指示）が書かれていません。{_opening(block)} の上の空いた行に、"
                       "AIにしてほしいことを書きましょう（資料は区切りの中にそのまま残します）。"]


# --- building blocks --------------------------------------------------------------------------


def phrase(key: str, label: str, hint: str, patterns: Iterable[str], *, own_words: bool = True) -> Requirement:
    """A requirement met when one of ``patterns`` (regex over the NFKC, lower-cased prompt) occurs.

    ``own_words``: look only at the learner's own words (headings and empty template lines taken out).
    """
    pats = tuple(patterns)
    return Requirement(key, label, hint, lambda a: search(pats, searchable(a.own) if own_words else a.full))


ELEMENT_HINTS: dict[str, str] = {
    "role": "役割が指定されていません。「あなたはみどり市の広報担当です」のように、AIの立場を書きましょう。",
    "purpose": "目的・背景が書かれていません。何のために・誰に向けた文章かを書きましょう（例：「市民向けのお知らせに使うため」）。",
    "instruction": "指示がはっきりしません。「〜を作成してください」のように、してほしいことを書きましょう。",
    "constraints": "制約（条件）が指定されていません。文字数や「資料にないことは書かない」など、守ってほしい条件を書きましょう。",
    "output_format": "出力形式が指定されていません。箇条書き・表・見出しなど、答えの形を指定しましょう。",
}


def element(key: str) -> Requirement:
    """One of the five elements (役割・目的/背景・指示・制約・出力形式) in the learner's own words."""
    return Requirement(key, ELEMENT_LABELS[key], ELEMENT_HINTS[key], lambda a: a.reading.elements[key].evidence)


def five_elements() -> list[Requirement]:
    """All five elements."""
    return [element(k) for k in ELEMENT_LABELS]


def delimited_source(source: str | None = None, *, min_overlap: float = 0.5) -> Requirement:
    """The source text is set off by delimiters (### / <記録>…</記録> / 【資料】 / --- / \"\"\" …).

    With ``source``, a delimited block must hold (most of) that text.
    """

    def test(a: Answer) -> str | None:
        for block in a.reading.blocks:
            if source is None or bigram_overlap(source, block.text) >= min_overlap:
                return _short(block.text, 20)
        return None

    hint = "元の文章（資料）が区切られていません。### や 【資料】、<資料>…</資料> などで囲み、どこからどこまでが資料かを示しましょう。"
    if source is not None:
        hint = "資料がプロンプトに入っていないか、区切りが消えています。最初から入っている資料と区切り（<資料> と </資料> など）は消さずに残しましょう。"
    return Requirement("delimited_source", "資料の区切り", hint, test)


def length_limited(max_chars: int | None = None, *, min_chars: int = 10) -> Requirement:
    """A character limit (「200字以内」) is stated in the learner's own words, at most ``max_chars`` if given."""

    def test(a: Answer) -> str | None:
        n = a.reading.limit_chars
        if n is None:
            m = re.search(r"(\d+)\s*(?:文字|字)", normalize(a.own))
            n = int(m.group(1)) if m else None
        if n is None or n < min_chars or (max_chars is not None and n > max_chars):
            return None
        return f"{n}字"

    hint = "文字数の上限が書かれていません。「200字以内」のように数字で指定しましょう。"
    if max_chars is not None:
        hint = f"文字数の上限が書かれていないか、長すぎます。「{max_chars}字以内」のように、{max_chars}字以下で指定しましょう。"
    return Requirement("length_limit", "文字数の制限", hint, test)


def counted(label: str = "数の指定", *, minimum: int = 1, maximum: int = 20) -> Requirement:
    """A number of items / points / sentences is stated (「3点」「5つ」)."""

    def test(a: Answer) -> str | None:
        n = a.reading.items
        return f"{n}" if n is not None and minimum <= n <= maximum else None

    return Requirement("item_count", label, "いくつ挙げるか（「3点で」など）を数字で指定しましょう。", test)


NO_NEW_FACTS_PATTERNS = lex.NO_NEW_FACTS


def no_new_facts(hint: str | None = None) -> Requirement:
    """A prohibition on adding facts that are not in the source (「資料にないことは書かない」)."""
    return Requirement("no_new_facts", "資料にないことは書かない",
                       hint or "「資料に書かれていないことは書かないでください」のように、資料にない事実を加えないよう指示しましょう。",
                       lambda a: a.reading.no_new_facts)


def few_shot(min_examples: int = 2, labels: Iterable[str] | None = None) -> Requirement:
    """At least ``min_examples`` worked input → output examples (few-shot); with ``labels``, outputs must be labels."""
    names = list(labels or [])

    def test(a: Answer) -> str | None:
        pairs = few_shot_examples(a.full, names or None)
        if names:
            pairs = [(x, y) for x, y in pairs if normalize(y) in {normalize(n) for n in names}]
        if len(pairs) >= min_examples:
            x, y = pairs[0]
            return f"{_short(x, 15)} → {_short(y, 10)} ほか{len(pairs)}例"
        return None

    return Requirement("few_shot", "例（few-shot）",
                       f"例が足りません。「入力 → 答え」の形の例を{min_examples}つ以上書きましょう（例：「バスの本数が少ない」→ 交通）。", test)


def labels(expected: Iterable[str], *, at_least: int | None = None) -> Requirement:
    """The categories to choose from are listed (at least ``at_least`` of ``expected``), as the model reads them."""
    wanted = list(expected)
    need = at_least or len(wanted)

    def test(a: Answer) -> str | None:
        listed = a.reading.labels or listed_labels(a.own)
        found = [w for w in wanted if any(normalize(w) in normalize(lab) for lab in listed)]
        return "・".join(found) if len(found) >= need else None

    return Requirement("labels", "選択肢（カテゴリ）",
                       "分類先の選択肢がAIに読み取れる形で示されていません。「" + "・".join(wanted)
                       + "のいずれか」のように1行に並べるか、「カテゴリ：」の下に箇条書きで全部書きましょう。", test)


STEP_PATTERNS = lex.STEPS


def steps() -> Requirement:
    """Asks for (or lays out) the work in steps (「手順1：」「要件を1つずつ」「まず…次に…」「1. 2. 3.」)."""
    return Requirement("steps", "手順を示す",
                       "作業の順番が示されていません。「次の手順で進めてください：1. … 2. … 3. …」や「要件を1つずつ確認して」のように、段階に分けて指示しましょう。",
                       lambda a: a.reading.steps)


def compare(hint: str) -> Requirement:
    """Asks to check one text against another (「照らし合わせて」「食い違う点を」)."""
    return Requirement("compare", "照らし合わせる指示", hint, lambda a: a.reading.compare)


def any_of(key: str, label: str, hint: str, words: Iterable[str], *, own_words: bool = True) -> Requirement:
    """Met when any of ``words`` (plain text, NFKC-insensitive) occurs in the prompt."""
    return phrase(key, label, hint, [re.escape(normalize(w)) for w in words], own_words=own_words)


def absent(key: str, label: str, hint: str, values: Iterable[str]) -> Requirement:
    """Met when none of ``values`` (e.g. a person's name or phone number) occurs in the prompt."""
    vals = [normalize(v).replace("-", "") for v in values]

    def test(a: Answer) -> str | None:
        flat = normalize(a.full).replace("-", "").replace(" ", "")
        leaked = [v for v in vals if v and v in flat]
        return None if leaked else "含まれていません"

    return Requirement(key, label, hint, test)


def min_length(chars: int) -> Requirement:
    """The learner's own words are at least ``chars`` characters (a real prompt, not a word)."""

    def test(a: Answer) -> str | None:
        n = len(re.sub(r"\s", "", a.own))
        return f"{n}字" if n >= chars else None

    return Requirement("min_length", "プロンプトの長さ", f"プロンプトが短すぎます。依頼の内容を{chars}字以上で具体的に書きましょう。", test)


def custom(key: str, label: str, hint: str, test: Callable[[Answer], str | None]) -> Requirement:
    """A requirement with its own test over the :class:`Answer`."""
    return Requirement(key, label, hint, test)


# --- reuse: the prompt still works on another source ----------------------------------------------------


def _holding(text: str, old: str, min_overlap: float = 0.5) -> Block | None:
    scored = [(bigram_overlap(old, b.text), b) for b in read_prompt(text).blocks]
    scored = [sb for sb in scored if sb[0] >= min_overlap]
    return max(scored, key=lambda sb: sb[0])[1] if scored else None


def swap_source(prompt: object, old: str, new: str, *, min_overlap: float = 0.5) -> str | None:
    """The prompt with its quoted copy of ``old`` replaced by ``new`` (``None`` when no block holds ``old``)."""
    text = clean_answer(prompt)
    best = _holding(text, old, min_overlap)
    if best is None:
        return None
    return text[:best.start] + text[best.start:best.end].replace(best.text, new, 1) + text[best.end:]


def template_check(prompt: object, requirements: Callable[[str], list[Requirement]], old: str, new: str) -> RubricResult:
    """Reuse test: put another source text ``new`` in place of ``old`` and grade the prompt again."""
    swapped = swap_source(prompt, old, new)
    if swapped is None:
        missing = Requirement("reusable", "資料の差し替え", "資料の部分を区切り記号で囲み、資料を差し替えても使えるプロンプトにしましょう。",
                              lambda a: None)
        return RubricResult({}, [missing])
    return evaluate(swapped, requirements(new), sources=[new], diagnose=False)


def _lost_on_swap(a: Answer, requirements: Callable[[str], list[Requirement]], old: str, new: str) -> list[str] | None:
    """Labels of what the prompt meets on its own material but not on ``new``; ``None`` when no block holds ``old``."""
    swapped = swap_source(a.full, old, new)
    if swapped is None:
        return None
    here = evaluate(a.full, requirements(old), sources=a.sources or (old,), diagnose=False)
    there_sources = [new if src == old else src for src in a.sources] or [new]
    there = evaluate(swapped, requirements(new), sources=there_sources, diagnose=False)
    return [r.label for r in there.missing if r.key in here.met]


def reusable(requirements: Callable[[str], list[Requirement]], old: str, new: str) -> Requirement:
    """The prompt keeps what it meets when its material ``old`` is replaced by ``new``: its instructions stand
    outside the material and do not lean on it. Missing only for that reason — a prompt that already misses
    something on its own material is told what it misses, not that it fails after a swap too.
    """

    def test(a: Answer) -> str | None:
        lost = _lost_on_swap(a, requirements, old, new)
        if lost is None:  # the material is not in a block: the delimiter requirement says so where there is one
            return "（資料の区切りで確かめます）" if any(r.key == "delimited_source" for r in requirements(old)) else None
        return None if lost else "別の資料でも使えます"

    def explain(a: Answer) -> str | None:
        lost = _lost_on_swap(a, requirements, old, new)
        if not lost:
            return None
        block = _holding(a.full, old)
        where = _tag_name(block) if block else "資料の区切り"
        return (f"資料を別のものに差し替えて試すと、「{'・'.join(lost)}」が読み取れなくなります。{where}の中に指示や例を"
                f"書いていませんか。区切りの中には資料だけを残し、指示や例は区切りの外（上の空いた行）に書きましょう。")

    return Requirement("reusable", "別の資料でも使えるか",
                       "資料（区切りの中の文章）が見つかりません。最初から入っている区切り（<意見>〜</意見> など）と中の文章は"
                       "消さずに残し、指示はその外に書きましょう。",
                       test, explain)


# --- choice answers -----------------------------------------------------------------------------------


def judge_choices(answer: object, options: Sequence[str], is_key: Callable[[str], bool], *, what: str,
                  missed_hint: str, wrong_hint: str, cleared: str = CLEARED_OK, chosen: str = CHOSEN_BREAKS,
                  shown: dict[str, str] | None = None) -> CheckResult:
    """Judge a "choose all that apply" answer: ``is_key(option)`` says whether an option should be chosen.

    ``what`` names what is chosen (「ルールに反するもの」); ``shown`` how an option is written (「3」 → 「③」). A blank answer is told it is blank; an answer with no
    option in it is told how to write one; a ○/× grid that is wrong is first told how marks are read (○ = chosen),
    and only that when the grid is exactly right read the other way round (the learner knows the answer and used
    the other habit). Score: the share of options judged right.
    """
    options = list(options)
    name = (shown or {}).get
    first, second, last = name(options[0], options[0]), name(options[1], options[1]), name(options[-1], options[-1])
    example = f"{first}, {second}"
    marked = f"「{first}○ {second}×」"
    if not clean_answer(answer):
        return CheckResult(False, [BLANK_HINT])
    reading = read_choices(answer, options, cleared=cleared, chosen=chosen)
    if not reading.chosen and not reading.grid:
        return CheckResult(False, [f"答えが読み取れません。{what}の記号（{first}〜{last}）を「{example}」のように書くか、"
                                   f"{marked}のように、選ぶものに○、選ばないものに×をつけてください。"])
    keys = {x for x in options if is_key(x)}
    picked = set(reading.chosen)
    missed, wrong = len(keys - picked), len(picked - keys)
    total = len(options)
    score = (total - missed - wrong) / total
    if not missed and not wrong:
        return CheckResult(True, [], score)
    hints = ([missed_hint] if missed else []) + ([wrong_hint] if wrong else [])
    if reading.grid:
        how = (f"○と×は、○＝選ぶもの（{what}）、×＝選ばないもの、として読んでいます。{what}に○をつけ直すか、"
               f"記号だけを「{example}」のように書いてください。")
        hints = [how] if set(reading.crossed) == keys else [how] + hints
    return CheckResult(False, hints, score)


def to_check(result: RubricResult, *, praise: str = "よくできました。このプロンプトは職場でもそのまま使えます。") -> CheckResult:
    """A :class:`~aidojo.checks.result.CheckResult` from a rubric result (ok means full points)."""
    return CheckResult(result.ok, result.hints, result.score, praise)


__all__ = [
    "Answer",
    "BLANK_HINT",
    "judge_choices",
    "swap_source",
    "template_check",
    "reusable",
    "parse_choices",
    "parse_pairs",
    "to_check",
    "STUB_LINES",
    "Requirement",
    "RubricResult",
    "ELEMENT_HINTS",
    "NO_NEW_FACTS_PATTERNS",
    "STEP_PATTERNS",
    "clean_answer",
    "without_source",
    "blocks",
    "evaluate",
    "phrase",
    "element",
    "five_elements",
    "delimited_source",
    "length_limited",
    "counted",
    "no_new_facts",
    "few_shot",
    "labels",
    "steps",
    "compare",
    "any_of",
    "absent",
    "min_length",
    "custom",
    "bigram_overlap",
    "searchable",
    "search",
]
