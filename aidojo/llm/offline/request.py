"""What the practice model reads off a chat request: instructions, sources and the question, wherever they sit.

The prompt's structure (elements, delimited sources, limits, labels, examples) comes from the ONE reader,
:func:`aidojo.text.prompt_parse.read_prompt`; this module only decides which messages to read together
(system + user, a follow-up with the request it refines) and names each source block by the heading in
front of it (【要件】, ### 資料, <draft>, 下書き：), so that a check can tell requirements from an application.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property

from aidojo.text.normalize import normalize, split_sentences
from aidojo.text.prompt_parse import PromptReading, delimited_blocks, read_prompt

# A refinement of the previous request (「3点の箇条書きにしてください」「もっと短く」「専門用語を使わず書き直して」).
_REFINE = re.compile(
    r"短く|長く|詳しく|箇条書き|\d+\s*(?:点|つ|項目|行|文字|字)|書き直|言い換え|やさしく|分かりやすく|わかりやすく|"
    r"専門用語|敬語|丁寧に|表に|表で|もう一度|修正|直して|shorter|bullet|rewrite|simpler",
    re.I,
)
_REWRITE_ANSWER = re.compile(r"書き直|言い換え|やさしく|分かりやすく|わかりやすく|専門用語|短く|直して|rewrite|simpler|shorter", re.I)
_QUESTION = re.compile(
    r"[?？]|ですか|ますか|でしょうか|ませんか|か。$|教えて|知りたい|^(?:what|how|when|where|why|who|which|can|is|are|do|does)\b", re.I)
_QUESTION_LABEL = re.compile(r"(?:^|\n)\s*[#＃]*\s*(?:質問|問い|question|q)\s*[:：]\s*(.+)", re.I)
_ASKS_TO_DO = re.compile(r"してください|して下さい|要約|分類|まとめ|作成|書いて|書き換え|直して|抜き出|summari[sz]e|classify|write", re.I)


@dataclass(frozen=True)
class Block:
    """A source text set off in the prompt, with the heading that names it (``None`` when unnamed)."""

    label: str | None
    text: str


def _label_before(prompt: str, start: int) -> str | None:
    """The name written just before a block: 【要件】, ### 資料, <draft>, 下書き：, 「資料」… (or ``None``)."""
    before = prompt[:start]
    before = re.sub(r"(?:```[a-zA-Z0-9_-]*|\"\"\"|'''|[#＃]{3}|-{3,}|={3,}|[<＜][^<>\n]{1,20}[>＞]|「「)\s*$", "", before.rstrip())
    lines = [ln.strip() for ln in before.splitlines() if ln.strip()]
    if not lines:
        return None
    last = lines[-1]
    for pat in (r"【([^】\n]{1,15})】\s*$", r"[<＜]([^<>/\n]{1,20})[>＞]\s*$", r"^[#＃]+\s*([^#＃\n]{1,15}?)\s*[#＃]*$",
                r"^([^\s:：。、]{1,12})\s*[:：]\s*$", r"[#＃]{3}\s*([^#＃\n]{1,15}?)\s*$"):
        m = re.search(pat, last)
        if m:
            return m.group(1).strip()
    m = re.search(r"(?:次の|以下の|下の)?([^\s、。「」]{1,10}?)(?:を|は)?[^。\n]{0,30}[:：]\s*$", last)
    return m.group(1) if m else None


def _opening_label(prompt: str, body: str) -> str | None:
    """A tag or inline heading that opens the block on the same line (<資料>…, ###資料###…)."""
    start = prompt.find(body)
    head = prompt[max(0, start - 40):start]
    m = re.search(r"(?:[<＜]([^<>/\n]{1,20})[>＞]|[#＃]{3}\s*([^#＃\n]{1,15}?)\s*[#＃]{3})\s*\n?\s*$", head)
    return (m.group(1) or m.group(2)).strip() if m else None


def named_blocks(prompt: str, reading: PromptReading) -> list[Block]:
    """The reader's source blocks (and its labelled source), each named by the heading in front of it."""
    bodies = list(delimited_blocks(prompt))
    if reading.source and not any(reading.source in b or b in reading.source for b in bodies):
        bodies.append(reading.source)
    out: list[Block] = []
    for body in bodies:
        start = prompt.find(body)
        label = _opening_label(prompt, body) or (_label_before(prompt, start) if start >= 0 else None)
        out.append(Block(label, body))
    return out


def _content(message: dict) -> str:
    content = message.get("content") or ""
    if isinstance(content, list):  # content parts
        return "\n".join(p.get("text", "") for p in content if isinstance(p, dict))
    return str(content)


def is_english(text: str) -> bool:
    """Whether a text is mostly ASCII letters (then the model answers in English)."""
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return False
    return sum(c.isascii() for c in letters) / len(letters) > 0.8


@dataclass
class Request:
    """One chat request as the practice model reads it."""

    system: str
    users: list[str]
    assistants: list[str]
    follow_up: bool = False
    prompt: str = ""
    reading: PromptReading = field(init=False)

    def __post_init__(self) -> None:
        last = self.last
        parts = [self.system]
        if self.follow_up:
            parts.append(self.users[-2])
        parts.append(last)
        self.prompt = "\n\n".join(p for p in parts if p)
        self.reading = read_prompt(self.prompt)

    @classmethod
    def from_messages(cls, messages: list[dict]) -> "Request":
        system = "\n".join(_content(m) for m in messages if m.get("role") in ("system", "developer"))
        users = [_content(m) for m in messages if m.get("role") == "user"]
        assistants = [_content(m) for m in messages if m.get("role") == "assistant"]
        last = users[-1] if users else ""
        follow_up = (len(users) > 1 and not delimited_blocks(last) and len(last) < 120 and bool(_REFINE.search(last))
                     and not _QUESTION_LABEL.search(last))
        return cls(system, users, assistants, follow_up)

    @property
    def last(self) -> str:
        return self.users[-1] if self.users else ""

    @property
    def english(self) -> bool:
        return is_english(self.last or self.prompt)

    @cached_property
    def blocks(self) -> list[Block]:
        return named_blocks(self.prompt, self.reading)

    @cached_property
    def instructions(self) -> str:
        """The prompt without its source texts: the learner's own words."""
        outside = self.prompt
        for block in sorted(self.blocks, key=lambda b: len(b.text), reverse=True):
            outside = outside.replace(block.text, " ")
        return outside

    @cached_property
    def norm_instructions(self) -> str:
        return normalize(self.instructions)

    def wants(self, pattern: str) -> bool:
        """Whether the instructions (never the quoted source) match ``pattern``."""
        return bool(re.search(pattern, self.norm_instructions, re.I))

    @property
    def source(self) -> str | None:
        """The text to work on: the last source block (the reader's choice), else ``None``."""
        return self.reading.source or (self.blocks[-1].text if self.blocks else None)

    @property
    def rewrites_previous_answer(self) -> bool:
        """A follow-up that asks to rewrite the model's previous answer (not to redo the task on the source)."""
        return bool(self.assistants) and len(self.users) > 1 and bool(_REWRITE_ANSWER.search(self.last)) and not delimited_blocks(self.last)

    @property
    def blocks_in_last(self) -> bool:
        return bool(delimited_blocks(self.last))

    @property
    def has_labelled_question(self) -> bool:
        """A 「質問：」 / 「Q:」 line asks the question (then answering beats every other job)."""
        return bool(_QUESTION_LABEL.search(self.last) or _QUESTION_LABEL.search(self.prompt))

    @cached_property
    def question(self) -> str | None:
        """The question asked: a 「質問：」 line (latest message first), else a question sentence in the latest message."""
        labelled = list(_QUESTION_LABEL.finditer(self.last)) or list(_QUESTION_LABEL.finditer(self.prompt))
        if labelled:
            return labelled[-1].group(1).strip()
        outside = self.last
        for block in delimited_blocks(self.last):
            outside = outside.replace(block, " ")
        for sentence in reversed(split_sentences(outside)):
            if _QUESTION.search(sentence) and not _ASKS_TO_DO.search(sentence):
                return sentence
        return None


__all__ = ["Block", "Request", "named_blocks", "is_english"]
