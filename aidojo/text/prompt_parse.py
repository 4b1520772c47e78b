"""Read the structure of a prompt — the one reader that the rubric, the playground and the practice model share.

:func:`read_prompt` splits a prompt into quoted material (blocks) and the writer's own words, finds the five
elements (役割・目的/背景・指示・制約・出力形式) in those own words, and reads limits, labels, examples, steps,
the "no new facts" rule and the tasks asked for. Because every reader calls it, what the rubric grades, what
the playground's mirror shows and how the practice model behaves never disagree.

Rules, not a trained model: each finding comes with the phrase that shows it (the evidence a learner sees),
and the phrasings are gathered from how staff write (``aidojo.text.prompt_lexicon``); the layout (blocks,
headings) is read by ``aidojo.text.prompt_layout``. Hand-written: no library reads Japanese prompt structure.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from aidojo.text import prompt_lexicon as lex
from aidojo.text.normalize import bigram_overlap, normalize, split_sentences
from aidojo.text.prompt_layout import (
    Block,
    Section,
    find_blocks,
    find_sections,
    heading_of,
    is_placeholder,
    remove_spans,
)

ELEMENT_LABELS: dict[str, str] = {
    "role": "役割",
    "purpose": "目的・背景",
    "instruction": "指示",
    "constraints": "制約",
    "output_format": "出力形式",
}
_ELEMENT_PATTERNS: dict[str, list[str]] = {
    "role": lex.ROLE,
    "purpose": lex.PURPOSE,
    "instruction": lex.INSTRUCTION,
    "constraints": lex.CONSTRAINTS,
    "output_format": lex.OUTPUT_FORMAT,
}


@dataclass(frozen=True)
class ElementFinding:
    """One of the five prompt elements and the phrase that shows it (``None`` when absent)."""

    key: str
    label: str
    evidence: str | None

    @property
    def present(self) -> bool:
        return self.evidence is not None


def search(patterns: Iterable[str], text: str) -> str | None:
    """The first match of any of ``patterns`` in the NFKC, lower-cased ``text``, else ``None``.

    Returns the clause around the match (up to the nearest 。、 or line break, at most 30 characters), so that a
    learner sees the words that count (「部長への報告用に」, not 「用に」).
    """
    norm = normalize(text)
    for pat in patterns:
        m = re.search(pat, norm, re.M)
        if m:
            return _clause(norm, m.start(), m.end())
    return None


def _clause(text: str, start: int, end: int, width: int = 30) -> str:
    left = max(text.rfind(ch, 0, start) for ch in "。\n、，,！？!?")
    right = [i for i in (text.find(ch, end) for ch in "。\n、，,！？!?") if i != -1]
    lo = max(left + 1, start - 14)
    hi = min(min(right) if right else len(text), end + 14)
    phrase = text[lo:hi].strip() or text[start:end]
    return _short(phrase, width)


def _short(text: str, n: int = 30) -> str:
    text = re.sub(r"\s+", " ", text).strip()
    return text if len(text) <= n else text[: n - 1] + "…"


def _copied_from(sources: Iterable[str], text: str) -> str:
    """``text`` without the sentences copied from ``sources`` (material pasted without delimiters)."""
    src_sentences = [s for src in sources for s in split_sentences(src) if len(s) >= 16]
    if not src_sentences:
        return text
    kept = []
    for line in text.splitlines():
        parts = re.split(r"(?<=[。！？!?])", line)
        mine = [p for p in parts if not (len(p.strip()) >= 16 and any(
            bigram_overlap(p, s) >= 0.8 and bigram_overlap(s, p) >= 0.5 for s in src_sentences))]
        kept.append("".join(mine))
    return "\n".join(kept)


# A material's tag named inside a sentence: 「<行事の情報>にない数字」「＜記録＞の内容だけ」「【資料】と照らし合わせ」.
_TAG_MENTION = re.compile(
    r"[<＜‹〈《【\[［]\s*[/／]?\s*(?P<name>[^<>＜＞‹›〈〉《》【】\[\]［］/／\s]{1,20}?)\s*[>＞›〉》】\]］]"
    r"(?=\s*(?:[にのをはがとでもへや、。,，.]|以外|だけ|のみ|から|より|まで|$))")


def unwrap_tag_mentions(text: str) -> str:
    """``text`` with the brackets around named tags taken off (「<行事の情報>にない」 → 「行事の情報にない」).

    Learners name the material as the notebook shows it, tag and all; the phrasings (「情報にない」) read the name.
    """
    return _TAG_MENTION.sub(lambda m: m.group("name"), text)


def searchable(own: str) -> str:
    """The writer's own words with heading labels and empty template lines taken out (what patterns read).

    「【制約】300字以内」 becomes 「300字以内」; a bare 「【制約】」 or 「役割：〇〇」 line becomes nothing, so an empty
    skeleton never counts as an element. A material's tag named in a sentence reads as its name
    (「<行事の情報>にない数字」 as 「行事の情報にない数字」).
    """
    out = []
    for line in own.splitlines():
        head = heading_of(line)
        if head is not None and head.kind not in (None, "source"):  # 【決定事項】 (an unknown label) stays: it is content
            rest = head.rest
            if rest and not is_placeholder(rest):
                out.append(unwrap_tag_mentions(rest))
            continue
        if line.strip() and is_placeholder(line):
            continue
        out.append(unwrap_tag_mentions(line))
    return "\n".join(out)


def _elements(own: str, sections: list[Section]) -> dict[str, ElementFinding]:
    text = searchable(own)
    result: dict[str, ElementFinding] = {}
    for key, patterns in _ELEMENT_PATTERNS.items():
        evidence = None
        for sec in sections:
            if sec.kind == key and not sec.empty:
                evidence = _short(f"{sec.heading}：{sec.body.splitlines()[0] if sec.body else ''}", 30)
                break
        if evidence is None:
            evidence = search(patterns, text)
        result[key] = ElementFinding(key, ELEMENT_LABELS[key], evidence)
    return result


def find_elements(prompt: str) -> dict[str, ElementFinding]:
    """The five elements (役割・目的/背景・指示・制約・出力形式) in ``prompt``'s own words (see :func:`read_prompt`)."""
    return read_prompt(prompt).elements


def delimited_blocks(prompt: str) -> list[str]:
    """The quoted material of ``prompt`` (``` / \"\"\" / <tag> / ### / --- / <<<X>>> / 【資料】…), in order."""
    return [b.text for b in find_blocks(prompt)]


def _main_source(blocks: list[Block]) -> str | None:
    if not blocks:
        return None
    stems = {re.sub(r"[\d０-９①-⑳\s]+", "", b.label) for b in blocks}
    if len(blocks) > 1 and len(stems) == 1:  # 意見1, 意見2, … or several unnamed blocks: one body of material
        return "\n".join(b.text for b in blocks)
    return blocks[-1].text


_SOURCE_LABEL = re.compile(
    r"(?:^|\n)\s*[#＃]*\s*(?:本文|文章|原文|資料|議事録|記録|メール|問い合わせ内容|問い合わせ|問合せ|お知らせ|意見|入力|テキスト|text|input|context|source)"
    r"\s*[:：]\s*\n?(.+?)(?=\n\s*[#＃]*\s*(?:質問|出力|形式|制約|条件|指示|question|output)\s*[:：]|\Z)",
    re.S | re.I,
)


def source_text(prompt: str) -> str | None:
    """The text the prompt asks to work on: the delimited material, else a labelled section."""
    src = _main_source(find_blocks(prompt))
    if src:
        return src
    matches = list(_SOURCE_LABEL.finditer(prompt))
    if matches:
        return matches[-1].group(1).strip()
    return None


_LIMIT = re.compile(r"(\d+)\s*(?:文字|字|characters|chars)\s*(?:以内|以下|程度|まで|前後|で|に)?|(?:within|under|no more than|at most)\s*(\d+)\s*(?:characters|chars)")
_COUNT = re.compile(r"(\d+)\s*(?:点|つ|個|項目|行|文|件|問|案|題|例|組|セット)(?:以内|以下|程度|まで|で|に|の|ほど|くらい|ぐらい)?|"
                    r"(\d+)\s+(?:[a-z-]+\s+){0,3}(?:bullet|point|item|line|sentence|question|answer|pair)s?\b")


def length_limit(prompt: str) -> int | None:
    """A character limit the prompt sets (e.g. 「200字以内」), or ``None``."""
    m = _LIMIT.search(normalize(prompt))
    if not m:
        return None
    return int(m.group(1) or m.group(2))


def item_count(prompt: str) -> int | None:
    """A number of bullets / points / sentences the prompt asks for (e.g. 「3点で」), or ``None``."""
    text = normalize(prompt)
    text = _LIMIT.sub(" ", text)
    m = _COUNT.search(text)
    if not m:
        return None
    n = int(m.group(1) or m.group(2))
    return n if 0 < n <= 50 else None


def wants_bullets(prompt: str) -> bool:
    """Whether the prompt asks for a bulleted or numbered list."""
    return bool(re.search(r"箇条書き|番号付き|リスト形式|bullet|・で|一覧", normalize(prompt)))


_LABEL_CONTEXT = re.compile(
    r"(?:カテゴリ|カテゴリー|分類|ラベル|区分|種類|選択肢|分野|ジャンル|categories|category|labels|label|classes|options)"
    r"[^:：\n]{0,20}[:：]?\s*(.+)",
    re.I,
)
_LIST_CUE = re.compile(r"カテゴリ|カテゴリー|分類|ラベル|区分|種類|選択肢|分野|ジャンル|分類先|振り分|いずれか|どれか|どちらか|のうち|の中から|から(?:一つ|ひとつ|1つ)|"
                       r"どれに|どの|当てはま|あてはま|当たる|該当|"
                       r"から選|より選|categor|label|class|one of|options", re.I)
_ONE_OF = re.compile(r"(.{2,120}?)(?:の)?(?:いずれか|どれか|どちらか|のうち|から(?:一つ|ひとつ|1つ)選)")
_QUOTED = re.compile(r"「([^「」\n]{1,20})」|『([^『』\n]{1,20})』|\"([^\"\n]{1,20})\"")
# Words that never make a label (an instruction or a heading caught in a run of items).
_NOT_A_LABEL = re.compile(r"して|ください|下さい|分類|カテゴリ|ラベル|区分|選択肢|答え|回答|出力|だけ|のみ|例|次の|意見|以下|です|ます|選ん|選び|判定|振り分")
_LIST_TAIL = re.compile(r"(?:の)?(?:どれ|どの\S{0,4})(?:に|か)?(?:当たる|あたる|当てはまる|あてはまる|入る|該当する|属する|近い)?か|"
                        r"(?:の)?(?:いずれか|どれか|どちらか|うち|中から|中)(?:に|を|で|の|から)?(?:一つ|ひとつ|1つ)?|"
                        r"の?(?:[0-9０-９]+|[一二三四五六七八九十])(?:つ|個|種類|項目)(?:です|があります|から|の中から|のうち)?|(?:から|より)選\S*|があります|です(?=$|[。、])")
_RUN_SEPS = ("・", "、,，", "/／", "|｜", " ")


def _split_labels(raw: str) -> list[str]:
    # 「子育て・教育、交通」: when 、 or , separate the labels, ・ belongs to a label's name.
    separators = r"[、,，/／|｜]" if re.search(r"[、,，/／|｜]", raw) else r"[・]"
    parts = re.split(separators + r"|\s+or\s+|または|か、", raw)
    labels = []
    for p in parts:
        p = re.sub(r"^[\s「『\"'（(]+|[\s」』\"'）)。.]+$", "", p)
        p = re.sub(r"(?:の)?(?:いずれか|どれか|どちらか).*$", "", p).strip()
        if 0 < len(p) <= 20 and p not in labels:
            labels.append(p)
    return labels


def _valid(labels: list[str]) -> list[str]:
    """``labels`` when they look like a list of category names (2+ short items, no instruction words), else []."""
    labels = [lab for lab in labels if lab]
    if len(labels) < 2 or any(len(lab) > 12 or _NOT_A_LABEL.search(lab) for lab in labels):
        return []
    return list(dict.fromkeys(labels))


def _runs(line: str) -> list[str]:
    """The longest run of short items joined by one kind of separator in ``line`` (「交通／子育て／ごみ」)."""
    clean = _LIST_TAIL.sub(" ", re.sub(r"[「」『』\"]", " ", line))
    best: list[str] = []
    for seps in _RUN_SEPS:
        sep = rf"\s*[{re.escape(seps)}]\s*" if seps != " " else r"\s+"
        item = rf"[^\s{re.escape(seps)}、,，/／|｜・()（）:：。→⇒=＝]{{1,12}}"
        for m in re.finditer(rf"{item}(?:{sep}{item})+", clean):
            parts = [p.strip() for p in re.split(sep, m.group(0))]
            if seps == " " and not all(re.search(r"[^\x00-\x7f]", p) for p in parts):
                continue  # English words, not a list of labels
            # The first and last items may carry part of the sentence: 「次の意見が交通」「その他のどれに」.
            if parts and (_NOT_A_LABEL.search(parts[0]) or re.search(r"[をがはにでへも]", parts[0])):
                parts[0] = re.split(r"[をがはにでへも:：]", parts[0])[-1]
            if parts and re.search(r"の(?:どれ|いずれ|うち|中)", parts[-1]):
                parts[-1] = re.split(r"の(?=どれ|いずれ|うち|中)", parts[-1])[0]
            parts = [p.rstrip(".。．") for p in parts]
            # Drop a leading or trailing item that is still part of the sentence (「カテゴリは、交通…」「…その他、名前だけ」).
            while parts and (not parts[0] or _NOT_A_LABEL.search(parts[0]) or re.search(r"[をがはにでへも]$", parts[0])):
                parts.pop(0)
            while parts and (not parts[-1] or _NOT_A_LABEL.search(parts[-1]) or re.search(r"[をがはにでへも]$", parts[-1])):
                parts.pop()
            if len(parts) > len(best) and _valid(parts):
                best = parts
    return best


# The columns of a table the answer should take (「表（区分・内容・担当・期限）で」「（要件／判定）の表」): not categories.
_TABLE_COLUMNS = re.compile(r"(?<![発公代辞意師])表\s*[（(][^（）()\n]{1,80}[）)]|[（(][^（）()\n]{1,80}[）)]\s*の?(?:一覧)?表")


def listed_labels(prompt: str) -> list[str]:
    """Labels a classification prompt offers: 「A」「B」, 'A、B、Cのいずれか', 'カテゴリ: A / B', 'A／B／C', a bullet list.

    A table's named columns (「表（区分・内容・担当・期限）で」) are the answer's form, not labels.
    """
    prompt = _TABLE_COLUMNS.sub("表", prompt)
    # A bullet list (or one label per line) under a heading that names categories.
    m = re.search(
        r"(?:カテゴリ|カテゴリー|分類|ラベル|区分|選択肢|分野|categories|labels)[^\n]*\n((?:\s*(?:[-*・●]|\d+[.)．])\s*[^\n]+\n?){2,})",
        prompt,
        re.I,
    )
    if m:
        labels = []
        for line in m.group(1).splitlines():
            line = re.sub(r"^\s*(?:[-*・●]|\d+[.)．])\s*", "", line).strip()
            line = re.split(r"[:：（(]", line)[0].strip()
            if line and len(line) <= 20 and line not in labels:
                labels.append(line)
        if _valid(labels):
            return labels
    lines = prompt.splitlines()
    for line in lines:
        quoted = [next(g for g in q if g) for q in _QUOTED.findall(line)]
        if len(quoted) >= 2 and re.search(r"いずれか|どれか|どちらか|分類|カテゴリ|ラベル|選|one of|classify|label", line, re.I) \
                and _valid(quoted) and not re.search(r"[→⇒]|=>|->", line):
            return list(dict.fromkeys(quoted))
    for i, line in enumerate(lines):
        if "{" in line or re.search(r"[→⇒]|=>|->", line):  # a JSON example or a worked example, not the list
            continue
        cue = _LIST_CUE.search(line)
        following = lines[i + 1] if cue and i + 1 < len(lines) and not line[cue.end():].strip(" ：:】]）)") else ""
        for candidate in (line, following):
            if not candidate:
                continue
            found: list[list[str]] = []
            m2 = _LABEL_CONTEXT.search(candidate)
            if m2:
                found.append(_valid(_split_labels(m2.group(1))))
            m3 = _ONE_OF.search(candidate)
            if m3:
                found.append(_valid(_split_labels(m3.group(1))))
            if cue or candidate is following:
                found.append(_runs(candidate))
            best = max(found, key=len, default=[])
            if best:
                return best
    return []


_EXAMPLE = re.compile(
    r"(?:^|\n)\s*(?:[-*・]\s*)?(?:例\d*|入力|意見|文章|質問|text|input|q)\s*[:：]\s*(.+?)\s*(?:\n\s*(?:[-*・]\s*)?|\s*(?:→|=>|->)\s*)"
    r"(?:出力|分類|カテゴリ|カテゴリー|ラベル|答え|回答|label|output|a)\s*[:：]?\s*(.+)",
    re.I,
)
_ARROW_EXAMPLE = re.compile(r"(?:^|\n)\s*(?:[-*・]\s*)?[「\"]?(.+?)[」\"]?\s*(?:→|=>|->)\s*[「\"]?([^」\"\n]+)[」\"]?")
_ARROW = r"(?:→|⇒|=>|->|＝|=|:|：|は|なら|だと|なら|…)"


def few_shot_examples(prompt: str, labels: list[str] | None = None) -> list[tuple[str, str]]:
    """Input → output example pairs written in the prompt (few-shot), in order.

    With ``labels``, also pairs whose output is one of the labels however they are written: 「X」→ 交通, X：交通,
    「X」なら交通, X（交通）, a table row | X | 交通 |, or an input line followed by 「カテゴリ：交通」.
    """
    pairs = [(a.strip(), b.strip()) for a, b in _EXAMPLE.findall(prompt)]
    if not pairs:
        pairs = [(a.strip(), b.strip()) for a, b in _ARROW_EXAMPLE.findall(prompt) if len(b.strip()) <= 20]
    if not labels:
        return pairs
    names = "|".join(re.escape(lab) for lab in sorted(labels, key=len, reverse=True))
    found: list[tuple[int, str, str]] = []
    for pat in (
        rf"[「『\"]([^「」『』\"\n]{{3,60}})[」』\"]\s*{_ARROW}?\s*[「『(（]?({names})[」』)）]?(?=\s*(?:[、,。．.]|$|\n|[「『]|です|になります|に分類))",
        rf"(?:^|\n)\s*(?:[-*・●]|\d+[.)．]|例\s*\d*\s*[:：)）]?|例[）)]|\(?例\)?)?\s*([^\n「」|]{{3,60}}?)\s*{_ARROW}\s*[「『(（]?({names})[」』)）]?\s*(?=$|\n)",
        rf"(?:^|\n)\s*(?:[-*・●]|\d+[.)．])?\s*([^\n「」|（(]{{3,60}}?)\s*[（(]\s*(?:→\s*)?({names})\s*[)）]\s*(?=$|\n)",
        rf"(?:^|\n)\s*\|\s*([^|\n]{{3,60}}?)\s*\|\s*({names})\s*\|",
        rf"(?:^|\n)\s*(?:[-*・]\s*)?(?:例\s*\d*|入力|意見|文章|質問|text|input|q)\s*[:：]\s*([^\n]{{3,60}})\s*\n\s*(?:[-*・]\s*)?"
        rf"(?:出力|分類|カテゴリ|カテゴリー|ラベル|答え|回答|label|output|a)\s*[:：]\s*({names})\s*(?=$|\n)",
    ):
        for m in re.finditer(pat, prompt, re.I):
            x = m.group(1).strip()
            if re.fullmatch(r"(?:例|入力|出力|意見|カテゴリ|分類|ラベル|答え)\s*\d*", x):
                continue
            found.append((m.start(1), x, m.group(2).strip()))
    labelled = []
    seen = set()
    for _, x, y in sorted(found):
        if x not in seen:
            seen.add(x)
            labelled.append((x, y))
    return labelled if len(labelled) >= len(pairs) else pairs


def json_keys(prompt: str) -> list[str]:
    """Keys a prompt asks the JSON reply to have: from an example object or a list after キー/項目/keys."""
    for m in re.finditer(r"\{[^{}]*\}", prompt, re.S):
        keys = re.findall(r"[\"“]([^\"”\n]{1,40})[\"”]\s*[:：]", m.group(0))
        if keys:
            return list(dict.fromkeys(keys))
    m = re.search(r"(?:キー|項目|フィールド|keys|fields)[^\n:：]{0,10}[:：は]\s*([^\n]+)", prompt, re.I)
    if m:
        raw = re.sub(r"(?:を持つ|の|を含む|とする|です|で出力).*$", "", m.group(1))
        keys = [k for k in _split_labels(raw) if re.fullmatch(r"[\w\u3040-\u30ff\u4e00-\u9fff]+", k)]
        if keys:
            return keys
    return []


def json_example(prompt: str) -> dict | None:
    """The example JSON object written in the prompt, parsed, if it is valid JSON."""
    for m in re.finditer(r"\{.*?\}", prompt, re.S):
        try:
            value = json.loads(m.group(0))
        except ValueError:
            continue
        if isinstance(value, dict):
            return value
    return None


_QUESTION_LABEL = re.compile(r"(?:^|\n)\s*[#＃]*\s*(?:質問|問い|question|q)\s*[:：]\s*(.+)", re.I)
_QUESTION_END = re.compile(r"(?:[?？]|ですか|ますか|でしょうか|ありますか|か。)\s*$")


def _question(own: str) -> str | None:
    m = _QUESTION_LABEL.search(own)
    if m and m.group(1).strip():
        return m.group(1).strip()
    for sentence in reversed(split_sentences(own)):
        if _QUESTION_END.search(sentence):
            return sentence
    return None


def _tasks(own: str) -> list[str]:
    norm = normalize(own)
    found = []
    for task, pat in lex.TASKS.items():
        m = re.search(pat, norm)
        if m:
            found.append((m.start(), task))
    return [t for _, t in sorted(found)]


@dataclass
class PromptReading:
    """Everything a reader needs from one prompt. Fields (stable; new ones are only ever added):

    - ``text``: the prompt as given.
    - ``blocks``: the quoted material (:class:`~aidojo.text.prompt_layout.Block`: label, text, span, style), in order.
    - ``instructions``: the writer's own words — the prompt minus the blocks (and minus sentences copied from the
      ``sources`` given to :func:`read_prompt`).
    - ``sections``: the headed parts of the own words (【役割】…, ■目的：…, # 指示), with the element each names.
    - ``empty_headings``: template headings left empty (「【役割】」 with nothing after it, 「目的：〇〇」).
    - ``elements``: the five elements found in the own words, each with its evidence or ``None``.
    - ``source``: the material to work on: the only block, the blocks joined when they are one series
      (意見1, 意見2 …), else the last block; a labelled section (「資料：…」) when nothing is delimited.
    - ``limit_chars`` / ``items`` / ``bullets``: a character limit, a number of points, a bulleted list — read from
      the own words, so a number inside the material is never taken for a limit.
    - ``labels``: the categories a classification prompt offers; ``examples``: its few-shot (input, output) pairs.
    - ``steps``: the phrase asking for stepwise work (「手順1：」「要件を1つずつ」「まず…次に」) or ``None``.
    - ``no_new_facts``: the phrase forbidding facts that are not in the material (「資料にないことは書かない」) or ``None``.
    - ``compare``: the phrase asking to check one text against another (「照らし合わせて」) or ``None``.
    - ``tasks``: the kinds of task asked for, in order of appearance (``"summarize"``, ``"classify"``,
      ``"easy_japanese"``, ``"reply"``, ``"extract"``, ``"compare"``, ``"check"``, ``"rewrite"``, ``"translate"``,
      ``"ideas"``, ``"qa"``, ``"draft"``, ``"formula"``, ``"json"``).
    - ``question``: a question the writer asks (「質問：…」 or a last sentence ending in ？/ですか) or ``None``.
    """

    elements: dict[str, ElementFinding]
    source: str | None
    limit_chars: int | None
    items: int | None
    bullets: bool
    labels: list[str] = field(default_factory=list)
    examples: list[tuple[str, str]] = field(default_factory=list)
    text: str = ""
    blocks: list[Block] = field(default_factory=list)
    instructions: str = ""
    sections: list[Section] = field(default_factory=list)
    empty_headings: list[str] = field(default_factory=list)
    steps: str | None = None
    no_new_facts: str | None = None
    compare: str | None = None
    tasks: list[str] = field(default_factory=list)
    question: str | None = None

    @property
    def present(self) -> list[str]:
        """Keys of the elements found, in the canonical order."""
        return [k for k, e in self.elements.items() if e.present]

    def blocks_labelled(self, pattern: str) -> list[Block]:
        """Blocks whose label matches ``pattern`` (a regex over the NFKC, lower-cased label)."""
        return [b for b in self.blocks if re.search(pattern, normalize(b.label))]


def read_prompt(prompt: str, sources: Iterable[str] = ()) -> PromptReading:
    """Read a prompt's structure in one pass.

    ``sources`` are texts the task itself gives (a citizen's mail, a record): sentences copied from them without
    delimiters are not counted as the writer's own words either.
    """
    prompt = prompt or ""
    blocks = find_blocks(prompt)
    own = remove_spans(prompt, blocks)
    own = _copied_from(list(sources), own)
    sections = find_sections(own)
    text = searchable(own)
    labels = listed_labels(own) or listed_labels(prompt)
    return PromptReading(
        elements=_elements(own, sections),
        source=source_text(prompt),
        limit_chars=length_limit(text),
        items=item_count(text),
        bullets=wants_bullets(text),
        labels=labels,
        examples=few_shot_examples(prompt, labels),
        text=prompt,
        blocks=blocks,
        instructions=own.strip(),
        sections=sections,
        empty_headings=[s.heading for s in sections if s.empty and s.kind is not None],
        steps=next((f"{s.heading}：{_short(s.body, 20)}" for s in sections if s.kind == "steps" and not s.empty), None)
        or search(lex.STEPS, text),
        no_new_facts=search(lex.NO_NEW_FACTS, text),
        compare=search(lex.COMPARE, text),
        tasks=_tasks(text),
        question=_question(own),
    )
