"""The layout of a prompt: which parts are quoted source text (blocks) and which are the writer's own headed sections.

Municipal staff set off material in many ways — ``` / \"\"\" fences, ``###`` or ``---`` lines, ``###資料###``,
``<記録>…</記録>``, ``<<<意見1>>>``, 【資料】 or ■資料 headings, 「資料：」 labels, 【資料ここから】…【ここまで】,
long 「…」 quotations — and head their own words with 【役割】, ■役割, ●目的：, # 指示, 「条件：」. This module
finds both, with offsets into the original text, so that every reader (the rubric, the playground, the practice
model) splits a prompt the same way. Hand-written: no library reads Japanese prompt layout.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# --- what a heading's label names -----------------------------------------------------------------------

# Labels of the writer's own sections, by prompt element (matched against the NFKC, lower-cased label).
ELEMENT_LABEL_WORDS: dict[str, str] = {
    "output_format": r"出力形式|出力の形式|出力フォーマット|出力例|出力イメージ|出力|形式|フォーマット|書式|様式|構成|体裁|レイアウト|"
                     r"回答形式|回答の形|答えの形|返答形式|アウトプット|format|output",
    "role": r"役割|役柄|立場|ロール|ペルソナ|キャラクター|あなたの役|あなたは誰|role|persona",
    "purpose": r"目的|背景|前提|状況|ゴール|ねらい|狙い|用途|使い道|読み手|読者|対象者|対象|想定読者|宛先|相手|経緯|趣旨|意図|場面|"
               r"context|purpose|goal|background|audience",
    "instruction": r"指示|依頼|タスク|お願い|やること|やってほしいこと|してほしいこと|命令|作業内容|作業|質問|問い|instructions?|task|request|question",
    "constraints": r"制約|条件|注意|ルール|禁止|守ること|守ってほしいこと|留意|文字数|字数|長さ|分量|トーン|文体|口調|言葉遣い|言葉づかい|"
                   r"表現|ng|constraints?|rules?|notes?",
    "steps": r"手順|ステップ|進め方|流れ|やり方|確認方法|step",
    "examples": r"例|例文|入力例|サンプル|見本|examples?|few-?shot",
}
# Labels that introduce material to work on (a source), not the writer's own words.
SOURCE_LABEL_WORDS = (
    r"資料|記録|議事録|会議録|メモ|本文|文章|原文|元の文|元文|メール|問い合わせ|問合せ|問い合せ|お問い合わせ|相談|お知らせ|通知|通達|文書|"
    r"申請書|要件|要綱|下書き|草案|文案|原稿|回答案|返信案|案文|事実|発表内容|発表する事実|情報|データ|意見|声|苦情|要望|"
    r"入力|テキスト|参考|対象の文|原案|ドラフト|答弁|記事|レポート|アンケート|チラシ|規程|規則|マニュアル|faq|"
    r"text|input|context|source|document|draft|data|record|minutes|email|mail|opinion"
)
_ELEMENT_LABEL_RES = {k: re.compile(rf"^(?:{v})(?:\d+)?$") for k, v in ELEMENT_LABEL_WORDS.items()}
_SOURCE_LABEL_RE = re.compile(rf"(?:{SOURCE_LABEL_WORDS})")
_END_LABEL_RE = re.compile(r"^(?:/.*|.*ここまで|.*終わり|.*おわり|以上|end.*|.*end|/)$")
_START_SUFFIX_RE = re.compile(r"(?:ここから|はじめ|始め|開始|start|begin)$")
# Words that may precede an element label ("あなたの役割", "AIへの指示", "今回の目的").
_LABEL_PREFIX = re.compile(r"^(?:あなたの|aiの|aiへの|今回の|この|本件の|依頼の|プロンプトの|回答の|文章の|お知らせの|返信の|\d+[.)．、]?\s*|[①-⑳]\s*)")


def _norm(text: str) -> str:
    return unicodedata.normalize("NFKC", text).lower().strip()


def label_kind(label: str) -> str | None:
    """What a heading label names: an element key (``"role"``, ``"steps"``…), ``"source"``, or ``None`` (unknown)."""
    lab = _norm(label)
    lab = re.sub(r"[\s:：\-—・]+$", "", lab)
    lab = _LABEL_PREFIX.sub("", lab)
    lab = re.sub(r"\s+", "", lab)
    if not lab or len(lab) > 20:
        return None
    for key, pat in _ELEMENT_LABEL_RES.items():
        if pat.match(lab):
            return key
    if _SOURCE_LABEL_RE.search(lab) or _START_SUFFIX_RE.search(lab):
        return "source"
    # Compound labels: "出力の形式と文字数", "注意してほしいこと", "依頼したいこと".
    for key, words in ELEMENT_LABEL_WORDS.items():
        if re.match(rf"(?:{words})", lab) and len(lab) <= 12:
            return key
    return None


# --- blocks and sections ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Block:
    """A stretch of quoted material: its label (「資料」, 「意見1」, '' when unnamed), text and span in the prompt.

    ``start``/``end`` cover the whole block including its delimiters; ``text`` is the material inside, stripped.
    """

    label: str
    text: str
    start: int
    end: int
    style: str  # "fence", "tag", "marker", "heading", "quote"


@dataclass(frozen=True)
class Section:
    """A headed part of the writer's own words: 【役割】あなたは… → Section("役割", "role", "あなたは…")."""

    heading: str
    kind: str | None  # an element key, "steps", "examples", or None for an unknown label (【決定事項】)
    body: str
    line: int  # index of the heading line in the own-words text

    @property
    def empty(self) -> bool:
        return is_placeholder(self.body)


_PLACEHOLDER = re.compile(
    r"^(?:[\s。、.,…・\-ー―=＝~〜*＊_＿?？!！()（）「」『』\[\]【】<>＜＞○〇◯×✕xX]|なし|特になし|とくになし|未定|未記入|空欄|省略|"
    r"(?:ここ|こちら|この下|下)に.{0,12}?(?:書く|書いて|書きます|記入|入力|入れる|入れて)(?:ください|します)?|書く|記入|入力|tbd|todo|n/?a|none|略|〇〇|○○|xx|××)*$",
    re.I,
)


def is_placeholder(text: str) -> bool:
    """True for a section body with nothing in it: blank, 「…」, 「〇〇」, 「（ここに書く）」, 「なし」."""
    return bool(_PLACEHOLDER.match(_norm(text)))


_FENCE_CHARS = "#＃\\-ー―─—=＝*＊~〜"
_FENCE_LINE = re.compile(rf"^\s*(?P<f>[{_FENCE_CHARS}])(?P=f){{2,}}\s*(?P<label>[^\n]{{0,24}}?)\s*[{_FENCE_CHARS}]*\s*[:：]?\s*$")
_ANGLE_LINE = re.compile(r"^\s*(?:<<<|＜＜＜|≪|《《)\s*(?P<label>[^<>＜＞≪≫《》\n]{0,24}?)\s*(?:>>>|＞＞＞|≫|》》)\s*(?P<rest>.*)$")
_BRACKET_HEAD = re.compile(
    r"^\s*(?:\d+[.)．、]\s*|[①-⑳]\s*)?[【\[［〔《〈<＜]\s*(?P<label>[^】\]］〕》〉>＞/／\n]{1,24}?)\s*[】\]］〕》〉>＞]\s*[:：]?\s*(?P<rest>.*)$")
_MARK_HEAD = re.compile(r"^\s*[■●◆◇□◎▼▽▶►★☆▪◼]\s*(?P<label>[^\s:：]{1,16}?)\s*(?:[:：]\s*|\s+|$)(?P<rest>.*)$")
_HASH_HEAD = re.compile(r"^\s*[#＃]{1,6}\s*(?P<label>[^#＃:：\n]{1,20}?)\s*[#＃]*\s*(?:[:：]\s*(?P<rest>.*))?$")
_COLON_HEAD = re.compile(
    r"^\s*(?:[・\-*+]\s*|\d+[.)．、]\s*|[①-⑳]\s*|[(（]\d+[)）]\s*)?[「『]?(?P<label>[^\s:：「」『』。、]{1,14}?)\s*[:：][」』]?\s*(?P<rest>.*)$")
_HEAD_RES = (_BRACKET_HEAD, _MARK_HEAD, _HASH_HEAD, _COLON_HEAD)


@dataclass(frozen=True)
class HeadingLine:
    label: str
    kind: str | None
    rest: str
    style: str  # "bracket", "mark", "hash", "colon"


def heading_of(line: str) -> HeadingLine | None:
    """The heading a line starts with, if any. Colon and mark headings count only with a known label."""
    for style, pat in zip(("bracket", "mark", "hash", "colon"), _HEAD_RES):
        m = pat.match(line)
        if not m:
            continue
        label = m.group("label").strip()
        kind = label_kind(label)
        if style in ("mark", "colon") and kind is None:
            continue
        rest = (m.group("rest") or "").strip()
        if style == "bracket" and re.match(r"^[はをにがとのでもへや、。,]", rest):
            continue  # 「【下書き】は【資料】をもとに…」: a reference inside a sentence, not a heading
        if style == "bracket" and re.match(r"^\s*[\[［]", line) and kind in (None, "source"):
            continue  # 「[FAQ-01] …」: a citation tag inside the material
        if style == "bracket" and re.match(r"^\s*[<＜]", line) and kind in (None, "source") and rest:
            continue  # 「<record>タグの中の記録を…」: a sentence that names a tag
        if style == "hash" and kind is None and not re.match(r"^\s*[#＃]{1,2}\s", line):
            continue
        return HeadingLine(label, kind, rest, style)
    return None


def _fence(line: str) -> tuple[str, str] | None:
    """(family, label) when ``line`` is a delimiter line: ``###``, ``### 資料 ###``, ``---``, ``<<<意見1>>>``."""
    m = _ANGLE_LINE.match(line)
    if m and not m.group("rest").strip():
        return "<<<", m.group("label").strip()
    m = _FENCE_LINE.match(line)
    if not m:
        return None
    fam = m.group("f")
    fam = {"＃": "#", "ー": "-", "―": "-", "─": "-", "—": "-", "＝": "=", "＊": "*", "〜": "~"}.get(fam, fam)
    label = m.group("label").strip().strip(_FENCE_CHARS.replace("\\", "")).strip()
    return fam, label


_INLINE_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("fence", re.compile(r"```(?:[a-zA-Z0-9_-]*[ \t]*\n)?(?P<body>.*?)```", re.S)),
    ("fence", re.compile(r'"""(?P<body>.*?)"""', re.S)),
    ("fence", re.compile(r"'''(?P<body>.*?)'''", re.S)),
    # <tag>…</tag>: the opening tag nearest the closing one (an instruction may mention "<record>" first).
    ("tag", re.compile(r"[<＜‹〈](?P<label>[^<>＜＞‹›〈〉/\s]{1,20})[>＞›〉](?P<body>(?:(?![<＜‹〈](?P=label)[>＞›〉]).)*?)"
                       r"[<＜‹〈][/／](?P=label)[>＞›〉]", re.S)),
    ("tag", re.compile(r"(?:<<<|＜＜＜)(?P<label>[^<>＜＞\n]{1,20})(?:>>>|＞＞＞)(?P<body>.*?)(?:<<<|＜＜＜)[/／](?P=label)(?:>>>|＞＞＞)", re.S)),
    # <<<意見1>>>…<<<意見1>>> on one line: the same marker opens and closes.
    ("tag", re.compile(r"(?:<<<|＜＜＜)(?P<label>[^<>＜＞/／\n]{1,20})(?:>>>|＞＞＞)(?P<body>[^\n]*?)(?:<<<|＜＜＜)(?P=label)(?:>>>|＞＞＞)")),
    ("marker", re.compile(r"[【\[［<＜]\s*(?P<label>[^】\]］>＞\n]{0,16}?)\s*(?:ここから|はじめ|開始)\s*[】\]］>＞](?P<body>.*?)"
                          r"(?:[【\[［<＜][^】\]］>＞\n]{0,16}?(?:ここまで|おわり|終わり|終了)\s*[】\]］>＞]|\Z)", re.S)),
    ("quote", re.compile(r"「「(?P<body>.*?)」」", re.S)),
    ("quote", re.compile(r"「(?P<body>[^「」]{40,})」", re.S)),
    ("quote", re.compile(r"『(?P<body>[^『』]{40,})』", re.S)),
]

_AFTER_SOURCE = re.compile(r"^\s*(?:上|以上|上記|前|これ|この|こちら|右|それ|その)(?:の|を|に|で|ら|は|記)")
# A line in the writer's voice after the material: it names the task or the answer's form and asks for it.
_WRITER_TASK = re.compile(
    r"要約|作成|まとめ|分類|書き換え|書き直|抜き出|箇条書|表に|表で|形式|\d+\s*(?:字|文字)(?:以内|以下|程度)|あなたは|として|になりきって|"
    r"の立場|出力|返信文|お知らせ文|案内文|答えて|回答して|教えて|確認して|照らし合わせ|資料|記録|ため|用(?:に|で|の)|向け|推測|想像|"
    r"目的|背景|以内|形式|リスト|専門用語|敬語|個人名|"
    r"\b(?:please|write|summari[sz]e|you are|use|reply|answer|draft|list|classify)\b", re.I)
_WRITER_END = re.compile(r"(?:ください|下さい|お願いします|お願い|こと|しなさい|せよ|て|です|ます|ので|ように|で|に|な|ず|ない)\s*$|"
                         r"\b[a-z]+\s*$", re.I)


def _writer_line(line: str) -> bool:
    """Whether a line after unclosed material reads as the writer's own request (「上の資料を要約してください」)."""
    text = _norm(line)
    if not text:
        return False
    if _AFTER_SOURCE.match(text):
        return True
    sentences = [x.strip(" ・-*") for x in re.split(r"[。.！!]", text) if x.strip(" ・-*")]
    return any(_WRITER_TASK.search(x) and _WRITER_END.search(x) for x in sentences)


def _inline_blocks(text: str) -> list[Block]:
    found: list[Block] = []
    taken: list[tuple[int, int]] = []
    for style, pat in _INLINE_PATTERNS:
        for m in pat.finditer(text):
            if any(s <= m.start() < e or s < m.end() <= e for s, e in taken):
                continue
            body = m.group("body")
            if not body or not body.strip():
                continue
            label = (m.groupdict().get("label") or "").strip()
            found.append(Block(label, body.strip(), m.start(), m.end(), style))
            taken.append((m.start(), m.end()))
    return found


def _line_blocks(text: str, taken: list[tuple[int, int]]) -> list[Block]:
    """Blocks set off by delimiter lines (### / --- / <<<X>>>) and by source headings (【資料】, ■資料, 資料：)."""
    blocks: list[Block] = []
    lines = text.splitlines(keepends=True)
    offsets = []
    pos = 0
    for ln in lines:
        offsets.append(pos)
        pos += len(ln)
    offsets.append(pos)

    def free(i: int) -> bool:
        return not any(s <= offsets[i] < e for s, e in taken)

    open_kind: str | None = None  # "fence:<family>" or "heading"
    open_label = ""
    open_start = 0  # offset of the delimiter line
    body_from = 0  # line index where the body starts
    first_rest = ""

    def close(end_line: int, end_offset: int) -> None:
        body_lines = [first_rest] if first_rest else []
        body_lines += [ln.rstrip("\n") for ln in lines[body_from:end_line]]
        body = "\n".join(body_lines).strip()
        if body:
            blocks.append(Block(open_label, body, open_start, end_offset, "fence" if open_kind != "heading" else "heading"))

    i = 0
    while i < len(lines):
        line = lines[i].rstrip("\n")
        if not free(i):
            if open_kind:
                close(i, offsets[i])
                open_kind = None
            i += 1
            continue
        fence = _fence(line)
        head = None if fence else heading_of(line)
        if open_kind and open_kind.startswith("fence:"):
            fam = open_kind.split(":", 1)[1]
            if fence and fence[0] == fam:
                label = fence[1]
                kind = label_kind(label) if label else None
                if not label or _END_LABEL_RE.match(_norm(label)) or _norm(label) == _norm(open_label):
                    close(i, offsets[i + 1])
                    open_kind = None
                    i += 1
                    continue
                close(i, offsets[i])
                open_kind = None
                if kind not in (None, "source"):  # ### 指示 ### after the material: back to the writer's words
                    i += 1
                    continue
                open_kind, open_label, open_start, body_from, first_rest = f"fence:{fam}", label, offsets[i], i + 1, ""
            i += 1
            continue
        if open_kind == "heading":
            ends = False
            if fence:
                ends = True
            elif head and head.style == "colon":
                ends = head.kind in ("instruction", "role", "output_format", "steps") or bool(
                    re.match(r"制約|禁止|注意|ルール|目的", _norm(head.label)))
            elif head:
                ends = head.kind is not None or head.style == "hash"  # not an unknown 【問い合わせ先】 inside the material
            elif not line.strip() and i + 1 < len(lines) and _AFTER_SOURCE.match(lines[i + 1]):
                ends = True  # a blank line, then 「上の資料を…」: the writer's words again
            elif i > body_from and _writer_line(line):
                ends = True  # material set off by a heading or an unclosed delimiter ends where the writer's request begins
            if ends:
                close(i, offsets[i])
                open_kind = None
                continue  # re-read this line outside the block
            i += 1
            continue
        # Outside any block.
        if fence:
            fam, label = fence
            kind = label_kind(label) if label else None
            if label and kind not in (None, "source") or (fam == "#" and label and kind is None and not line.strip().endswith("#")):
                i += 1  # "### 指示": a heading of the writer's own words
                continue
            if _END_LABEL_RE.match(_norm(label)) and label:
                i += 1
                continue
            closed = any((f := _fence(ln)) and f[0] == fam for ln in lines[i + 1:])
            kind_open = f"fence:{fam}" if closed else "heading"  # an unclosed ### runs only as far as the material goes
            open_kind, open_label, open_start, body_from, first_rest = kind_open, label, offsets[i], i + 1, ""
            i += 1
            continue
        m = _ANGLE_LINE.match(line)
        if m:  # <<<意見1>>> バスが少ない。 (the text on the same line)
            closed = any((f := _fence(ln)) and f[0] == "<<<" for ln in lines[i + 1:])
            open_kind = "fence:<<<" if closed else "heading"
            open_label, open_start, body_from, first_rest = m.group("label").strip(), offsets[i], i + 1, m.group("rest").strip()
            i += 1
            continue
        if head and head.kind == "source":
            if head.style == "colon" and head.rest:  # 「本文：先週から…」: the material is this one line
                blocks.append(Block(head.label, head.rest, offsets[i], offsets[i + 1], "heading"))
                i += 1
                continue
            open_kind, open_label, open_start, body_from, first_rest = "heading", head.label, offsets[i], i + 1, head.rest
            i += 1
            continue
        i += 1
    if open_kind:
        close(len(lines), offsets[-1])
    return blocks


def find_blocks(text: str) -> list[Block]:
    """Every stretch of quoted material in ``text``, in order of appearance (nested ones dropped)."""
    inline = _inline_blocks(text)
    taken = [(b.start, b.end) for b in inline]
    blocks = inline + _line_blocks(text, taken)
    blocks.sort(key=lambda b: (b.start, -b.end))
    out: list[Block] = []
    for b in blocks:
        if any(o.start <= b.start and b.end <= o.end for o in out):
            continue
        out.append(b)
    return out


def remove_spans(text: str, blocks: list[Block]) -> str:
    """``text`` with each block's span replaced by a line break."""
    out = []
    pos = 0
    for b in sorted(blocks, key=lambda b: b.start):
        if b.start < pos:
            continue
        out.append(text[pos:b.start])
        out.append("\n")
        pos = b.end
    out.append(text[pos:])
    return "".join(out)


def find_sections(own: str) -> list[Section]:
    """The headed sections of the writer's own words (text outside the blocks)."""
    lines = own.splitlines()
    heads: list[tuple[int, HeadingLine]] = []
    for i, line in enumerate(lines):
        if _fence(line):
            continue
        head = heading_of(line)
        if head and head.kind not in (None, "source"):  # 【決定事項】 under 【出力形式】 is part of that section
            heads.append((i, head))
    sections = []
    for n, (i, head) in enumerate(heads):
        stop = heads[n + 1][0] if n + 1 < len(heads) else len(lines)
        body_lines = [head.rest] + [ln for ln in lines[i + 1:stop] if not _fence(ln)]
        sections.append(Section(head.label, head.kind, "\n".join(body_lines).strip(), i))
    return sections


__all__ = ["Block", "Section", "HeadingLine", "ELEMENT_LABEL_WORDS", "SOURCE_LABEL_WORDS", "label_kind", "heading_of",
           "is_placeholder", "find_blocks", "find_sections", "remove_spans"]
