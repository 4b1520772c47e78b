"""The offline practice model: deterministic, explainable answers computed from the prompt itself.

It is not a language model. It reads the prompt (``aidojo.text.prompt_parse``) and does one of a
few honest jobs on the text it was given: extractive summaries, classification into listed labels,
JSON with the requested keys, answers grounded in a given context (or a handoff), simple rewrites,
and otherwise a mirror that names the prompt elements it found. Same input, same output.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from dataclasses import dataclass

from aidojo.llm.offline import lexicon
from aidojo.text.normalize import bigram_overlap, char_bigrams, content_bigrams, normalize, split_sentences
from aidojo.text.prompt_parse import (
    ELEMENT_LABELS,
    PromptReading,
    delimited_blocks,
    json_example,
    json_keys,
    listed_labels,
    read_prompt,
)

MODEL_NAME = "aidojo-offline-practice"
HANDOFF_REPLY = "分かりません。担当者に引き継ぎます。"
HANDOFF_REPLY_EN = "I don't know. I will hand you over to a staff member."
GREETING = "こんにちは。練習用オフラインモデルです。役割・目的/背景・指示・制約・出力形式をそろえたプロンプトを送ってみてください。"
GREETING_EN = "Hello. This is the offline practice model. Try a prompt with a role, purpose, instruction, constraints and output format."
NO_SOURCE_NOTE = "（練習用オフラインモデル：資料が示されていないため、事実についての質問には答えられません。）"

_QUESTION = re.compile(r"[?？]|ですか|ますか|でしょうか|か。|教えて|知りたい|^(?:what|how|when|where|why|who|which|can|is|are|do|does)\b", re.I)
_QUESTION_LABEL = re.compile(r"(?:^|\n)\s*[#＃]*\s*(?:質問|問い|question|q)\s*[:：]\s*(.+)", re.I)
_CONTEXT_WORDS = re.compile(r"資料|参考|根拠|出典|context|faq|マニュアル|規程|要綱|以下の情報|次の情報|下記", re.I)
_CITE_TAG = re.compile(r"(\[[^\[\]\n]{1,30}\]|【[^【】\n]{1,30}】|\((?:出典|source)[:：][^)\n]{1,40}\))")


@dataclass(frozen=True)
class Reply:
    """What the practice model answers, and which job it did (for the lessons to show)."""

    text: str
    task: str
    finish_reason: str = "stop"


def is_english(text: str) -> bool:
    """Whether a text is mostly ASCII letters (then the model answers in English)."""
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return False
    return sum(c.isascii() for c in letters) / len(letters) > 0.8


def _content(message: dict) -> str:
    content = message.get("content") or ""
    if isinstance(content, list):  # content parts
        return "\n".join(p.get("text", "") for p in content if isinstance(p, dict))
    return str(content)


def respond(messages: list[dict], *, json_mode: bool = False, max_chars: int | None = None) -> Reply:
    """Answer a chat conversation deterministically (the practice model's whole behaviour)."""
    system = "\n".join(_content(m) for m in messages if m.get("role") in ("system", "developer"))
    users = [_content(m) for m in messages if m.get("role") == "user"]
    last = users[-1] if users else ""
    prompt = "\n\n".join(p for p in (system, last) if p)
    # A short follow-up ("もっと短く", "3点にして") refines the previous request.
    if len(users) > 1 and not delimited_blocks(last) and len(last) < 80:
        prompt = "\n\n".join(p for p in (system, users[-2], last) if p)
    reply = _dispatch(prompt, last, json_mode)
    if max_chars is not None and len(reply.text) > max_chars:
        return Reply(reply.text[:max_chars], reply.task, "length")
    return reply


def _dispatch(prompt: str, last: str, json_mode: bool) -> Reply:
    reading = read_prompt(prompt)
    # Instructions in the latest message win over earlier ones.
    latest = read_prompt(last)
    if latest.limit_chars:
        reading.limit_chars = latest.limit_chars
    if latest.items:
        reading.items = latest.items
    norm = normalize(prompt)
    english = is_english(last or prompt)

    if json_mode or re.search(r"\bjson\b", norm):
        return Reply(json.dumps(_json_reply(prompt, reading, last), ensure_ascii=False), "json")
    # Labels and classification cues count only in the instructions, never inside the quoted source.
    instructions = _outside_source(prompt, reading)
    labels = listed_labels(instructions)
    if labels and re.search(r"分類|判定|いずれか|どれか|どちらか|選んで|ラベル|カテゴリ|classify|label|category", normalize(instructions)):
        return Reply(classify(_target_text(prompt, reading), labels, reading.examples), "classify")
    question = _question(prompt, last, reading)
    context = reading.source if reading.source and reading.source != question else None
    if context is None and _CONTEXT_WORDS.search(prompt):
        context = _context_after_label(prompt)
    if question and context:
        return Reply(grounded_answer(question, context, english=english), "grounded")
    if re.search(r"やさしい日本語|易しい日本語|わかりやすく書き|分かりやすく書き|plain japanese", norm) and reading.source:
        return Reply(easy_japanese(reading.source, reading.limit_chars), "easy_japanese")
    if re.search(r"返信|回答文|返事|お返事|reply", norm) and re.search(r"敬語|丁寧|問い合わせ|市民|住民|reply|polite", norm) and reading.source:
        return Reply(polite_reply(reading.source, reading.limit_chars), "reply")
    if re.search(r"要約|まとめ|要点|箇条書き|議事録|決定事項|アクション|抜き出|抽出|summar|key points|minutes|action items", norm) and (
        reading.source or len(prompt) > 200
    ):
        source = reading.source or prompt
        sections = _requested_sections(norm)
        if sections:
            return Reply(sectioned_summary(source, sections), "sections")
        return Reply(summarize(source, reading.items, reading.limit_chars, reading.bullets, english=english), "summary")
    if len(normalize(prompt).strip()) <= 12 and not question:
        return Reply(GREETING_EN if english else GREETING, "greeting")
    if question and not context:
        return Reply(NO_SOURCE_NOTE + "\n\n" + mirror(prompt, english=english), "no_source")
    return Reply(mirror(prompt, english=english), "mirror")


# --- summaries -------------------------------------------------------------------------------


def _rank_sentences(sentences: list[str]) -> list[int]:
    """Sentence indices, most central first (bigram frequency, short-sentence penalty, lead bonus)."""
    counts: Counter[str] = Counter()
    for s in sentences:
        counts.update(set(char_bigrams(s)))
    scores = []
    for i, s in enumerate(sentences):
        grams = set(char_bigrams(s))
        if not grams:
            scores.append((-1.0, i))
            continue
        weight = sum(math.log(1 + counts[g]) for g in grams) / math.sqrt(len(grams))
        weight += 0.5 if i == 0 else 0.0
        scores.append((weight, i))
    return [i for _, i in sorted(scores, key=lambda t: (-t[0], t[1]))]


def summarize(text: str, items: int | None = None, limit: int | None = None, bullets: bool = False, *, english: bool = False) -> str:
    """Extractive summary: the most central sentences in their original order, within the limits."""
    sentences = list(dict.fromkeys(split_sentences(text)))  # a repeated sentence is said once
    if not sentences:
        return ""
    n = items or (3 if bullets or len(sentences) > 4 else max(1, len(sentences) // 2))
    order = _rank_sentences(sentences)
    prefix = "・" if bullets or (items or 0) > 1 else ""
    chosen: list[int] = []
    used = 0
    for i in order:
        if len(chosen) >= n:
            break
        cost = len(prefix) + len(sentences[i]) + 1
        if limit and used + cost > limit:
            continue
        chosen.append(i)
        used += cost
    if not chosen:  # even the best sentence is too long: cut it at the limit.
        best = sentences[order[0]]
        room = max(1, (limit or len(best)) - len(prefix) - 1)
        return prefix + (best[:room] + "…" if len(best) > room else best)
    picked = [sentences[i] for i in sorted(chosen)]
    if prefix:
        return "\n".join(prefix + s for s in picked)
    sep = " " if english else ""
    return sep.join(picked)


_SECTION_WORDS: list[tuple[str, str, list[str]]] = [
    ("決定事項", r"決定事項|決まったこと|決定した|decisions?", lexicon.DECISION_WORDS),
    ("アクション項目", r"アクション|todo|to do|宿題|やること|担当.{0,4}期限|action items?", lexicon.ACTION_WORDS),
    ("未決事項", r"未決|持ち越し|課題|論点|open questions?|検討事項", lexicon.OPEN_WORDS),
]


def _requested_sections(norm_prompt: str) -> list[tuple[str, list[str]]]:
    return [(title, words) for title, pat, words in _SECTION_WORDS if re.search(pat, norm_prompt)]


def sectioned_summary(text: str, sections: list[tuple[str, list[str]]]) -> str:
    """Minutes-style output: for each requested section, the sentences that carry its cue words."""
    sentences = split_sentences(text)
    out: list[str] = []
    used: set[int] = set()
    for title, words in sections:
        lines = []
        for i, s in enumerate(sentences):
            if i not in used and any(w in s for w in words):
                lines.append("・" + s)
                used.add(i)
        out.append(f"【{title}】")
        out.extend(lines or ["・（該当する発言は見つかりませんでした）"])
    return "\n".join(out)


# --- classification --------------------------------------------------------------------------


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
    if _is_sentiment(labels):
        pos = sum(w in text for w in lexicon.POSITIVE_WORDS)
        neg = sum(w in text for w in lexicon.NEGATIVE_WORDS)
        for label in labels:
            if re.search(r"中立|どちらでも|neutral|その他", label, re.I) and pos == neg:
                scores[label] += 0.5
    best = max(scores.values())
    if best <= 0:
        fallback = next((lab for lab in labels if re.search(r"その他|other|不明|中立|neutral", lab, re.I)), labels[-1])
        return fallback
    return next(lab for lab in labels if scores[lab] == best)


def _is_sentiment(labels: list[str]) -> bool:
    return any(re.search(r"ポジ|ネガ|肯定|否定|positive|negative", lab, re.I) for lab in labels)


def _outside_source(prompt: str, reading: PromptReading) -> str:
    """The prompt without its delimited blocks and labelled source section (the instructions)."""
    outside = prompt
    for block in delimited_blocks(prompt):
        outside = outside.replace(block, " ")
    if reading.source and len(reading.source) > 40:
        outside = outside.replace(reading.source, " ")
    return outside


def _target_text(prompt: str, reading: PromptReading) -> str:
    if reading.source:
        return reading.source
    lines = [ln for ln in prompt.strip().splitlines() if ln.strip()]
    return lines[-1] if lines else prompt


# --- grounded answers ------------------------------------------------------------------------


def _question(prompt: str, last: str, reading: PromptReading) -> str | None:
    labelled = list(_QUESTION_LABEL.finditer(last)) or list(_QUESTION_LABEL.finditer(prompt))
    if labelled:
        return labelled[-1].group(1).strip()
    outside = last
    for block in delimited_blocks(last):
        outside = outside.replace(block, " ")
    for s in reversed(split_sentences(outside)):
        if _QUESTION.search(s) and not re.search(r"してください|要約|分類|まとめ|summari[sz]e|classify", s, re.I):
            return s
    return None


def _context_after_label(prompt: str) -> str | None:
    m = re.search(r"(?:資料|参考|context|faq|マニュアル|以下の情報|次の情報|下記)[^\n]*\n(.+)", prompt, re.S | re.I)
    return m.group(1).strip() if m else None


def _passages(context: str) -> list[tuple[str, str | None]]:
    """Context lines with the nearest citation tag before or in them ([1], 【FAQ-3】, (出典: …)).

    A line holding only a tag and a source label ("[2] manual.md > 14. 自動車の保有") labels the lines
    that follow; it is not itself a passage to quote.
    """
    out: list[tuple[str, str | None]] = []
    tag: str | None = None
    for line in context.splitlines():
        if not line.strip():
            continue
        m = _CITE_TAG.search(line)
        if m:
            tag = m.group(1)
            if m.start() < 3 and not re.search(r"[。!?！？]", line[m.end():]):
                continue  # a label line: tag + source name, no sentence
        for s in split_sentences(line):
            out.append((s, tag))
    return out


def grounded_answer(question: str, context: str, *, english: bool = False, threshold: float = 0.5) -> str:
    """Quote the context's best-matching sentence with its citation, or hand off when none matches.

    Matching uses the question's content bigrams (no hiragana): the share of them found in a sentence.
    """
    passages = _passages(context)
    asked = re.sub(r"何[日時人円回歳個件階番分年月]?|いつ|どこ|どれ|いくら|どのくらい|どう", " ", question)  # question words match nothing
    q_grams = content_bigrams(asked) or set(char_bigrams(asked)) or set(char_bigrams(question))
    # Bigrams found in many sentences (the document's topic) tell less than rare ones: pick by IDF weight.
    sentence_grams = [set(char_bigrams(sentence)) for sentence, _ in passages]
    n = len(passages)
    idf = {g: math.log((n + 1) / (1 + sum(g in grams for grams in sentence_grams)) + 1) for g in q_grams}
    best, best_weight, best_score = None, 0.0, 0.0
    for i, (sentence, tag) in enumerate(passages):
        grams = sentence_grams[i]
        if not q_grams or not grams:
            continue
        matched = q_grams & grams
        best_score = max(best_score, len(matched) / len(q_grams))  # coverage decides answer vs handoff
        weight = sum(idf[g] for g in matched)
        # A FAQ question line answers with the line that follows it.
        if re.match(r"^\s*(?:\[[^\]]*\]\s*|【[^】]*】\s*)?(?:q|問|質問)\s*[\d.:：]", normalize(sentence)) and i + 1 < len(passages):
            sentence, tag = passages[i + 1][0], passages[i + 1][1] or tag
        if weight > best_weight:
            best, best_weight = (sentence, tag), weight
    if best is None or best_score < threshold:
        return HANDOFF_REPLY_EN if english else HANDOFF_REPLY
    sentence, tag = best
    sentence = _CITE_TAG.sub("", sentence).strip()
    sentence = re.sub(r"^(?:a|答|回答)\s*[\d.:：]+\s*", "", sentence, flags=re.I)
    if english:
        return f'According to the source: "{sentence}"' + (f" {tag}" if tag else "")
    return f"資料によると「{sentence}」とあります。" + (f"（出典：{tag}）" if tag else "（出典：与えられた資料）")


# --- rewrites --------------------------------------------------------------------------------


def easy_japanese(text: str, limit: int | None = None) -> str:
    """やさしい日本語: one idea per short sentence, hard words replaced from a small list."""
    out = []
    for s in split_sentences(text):
        for hard, easy in sorted(lexicon.EASY_WORDS.items(), key=lambda kv: -len(kv[0])):
            s = s.replace(hard, easy)
        for part in re.split(r"(?<=[がでてし])、", s):
            part = part.strip("、 ")
            if part:
                out.append(part if part.endswith(("。", "！", "？")) else part + "。")
    result = "\n".join(out)
    return result[:limit] if limit else result


def polite_reply(inquiry: str, limit: int | None = None) -> str:
    """A template reply in 敬語 that restates the inquiry's topic and promises only to check."""
    topic = summarize(inquiry, items=1, limit=60)
    body = (
        f"{lexicon.POLITE_OPENING}\n"
        f"「{topic}」の件につきまして、担当部署で内容を確認のうえ、改めてご連絡いたします。\n"
        f"{lexicon.POLITE_CLOSING}"
    )
    return body[:limit] if limit else body


# --- JSON ------------------------------------------------------------------------------------


def _json_reply(prompt: str, reading: PromptReading, last: str = "") -> dict:
    example = json_example(prompt) or {}
    keys = list(example) or json_keys(prompt) or ["answer"]
    # The text to analyse: a quoted or labelled block, else the latest user message (not the system prompt).
    source = read_prompt(last).source or reading.source or (last if last and not json_example(last) else prompt)
    out: dict = {}
    for key in keys:
        out[key] = _json_value(key, example.get(key), source, prompt, reading)
    return out


def _json_value(key: str, example, source: str, prompt: str, reading: PromptReading):
    k = normalize(key)
    sentences = split_sentences(source)
    if isinstance(example, bool):
        return bool(sentences)
    if isinstance(example, (int, float)) and not isinstance(example, bool):
        return len(sentences)
    if re.search(r"categor|カテゴリ|分類|label|ラベル|class|種別|区分|topic|分野", k):
        return classify(source, reading.labels, reading.examples) if reading.labels else _guess_topic(source)
    if re.search(r"sentiment|感情|ポジネガ|評価|tone|印象", k):
        labels = reading.labels if _is_sentiment(reading.labels) else ["ポジティブ", "ネガティブ", "中立"]
        return classify(source, labels)
    if re.search(r"summary|要約|概要|まとめ", k):
        return summarize(source, items=1, limit=reading.limit_chars or 120)
    if re.search(r"reason|理由|根拠", k):
        return sentences[0] if sentences else ""
    if re.search(r"decision|決定", k):
        return [s for s in sentences if any(w in s for w in lexicon.DECISION_WORDS)]
    if re.search(r"action|todo|アクション|宿題|タスク", k):
        return [s for s in sentences if any(w in s for w in lexicon.ACTION_WORDS)]
    if re.search(r"keyword|キーワード|tags?|タグ", k):
        return _keywords(source)
    if re.search(r"date|日付|期限|日時|deadline", k):
        m = re.search(r"\d{1,4}[年/.-]\d{1,2}[月/.-]\d{1,2}日?|\d{1,2}月\d{1,2}日", normalize(source))
        return m.group(0) if m else ""
    if re.search(r"name|氏名|名前|担当者", k):
        m = re.search(r"([\u4e00-\u9fff]{1,4}(?:\s?[\u4e00-\u9fff]{1,4})?)(?:さん|様|氏|課長|係長|部長)", source)
        return m.group(1) if m else ""
    if isinstance(example, list):
        return sentences[: reading.items or 3]
    best = max(sentences, key=lambda s: bigram_overlap(key, s), default="")
    return best if bigram_overlap(key, best) > 0 else (sentences[0] if sentences else "")


def _guess_topic(text: str) -> str:
    scores = {topic: sum(w in text for w in words) + (topic in text) for topic, words in lexicon.TOPIC_WORDS.items()}
    best = max(scores.values())
    return next(t for t, s in scores.items() if s == best) if best else "その他"


def _keywords(text: str, n: int = 5) -> list[str]:
    runs = re.findall(r"[\u4e00-\u9fff]{2,}|[\u30a0-\u30ff]{3,}|[A-Za-z]{4,}", text)
    return [w for w, _ in Counter(runs).most_common(n)]


# --- the mirror ------------------------------------------------------------------------------

_ELEMENT_HINTS_JA = {
    "role": "「あなたは市役所の広報担当です」のように、AIの立場を決めましょう。",
    "purpose": "何のために・誰に向けた文章かなど、目的や背景を書きましょう。",
    "instruction": "「〜を作成してください」のように、してほしいことを一つの文ではっきり書きましょう。",
    "constraints": "文字数や「資料にないことは書かない」など、守ってほしい条件を書きましょう。",
    "output_format": "箇条書き・表・見出しなど、答えの形を指定しましょう。",
}
_ELEMENT_NAMES_EN = {
    "role": "Role",
    "purpose": "Purpose/background",
    "instruction": "Instruction",
    "constraints": "Constraints",
    "output_format": "Output format",
}


def mirror(prompt: str, *, english: bool = False) -> str:
    """Name the prompt elements found (with the phrase that shows each) and what is missing."""
    elements = read_prompt(prompt).elements
    found = [e for e in elements.values() if e.present]
    if english:
        lines = ["(Offline practice model) Elements found in your prompt:"]
        for e in elements.values():
            mark = "✅" if e.present else "❌"
            lines.append(f"{mark} {_ELEMENT_NAMES_EN[e.key]}: " + (f'"{e.evidence}"' if e.present else "not found"))
        lines.append(f"{len(found)} of 5 elements. A real model would now answer your request.")
        return "\n".join(lines)
    lines = ["（練習用オフラインモデルの応答）このプロンプトから読み取れた要素："]
    for e in elements.values():
        if e.present:
            lines.append(f"✅ {e.label}：「{e.evidence}」")
        else:
            lines.append(f"❌ {e.label}：見つかりません — {_ELEMENT_HINTS_JA[e.key]}")
    lines.append(f"5つの要素のうち{len(found)}つが含まれています。本物のAIなら、ここで依頼に答えます。")
    return "\n".join(lines)


__all__ = [
    "MODEL_NAME",
    "HANDOFF_REPLY",
    "ELEMENT_LABELS",
    "Reply",
    "respond",
    "summarize",
    "classify",
    "grounded_answer",
    "easy_japanese",
    "polite_reply",
    "mirror",
]
