"""JSON replies with the keys the prompt asks for, each value within the choices the prompt lists for it."""

from __future__ import annotations

import re
from collections import Counter

from aidojo.llm.offline import lexicon
from aidojo.llm.offline.classify import classify, guess_topic, is_sentiment, level_choice, usable_labels
from aidojo.llm.offline.request import Request
from aidojo.llm.offline.summary import summarize
from aidojo.text.normalize import bigram_overlap, normalize, split_sentences
from aidojo.text.prompt_parse import json_example, json_keys, length_limit, listed_labels, read_prompt

_QUOTED = re.compile(r"[「『\"“]([^「」『』\"”\n]{1,15})[」』\"”]")


def key_choices(instructions: str, key: str, example_value=None) -> list[str]:
    """The values a prompt allows for ``key``: 「category は「ごみ」「子育て」…のいずれか」, 「緊急度は"高"か"低"」, "高|中|低"."""
    if isinstance(example_value, str) and re.search(r"[|/｜／]", example_value) and len(example_value) <= 40:
        parts = [p.strip() for p in re.split(r"[|/｜／]", example_value) if p.strip()]
        if 2 <= len(parts) <= 8:
            return parts
    for line in re.split(r"\n|(?<=。)", instructions):
        pos = line.find(key)
        if pos < 0 or "{" in line:
            continue
        tail = line[pos + len(key):]
        quoted = [q for q in _QUOTED.findall(tail)]
        if len(quoted) >= 2:
            return list(dict.fromkeys(quoted))
        labels = usable_labels(listed_labels(tail)) if listed_labels(tail) else []
        if len(labels) >= 2:
            return labels
        m = re.search(r"[はを:：]\s*([^\s、。]{1,6})(?:か|または|or)([^\s、。]{1,6})(?:の(?:どちらか|いずれか)|で)", tail)
        if m:
            return [m.group(1), m.group(2)]
    return []


def _bool_value(key: str, description: str, text: str) -> bool:
    k = normalize(key + " " + description)
    if re.search(r"urgent|緊急|危険|至急|要対応|priority|重要", k):
        listed = re.split(r"など|なら|場合", description.split(key, 1)[-1])[0]
        words = lexicon.URGENT_WORDS + [w.strip(" はがをの、") for w in re.split(r"[・、,，]", listed) if 1 < len(w.strip(" はがをの、")) <= 6]
        return any(w in text for w in words)
    if re.search(r"pii|個人情報|personal", k):
        return bool(re.search(r"\d{2,4}-\d{2,4}-\d{3,4}|@|様|さん", text))
    if re.search(r"handoff|引き継|human|職員", k):
        return not split_sentences(text)
    return bool(split_sentences(text))


def _key_line(instructions: str, key: str) -> str:
    return next((ln for ln in re.split(r"\n|(?<=。)", instructions) if key in ln and "{" not in ln), "")


def _value(key: str, example, text: str, req: Request):
    k = normalize(key)
    description = _key_line(req.instructions, key)
    sentences = split_sentences(text)
    choices = key_choices(req.instructions, key, example)
    if choices:
        if (level := level_choice(text, choices)) is not None:
            return level
        if is_sentiment(choices):
            return classify(text, choices)
        return classify(text, choices, req.reading.examples)
    if isinstance(example, bool) or re.search(r"(?:^|_)(?:is|has)_|urgent|flag", k):
        return _bool_value(key, description, text)
    if isinstance(example, (int, float)) and not isinstance(example, bool):
        return len(sentences)
    if re.search(r"categor|カテゴリ|分類|label|ラベル|class|種別|区分|topic|分野", k):
        labels = usable_labels(req.reading.labels) if req.reading.labels else []
        return classify(text, labels, req.reading.examples) if labels else guess_topic(text)
    if re.search(r"sentiment|感情|ポジネガ|評価|tone|印象", k):
        return classify(text, ["ポジティブ", "ネガティブ", "中立"])
    if re.search(r"summary|要約|概要|まとめ", k):
        limit = length_limit(str(example or "")) or length_limit(description) or req.reading.limit_chars or 120
        return summarize(text, items=1, limit=limit)
    if re.search(r"reason|理由|根拠", k):
        return sentences[0] if sentences else ""
    if re.search(r"decision|決定", k):
        return [s for s in sentences if any(w in s for w in lexicon.DECISION_WORDS)]
    if re.search(r"action|todo|アクション|宿題|タスク", k):
        return [s for s in sentences if any(w in s for w in lexicon.ACTION_WORDS)]
    if re.search(r"keyword|キーワード|tags?|タグ", k):
        return _keywords(text)
    if re.search(r"date|日付|期限|日時|deadline", k):
        m = re.search(r"\d{1,4}[年/.-]\d{1,2}[月/.-]\d{1,2}日?|\d{1,2}月\d{1,2}日", normalize(text))
        return m.group(0) if m else ""
    if re.search(r"name|氏名|名前|担当者", k):
        m = re.search(r"([\u4e00-\u9fff]{1,4}(?:\s?[\u4e00-\u9fff]{1,4})?)(?:さん|様|氏|課長|係長|部長)", text)
        return m.group(1) if m else ""
    if isinstance(example, list):
        return sentences[: req.reading.items or 3]
    best = max(sentences, key=lambda s: bigram_overlap(key, s), default="")
    return best if bigram_overlap(key, best) > 0 else (sentences[0] if sentences else "")


def _keywords(text: str, n: int = 5) -> list[str]:
    runs = re.findall(r"[\u4e00-\u9fff]{2,}|[\u30a0-\u30ff]{3,}|[A-Za-z]{4,}", text)
    return [w for w, _ in Counter(runs).most_common(n)]


def json_reply(req: Request) -> dict:
    """The JSON object: the example's keys (or the listed keys), values computed from the text to analyse."""
    example = json_example(req.prompt) or {}
    keys = list(example) or json_keys(req.prompt) or ["answer"]
    # The text to analyse: a block in the latest message, else the reader's source, else the latest message itself.
    last_source = read_prompt(req.last).source
    text = last_source or req.reading.source or (req.last if req.last and not json_example(req.last) else req.prompt)
    return {key: _value(key, example.get(key), text, req) for key in keys}


__all__ = ["json_reply", "key_choices"]
