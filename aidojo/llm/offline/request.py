"""What the practice model reads off a chat request: instructions, sources and the question, wherever they sit.

The prompt's structure (the material blocks with their labels, the writer's own words, the five elements,
limits, labels, examples) comes from the ONE reader, :func:`aidojo.text.prompt_parse.read_prompt`; this module
only decides which messages to read together (system + user, a follow-up with the request it refines).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property

from aidojo.text.normalize import normalize, split_sentences
from aidojo.text.prompt_layout import Block
from aidojo.text.prompt_parse import PromptReading, delimited_blocks, read_prompt

# A refinement of the previous request (「3点の箇条書きにしてください」「もっと短く」「専門用語を使わず書き直して」).
_REFINE = re.compile(
    r"短く|長く|詳しく|箇条書き|\d+\s*(?:点|つ|項目|行|文字|字)|書き直|言い換え|やさしく|分かりやすく|わかりやすく|"
    r"専門用語|敬語|丁寧に|表に|表で|もう一度|修正|直して|shorter|bullet|rewrite|simpler",
    re.I,
)
_REWRITE_ANSWER = re.compile(r"書き直|言い換え|言いかえ|説明し直|やさしく|やさしい|易しい|分かりやすく|わかりやすく|分かる|わかる|専門用語|用語|"
                             r"かみくだ|噛み砕|難し|平易|直して|rewrite|simpler|plain", re.I)
_QUESTION = re.compile(
    r"[?？]|ですか|ますか|でしょうか|ませんか|か。$|教えて|知りたい|^(?:what|how|when|where|why|who|which|can|is|are|do|does)\b", re.I)
_QUESTION_LABEL = re.compile(r"(?:^|\n)\s*[#＃]*\s*(?:質問|問い|question|q)\s*[:：]\s*(.+)", re.I)
_ASKS_TO_DO = re.compile(r"してください|して下さい|要約|分類|まとめ|作成|書いて|書き換え|直して|抜き出|summari[sz]e|classify|write", re.I)


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
    def from_messages(cls, messages: list[dict]) -> Request:
        system = "\n".join(_content(m) for m in messages if m.get("role") in ("system", "developer"))
        users = [_content(m) for m in messages if m.get("role") == "user"]
        assistants = [_content(m) for m in messages if m.get("role") == "assistant"]
        last = users[-1] if users else ""
        short = len(users) > 1 and not delimited_blocks(last) and len(last) < 150 and not _QUESTION_LABEL.search(last)
        follow_up = short and (bool(_REFINE.search(last)) or not _QUESTION.search(last))
        return cls(system, users, assistants, follow_up)

    @property
    def last(self) -> str:
        return self.users[-1] if self.users else ""

    @property
    def english(self) -> bool:
        return is_english(self.last or self.prompt)

    @property
    def blocks(self) -> list[Block]:
        """The quoted material, each with the label it was given (「資料」「下書き」「要件」, '' when unnamed)."""
        return self.reading.blocks

    @property
    def instructions(self) -> str:
        """The writer's own words: the prompt without its material."""
        return self.reading.instructions

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
        """A follow-up that reworks the model's previous answer: asked in plain words, or the earlier request had no material.

        (「3点の箇条書きにして」 after a summary of a pasted record redoes the summary on the record instead.)
        """
        if not (self.follow_up and self.assistants):
            return False
        earlier_material = read_prompt(self.users[-2]).blocks
        return bool(_REWRITE_ANSWER.search(self.last)) or not earlier_material

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


__all__ = ["Block", "Request", "is_english"]
