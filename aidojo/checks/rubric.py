"""The prompt rubric: which requirements a learner's prompt meets, with Japanese hints for the rest.

Deterministic and explainable: each requirement is a named test that returns the phrase that shows
it (the evidence) or ``None``. The five elements come from :func:`aidojo.text.prompt_parse.find_elements`;
the rest (delimited source, limits, prohibitions, few-shot, steps, task words) are rubric-level checks
written here, tolerant of many phrasings. Element checks look only at the learner's own words: the
source text a prompt quotes (a citizen's mail says 「してください」 too) is removed first.
Hand-written: no library grades Japanese prompt structure.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from aidojo.text.normalize import bigram_overlap, normalize, split_sentences
from aidojo.text.prompt_parse import (
    ELEMENT_LABELS,
    delimited_blocks,
    few_shot_examples,
    find_elements,
    item_count,
    length_limit,
    listed_labels,
    source_text,
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
class Requirement:
    """One thing a prompt must do: a key, a Japanese name, a hint when it is missing, and its test."""

    key: str
    label: str
    hint: str
    test: Callable[[str, str], str | None]  # (full prompt, prompt without source text) → evidence or None


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
        """One line per requirement: ✅ with the phrase found, or ❌ with what to add."""
        out = [f"✅ {label}：「{_short(ev)}」" for label, ev in self.met.values()]
        out += [f"❌ {r.label}：{r.hint}" for r in self.missing]
        return out

    def __str__(self) -> str:
        return "\n".join(self.lines())

    def _repr_html_(self) -> str:
        return "<br>".join(html.escape(line) for line in self.lines())


def _short(text: str, n: int = 30) -> str:
    text = re.sub(r"\s+", " ", text).strip()
    return text if len(text) <= n else text[: n - 1] + "…"


_TAG_BLOCK = re.compile(r"<([^<>\s/]{1,20})>[ \t]*\n(.*?)\n[ \t]*</\1>", re.S)
_LABEL_BLOCK = re.compile(r"(?:^|\n)[ \t]*【([^】\n]{1,15})】[ \t]*\n(.*?)(?=\n[ \t]*【|\Z)", re.S)
_ELEMENT_HEADING = re.compile(r"役割|目的|背景|指示|依頼|制約|条件|出力|形式|ルール|注意|手順|例|禁止|タスク")
_OPENING_LINE = re.compile(r"(?:^|\n)[ \t]*<[^<>\s/]{1,20}>[ \t]*\n")


def blocks(prompt: str) -> list[str]:
    """Source texts set off in the prompt: :func:`delimited_blocks` plus rubric-level extras.

    Extras: any 【見出し】 on its own line that is not an element heading (【申請書】, 【発表内容】), tags with
    Japanese names (<申請>), and a block whose opening tag was also named in the instruction
    (「<mail>の問い合わせに…」) is cut at its real opening line.
    """
    found = []
    for block in delimited_blocks(prompt):
        found.append(_OPENING_LINE.split(block)[-1].strip())
    for m in _TAG_BLOCK.finditer(prompt):
        found.append(_OPENING_LINE.split(m.group(2))[-1].strip())
    for m in _LABEL_BLOCK.finditer(prompt):
        if not _ELEMENT_HEADING.search(m.group(1)):
            found.append(m.group(2).strip())
    out: list[str] = []
    for body in found:
        if body and body not in out:
            out.append(body)
    return out


def without_source(prompt: str, sources: Iterable[str] = ()) -> str:
    """The prompt minus the text it quotes: delimited blocks, and lines copied from ``sources``."""
    rest = prompt
    for block in sorted(blocks(prompt), key=len, reverse=True):
        rest = rest.replace(block, "\n")
    src_sentences = [s for src in sources for s in split_sentences(src) if len(s) >= 8]
    if src_sentences:
        kept = []
        for line in rest.splitlines():
            parts = re.split(r"(?<=[。！？!?])", line)
            mine = [p for p in parts if not (len(p.strip()) >= 8 and any(
                bigram_overlap(p, s) >= 0.8 and bigram_overlap(s, p) >= 0.5 for s in src_sentences))]
            kept.append("".join(mine))
        rest = "\n".join(kept)
    return rest


def evaluate(prompt: object, requirements: Iterable[Requirement], *, sources: Iterable[str] = ()) -> RubricResult:
    """Test ``prompt`` against ``requirements``; ``sources`` are texts the task gives (not the learner's words)."""
    text = clean_answer(prompt)
    own = without_source(text, sources)
    result = RubricResult()
    for req in requirements:
        evidence = req.test(text, own) if text else None
        if evidence:
            result.met[req.key] = (req.label, evidence)
        else:
            result.missing.append(req)
    return result


# --- building blocks --------------------------------------------------------------------------


def _search(patterns: Iterable[str], text: str) -> str | None:
    norm = normalize(text)
    for pat in patterns:
        m = re.search(pat, norm, re.M)
        if m:
            return m.group(0).strip() or m.group(0)
    return None


def phrase(key: str, label: str, hint: str, patterns: Iterable[str], *, own_words: bool = True) -> Requirement:
    """A requirement met when one of ``patterns`` (regex over the NFKC, lower-cased prompt) occurs."""
    pats = tuple(patterns)
    return Requirement(key, label, hint, lambda full, own: _search(pats, own if own_words else full))


# Extra phrasings the element patterns of prompt_parse miss; rubric-level only (see module docstring).
_ELEMENT_EXTRA: dict[str, list[str]] = {
    "role": [r"(?:担当|職員|専門家|編集者|記者|係|課長|アシスタント)(?:になって|になりきって|のつもりで)",
             r"(?:担当|担当者|職員|係|係員|課員|者|家|員|官|長|プロ)として",
             r"あなたの(?:役割|立場)は"],
    "purpose": [r"(?:目的|ねらい|狙い|背景|用途)", r"(?:に使う|に使います|に載せる|に掲載|で配る|に配布|に送る|に報告|に説明する)",
                r"(?:伝わる|分かる|わかる)ように"],
    "instruction": [r"(?:してほしい|して下さい|お願い|ください)", r"(?:作って|作成|要約|整理|抜き出|書き換え|分類|点検|確認|比べ)"],
    "constraints": [r"(?:以内|以下|まで|程度)", r"(?:ない(?:で|こと|ように)|禁止|厳禁)", r"(?:守って|守ること|だけを|のみを)"],
    "output_format": [r"(?:箇条書|表(?:で|に|形式|の形|にまとめ)|一覧|見出し|番号|形式|形で|リスト|項目ごと|の順|【[^】\n]{1,12}】(?:と|・|、)【)",
                      r"(?:件名|本文|タイトル).{0,6}(?:と|・|、).{0,6}(?:本文|件名|署名)"],
}

_HEADING_LINE = re.compile(r"^\s*(?:[#＃]+\s*[^\n]{1,12}?|【[^】\n]{1,12}】|[^\s:：]{1,8}\s*[:：])\s*$")


def drop_empty_headings(text: str) -> str:
    """Remove template headings with nothing under them (「【役割】」 followed by the next heading)."""
    lines = text.splitlines()
    kept = []
    for i, line in enumerate(lines):
        if _HEADING_LINE.match(line):
            following = next((ln for ln in lines[i + 1:] if ln.strip()), None)
            if following is None or _HEADING_LINE.match(following) or re.match(r"^\s*(?:【[^】\n]{1,12}】|[#＃]+\s)", following):
                continue
        kept.append(line)
    return "\n".join(kept)


def element(key: str) -> Requirement:
    """One of the five elements (役割・目的/背景・指示・制約・出力形式) in the learner's own words."""
    label = ELEMENT_LABELS[key]

    def test(full: str, own: str) -> str | None:
        own = drop_empty_headings(own)
        finding = find_elements(own)[key]
        if finding.present:
            return finding.evidence
        return _search(_ELEMENT_EXTRA[key], own)

    return Requirement(key, label, ELEMENT_HINTS[key], test)


ELEMENT_HINTS: dict[str, str] = {
    "role": "役割が指定されていません。「あなたはみどり市の広報担当です」のように、AIの立場を書きましょう。",
    "purpose": "目的・背景が書かれていません。何のために・誰に向けた文章かを書きましょう（例：「市民向けのお知らせに使うため」）。",
    "instruction": "指示がはっきりしません。「〜を作成してください」のように、してほしいことを書きましょう。",
    "constraints": "制約（条件）が指定されていません。文字数や「資料にないことは書かない」など、守ってほしい条件を書きましょう。",
    "output_format": "出力形式が指定されていません。箇条書き・表・見出しなど、答えの形を指定しましょう。",
}


def five_elements() -> list[Requirement]:
    """All five elements."""
    return [element(k) for k in ELEMENT_LABELS]


def delimited_source(source: str | None = None, *, min_overlap: float = 0.5) -> Requirement:
    """The source text is set off by delimiters (\"\"\" / ``` / ### / <tag> / 【本文】 / 「」 …).

    With ``source``, the delimited block must hold (most of) that text.
    """

    def test(full: str, own: str) -> str | None:
        quoted = re.findall(r"「([^「」]{40,})」", full)  # a long 「…」 quotation also sets the text off
        for block in blocks(full) + quoted:
            if source is None or bigram_overlap(source, block) >= min_overlap:
                return _short(block, 20)
        labelled = source_text(full)
        if labelled and (source is None or bigram_overlap(source, labelled) >= min_overlap) and re.search(
            r"(?:^|\n)\s*[#＃【]*\s*(?:本文|文章|原文|資料|議事録|記録|メール|問い合わせ|お知らせ|入力)[】]?\s*[:：]?\s*\n", full
        ):
            return _short(labelled, 20)
        return None

    hint = "元の文章（資料）が区切られていません。\"\"\" や ### 、【本文】などで囲み、どこからどこまでが資料かを示しましょう。"
    if source is not None:
        hint = "元の文章（資料）がプロンプトに入っていないか、区切られていません。資料を貼り付け、\"\"\" や ### で囲みましょう。"
    return Requirement("delimited_source", "資料の区切り", hint, test)


def length_limited(max_chars: int | None = None, *, min_chars: int = 10) -> Requirement:
    """A character limit (「200字以内」) is stated, at most ``max_chars`` if given."""

    def test(full: str, own: str) -> str | None:
        n = length_limit(own)
        if n is None:
            m = re.search(r"(\d+)\s*(?:文字|字)", normalize(own))
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

    def test(full: str, own: str) -> str | None:
        n = item_count(own)
        return f"{n}" if n is not None and minimum <= n <= maximum else None

    return Requirement("item_count", label, "いくつ挙げるか（「3点で」など）を数字で指定しましょう。", test)


NO_NEW_FACTS_PATTERNS = [
    r"(?:資料|本文|原文|文章|議事録|記録|元の文|原稿|下書き|問い合わせ|以下|上記|与えた|与えられた|ここ)(?:の中)?(?:に|で)(?:は)?(?:ない|無い|書かれていない|書いていない|記載(?:が|の)?ない|記載されていない|含まれていない|載っていない|ふれていない|触れていない|出てこない)",
    r"(?:資料|本文|原文|文章|議事録|記録|問い合わせ|以下|上記|元の文|原稿)(?:の内容)?(?:に|だけ|のみ)(?:基づ|もとづ|沿って|そって|限って|限定)",
    r"(?:資料|本文|原文|文章|議事録|記録|問い合わせ|以下|上記|元の文|原稿)(?:の内容|の情報|に書かれた(?:こと|内容|情報)|にある(?:こと|内容|情報))(?:だけ|のみ)",
    r"(?:推測|想像|憶測|創作|脚色|補完)(?:で|して|を|は|も)?(?:書かない|書かず|加えない|補わない|しない|せず|禁止|しないで|しないこと)",
    r"(?:事実|情報|内容|数字|日付|固有名詞)を(?:勝手に|新たに|新しく|付け)?(?:追加|付け加え|つけくわえ|付け足|足さ|加え|作ら|創作し|でっち上げ)(?:ない|ず|しない|ないで)",
    r"(?:書かれていない|記載のない|記載がない|書いていない|資料にない)(?:こと|内容|情報|事実)",
    r"(?:情報|内容|事実|記載|記述|資料|データ)(?:のみ|だけ)(?:に|で|を)?(?:基づ|もとづ|使|用い|参照|根拠|もとに)",
    r"(?:分から|わから)ない(?:こと|場合|ところ|点)は.{0,20}(?:分からない|わからない|不明|確認中|書かない|空欄)",
    r"\b(?:only (?:use|from|based on) the (?:source|text|document)|do not (?:add|invent|make up))",
]


def no_new_facts() -> Requirement:
    """A prohibition on adding facts that are not in the source (「資料にないことは書かない」)."""
    return phrase("no_new_facts", "資料にないことは書かない", "「資料に書かれていないことは書かないでください」のように、資料にない事実を加えないよう指示しましょう。",
                  NO_NEW_FACTS_PATTERNS)


def few_shot(min_examples: int = 2) -> Requirement:
    """At least ``min_examples`` worked input → output examples (few-shot)."""

    def test(full: str, own: str) -> str | None:
        pairs = few_shot_examples(full)
        if len(pairs) < min_examples:
            # Rubric-level extra: 「例1」… lines, or quoted input followed by 「→」 / 「：」 and a label.
            pairs = re.findall(r"(?:^|\n)\s*(?:[-*・]\s*)?(?:例\s*\d*\s*[:：)）]?\s*)?[「『\"](.{2,80}?)[」』\"]\s*(?:→|⇒|=>|->|:|：|は)\s*[「『\"]?([^」』\"\n]{1,20})",
                               full)
        if len(pairs) >= min_examples:
            a, b = pairs[0]
            return f"{_short(a, 15)} → {_short(b, 10)} ほか{len(pairs)}例"
        return None

    return Requirement("few_shot", "例（few-shot）", f"例が足りません。「入力 → 答え」の形の例を{min_examples}つ以上書きましょう（例：「バスの本数が少ない」→ 交通）。", test)


def labels(expected: Iterable[str], *, at_least: int | None = None) -> Requirement:
    """The categories to choose from are listed (at least ``at_least`` of ``expected``)."""
    wanted = list(expected)
    need = at_least or len(wanted)

    def test(full: str, own: str) -> str | None:
        listed = listed_labels(own) or listed_labels(full)
        norm_own = normalize(own)
        found = [w for w in wanted if any(normalize(w) in normalize(lab) for lab in listed)] or [
            w for w in wanted if normalize(w) in norm_own
        ]
        return "・".join(found) if len(found) >= need else None

    return Requirement("labels", "選択肢（カテゴリ）", "分類先の選択肢が示されていません。「" + "・".join(wanted) + "のいずれか」のように、選べるカテゴリを全部書きましょう。", test)


STEP_PATTERNS = [
    r"(?:手順|ステップ|段階)(?:を|に|ごと|で|を踏|に分け|的)",
    r"(?:順番に|順を追って|一つずつ|ひとつずつ|一歩ずつ|段階的に|順序立てて)",
    r"(?:まず|最初に|はじめに)[^。\n]{0,60}(?:次に|つぎに|その後|それから)",
    r"(?:^|\n)\s*(?:1|①|\(1\)|ステップ\s*1)[.)、:：\s][^\n]+\n\s*(?:2|②|\(2\)|ステップ\s*2)[.)、:：\s]",
    r"\bstep[- ]by[- ]step\b",
]


def steps() -> Requirement:
    """Asks for (or lays out) the work in steps (「手順に分けて」「まず…次に…」「1. 2. 3.」)."""
    return phrase("steps", "手順を示す", "作業の順番が示されていません。「次の手順で進めてください：1. … 2. … 3. …」のように、段階に分けて指示しましょう。",
                  STEP_PATTERNS)


def any_of(key: str, label: str, hint: str, words: Iterable[str], *, own_words: bool = True) -> Requirement:
    """Met when any of ``words`` (plain text, NFKC-insensitive) occurs in the prompt."""
    return phrase(key, label, hint, [re.escape(normalize(w)) for w in words], own_words=own_words)


def absent(key: str, label: str, hint: str, values: Iterable[str]) -> Requirement:
    """Met when none of ``values`` (e.g. a person's name or phone number) occurs in the prompt."""
    vals = [normalize(v).replace("-", "") for v in values]

    def test(full: str, own: str) -> str | None:
        flat = normalize(full).replace("-", "").replace(" ", "")
        leaked = [v for v in vals if v and v in flat]
        return None if leaked else "含まれていません"

    return Requirement(key, label, hint, test)


def min_length(chars: int) -> Requirement:
    """The learner's own words are at least ``chars`` characters (a real prompt, not a word)."""

    def test(full: str, own: str) -> str | None:
        n = len(re.sub(r"\s", "", own))
        return f"{n}字" if n >= chars else None

    return Requirement("min_length", "プロンプトの長さ", f"プロンプトが短すぎます。依頼の内容を{chars}字以上で具体的に書きましょう。", test)


# --- results for check()/require() and choice answers ------------------------------------------------

_CIRCLED = {chr(0x2460 + i): str(i + 1) for i in range(20)}  # ①..⑳ → 1..20


def parse_choices(answer: object, allowed: Iterable[str]) -> list[str]:
    """The choices a learner wrote (「A, C」「ａとｃ」「③⑤」「3番と5番」), upper-cased, in ``allowed`` order."""
    text = clean_answer(answer)
    for circled, digit in _CIRCLED.items():  # before NFKC, which would glue 「③⑤」 into 「35」
        text = text.replace(circled, f" {digit} ")
    text = normalize(text).upper()
    tokens = set(re.findall(r"(?<![A-Z0-9])([A-Z]|\d{1,2})(?![A-Z0-9])", text))
    squeezed = re.sub(r"[\s、,，・と/]", "", text)
    allowed_up = {a.upper() for a in allowed}
    if not tokens & allowed_up and squeezed and all(ch in allowed_up for ch in squeezed):  # 「ACD」
        tokens = set(squeezed)
    return [a for a in allowed if a.upper() in tokens]


def parse_pairs(answer: object, letters: Iterable[str]) -> dict[str, str]:
    """Pairs such as 「A=1, C=2」「A→個人情報」 as {letter: what follows it} (upper-cased, NFKC)."""
    text = clean_answer(answer)
    for circled, digit in _CIRCLED.items():
        text = text.replace(circled, digit)
    text = normalize(text).upper()
    wanted = [x.upper() for x in letters]
    pairs: dict[str, str] = {}
    pattern = r"(?<![A-Z])(" + "|".join(map(re.escape, wanted)) + r")(?![A-Z])\s*(?:は|:|=|→|->|=>|-|の|が|:)?\s*([^,、，;；\n/A-Z]*)"
    for m in re.finditer(pattern, text):
        if m.group(1) not in pairs and m.group(2).strip():
            pairs[m.group(1)] = m.group(2).strip()
    return pairs


def swap_source(prompt: object, old: str, new: str, *, min_overlap: float = 0.5) -> str | None:
    """The prompt with its quoted copy of ``old`` replaced by ``new`` (``None`` when no block holds ``old``)."""
    text = clean_answer(prompt)
    candidates = blocks(text) + re.findall(r"「([^「」]{40,})」", text) + [source_text(text) or ""]
    scored = [(bigram_overlap(old, b), b) for b in candidates if b]
    scored = [sb for sb in scored if sb[0] >= min_overlap]
    if not scored:
        return None
    best = max(scored, key=lambda sb: sb[0])[1]
    return text.replace(best, new, 1)


def template_check(prompt: object, requirements: Callable[[str], list[Requirement]], old: str, new: str) -> RubricResult:
    """Reuse test: put another source text ``new`` in place of ``old`` and grade the prompt again.

    A prompt that delimits its source and states its requirements in its own words still passes.
    """
    swapped = swap_source(prompt, old, new)
    if swapped is None:
        missing = Requirement("reusable", "資料の差し替え", "資料の部分を区切り記号で囲み、資料を差し替えても使えるプロンプトにしましょう。",
                              lambda full, own: None)
        return RubricResult({}, [missing])
    return evaluate(swapped, requirements(new), sources=[new])


def to_check(result: RubricResult, *, praise: str = "よくできました。このプロンプトは職場でもそのまま使えます。") -> "CheckResult":
    """A registry :class:`~aidojo.checks.registry.CheckResult` from a rubric result."""
    from aidojo.checks.registry import CheckResult

    return CheckResult(result.ok, result.hints, result.score, praise)


__all__ = [
    "swap_source",
    "template_check",
    "parse_choices",
    "parse_pairs",
    "to_check",
    "STUB_LINES",
    "Requirement",
    "RubricResult",
    "ELEMENT_HINTS",
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
    "any_of",
    "absent",
    "min_length",
]
