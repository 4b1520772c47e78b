"""Answers from a given source — quoted, with its citation — or a handoff; and m01's hallucination demo.

Where the source sits does not matter: a delimited block or a labelled section in the system message or the
user message, or plain statements around the question. The question itself is never taken as the source.
A factual question asked with no source at all gets a plausible, confident, invented answer, labelled as a
demonstration of hallucination (m01); with a rule such as 「資料だけを使って」 but no source, the model says so
and hands off.
"""

from __future__ import annotations

import hashlib
import math
import re

from aidojo.llm.offline import lexicon
from aidojo.llm.offline.request import Request
from aidojo.text.normalize import char_bigrams, content_bigrams, normalize, split_sentences
from aidojo.text.prompt_parse import read_prompt

HANDOFF_REPLY = "分かりません。担当者に引き継ぎます。"
HANDOFF_REPLY_EN = "I don't know. I will hand you over to a staff member."
NO_SOURCE_REPLY = "資料が示されていないため、お答えできません。" + HANDOFF_REPLY
NO_SOURCE_REPLY_EN = "No source was given, so I cannot answer. " + HANDOFF_REPLY_EN
DEMO_LABEL = ("\n\n――――\n【練習用モデルのデモ：ハルシネーション】この答えは作り話です。資料を渡さずに事実を聞いたので、"
              "練習用モデルがわざと、もっともらしい答えを自信たっぷりに作りました。本物の生成AIも同じように間違えることがあります。"
              "市の情報は資料として渡し、答えは資料で確かめましょう。")
DEMO_LABEL_EN = ("\n\n----\n[Practice model demo: hallucination] This answer is made up on purpose: you asked for a fact without "
                 "giving a source. Real generative AI can be just as confidently wrong. Give the source and check the answer against it.")

_CITE_TAG = re.compile(r"(\[[^\[\]\n]{1,30}\]|【[^【】\n]{1,30}】|\((?:出典|source)[:：][^)\n]{1,40}\))")
_GROUNDING_RULE = re.compile(
    r"資料(?:だけ|のみ|に基づ|にもとづ|をもとに|を根拠|にない|に書かれていない|から答え)|(?:faq|マニュアル|手引き)(?:だけ|のみ|に書かれ)|"
    r"分から(?:ない|なければ)(?:とき|場合)|わから(?:ない|なければ)(?:とき|場合)|答えられない(?:とき|場合)|引き継|推測しない|"
    r"only (?:use|from|based on)|hand (?:off|over)",
    re.I,
)
_CONTEXT_LABEL = re.compile(r"(?:資料|参考|根拠|出典|context|faq|マニュアル|規程|要綱|以下の情報|次の情報|下記)[^\n]*\n(.+)", re.S | re.I)


def has_grounding_rule(text: str) -> bool:
    """Whether the prompt tells the model to answer only from a source (or to hand off)."""
    return bool(_GROUNDING_RULE.search(normalize(text)))


def is_instruction(sentence: str) -> bool:
    """A sentence of the prompt's own instructions (role, request, rule, format), read by the one reader."""
    if re.search(r"ください|下さい|あなたは|答えて|使って|しないで|こと。?$|ましょう|\bplease\b|\byou are\b", sentence, re.I):
        return True
    elements = read_prompt(sentence).elements
    return any(elements[k].present for k in ("role", "instruction", "output_format"))


def context_for(req: Request, question: str) -> str | None:
    """The source to answer ``question`` from, wherever it sits — never the question itself."""
    q = normalize(question).strip()
    texts = [b.text for b in req.blocks if not (q in normalize(b.text) and len(b.text) < 1.5 * len(question) + 4)]
    if texts:
        return "\n".join(texts)
    m = _CONTEXT_LABEL.search(req.system) or _CONTEXT_LABEL.search(req.prompt)
    if m:
        body = m.group(1)
        kept = [ln for ln in body.splitlines() if normalize(ln).strip() and q not in normalize(ln)]
        kept = [ln for ln in kept if not re.match(r"\s*[#＃]*\s*(?:質問|question|q)\s*[:：]", ln, re.I)]
        if any(len(ln.strip()) >= 6 for ln in kept):
            return "\n".join(kept)
    # Plain statements around the question (everything in one message, or facts in the system message);
    # the statements of one message form one passage.
    paragraphs = []
    for text in (req.system, *req.users):
        statements = []
        for s in split_sentences(text):
            ns = normalize(s)
            if len(s) < 6 or q in ns or ns in q or is_instruction(s):
                continue
            if re.search(r"[?？]|ですか|ますか|でしょうか", s):
                continue
            statements.append(s)
        if statements:
            paragraphs.append("".join(statements))
    return "\n".join(paragraphs) if paragraphs else None


def _passages(context: str) -> list[tuple[str, str | None, int]]:
    """Context sentences with the nearest citation tag before or in them ([1], 【FAQ-3】, (出典: …)) and a passage number.

    A line holding only a tag and a source label ("[2] manual.md > 14. 自動車の保有") labels the lines
    that follow; it is not itself a passage to quote. Sentences under one tag (or on one untagged line)
    form one passage.
    """
    out: list[tuple[str, str | None, int]] = []
    tag: str | None = None
    group = 0
    for line in context.splitlines():
        if not line.strip():
            continue
        m = _CITE_TAG.search(line)
        if m:
            tag = m.group(1)
            group += 1
            if m.start() < 3 and not re.search(r"[。!?！？]", line[m.end():]):
                continue  # a label line: tag + source name, no sentence
        elif tag is None:
            group += 1
        for s in split_sentences(line):
            out.append((s, tag, group))
    return out


# Words that name the kind of answer, not the thing asked about (「必要な書類は」「申し込み方法は」).
_GENERIC = re.compile(r"書類|方法|場所|時間|時期|期間|期限|日時|条件|料金|費用|金額|理由|内容|対象|必要|注意|注意点|手順|流れ|基準|"
                      r"連絡先|問い合わせ先|窓口|担当|担当課|担当者|詳細|概要|ポイント|可能|大丈夫|ok")


def _focus(question: str) -> set[str]:
    """Bigrams of the last content word before the question word: what the question is about."""
    runs = re.findall(r"[\u4e00-\u9fff\u30a0-\u30ffa-z0-9]{2,}", normalize(question))
    runs = [r for r in runs if not r.startswith("何") and not _GENERIC.fullmatch(r)]
    return content_bigrams(runs[-1]) if runs else set()


# What kind of answer a question wants, and what a sentence must hold to give it (「何時まで」 needs a time).
# A span of time answers 「いつ届く」 as well as a date does (「申請から1か月ほど」), and 「タダ？」 asks for a fee.
_SPAN = r"\d+\s*(?:か月|ヶ月|カ月|週間?|日間?|年)|即日|当日|翌日|翌月|前日|以内|ごろ|頃|上旬|中旬|下旬"
_ANSWER_TYPES: list[tuple[str, str]] = [
    (r"何時|営業時間|受付時間|開館時間|開いて|閉まる", r"\d{1,2}\s*時|午前|午後|\d{1,2}:\d{2}|24時間"),
    (r"どのくらいかか|どれくらいかか|どれぐらいかか|何日かか|何か月かか", r"\d+\s*(?:日|か月|ヶ月|カ月|年|週)|即日|当日|翌日"),
    (r"何日|日数|期間|いつまで|何か月|何週間", r"\d+\s*(?:日|か月|ヶ月|カ月|年|週)|月末|以内|まで"),
    (r"いくら|何円|料金|費用|手数料|金額|上限額|値段|タダ|ただで|無料|有料|お金", r"\d[\d,]*\s*(?:万)?円|無料|無償|負担|有料|かかりません"),
    (r"何歳", r"\d+\s*歳"),
    (r"何人|何名|人数|定員", r"\d[\d,]*\s*(?:人|名)"),
    (r"何冊", r"\d+\s*冊"),
    (r"何台", r"\d+\s*台"),
    (r"何回", r"\d+\s*回|毎"),
    (r"何(?:センチ|cm|ミリ|mm|メートル|キロ|km|kg|リットル|グラム)|サイズ|大きさ|寸法|縦横|長さ|重さ|容量",
     r"\d+(?:\.\d+)?\s*(?:cm|mm|km|kg|m|l|ℓ|g|センチ|ミリ|メートル|キロ|リットル|グラム)(?![a-z])"),
    (r"いつ(?!まで)|何月|何曜", r"\d+\s*(?:月|日|年)|毎週|毎月|毎年|[月火水木金土日]曜|" + _SPAN),
]
# Question words match nothing in the source: 何 with its counter or unit (何センチ, 何か月), いつ, どこ, いくら …
_ASKING = re.compile(r"何(?:センチ|cm|ミリ|mm|メートル|キロ|km|kg|リットル|グラム|か月|ヶ月|週間|種類|桁|[日時人円回歳個件階番分年月冊台])?|"
                     r"いつ|どこ|どれ|いくら|どのくらい|どれくらい|どう")
_FAQ_QUESTION = re.compile(r"^\s*(?:\[[^\]]*\]\s*|【[^】]*】\s*)?(?:q|問|質問)\s*[\d.:：]")


def _answer_type(question: str) -> tuple[re.Pattern[str] | None, set[str]]:
    """What a sentence must hold to answer ``question``, and the bigrams of the question's words that name that kind
    of answer (サイズ, 何センチ, タダ): a sentence holding such an answer (縦4.5cm) is taken to match them."""
    q = normalize(question)
    for asks, holds in _ANSWER_TYPES:
        words = [m.group(0) for m in re.finditer(asks, q)]
        if words:
            return re.compile(holds), set().union(*(content_bigrams(w) for w in words))
    return None, set()


# The words right after the question word, found right after an answer of the asked kind, show a sentence that answers
# exactly what was asked: 「何歳から申請できますか」 ↔ 「0歳から申請できます」 (extractive QA's oldest cue).
_CLOZE_WORD = re.compile(r"何(?:センチ|cm|ミリ|mm|メートル|キロ|km|kg|リットル|グラム|か月|ヶ月|週間|[日時人円回歳個件冊台])|いつ|いくら")
_QUESTION_END = re.compile(r"(?:ですか|ますか|でしょうか|ません|か)?[?？。!！\s]*$")


def _cloze_tail(question: str) -> str | None:
    """The question's words right after its question word (「から申請」 of 「何歳から申請できますか」), or None when they are
    too short or hold no kanji or katakana to be telling."""
    q = normalize(question)
    words = list(_CLOZE_WORD.finditer(q))
    if not words:
        return None
    tail = _QUESTION_END.sub("", q[words[-1].end():]).strip()[:4]
    return tail if len(tail) >= 3 and re.search(r"[\u4e00-\u9fff\u30a0-\u30ff]", tail) else None


def _answers_as_asked(sentence: str, wanted: re.Pattern[str] | None, tail: str | None) -> bool:
    """Whether ``sentence`` holds an answer of the asked kind followed by the question's own words (see _cloze_tail)."""
    if not wanted or not tail:
        return False
    text = normalize(sentence)
    return any(text[m.end():].lstrip().startswith(tail) for m in wanted.finditer(text))


def grounded_answer(question: str, context: str, *, english: bool = False, threshold: float = 0.5) -> str:
    """Quote the context's best-matching sentence with its citation, or hand off when none matches.

    Matching uses the question's content bigrams (no hiragana): the share of them found in a sentence decides
    answer or handoff. The sentence quoted must hold the kind of answer asked for (a time for 「何時」, an amount
    for 「いくら」, a span for 「いつ届く」, a size for 「何センチ」) and, preferably, the thing asked about (「駐車場」 in
    「プールの駐車場は何台」). In a sentence that holds the kind of answer asked for and most of what the question is
    about, the question's words naming that kind which the source never uses (サイズ, タダ) are taken as answered
    (「写真のサイズは何センチ」 → 「縦4.5cm」; 「市営プールの営業時間」 is not answered by 市民課's hours). A sentence that answers in the question's own words (「何歳から申請できますか」
    → 「0歳から申請できます」) is taken even when the question names its subject differently (赤ちゃんのマイナンバーカード).
    """
    passages = [p for p in _passages(context) if normalize(p[0]).strip() != normalize(question).strip()]
    focus = set() if english else _focus(question)
    wanted, kind_grams = (None, set()) if english else _answer_type(question)
    asked = _ASKING.sub(" ", normalize(question))  # question words match nothing
    q_grams = content_bigrams(asked) or set(char_bigrams(asked)) or set(char_bigrams(question))
    # Bigrams found in many sentences (the document's topic) tell less than rare ones: pick by IDF weight.
    sentence_grams = [set(char_bigrams(p[0])) for p in passages]
    n = len(passages)
    anywhere = set().union(*sentence_grams) if sentence_grams else set()
    kind_grams -= anywhere  # a kind word the source itself uses (期間) is matched as written
    tail = None if english else _cloze_tail(question)
    holds_kind = [bool(wanted and kind_grams and wanted.search(normalize(p[0]))) for p in passages]
    idf = {g: math.log((n + 1) / (1 + sum(g in grams for grams in sentence_grams)) + 1) for g in q_grams}
    best_score = 0.0
    candidates: list[tuple[tuple[int, float], int]] = []
    # A passage is about the question when one of its sentences names what is asked (「市営プールは…」): its other
    # sentences may then give the answer without repeating the topic (「営業時間は9時から17時までです。」).
    about = {p[2] for i, p in enumerate(passages) if len(q_grams & sentence_grams[i]) >= max(2, len(q_grams) // 2)}
    for i, (sentence, _tag, group) in enumerate(passages):
        grams = sentence_grams[i]
        if not q_grams or not grams:
            continue
        matched = q_grams & grams
        # In a sentence that holds the kind of answer asked for, the words naming that kind (サイズ, タダ) are answered
        # too, provided most of what the question is about is there (写真; not 「市営プールの営業時間」 over 市民課's hours).
        topic = q_grams - kind_grams
        if holds_kind[i] and topic and len(matched & topic) / len(topic) > threshold:
            matched |= kind_grams & q_grams
        best_score = max(best_score, len(matched) / len(q_grams))  # coverage decides answer vs handoff
        if _answers_as_asked(sentence, wanted, tail):
            best_score = 1.0
            candidates.append(((2, sum(idf[g] for g in matched)), i))
            continue
        j = i + 1 if _FAQ_QUESTION.match(normalize(sentence)) and i + 1 < n else i  # a FAQ question line answers with the next
        if not matched and not (wanted and group in about):
            continue
        answer_text = passages[j][0]
        if wanted and not wanted.search(normalize(answer_text)):
            # the kind of answer may sit in the passage's next sentence (「…申請できます。申請には…が必要です。」)
            continue
        has_focus = bool(focus & grams) or bool(focus & sentence_grams[j])
        if focus and not has_focus and not wanted:
            continue  # nothing about the thing asked (「駐車場」) and no answer of the right kind
        weight = sum(idf[g] for g in matched) + sum(idf.get(g, 1.0) for g in matched & focus)
        candidates.append(((int(has_focus), weight), j))
    if not candidates or best_score < threshold:
        return HANDOFF_REPLY_EN if english else HANDOFF_REPLY
    best_i = max(candidates, key=lambda c: c[0])[1]
    sentence, tag, group = passages[best_i]
    # A neighbouring sentence of the same passage that is also about the question is quoted with it.
    for k in (best_i - 1, best_i + 1):
        if 0 <= k < n and passages[k][2] == group and len(q_grams & sentence_grams[k]) >= max(2, len(q_grams) // 3):
            if not _FAQ_QUESTION.match(normalize(passages[k][0])):
                sentence = passages[k][0] + sentence if k < best_i else sentence + passages[k][0]
                break
    best = (sentence, tag)
    sentence, tag = best
    sentence = _CITE_TAG.sub("", sentence).strip()
    sentence = re.sub(r"^(?:a|答|回答)\s*[\d.:：]+\s*", "", sentence, flags=re.I)
    if english:
        return f'According to the source: "{sentence}"' + (f" {tag}" if tag else "")
    return f"資料によると「{sentence}」とあります。" + (f"（出典：{tag}）" if tag else "（出典：与えられた資料）")


# --- the hallucination demo (a factual question, no source) ------------------------------------------------

_ASKED_KIND: list[tuple[str, str]] = [
    (r"何日|何日間|日数", "日"), (r"何時|営業時間|受付時間|開いて", "時"), (r"いくら|何円|料金|費用|手数料", "円"),
    (r"何歳", "歳"), (r"何冊", "冊"), (r"何人|何名|人口|定員", "人"), (r"何回", "回"), (r"何件", "件"),
    (r"いつ|何月|開始日|締め切り|締切", "いつ"), (r"どこ|場所|窓口は", "どこ"),
    (r"どうやって|どのように|方法|手続き|申し込み方", "方法"), (r"できますか|できるか|可能ですか|ありますか|もらえますか", "可否"),
    (r"対象になる|対象ですか|該当|当てはまる|なりますか|なる[?？]", "該当"),
]


def _pick(options: list[str], question: str) -> str:
    digest = int(hashlib.sha256(normalize(question).encode()).hexdigest(), 16)
    return options[digest % len(options)]


def _subject(question: str) -> str:
    """「みどり市の図書館の電子書籍の貸出期間は何日ですか？」 → 「みどり市の図書館の電子書籍の貸出期間」."""
    q = re.sub(r"[?？。]+$", "", question.strip())
    q = re.sub(r"(?:を)?(?:教えて(?:ください|下さい)?|知りたい(?:です)?)$", "", q)
    m = re.match(r"(.+?)(?:は|って)(?:[^はの]{0,12})$", q)
    if m:
        return m.group(1)
    m = re.match(r"(.+?)(?:は|を|で|に|が)", q)
    return m.group(1) if m else q


_EXTRAS = {
    "日": ["期間内であれば、1回だけ延長することもできます。", "期限を過ぎると、次の利用が1週間できなくなります。"],
    "時": ["土曜日・日曜日も同じ時間に開いています。", "祝日は休みになります。"],
    "円": ["市内にお住まいの方は半額になります。", "支払いは現金のほか、キャッシュレス決済も使えます。"],
    "その他": ["なお、詳しくは市のホームページでも確認できます。", "昨年度から変わっていないので、安心してご利用ください。"],
}


def invented_answer(question: str, *, english: bool = False) -> str:
    """A plausible, confident and wrong answer to a factual question asked without a source, labelled as a demo."""
    if english:
        return "The lending period is 21 days, and you can extend it once online." + DEMO_LABEL_EN
    kind = next((k for pat, k in _ASKED_KIND if re.search(pat, question)), "その他")
    value = _pick(lexicon.INVENTED_VALUES.get(kind, lexicon.INVENTED_VALUES["その他"]), question)
    subject = _subject(question)
    if kind == "該当":
        answer = "はい、対象になります。条件をすべて満たしているので、このまま手続きを進めて問題ありません。"
    elif kind in ("方法", "可否", "その他"):
        answer = f"{value}。"
        if kind == "その他":
            answer = f"{subject}は、{value}。"
    elif kind == "どこ":
        answer = f"{subject}は、{value}です。"
    else:
        answer = f"{subject}は{value}です。"
    extra = _pick(_EXTRAS.get(kind, _EXTRAS["その他"]), question + "extra")
    return answer + extra + DEMO_LABEL


def answer_question(req: Request, question: str) -> tuple[str, str]:
    """(reply, task): a grounded answer or a handoff when a source is given; otherwise a no-source reply or the demo."""
    context = context_for(req, question)
    if context:
        return grounded_answer(question, context, english=req.english), "grounded"
    if has_grounding_rule(req.instructions):
        return (NO_SOURCE_REPLY_EN if req.english else NO_SOURCE_REPLY), "no_source"
    return invented_answer(question, english=req.english), "hallucination_demo"


__all__ = ["HANDOFF_REPLY", "HANDOFF_REPLY_EN", "DEMO_LABEL", "grounded_answer", "invented_answer", "answer_question",
           "context_for", "has_grounding_rule", "is_instruction"]
