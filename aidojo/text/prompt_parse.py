"""Read the structure of a prompt: the five elements, delimited source text, limits, labels, keys.

The offline model and the prompt rubric (``aidojo.checks``) both use these readers, so that what a
learner is told about a prompt and how the practice model behaves never disagree. Hand-written:
no library reads Japanese prompt structure.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from aidojo.text.normalize import normalize

ELEMENT_LABELS: dict[str, str] = {
    "role": "役割",
    "purpose": "目的・背景",
    "instruction": "指示",
    "constraints": "制約",
    "output_format": "出力形式",
}

# Each element: patterns over the NFKC-normalised, lower-cased prompt. Tolerant of many phrasings.
_ELEMENT_PATTERNS: dict[str, list[str]] = {
    "role": [
        r"(?:^|\n)\s*[#＃【\[]*\s*役割",
        r"あなたは[^。\n]{1,40}(?:です|だ|である|として|の立場|になりきって|を担当)",
        r"[^。\n]{1,30}として(?:振る舞|ふるま|回答|答え|対応|行動|考え|書い|作成)",
        r"[^。\n]{1,30}の立場(?:で|から)",
        r"[^。\n]{0,20}(?:担当|係|職員|課長|係長|専門家|編集者|広報|司会|書記)として",
        r"\byou are (?:a|an|the)\b",
        r"\bact as\b",
        r"\brole\s*:",
    ],
    "purpose": [
        r"(?:^|\n)\s*[#＃【\[]*\s*(?:目的|背景|前提|状況|ゴール)",
        r"(?:目的|背景|前提|ねらい|狙い)(?:は|として|:|：)",
        r"(?:ため|ために|ように)(?:、|,|\s)",
        r"(?:向け|対象は|読み手は|読者は|宛て)",
        r"(?:なので|のため|ですので)、",
        r"\b(?:purpose|goal|background|context)\s*:",
        r"\b(?:so that|in order to)\b",
    ],
    "instruction": [
        r"(?:^|\n)\s*[#＃【\[]*\s*(?:指示|依頼|タスク|命令)",
        r"(?:して|して下|し)(?:ください|くださ|下さい)",
        r"(?:しなさい|せよ|してほしい|して欲しい|お願いします|お願いいたします)",
        r"(?:作成|要約|整理|分類|抽出|翻訳|変換|書き換え|添削|確認|提案|説明|判定|回答)(?:して|し|せよ|を)",
        r"(?:まとめて|書いて|教えて|考えて|答えて|直して|挙げて|出して|選んで)",
        r"\b(?:please|write|summari[sz]e|list|create|explain|classify|translate|rewrite|draft)\b",
    ],
    "constraints": [
        r"(?:^|\n)\s*[#＃【\[]*\s*(?:制約|条件|注意|ルール|禁止)",
        r"\d+\s*(?:文字|字|行|文|点|項目|個|つ|語)(?:以内|以下|程度|まで|前後|で)",
        r"(?:以内|以下)(?:で|に|と)",
        r"(?:しないで|しないこと|しないように|ないでください|禁止|避けて|避ける|控えて|含めない|入れない|使わない|加えない)",
        r"(?:のみ|だけ)(?:を|で|に|から)",
        r"(?:必ず|かならず)",
        r"\b(?:do not|don't|must|only|within|no more than|at most|avoid)\b",
    ],
    "output_format": [
        r"(?:^|\n)\s*[#＃【\[]*\s*(?:出力形式|出力|形式|フォーマット|書式|出力例)",
        r"(?:箇条書き|表形式|表で|表に|一覧|番号付き|見出し|markdown|マークダウン|json|csv)",
        r"(?:形式|フォーマット|書式|テンプレート)(?:で|に|は|:|：)",
        r"(?:の形で|の順に|の順で)",
        r"\b(?:format|bullet|table|json|markdown|numbered)\b",
    ],
}

# Labels that introduce a source text (not an instruction heading such as 【役割】 or 【制約】).
_SOURCE_WORDS = (
    r"本文|文章|原文|資料|議事録|記録|メール|問い合わせ|問合せ|お知らせ|通知|文書|入力|申請書|要件|下書き|発表内容|原稿|草案|"
    r"文案|回答案|相談内容|相談記録|意見|記事|データ|参考資料|元の文章|原稿案|案内文"
)

_DELIM_PATTERNS: list[re.Pattern[str]] = [
    re.compile(r"```(?:[a-zA-Z0-9_-]*\n)?(.*?)```", re.S),
    re.compile(r'"""(.*?)"""', re.S),
    re.compile(r"'''(.*?)'''", re.S),
    # <tag>…</tag>: the opening tag nearest the closing one (an instruction may mention "<record>" first).
    re.compile(r"[<＜‹]([a-zA-Z_\u3040-\u30ff\u4e00-\u9fff]+)[>＞›]((?:(?![<＜‹]\1[>＞›]).)*?)[<＜‹]/\1[>＞›]", re.S),
    re.compile(r"[#＃]{3}\s*(?:" + _SOURCE_WORDS + r")?\s*\n(.*?)\n\s*[#＃]{3}\s*(?=\n|$)", re.S),
    re.compile(r"-{3,}\s*\n(.*?)\n\s*-{3,}", re.S),
    re.compile(r"={3,}\s*\n(.*?)\n\s*={3,}", re.S),
    re.compile(r"「{2}(.*?)」{2}", re.S),
    re.compile(r"【(?:" + _SOURCE_WORDS + r")】\s*\n(.*?)(?=\n\s*【|\Z)", re.S),
]

_SOURCE_LABEL = re.compile(
    r"(?:^|\n)\s*[#＃]*\s*(?:本文|文章|原文|資料|議事録|記録|メール|問い合わせ内容|問い合わせ|問合せ|お知らせ|意見|入力|テキスト|text|input|context|source)"
    r"\s*[:：]\s*\n?(.+?)(?=\n\s*[#＃]*\s*(?:質問|出力|形式|制約|条件|指示|question|output)\s*[:：]|\Z)",
    re.S | re.I,
)


@dataclass(frozen=True)
class ElementFinding:
    """One of the five prompt elements and the phrase that shows it (``None`` when absent)."""

    key: str
    label: str
    evidence: str | None

    @property
    def present(self) -> bool:
        return self.evidence is not None


def find_elements(prompt: str) -> dict[str, ElementFinding]:
    """Find the five elements (役割・目的/背景・指示・制約・出力形式) in ``prompt``."""
    outside = prompt
    for block in delimited_blocks(prompt):
        outside = outside.replace(block, " ")  # words inside the quoted source are not the learner's instructions
    text = normalize(outside)
    result: dict[str, ElementFinding] = {}
    for key, patterns in _ELEMENT_PATTERNS.items():
        evidence = None
        for pat in patterns:
            m = re.search(pat, text, re.M)
            if m:
                evidence = m.group(0).strip()
                break
        result[key] = ElementFinding(key, ELEMENT_LABELS[key], evidence)
    return result


def delimited_blocks(prompt: str) -> list[str]:
    """Source texts set off by delimiters (``` / \"\"\" / <tag> / ### / --- / 【本文】…), in order."""
    found: list[tuple[int, str]] = []
    for pat in _DELIM_PATTERNS:
        for m in pat.finditer(prompt):
            body = m.group(m.lastindex or 1)
            if body and body.strip():
                found.append((m.start(), body.strip()))
    found.sort()
    # Drop blocks nested in an earlier, larger one.
    blocks: list[str] = []
    for _, body in found:
        if not any(body in b for b in blocks):
            blocks.append(body)
    return blocks


def source_text(prompt: str) -> str | None:
    """The text the prompt asks to work on: the last delimited block, else a labelled section."""
    blocks = delimited_blocks(prompt)
    if blocks:
        return blocks[-1]
    matches = list(_SOURCE_LABEL.finditer(prompt))
    if matches:
        return matches[-1].group(1).strip()
    return None


_LIMIT = re.compile(r"(\d+)\s*(?:文字|字|characters|chars)\s*(?:以内|以下|程度|まで|前後|で|に)?|(?:within|under|no more than|at most)\s*(\d+)\s*(?:characters|chars)")
_COUNT = re.compile(r"(\d+)\s*(?:点|つ|個|項目|行|文|件)(?:以内|以下|程度|まで|で|に|の)?|(\d+)\s*(?:bullet|point|item|line|sentence)s?")


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
    r"(?:カテゴリ|カテゴリー|分類|ラベル|区分|種類|選択肢|categories|category|labels|label|classes|options)"
    r"[^:：\n]{0,20}[:：]?\s*(.+)",
    re.I,
)
_ONE_OF = re.compile(r"(.{2,120}?)(?:の)?(?:いずれか|どれか|どちらか|のうち|から(?:一つ|ひとつ|1つ)選)")
_QUOTED = re.compile(r"「([^「」\n]{1,20})」|『([^『』\n]{1,20})』|\"([^\"\n]{1,20})\"")


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


def listed_labels(prompt: str) -> list[str]:
    """Labels a classification prompt offers (「A」「B」, 'A、B、Cのいずれか', 'カテゴリ: A / B', a bullet list)."""
    # A bullet list under a heading that names categories.
    m = re.search(
        r"(?:カテゴリ|カテゴリー|分類|ラベル|区分|選択肢|categories|labels)[^\n]*\n((?:\s*(?:[-*・●]|\d+[.)．])\s*[^\n]+\n?){2,})",
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
        if len(labels) >= 2:
            return labels
    for line in prompt.splitlines():
        quoted = [next(g for g in q if g) for q in _QUOTED.findall(line)]
        if len(quoted) >= 2 and re.search(r"いずれか|どれか|どちらか|分類|カテゴリ|ラベル|選|one of|classify|label", line, re.I):
            return list(dict.fromkeys(quoted))
    for line in prompt.splitlines():
        if "{" in line:  # a JSON example, not a list of labels
            continue
        m2 = _LABEL_CONTEXT.search(line)
        if m2:
            labels = _split_labels(m2.group(1))
            if len(labels) >= 2:
                return labels
        m3 = _ONE_OF.search(line)
        if m3:
            labels = _split_labels(m3.group(1))
            if len(labels) >= 2:
                return labels
    return []


_EXAMPLE = re.compile(
    r"(?:^|\n)\s*(?:例\d*|入力|意見|文章|text|input|q)\s*[:：]\s*(.+?)\s*(?:\n\s*|\s*(?:→|=>|->)\s*)(?:出力|分類|カテゴリ|ラベル|答え|回答|label|output|a)\s*[:：]?\s*(.+)",
    re.I,
)
_ARROW_EXAMPLE = re.compile(r"(?:^|\n)\s*(?:[-*・]\s*)?[「\"]?(.+?)[」\"]?\s*(?:→|=>|->)\s*[「\"]?([^」\"\n]+)[」\"]?")


def few_shot_examples(prompt: str) -> list[tuple[str, str]]:
    """Input → output example pairs written in the prompt (few-shot), in order."""
    pairs = [(a.strip(), b.strip()) for a, b in _EXAMPLE.findall(prompt)]
    if not pairs:
        pairs = [(a.strip(), b.strip()) for a, b in _ARROW_EXAMPLE.findall(prompt) if len(b.strip()) <= 20]
    return pairs


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


@dataclass
class PromptReading:
    """Everything the offline model reads off one prompt."""

    elements: dict[str, ElementFinding]
    source: str | None
    limit_chars: int | None
    items: int | None
    bullets: bool
    labels: list[str] = field(default_factory=list)
    examples: list[tuple[str, str]] = field(default_factory=list)


def read_prompt(prompt: str) -> PromptReading:
    """Read a prompt's structure in one pass."""
    return PromptReading(
        elements=find_elements(prompt),
        source=source_text(prompt),
        limit_chars=length_limit(prompt),
        items=item_count(prompt),
        bullets=wants_bullets(prompt),
        labels=listed_labels(prompt),
        examples=few_shot_examples(prompt),
    )
