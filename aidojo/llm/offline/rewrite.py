"""Rewrites: やさしい日本語, a polite reply that promises nothing, and plain words for an earlier answer."""

from __future__ import annotations

import re

from aidojo.llm.offline import lexicon
from aidojo.llm.offline.facts import western_year
from aidojo.llm.offline.summary import summarize
from aidojo.text.normalize import split_sentences


def _replace_words(text: str, words: dict[str, str]) -> str:
    for hard, easy in sorted(words.items(), key=lambda kv: -len(kv[0])):
        text = text.replace(hard, easy)
    return text


def _cut(text: str, limit: int | None) -> str:
    """Whole lines (then whole sentences) within ``limit`` characters."""
    if not limit or len(text) <= limit:
        return text
    kept: list[str] = []
    for line in text.splitlines():
        if len("\n".join([*kept, line])) > limit:
            break
        kept.append(line)
    return "\n".join(kept) if kept else text[: limit - 1] + "…"


def easy_japanese(text: str, limit: int | None = None) -> str:
    """やさしい日本語: 西暦, hard words replaced from the word list, one short sentence per line.

    Dates, weekdays and times are kept as written (令和9年 becomes 2027年, the same year).
    """
    out = []
    for s in split_sentences(western_year(text)):
        s = _replace_words(s, lexicon.EASY_WORDS)
        for part in re.split(r"(?<=[がでてし])、", s):
            part = part.strip("、 　")
            if part:
                out.append(part if part.endswith(("。", "！", "？")) else part + "。")
    return _cut("\n".join(out), limit)


def plain_words(text: str) -> str:
    """Officials' words replaced by everyday ones (専門用語 → 言い換え), 令和 → 西暦."""
    return _replace_words(western_year(text), lexicon.PLAIN_WORDS)


def plain_rewrite(text: str, limit: int | None = None, items: int | None = None, bullets: bool = False, *, qa: bool = False,
                  shorter: bool = False) -> str:
    """An earlier answer in plain words (専門用語 → everyday words), shortened to the limit (or as Q&A pairs)."""
    cut_tail = re.sub(r"[（(]以下[^)）]*[)）]", "", text)
    plain = plain_words(cut_tail)
    if qa:
        return qa_pairs(plain, items or 3)
    if shorter and not (limit or items):
        items = max(1, len(split_sentences(plain)) // 2)
    if limit or items or bullets:
        return summarize(plain, items=items, limit=limit, bullets=bullets)
    return plain


def qa_pairs(text: str, n: int = 3) -> str:
    """「Q. …は？ A. …」 pairs, one per sentence of ``text`` (the topic of each sentence becomes the question)."""
    out = []
    for i, s in enumerate(split_sentences(text)[:n], 1):
        m = re.match(r"(.{2,30}?)(?:は|が)、?", s)
        topic = m.group(1) if m else s[:15]
        out.append(f"Q{i}. {topic}は、どうなりますか？\nA{i}. {s}")
    return "\n".join(out)


def _department(role_text: str) -> str | None:
    m = re.search(r"((?:みどり市)?[\u4e00-\u9fff\u30a0-\u30ff]{1,12}?(?:課|室|係|センター))(?:の|で)", role_text)
    return m.group(1) if m else None


def _topic(inquiry: str) -> str:
    """The citizen's situation in a few words: the first sentence, shortened."""
    first = split_sentences(inquiry)[0] if split_sentences(inquiry) else inquiry
    first = re.sub(r"[（(][^）)]*[)）]", "", first).rstrip("。")
    return first if len(first) <= 50 else first[:49] + "…"


def polite_reply(inquiry: str, limit: int | None = None, *, instructions: str = "") -> str:
    """A reply in 敬語: thanks, an apology when the citizen had to ask again, the topic, a promise only to check."""
    department = _department(instructions)
    lines = [lexicon.POLITE_OPENING + (f"{department}でございます。" if department else "")]
    if re.search(r"何度も|再三|まだ何も|いまだに|一向に", inquiry):
        lines.append("何度もご連絡をいただいているにもかかわらず、ご心配とご不便をおかけしており、申し訳ございません。")
    lines.append(f"「{_topic(inquiry)}」とのこと、お困りの状況をお知らせいただき、ありがとうございます。")
    asks = [s for s in split_sentences(inquiry) if re.search(r"ますか|でしょうか|ませんか|ください|ほしい", s)]
    if asks:
        lines.append("お尋ねの点につきましては、現地の状況や関係者の確認を行ったうえで、担当から改めてご連絡いたします。"
                     "現時点では、対応の内容や時期についてお約束することができませんので、ご了承ください。")
    else:
        lines.append("いただいた内容は、担当部署で確認のうえ、改めてご連絡いたします。")
    lines.append(f"ご不明な点がございましたら、{department or '担当'}までお問い合わせください。")
    body = "\n".join(lines)
    return _cut(body, limit)


__all__ = ["easy_japanese", "plain_words", "plain_rewrite", "qa_pairs", "polite_reply"]
