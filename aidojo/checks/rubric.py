"""The prompt rubric: which requirements a learner's prompt meets, with Japanese hints for the rest.

Deterministic and explainable: each requirement is a named test that returns the phrase that shows it (the
evidence) or ``None``. Every test reads the prompt through :func:`aidojo.text.prompt_parse.read_prompt` — the
same reader the playground's mirror and the practice model use — so the three never disagree. Element checks
look only at the learner's own words: quoted material (a citizen's mail says 「してください」 too) and sentences
copied from the task's texts are removed first, and a heading with nothing under it counts for nothing.
Hand-written: no library grades Japanese prompt structure.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from aidojo.checks.result import CheckResult
from aidojo.text import prompt_lexicon as lex
from aidojo.text.choice_parse import parse_choices, parse_pairs
from aidojo.text.normalize import bigram_overlap, normalize
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


@dataclass(frozen=True)
class Requirement:
    """One thing a prompt must do: a key, a Japanese name, a hint when it is missing, and its test."""

    key: str
    label: str
    hint: str
    test: Callable[[Answer], str | None]  # evidence (the phrase that shows it) or None


@dataclass
class RubricResult:
    """Which requirements a prompt meets (with evidence) and which it misses (with hints)."""

    met: dict[str, tuple[str, str]] = field(default_factory=dict)  # key → (label, evidence)
    missing: list[Requirement] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.missing

    @property
    def score(self) -> float:
        total = len(self.met) + len(self.missing)
        return len(self.met) / total if total else 0.0

    @property
    def hints(self) -> list[str]:
        return [r.hint for r in self.missing]

    def lines(self) -> list[str]:
        """One line per requirement: ○ with the phrase found, or × with what to add."""
        out = [f"○ {label}：「{_short(ev)}」" for label, ev in self.met.values()]
        out += [f"× {r.label}：{r.hint}" for r in self.missing]
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


def evaluate(prompt: object, requirements: Iterable[Requirement], *, sources: Iterable[str] = ()) -> RubricResult:
    """Test ``prompt`` against ``requirements``; ``sources`` are texts the task gives (not the learner's words)."""
    text = clean_answer(prompt)
    reading = read_prompt(text, list(sources))
    answer = Answer(text, reading.instructions, reading)
    result = RubricResult()
    for req in requirements:
        evidence = req.test(answer) if text else None
        if evidence:
            result.met[req.key] = (req.label, evidence)
        else:
            result.missing.append(req)
    return result


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


def swap_source(prompt: object, old: str, new: str, *, min_overlap: float = 0.5) -> str | None:
    """The prompt with its quoted copy of ``old`` replaced by ``new`` (``None`` when no block holds ``old``)."""
    text = clean_answer(prompt)
    scored = [(bigram_overlap(old, b.text), b) for b in read_prompt(text).blocks]
    scored = [sb for sb in scored if sb[0] >= min_overlap]
    if not scored:
        return None
    best = max(scored, key=lambda sb: sb[0])[1]
    return text[:best.start] + text[best.start:best.end].replace(best.text, new, 1) + text[best.end:]


def template_check(prompt: object, requirements: Callable[[str], list[Requirement]], old: str, new: str) -> RubricResult:
    """Reuse test: put another source text ``new`` in place of ``old`` and grade the prompt again."""
    swapped = swap_source(prompt, old, new)
    if swapped is None:
        missing = Requirement("reusable", "資料の差し替え", "資料の部分を区切り記号で囲み、資料を差し替えても使えるプロンプトにしましょう。",
                              lambda a: None)
        return RubricResult({}, [missing])
    return evaluate(swapped, requirements(new), sources=[new])


def reusable(requirements: Callable[[str], list[Requirement]], old: str, new: str) -> Requirement:
    """The prompt still meets ``requirements`` when its material ``old`` is replaced by ``new`` (instructions outside it)."""

    def test(a: Answer) -> str | None:
        result = template_check(a.full, requirements, old, new)
        return "別の資料でも使えます" if result.ok else None

    return Requirement("reusable", "別の資料でも使えるか",
                       "資料を別のものに差し替えると、条件を満たさなくなります。指示は区切りの外に、資料に頼らず自分の言葉で書きましょう（資料の中の言葉は指示として数えません）。",
                       test)


def to_check(result: RubricResult, *, praise: str = "よくできました。このプロンプトは職場でもそのまま使えます。") -> CheckResult:
    """A :class:`~aidojo.checks.result.CheckResult` from a rubric result (ok means full points)."""
    return CheckResult(result.ok, result.hints, result.score, praise)


__all__ = [
    "Answer",
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
