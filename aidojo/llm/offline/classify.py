"""Classification into the labels a prompt lists, following its few-shot examples."""

from __future__ import annotations

import re

from aidojo.llm.offline import lexicon
from aidojo.text.normalize import bigram_overlap


def usable_labels(labels: list[str]) -> list[str]:
    """The reader's labels, cleaned for answering: a sentence fragment (「市民の意見を」) is not a label.

    When what is left is one 「交通・子育て・ごみ」 run, its parts are the labels.
    """
    kept = [lab for lab in labels if not re.search(r"(?:を|は|に|が|の意見|してください)$", lab)]
    if len(kept) == 1 and "・" in kept[0]:
        parts = [p.strip() for p in kept[0].split("・") if p.strip()]
        if len(parts) >= 2:
            return parts
    kept = [lab for lab in kept if len(lab) <= 15]
    return kept if len(kept) >= 2 else labels


def _label_words(label: str) -> list[str]:
    words = [label]
    for key, related in lexicon.TOPIC_WORDS.items():
        if key in label or label in key:
            words.extend(related)
    if re.search(r"ポジ|肯定|好意|良い|満足|positive|賛成", label, re.I):
        words.extend(lexicon.POSITIVE_WORDS)
    if re.search(r"ネガ|否定|不満|苦情|negative|反対|要望", label, re.I):
        words.extend(lexicon.NEGATIVE_WORDS)
    return words


def is_sentiment(labels: list[str]) -> bool:
    return any(re.search(r"ポジ|ネガ|肯定|否定|positive|negative", lab, re.I) for lab in labels)


def classify(text: str, labels: list[str], examples: list[tuple[str, str]] | None = None) -> str:
    """Pick the listed label closest to ``text``: few-shot examples first, then topic words."""
    scores: dict[str, float] = {label: 0.0 for label in labels}
    for example, label in examples or []:
        match = next((lab for lab in labels if lab == label or lab in label), None)
        if match:
            scores[match] = max(scores[match], 2.0 * bigram_overlap(example, text) * bigram_overlap(text, example) ** 0.5)
    for label in labels:
        hits = sum(1 for w in _label_words(label) if w and w in text)
        scores[label] += hits
    if is_sentiment(labels):
        pos = sum(w in text for w in lexicon.POSITIVE_WORDS)
        neg = sum(w in text for w in lexicon.NEGATIVE_WORDS)
        for label in labels:
            if re.search(r"中立|どちらでも|neutral|その他", label, re.I) and pos == neg:
                scores[label] += 0.5
    best = max(scores.values())
    if best <= 0:
        return next((lab for lab in labels if re.search(r"その他|other|不明|中立|neutral", lab, re.I)), labels[-1])
    return next(lab for lab in labels if scores[lab] == best)


def guess_topic(text: str) -> str:
    """A topic of the practice model's own choosing (no labels given): the best-matching topic word list."""
    scores = {topic: sum(w in text for w in words) + (topic in text) for topic, words in lexicon.TOPIC_WORDS.items()}
    best = max(scores.values())
    return next(t for t, s in scores.items() if s == best) if best else "その他"


_LEVELS = [
    (r"^(?:高|高い|high|大|緊急|至急|要対応|あり|有|はい|yes|true|○)$", True),
    (r"^(?:低|低い|low|小|通常|不要|なし|無|いいえ|no|false|×)$", False),
]


def level_choice(text: str, choices: list[str]) -> str | None:
    """For 「"高"か"低"」-like choices: the high one when the text is urgent, the low one otherwise (``None`` if not levels)."""
    high = next((c for c in choices if re.search(_LEVELS[0][0], c.strip(), re.I)), None)
    low = next((c for c in choices if re.search(_LEVELS[1][0], c.strip(), re.I)), None)
    if not high or not low:
        return None
    urgent = sum(w in text for w in lexicon.URGENT_WORDS)
    if urgent:
        return high
    middle = next((c for c in choices if re.search(r"^(?:中|普通|medium|mid)$", c.strip(), re.I)), None)
    if middle and any(w in text for w in lexicon.NEGATIVE_WORDS):
        return middle
    return low


__all__ = ["classify", "guess_topic", "usable_labels", "is_sentiment", "level_choice"]
