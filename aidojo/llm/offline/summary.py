"""Extractive summaries within the limits asked for, and minutes split into decisions, actions and open points."""

from __future__ import annotations

import math
import re
from collections import Counter

from aidojo.llm.offline import lexicon
from aidojo.llm.offline.facts import DATE
from aidojo.text.normalize import char_bigrams, split_sentences

_IMPORTANT = re.compile(r"最も|いちばん|一番|特に|多く|重要|必ず|決定|合意|までに|期限|報告する|\d+\s*(?:名|人|件)")
_METADATA = re.compile(r"^[^\s:：。]{1,8}\s*[:：]|^(?:日時|場所|参加|出席|記録|作成)")


def _rank_sentences(sentences: list[str]) -> list[int]:
    """Sentence indices, most important first.

    Centrality (shared bigrams), a bonus for importance cues (「最も多く」「7名」) and for the first content
    sentence, a penalty for header lines (「日時：…」, a title without a full stop).
    """
    counts: Counter[str] = Counter()
    for s in sentences:
        counts.update(set(char_bigrams(s)))
    first_content = next((i for i, s in enumerate(sentences) if not _METADATA.search(s) and s.endswith("。")), 0)
    scores = []
    for i, s in enumerate(sentences):
        grams = set(char_bigrams(s))
        if not grams:
            scores.append((-1.0, i))
            continue
        weight = sum(math.log(1 + counts[g]) for g in grams) / math.sqrt(len(grams))
        weight += 0.6 if i == first_content else 0.0
        weight += 0.8 if _IMPORTANT.search(s) else 0.0
        if _METADATA.search(s) or (not re.search(r"[。．.!?！？]$", s) and len(sentences) > 3):
            weight -= 1.5
        scores.append((weight, i))
    return [i for _, i in sorted(scores, key=lambda t: (-t[0], t[1]))]


def compress(sentence: str) -> str:
    """A sentence said in fewer characters: no parentheses, no leading 「〜は、」 topic, shorter words."""
    out = re.sub(r"[（(][^）)]*[)）]", "", sentence)
    out = re.sub(r"^[^、。]{1,12}?は、", "", out)
    for long, short in lexicon.SHORT_WORDS.items():
        out = out.replace(long, short)
    return out


def summarize(text: str, items: int | None = None, limit: int | None = None, bullets: bool = False, *, english: bool = False) -> str:
    """Extractive summary: the most important sentences in their original order, within the limits."""
    sentences = list(dict.fromkeys(split_sentences(text)))  # a repeated sentence is said once
    if not sentences:
        return ""
    n = items or (3 if bullets or len(sentences) > 4 else max(1, len(sentences) // 2))
    if limit and not items:
        n = max(n, 5)  # a character limit alone: as many sentences as fit
    order = _rank_sentences(sentences)
    prefix = "・" if bullets or (items or 0) > 1 else ""
    chosen: list[int] = []
    used = 0
    for i in order:
        if len(chosen) >= n:
            break
        cost = len(prefix) + len(sentences[i]) + 1
        if limit and used + cost > limit and not chosen and len(prefix) + len(compress(sentences[i])) + 1 <= limit:
            sentences[i] = compress(sentences[i])  # the most important sentence, said shorter
            cost = len(prefix) + len(sentences[i]) + 1
        if limit and used + cost > limit:
            continue
        if limit and not items and (_METADATA.search(sentences[i]) or not re.search(r"[。．.!?！？]$", sentences[i])):
            continue  # header lines (「日時：…」, a title) only when counted items were asked for
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


# --- minutes ------------------------------------------------------------------------------------------------

_SECTION_WORDS: list[tuple[str, str]] = [
    ("決定事項", r"決定事項|決まったこと(?!の?ように)|決定した|決まった事|decisions?"),
    ("アクション項目", r"アクション|todo|to do|宿題|やること|担当.{0,4}期限|誰が|いつまでに|何をするか|action items?"),
    ("未決事項", r"未決|持ち越し|論点|open questions?|検討事項|決まっていない(?:こと|事項)(?:を|も|と|は)?(?:分け|抜き|まとめ|書き出|挙げ|整理)"),
]
_OPEN = re.compile(r"次回(?:に)?(?:決め|検討|議論|持ち越)|決めたい|未定|決まっていない|決まっていません|持ち越|保留|要確認|"
                   r"検討が必要|引き続き検討|次回の課題|かどうかは|継続審議")
_DECIDED = re.compile(r"決定|決まりました|決まった|合意|承認|了承|確定|とすることで|ことになりました|採用|とします|とする。")
_ACTION = re.compile(r"までに|作成します|確認します|準備します|連絡します|提出します|調整します|依頼します|対応します|送ります|"
                     r"共有します|進めます|担当|お願い|宿題|してください|します")
_SPEAKER = re.compile(r"^\s*([^\s:：「」]{1,16}?)\s*[:：]\s*(.+)$")
_HEADER = re.compile(r"^\s*(?:日時|場所|出席|出席者|欠席|議題|日付|作成|参加)\s*[:：]")
NOT_FOUND = "・（該当する発言は見つかりませんでした）"


def requested_sections(instructions: str) -> list[str]:
    """Which minutes sections the prompt asks for, in the course's order."""
    return [title for title, pat in _SECTION_WORDS if re.search(pat, instructions, re.I)]


def wants_owner(instructions: str) -> bool:
    """「アクション項目（担当者・期限）」「誰が・いつまでに」: who and by when are asked for (not 「担当者や期限を補わない」)."""
    return bool(re.search(r"アクション[^。\n]{0,4}[（(]\s*(?:担当|誰)|(?:担当|期限)(?:つき|付き)|担当者?\s*[・、と/／]\s*(?:期限|いつまで)|"
                          r"誰が\s*[・、]\s*いつまで", instructions))


def _sentences_with_speakers(text: str) -> list[tuple[str | None, str]]:
    """(speaker, sentence) in order; the first sentence of a 「森田課長：…」 line keeps its speaker prefix."""
    out: list[tuple[str | None, str]] = []
    for line in text.splitlines():
        if _HEADER.match(line):
            continue
        m = _SPEAKER.match(line)
        speaker = m.group(1) if m else None
        for s in split_sentences(line):
            out.append((speaker, s))
    return out


def _who_and_when(speaker: str | None, sentence: str) -> str:
    body = _SPEAKER.sub(r"\2", sentence)
    org = re.search(r"([\u4e00-\u9fff\u30a0-\u30ff]{1,10}(?:課|室|係|部|センター))(?:で|が|から)", body)
    who = org.group(1) + (f"（{speaker}）" if speaker else "") if org else (speaker or "記載なし")
    due = re.search(r"(" + DATE.pattern + r")まで", body)
    when = due.group(1) if due else "記載なし"
    return f"（担当：{who}、期限：{when}）"


def sectioned_summary(text: str, sections: list[str], *, with_owner: bool = False, table: bool = False) -> str:
    """Minutes: under each requested heading, the sentences that belong there (open points never count as decided)."""
    content: dict[str, list[str]] = {"決定事項": [], "アクション項目": [], "未決事項": []}
    for speaker, s in _sentences_with_speakers(text):
        body = _SPEAKER.sub(r"\2", s)
        if _OPEN.search(body) and "未決事項" in sections:
            content["未決事項"].append(s)
        elif _OPEN.search(body):
            continue  # not decided, and no section asked for it
        elif _DECIDED.search(body):
            content["決定事項"].append(s)
        elif _ACTION.search(body):
            content["アクション項目"].append(s + (_who_and_when(speaker, s) if with_owner else ""))
    if table:
        rows = ["| 区分 | 内容 |", "|---|---|"]
        rows += [f"| {title} | {s.replace('|', '｜')} |" for title in sections for s in content[title] or ["（該当する発言は見つかりませんでした）"]]
        return "\n".join(rows)
    out: list[str] = []
    for title in sections:
        out.append(f"【{title}】")
        out.extend(["・" + s for s in content[title]] or [NOT_FOUND])
    return "\n".join(out)


__all__ = ["summarize", "sectioned_summary", "requested_sections", "wants_owner"]
