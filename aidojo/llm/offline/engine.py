"""The offline practice model: deterministic, explainable answers computed from the prompt itself.

It is not a language model. It reads the prompt with the ONE reader of prompt structure
(:func:`aidojo.text.prompt_parse.read_prompt`) and does the job the prompt asks for, on the text it was
given: a notice or press release that keeps the given facts, one of the listed categories (following the
few-shot examples), a step-by-step check against listed requirements or a draft against its source, a
rewrite to やさしい日本語 or into plain words, a polite reply that promises nothing, a summary or minutes
within the limits, JSON whose values respect the listed choices, an answer quoted from the source with its
citation or a handoff, a greeting speech, expected council questions, an Excel formula. A factual question
with no source at all gets an invented answer labelled as a hallucination demo (m01). When no job fits, it
names the prompt elements it found. Same input, same output; well under 50 ms a call.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from aidojo.llm.offline import council, directives, lexicon, notice, office, review, speech
from aidojo.llm.offline.classify import classify, guess_topic, usable_labels
from aidojo.llm.offline.grounded import (
    DEMO_LABEL,
    HANDOFF_REPLY,
    HANDOFF_REPLY_EN,
    answer_question,
    grounded_answer,
    invented_answer,
    is_instruction,
)
from aidojo.llm.offline.jsonreply import json_reply
from aidojo.llm.offline.mirror import mirror
from aidojo.llm.offline.request import Request, is_english
from aidojo.llm.offline.rewrite import easy_japanese, plain_rewrite, plain_words, polite_reply
from aidojo.llm.offline.summary import requested_sections, sectioned_summary, summarize, wants_owner
from aidojo.text.normalize import normalize, split_sentences
from aidojo.text.prompt_parse import ELEMENT_LABELS, listed_labels, read_prompt

MODEL_NAME = "aidojo-offline-practice"
GREETING = "こんにちは。練習用オフラインモデルです。役割・目的/背景・指示・制約・出力形式をそろえたプロンプトを送ってみてください。"
GREETING_EN = "Hello. This is the offline practice model. Try a prompt with a role, purpose, instruction, constraints and output format."
NOTHING_TO_REWRITE = ("もとになる文章（資料・記録・問い合わせなど）が見つかりません。前の答えを直すなら同じ会話（Conversation）の"
                      "続きとして頼み、新しく頼むなら、もとの文章を ### などで区切って貼り付けてください。")

_CLASSIFY_CUE = (r"分類|判定|いずれか|どれか|どちらか|選んで|ラベル|カテゴリ|振り分け|仕分け|どれに(?:当た|あた|当て|あて)|一語で|"
                 r"から(?:一つ|ひとつ|1つ)|どの(?:部署|課|担当|分野|区分|種類|分類)|区分|"
                 r"classify|label|category")
_SUMMARY_CUE = r"要約|まとめ|要点|議事録|抜き出|抽出|短く|summar|key points|minutes"
_REFINE_CUE = (r"書き直|言い換え|書き換え|やさしい日本語|要約|まとめ|整理|短く|箇条書きに|分かりやすく|わかりやすく|返信|返事|"
               r"\d+\s*(?:字|文字)(?:以内|程度)?に(?:して|まとめ|直)")
_REPLY_CUE = (r"返信案|返信文|返信の(?:案|文|下書き)|返事の(?:案|文|下書き)|回答文|回答案|お返事|"
              r"(?:返信|返事)[^。\n]{0,8}(?:作|書|考|お願い|ください)|への返事|への返信|reply to|write a reply|draft a reply")
_PLAIN_CUE = r"専門用語|難しい言葉|むずかしい言葉|分かる言葉|わかる言葉|やさしい言葉|易しい言葉|平易|かみくだ"
_EASY_CUE = (r"やさしい日本語|易しい日本語|優しい日本語|簡単な日本語|かんたんな日本語|平易な日本語|plain japanese|easy japanese|"
             r"(?:やさしい|易しい|分かりやすい|わかりやすい|簡単な)(?:言葉|ことば|表現)(?:に|で)(?:書き換|書き直|言い換|直|して)")


@dataclass(frozen=True)
class Reply:
    """What the practice model answers, and which job it did (for the lessons to show)."""

    text: str
    task: str
    finish_reason: str = "stop"


def respond(messages: list[dict], *, json_mode: bool = False, max_chars: int | None = None) -> Reply:
    """Answer a chat conversation deterministically (the practice model's whole behaviour)."""
    req = Request.from_messages(messages)
    reply = _dispatch(req, json_mode)
    if max_chars is not None and len(reply.text) > max_chars:
        return Reply(reply.text[:max_chars], reply.task, "length")
    return reply


def _limits(req: Request) -> tuple[int | None, int | None, bool]:
    """(character limit, item count, bullets): the latest message's instructions win over earlier ones."""
    latest = read_prompt(req.last) if req.follow_up else req.reading
    limit = latest.limit_chars or req.reading.limit_chars
    items = latest.items or req.reading.items
    if req.follow_up and latest.items and not latest.limit_chars:
        limit = None  # 「3点にして」 replaces an earlier character limit
    return limit, items, req.reading.bullets or latest.bullets


def _dispatch(req: Request, json_mode: bool) -> Reply:
    limit, items, bullets = _limits(req)
    english = req.english

    if json_mode or req.wants(r"(?<![a-z])json(?![a-z])"):
        return Reply(json.dumps(json_reply(req), ensure_ascii=False), "json")
    if req.rewrites_previous_answer:
        latest = read_prompt(req.last)
        return Reply(plain_rewrite(req.assistants[-1], latest.limit_chars, latest.items, latest.bullets,
                                   qa=bool(re.search(r"q&a|q＆a|問答|質問と答え|一問一答", normalize(req.last))),
                                   shorter=bool(re.search(r"短く|短い|shorter", normalize(req.last)))), "rewrite")
    question = req.question
    if question and req.has_labelled_question and not req.reading.examples:
        text, task = answer_question(req, question)
        return Reply(text, task)
    source = req.source or undelimited_material(req)
    # The specific jobs first (their cue words are unambiguous), the general ones (summary, notice) last.
    if source and req.wants(_EASY_CUE):
        return Reply(easy_japanese(source, limit if limit and limit >= 80 else None), "easy_japanese")
    if source and req.wants(_REPLY_CUE):
        reply = polite_reply(source, None if req.wants(_SUMMARY_CUE) else limit, instructions=req.instructions)
        if req.wants(_SUMMARY_CUE):  # 「要約して、返信案を作って」: both, each under its heading
            return Reply(f"【要約】\n{summarize(source, items or 3, None, True)}\n\n【返信案】\n{reply}", "reply")
        return Reply(reply, "reply")
    if parts := review.comparison_parts(req):
        return Reply(review.compare_draft(req, *parts), "compare")
    if parts := review.requirement_check_parts(req):
        return Reply(review.check_requirements(req, *parts), "check")
    if office.wants_excel(req):
        return Reply(office.excel_formula(req), "excel")
    if council.wants_council_qa(req):
        return Reply(council.council_qa(req), "council_qa")
    if speech.wants_greeting_speech(req):
        return Reply(speech.greeting_speech(req), "speech")
    if (req.wants(_CLASSIFY_CUE) or "classify" in req.reading.tasks) and (reply := _classification(req)):
        return reply
    if directives.wants_actions(req, source):
        return Reply(directives.action_summary(req, source, items, limit), "actions")
    if source and (sections := requested_sections(req.norm_instructions)) and _minutes_material(req):
        return Reply(sectioned_summary(source, sections, with_owner=wants_owner(req.instructions),
                                       table=req.wants(r"表(?:で|に|形式)|テーブル|table")), "sections")
    if office.wants_ideas(req):
        return Reply(office.ideas(req), "ideas")
    if notice.wants_notice(req):
        return Reply(notice.write_notice(req), "notice")
    if source and req.wants(r"表(?:に|で|形式)|テーブル|table") and (table := facts_table(source)):
        return Reply(table, "table")
    if req.wants(_SUMMARY_CUE) and (source or len(req.prompt) > 200):
        text = source or req.prompt
        if req.wants(_PLAIN_CUE):
            text = plain_words(text)
        return Reply(summarize(text, items, limit, bullets, english=english), "summary")
    if source and req.wants(r"書き直|直して|言い換え|読みやすく|分かりやすく|わかりやすく|平易"):
        return Reply(plain_rewrite(source, limit, items, bullets), "rewrite")
    if question:
        text, task = answer_question(req, question)
        return Reply(text, task)
    if req.wants(r"照らし合わせ|照合|突き合わせ|見比べ|比較|ファクトチェック"):
        return Reply(review.NEEDS_TWO_TEXTS, "needs_text")
    if not source and req.wants(_REFINE_CUE):
        return Reply(NOTHING_TO_REWRITE, "needs_text")
    if notice.wants_draft(req):
        return Reply(notice.write_draft(req), "draft")
    if len(normalize(req.prompt).strip()) <= 12:
        return Reply(GREETING_EN if english else GREETING, "greeting")
    return Reply(mirror(req.prompt, english=english), "mirror")


def undelimited_material(req: Request) -> str | None:
    """Material pasted without delimiters: the latest message's lines after the instructions, or its statements."""
    lines = [ln.strip() for ln in req.last.splitlines() if ln.strip()]
    if len(lines) < 2:
        statements = [s for s in split_sentences(req.last) if not _asks_the_ai(s) and not re.search(r"[?？]|ですか|ますか", s)]
        return "\n".join(statements) if sum(map(len, statements)) >= 25 else None
    rest = lines[1:]
    while rest and _asks_the_ai(rest[0]) and not re.match(r"^[^\s:：]{1,12}[:：]", rest[0]):
        rest = rest[1:]
    material = [ln for ln in rest if len(ln) >= 8]
    return "\n".join(rest) if material and sum(map(len, material)) >= 30 else None


def facts_table(source: str) -> str | None:
    """「満足：45人、やや満足：30人」-like material as a two-column table (``None`` when it is not key-value facts)."""
    from aidojo.llm.offline.facts import fact_lines

    rows = [f for f in fact_lines(source) if f.key]
    if len(rows) < 2:
        return None
    return "\n".join(["| 項目 | 内容 |", "|---|---|", *(f"| {f.key} | {f.value.replace('|', '｜')} |" for f in rows)])


def _minutes_material(req: Request) -> bool:
    """The material is a meeting record (speakers' lines, or named 記録/議事録), or the prompt says so."""
    named = any(re.search(r"記録|議事録|会議|メモ|発言|transcript|minutes", b.label or "", re.I) for b in req.blocks)
    speakers = len(re.findall(r"(?m)^[^\s:：]{1,12}(?:課長|係長|主任|主事|部長|さん|委員|議長|司会|担当\w?)?[:：]", req.source or "")) >= 2 and \
        not any(re.search(r"通知|資料|概要|事実|要件|お知らせ", b.label or "") for b in req.blocks)
    return named or speakers or req.wants(r"会議の記録|会議録|議事録|打ち合わせの記録|会議メモ|meeting|minutes")


def _asks_the_ai(sentence: str) -> bool:
    """A sentence addressed to the model (a request, its role), as opposed to material it reports."""
    return bool(re.search(r"ください|下さい|お願いします|お願い。|お願いいたします|して。$|しろ|せよ|あなたは|なりきって|として(?:書|答|回答|作)",
                          sentence))


def _classification(req: Request) -> Reply | None:
    """One of the listed labels; with examples but no list, the examples' labels; with neither, a topic of its own."""
    # The latest message's list first: a system prompt's 「分野ごと・感情ごとに」 is not the list of labels.
    labels = usable_labels(listed_labels(read_prompt(req.last).instructions)) or usable_labels(listed_labels(req.instructions))
    target = _classify_target(req)
    if len(labels) >= 2:
        return Reply(classify(target, labels, req.reading.examples), "classify")
    if not req.wants(r"分類|振り分け|どのカテゴリ|どの分野|classify") or req.wants(_SUMMARY_CUE):
        return None
    example_labels = list(dict.fromkeys(label for _, label in req.reading.examples if len(label) <= 15))
    guessed = guess_topic(target)
    if example_labels:
        choice = classify(target, example_labels, req.reading.examples)
        picked = choice if guessed in ("その他", choice) or guessed not in lexicon.TOPIC_WORDS else guessed
        return Reply(picked, "classify")
    if req.source or len(split_sentences(req.last)) > 1:
        return Reply(f"{guessed}\n（練習用モデル：選べるカテゴリが書かれていないので、自分で選びました。カテゴリを並べると答えがそろいます。）",
                     "classify")
    return None


def _classify_target(req: Request) -> str:
    """The text to classify: the source (a block or 「意見：」 section), else what follows the instruction."""
    if req.source:
        return req.source
    lines = [ln for ln in req.last.strip().splitlines() if ln.strip()]
    if len(lines) == 1:
        rest = [s for s in split_sentences(lines[0]) if not is_instruction(s)]
        return "".join(rest) or lines[0]
    return lines[-1] if lines else req.prompt


__all__ = [
    "MODEL_NAME",
    "HANDOFF_REPLY",
    "HANDOFF_REPLY_EN",
    "DEMO_LABEL",
    "ELEMENT_LABELS",
    "Reply",
    "respond",
    "is_english",
    "summarize",
    "classify",
    "grounded_answer",
    "invented_answer",
    "easy_japanese",
    "polite_reply",
    "mirror",
]
