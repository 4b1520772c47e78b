"""挨拶文: a greeting speech a 部長 can read aloud, built from the facts given and at the length asked.

Structure: opening and who speaks; the occasion (what, when, where) and thanks for coming; the thanks the facts
list; each point to convey woven into sentences (details, why it matters for citizens); the requests; a close.
Every fact comes from the prompt. What fills the asked length is fixed, fact-free wording of the kind every
municipal speech uses (「お忙しい中、足をお運びいただき」「結びに、皆さまのご健勝を…」), added in a fixed order
until the length is reached, so the same prompt always gets the same speech. Spoken Japanese runs at about
300 characters a minute: 「3分」 asks for about 900 characters.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from aidojo.llm.offline import facts as F
from aidojo.llm.offline import japanese as J
from aidojo.llm.offline.request import Request

CHARS_PER_MINUTE = 300
DEFAULT_CHARS = 600  # 「2分程度」, the length a greeting usually gets when none is asked
_KANJI_NUM = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}

_SPEAKER_KEY = re.compile(r"^(?:あいさつ|挨拶|ごあいさつ|スピーチ)$|あいさつする人|挨拶する人|あいさつ者|挨拶者|話す人|話者|登壇者|述べる人|読む人|スピーチする人|発表者|弁士")
_POINTS_KEY = re.compile(r"伝えたい|伝える|話す(?:こと|内容)|話したい|ポイント|盛り込|触れ|入れたい|強調|要点|メッセージ")
_THANKS_KEY = re.compile(r"お礼|感謝|謝辞")
_REQUEST_KEY = re.compile(r"お願い|依頼したい|呼びかけ")
_EVENT_KEY = re.compile(r"行事|式典|催し|大会|イベント|名称|会の名前|件名|事業名|タイトル")
_NOT_A_FACT_KEY = re.compile(r"長さ|字数|文字数|時間の目安|分量|トーン|文体|口調|注意")
_ATTENDEE_KEY = re.compile(r"参加者?|出席者?|来場者?|対象|集まる人|聞く人|聴衆")
_ROLE = (r"副市長|市長|副知事|知事|教育長|部長|局長|課長|所長|館長|園長|校長|議長|会長|理事長|管理監|管理者|センター長|署長|室長|"
         r"区長|町長|村長")
_SPEAKER_IN_WORDS = re.compile(
    rf"([\u4e00-\u9fff]{{0,6}}?(?:{_ROLE}))(?:です|として|の立場|になりきって|が(?:読|述|話|あいさつ|挨拶|ごあいさつ)|"
    rf"の(?:あいさつ|挨拶|式辞|祝辞|スピーチ|ごあいさつ)|[）)]|\s*$)", re.M)


def wants_greeting_speech(req: Request) -> bool:
    return req.wants(r"(?:挨拶|あいさつ|アイサツ)(?!状|の仕方|回り)|スピーチ|祝辞|式辞|(?:読む|話す|読み上げる|述べる)原稿|"
                     r"(?:開会式|閉会式|式典|記念式|セレモニー)[^。\n]{0,12}(?:原稿|文)|"
                     r"開会の(?:ことば|言葉)|閉会の(?:ことば|言葉)|speech|greeting")


@dataclass(frozen=True)
class Length:
    """How long the speech should be, in characters (line breaks not counted)."""

    target: int
    most: int
    asked: str  # how it was asked (「3分以内」), for the note when the facts cannot fill it


def asked_length(req: Request) -> Length:
    """The length asked: characters (「600字程度」「800字以内」) or minutes at 300 characters a minute (「3分」「2分から3分」)."""
    text = req.norm_instructions
    strict = r"\s*(?:以内|以下|まで|未満|を超えない|内)"
    chars = req.reading.limit_chars
    if chars and (m := re.search(rf"{chars}\s*(?:文字|字)({strict})?", text)):
        return _length(chars, bool(m.group(1)), f"{chars}字{'以内' if m.group(1) else '程度'}")
    text = re.sub("|".join(_KANJI_NUM), lambda m: str(_KANJI_NUM[m.group(0)]), text)
    minute = r"(?<![時\d:.])(\d+(?:\.\d+)?)\s*分(半)?"
    if m := re.search(rf"{minute}\s*(?:から|〜|~|-|－|ー|から長くても)\s*(\d+(?:\.\d+)?)\s*分(半)?({strict})?", text):
        low = float(m.group(1)) + (0.5 if m.group(2) else 0)
        high = float(m.group(3)) + (0.5 if m.group(4) else 0)
        return Length(round((low + high) / 2 * CHARS_PER_MINUTE), round(high * CHARS_PER_MINUTE), m.group(0))
    if m := re.search(rf"{minute}(?:間)?({strict})?", text):
        minutes = float(m.group(1)) + (0.5 if m.group(2) else 0)
        if 0 < minutes <= 20:
            return _length(round(minutes * CHARS_PER_MINUTE), bool(m.group(3)), m.group(0))
    return _length(DEFAULT_CHARS, False, "")


def _length(chars: int, strict: bool, asked: str) -> Length:
    if strict:  # 「800字以内」: a little under the ceiling
        return Length(round(chars * 0.9), chars, asked)
    return Length(chars, round(chars * 1.12), asked)


@dataclass
class Occasion:
    """The facts of the occasion, as given."""

    speaker: str | None = None
    event: str | None = None
    date: str | None = None
    place: str | None = None
    attendees: str | None = None
    thanks: list[str] = field(default_factory=list)
    topics: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    others: list[str] = field(default_factory=list)  # sentences for the other facts (テーマ, 主催, prose)
    clock: str | None = None  # the time of day, for おはようございます / こんにちは


def _speaker_in_words(instructions: str) -> str | None:
    m = _SPEAKER_IN_WORDS.search(instructions)
    return re.sub(r"^みどり市", "", m.group(1)) if m else None


def read_occasion(req: Request) -> Occasion:
    """The occasion's facts from the material (key-value lines or plain sentences), the speaker also from the request."""
    occ = Occasion()
    material = "\n".join(b.text for b in req.blocks)
    if not material:  # pasted without delimiters: the 「行事：…」 lines among the request's own words
        material = "\n".join(f.line for f in F.fact_lines(req.instructions)
                             if f.key and not _NOT_A_FACT_KEY.search(f.key) and not re.search(r"役割|依頼|形式|条件", f.key))
    title_done = False
    for fact in F.fact_lines(material):
        key, value = fact.key, fact.value.strip().rstrip("。")
        if not value:
            continue
        if key is None:
            if not title_done and not occ.event and not re.search(r"[。．]", fact.value) and len(value) <= 40 and \
                    not re.search(r"[をがはにで](?:[^\s]{0,3})$", value):
                occ.event, title_done = value, True
                continue
            _prose(occ, fact.value)
        elif _SPEAKER_KEY.search(key):
            occ.speaker = value
        elif _THANKS_KEY.search(key):
            occ.thanks.extend(J.split_items(value))
        elif _REQUEST_KEY.search(key):
            occ.requests.extend(_request_sentence(i) or J.polite(i) for i in J.split_items(value))
        elif _POINTS_KEY.search(key):
            for item in J.split_items(value):
                _point(occ, item)
        elif _EVENT_KEY.search(key) and not occ.event:
            occ.event = value
        elif fact.kind == "date" and not occ.date:
            occ.date = value
        elif fact.kind == "time" and occ.date and value not in occ.date:
            occ.date = f"{occ.date}{value}"
        elif fact.kind == "time" and not occ.date:
            occ.date = value
        elif fact.kind == "place" and not occ.place:
            occ.place = value
        elif _ATTENDEE_KEY.search(key) and not occ.attendees:
            occ.attendees = value
        elif not _NOT_A_FACT_KEY.search(key):
            occ.others.append(_other_fact(key, value))
    if not occ.speaker:
        occ.speaker = _speaker_in_words(req.instructions)
    _facts_in_request(occ, req.instructions)
    occ.clock = occ.date or F.facts_in_prose(material).get("date")
    return occ


def _facts_in_request(occ: Occasion, words: str) -> None:
    """Facts written in the request itself (「10月5日（土）10時から市民会館で開く防災フェアのあいさつ」「来場者へのお礼と、
    家庭での備えを呼びかけたい」), used only where the material gave none."""
    if not occ.date and (m := F.DATE.search(words)):
        rest = words[m.end():m.end() + 25]
        occ.date = m.group(0).strip() + (t.group(0) if (t := F.TIME.match(rest.lstrip("、 　"))) and t.group(0).strip() else "")
    if not occ.place and (m := re.search(r"(?:から|、|に)?([^\s、。「」（）()から]{2,15}?)で(?:開く|開かれる|開催|行う|行われる|実施)", words)):
        occ.place = m.group(1)
    if not occ.event and (m := re.search(r"(?:開く|開催する|行う|開かれる)([^\s、。「」]{2,20}?)の(?:開会|閉会)?(?:式で)?(?:の)?(?:あいさつ|挨拶|式辞|祝辞)", words)):
        occ.event = m.group(1)
    if not (occ.thanks or occ.topics or occ.requests):
        for sentence in re.split(r"(?<=[。．])", words):
            if re.search(r"を(?:伝えたい|話したい|述べたい|触れたい|呼びかけたい|お願いしたい|盛り込みたい|入れたい)", sentence):
                _prose(occ, sentence, spoken=False)


def _prose(occ: Occasion, text: str, *, spoken: bool = True) -> None:
    """Plain sentences: what the speaker wants to convey becomes points; the rest (material only) is said politely."""
    for sentence in re.split(r"(?<=[。．])", text):
        s = sentence.strip().rstrip("。．")
        if not s:
            continue
        if m := re.search(r"(.+?)を(伝えたい|話したい|述べたい|触れたい|伝えてほしい|入れたい|盛り込みたい|呼びかけたい|お願いしたい)", s):
            for item in re.split(r"[、,]", re.sub(r"^.*?(?:ので|から|が)、", "", m.group(1))):
                item = re.sub(r"(?<!こ)と$", "", item.strip())  # 「お礼と、…」
                if not item:
                    continue
                if m.group(2) in ("呼びかけたい", "お願いしたい") and not re.search(r"お礼|感謝", item):
                    occ.requests.append(_request_sentence(item) or f"{item}を、お願いいたします。")
                else:
                    _point(occ, item)
        elif spoken:
            occ.others.append(J.polite(s))


def _point(occ: Occasion, item: str) -> None:
    """One thing to convey: a thanks, a request, or a topic to speak about."""
    item = item.strip().rstrip("。")
    if re.search(r"(?:お礼|感謝|謝意|ねぎらい)(?:を(?:伝える|述べる))?$", item):
        occ.thanks.append(item)
    elif sentence := _request_sentence(item):
        occ.requests.append(sentence)
    elif re.search(r"[たっ]こと$|だこと$", item):
        occ.others.append(f"{item}を、皆さまにご報告いたします。")
    else:
        occ.topics.append(item)


def _request_sentence(item: str) -> str | None:
    """「熱中症に気をつけること」 → 「熱中症に気をつけていただきますよう、お願いいたします。」; ``None`` for a topic."""
    t = item.strip().rstrip("。")
    if m := re.fullmatch(r"(.+?)([てで])(?:ほしい|欲しい|もらいたい|ください|いただきたい)(?:こと)?", t):
        return f"{m.group(1)}{m.group(2)}いただきますよう、お願いいたします。"
    if m := re.fullmatch(r"(.+?ない)(?:こと|ように|よう)", t):
        return f"{m.group(1)}よう、お願いいたします。"
    if re.search(r"(?:ように|よう)$", t):
        return f"{t}、お願いいたします。"
    if m := re.fullmatch(r"(.+?)こと", t):
        if re.search(r"[たっ]$|だ$", m.group(1)):
            return None
        if te := J.te_form(m.group(1)):
            return f"{te}いただきますよう、お願いいたします。"
        return f"皆さまには、{t}をお願いいたします。"
    if re.search(r"(?:[へにを]|まで)$", t) and len(t) >= 6:  # 「集めたごみは分別して指定の場所へ」: the verb is left out
        return f"{t}お願いいたします。"
    return None


def _other_fact(key: str, value: str) -> str:
    """「テーマ：市民サービスの改善」 → 「今回のテーマは、市民サービスの改善です。」"""
    items = J.split_items(value)
    said = "、".join(f"{i}こと" if J.ends_in_verb(i) and not i.endswith("こと") else i for i in items)
    return f"今回の{key}は、{said}です。"


def _attendee_sentences(value: str) -> list[str]:
    main, paren = J.split_paren(value)
    main = main.replace("・", "、")
    main = re.sub(r"(?<=[^\d\s])\s+(?=(?:約|およそ)?\d)", "、", main)  # 「75歳以上の方 約800人」 → 「…の方、約800人」
    if re.search(r"\d\s*(?:人|名)(?:以上|程度|ほど)?$", main):
        who = f"{main}の皆さま"
    elif main.endswith("方"):
        who = main[:-1] + "皆さま"
    elif main.endswith(("皆さま", "皆様")):
        who = main
    else:
        who = f"{main}の皆さま"
    out = [f"本日は、{who}にお集まりいただきました。"]
    if paren:
        if paren.endswith("多い"):
            out.append(f"{paren[:-2]}多く、大変心強く思います。")
        elif paren.startswith("うち"):  # 「約1,100人（うち実行委員 12人）」
            out.append("そのうち、" + J.polite(paren[2:].strip()))
        else:
            out.append("なお、" + J.polite(paren))
    return out


def _greeting_word(req: Request, occ: Occasion) -> str:
    if req.wants(r"年頭|新年|年始|仕事始め|新春"):
        return "新年あけましておめでとうございます。"
    hour = None
    if occ.clock and (m := re.search(r"(午前|午後)?\s*(\d{1,2})\s*時", F.normalize_digits(occ.clock))):
        hour = int(m.group(2)) + (12 if m.group(1) == "午後" and int(m.group(2)) < 12 else 0)
    if hour is None:
        return "皆さま、こんにちは。"
    return "皆さま、おはようございます。" if hour < 11 else "皆さま、こんにちは。" if hour < 17 else "皆さま、こんばんは。"


def _who(req: Request, speaker: str | None) -> str:
    if not speaker:
        return ""
    role = re.match(rf"^(.*?(?:{_ROLE}))\s+(\S.*)$", speaker)
    title, name = (role.group(1), role.group(2)) if role else (speaker, None)
    if "みどり市" in req.prompt and not title.startswith("みどり"):
        title = "みどり" + title if title.startswith("市長") else f"みどり市の{title}" if title.startswith("市") else f"みどり市{title}"
    return f"{title}の{name}でございます。" if name else f"{title}でございます。"


@dataclass
class _Part:
    text: str
    para: int
    rank: int = 0  # 0: always said; 1, 2, 3 …: fact-free wording added in this order until the length is reached
    short: str | None = None  # a shorter way to say an always-said part when the length is tight


def _parts(req: Request, occ: Occasion) -> list[_Part]:
    city_staff = "市" in (occ.speaker or "") or bool(re.search(_ROLE, occ.speaker or "")) or "みどり市" in req.prompt
    parts = [_Part(_greeting_word(req, occ) + _who(req, occ.speaker), 0)]
    ceremony = "式典" if occ.event and re.search(r"式|セレモニー", occ.event) else None
    parts.append(_Part(f"本日の{ceremony or '開催'}にあたり、一言ごあいさつを申し上げます。", 0, 3))
    if occ.event or occ.date or occ.place:
        when = f"{occ.date}、" if occ.date else ""
        where = f"{occ.place}において、" if occ.place else ""
        what = f"{occ.event}を開催できますことを" if occ.event else "皆さまとともにこの日を迎えられますことを"
        short_where = f"{occ.place}での" if occ.place else ""
        parts.append(_Part(f"本日ここに、{when}{where}{what}、大変うれしく思います。", 1,
                           short=f"本日、{when}{short_where}{occ.event or 'この日'}を迎えました。"))
    for s in occ.others:  # the other facts (テーマ, 主催) and the material's own sentences, with the occasion
        parts.append(_Part(s, 1))
    if occ.attendees:
        for s in _attendee_sentences(occ.attendees):
            parts.append(_Part(s, 1))
        parts.append(_Part("こうして多くの皆さまのお顔を拝見し、大変うれしく感じております。", 1, 6))
        parts.append(_Part("お忙しい中、足をお運びいただき、誠にありがとうございます。", 1, short="誠にありがとうございます。"))
    else:
        parts.append(_Part("本日は、お忙しい中、お集まりいただき、誠にありがとうございます。", 1, short="ご参加、ありがとうございます。"))
    if city_staff:
        parts.append(_Part("皆さまには、日ごろから市政に格別のご理解とご協力を賜り、厚くお礼申し上げます。", 1, 1))
    for i, item in enumerate(occ.thanks):
        obj = re.sub(r"(?:へ|に対する|に対して|について)?の?(?:お礼|感謝|謝意|ねぎらい)(?:を(?:伝える|述べる))?$", "", item).strip("、 ")
        obj = J.honorific(obj or "皆さまのご協力")
        obj = re.sub(r"^(来場|参加|出席)者$", lambda m: f"本日ご{m.group(1)}の皆さま", obj)
        if obj in ("ご参加", "ご出席", "ご来場", "ご参列"):
            obj = "本日の" + obj
        parts.append(_Part(f"まず、{obj}に、この場をお借りして、心より感謝申し上げます。" if i == 0 else
                           f"また、{obj}にも、厚くお礼申し上げます。", 2, short=f"{obj}に、感謝申し上げます。"))
        if i == 0:
            parts.append(_Part("皆さまのお力添えがあってこそ、本日を迎えることができました。", 2, 2))
    for i, topic in enumerate(occ.topics):
        main, details = J.split_paren(topic)
        conn = ("さて" if i == 0 else "続いて" if i == 1 else "また")
        parts.append(_Part(f"{conn}、{main}{'こと' if J.ends_in_verb(main) else ''}について申し上げます。", 4 + i))
        if details and re.search(r"[・、,，/／]", details):
            parts.append(_Part(f"具体的には、{J.spoken_list(details)}です。", 4 + i))
        elif details:  # 「キャッシュレス決済（4月開始予定）」「蔵書（約12万冊）」
            parts.append(_Part(f"{main}は、{J.polite(details)}", 4 + i))
        purpose = re.search(r"(.+?(?:する|できる|なる|ない))(?:取り組み|取組|事業|制度|仕組み|サービス|計画|施策)$", main)
        if details and purpose:  # why it matters, in the fact's own words
            both = "いずれも" if re.search(r"[・、,，/／]", details) else "これは"
            parts.append(_Part(f"{both}、{purpose.group(1)}ためのものです。", 4 + i, 1))
        parts.append(_Part("市民の皆さまにとって身近で大切なことですので、ぜひ知っていただきたいと思います。" if i == 0 else
                           "こちらも、皆さまの暮らしにかかわることですので、ぜひご注目ください。", 4 + i, 2 + i))
    para = 4 + len(occ.topics)
    if occ.requests:
        parts.append(_Part("ここで、皆さまにお願いがございます。", para, 1))
        for i, s in enumerate(occ.requests):
            parts.append(_Part(("どうか、" if i == 0 else "また、") + s, para, short=s))
        parts.append(_Part("皆さまのご協力を、どうぞよろしくお願いいたします。", para, 4))
        parts.append(_Part("皆さまお一人おひとりのお心配りが、本日を実りあるものにしてくださると信じております。", para, 7))
    close = para + 1
    said = [J.honorific(re.sub(r"(?:へ|に対する)?の?(?:お礼|感謝)$", "", t)) for t in occ.thanks][:1] + \
        [J.split_paren(t)[0] for t in occ.topics][:2]
    if len(said) >= 2:
        parts.append(_Part(f"本日は、{'、'.join(said[:-1])}、そして{said[-1]}について、お話しいたしました。", close, 3))
    if city_staff:
        parts.append(_Part("市といたしましても、皆さまからいただくご意見を大切にしながら、一つひとつの取り組みを着実に進めてまいります。",
                           close, 2))
        parts.append(_Part("私ども職員一同も、皆さまと力を合わせ、よりよいまちづくりに努めてまいります。", close, 5))
    parts.append(_Part("これからも、皆さまのご理解とご協力を賜りますよう、よろしくお願い申し上げます。", close, 3))
    parts.append(_Part("改めまして、本日お集まりいただいた皆さま、そして、開催にご尽力いただいた関係者の皆さまに、心から感謝申し上げます。",
                       close, 4))
    parts.append(_Part("本日のこの場が、皆さまにとって実り多い時間となりますことを願っております。", close, 5))
    parts.append(_Part(f"この{'式典' if ceremony else '催し'}が、皆さまにとって意義深いものとなりますよう、私どもも精一杯努めてまいります。",
                       close, 6))
    parts.append(_Part("本日の内容が、皆さまの今後の活動の一助となれば幸いです。", close, 7))
    parts.append(_Part("結びに、本日お集まりの皆さまのご健勝とご多幸を心よりお祈り申し上げ、あいさつといたします。", close + 1,
                       short="皆さまのご健勝をお祈りし、あいさつといたします。"))
    return parts


def _size(parts: list[_Part], chosen: set[int], short: set[int]) -> int:
    return sum(len(re.sub(r"\s", "", p.short if i in short and p.short else p.text)) for i, p in enumerate(parts) if i in chosen)


def greeting_speech(req: Request) -> str:
    """A greeting speech from the facts given, close to the length asked, in です・ます; the same prompt, the same speech."""
    occ = read_occasion(req)
    length = asked_length(req)
    parts = _parts(req, occ)
    chosen = {i for i, p in enumerate(parts) if p.rank == 0}
    short: set[int] = set()
    for i, _p in sorted(((i, p) for i, p in enumerate(parts) if p.rank), key=lambda t: (t[1].rank, t[0])):
        if _size(parts, chosen, short) >= length.target:
            break
        if _size(parts, chosen | {i}, short) <= length.most:
            chosen.add(i)
    for i, p in enumerate(parts):  # still too long: the always-said parts in their shorter form
        if _size(parts, chosen, short) <= length.most:
            break
        if p.short and i in chosen:
            short.add(i)
    paragraphs: dict[int, list[str]] = {}
    for i, p in enumerate(parts):
        if i in chosen:
            paragraphs.setdefault(p.para, []).append(p.short if i in short and p.short else p.text)
    text = "\n\n".join("".join(s) for _, s in sorted(paragraphs.items()))
    notes = []
    if not occ.event and not occ.date and not occ.place and not occ.topics and not occ.others:
        notes.append("行事の名前・日時・場所や伝えたいことが示されていないので、決まり文句だけのあいさつです。行事の情報を区切って渡しましょう。")
    size = _size(parts, chosen, short)
    if length.asked and size < length.target * 0.8:
        notes.append(f"情報が少ないため、頼まれた長さ（{length.asked}、約{length.target}字）より短い約{size}字です。"
                     "伝えたいことを増やすと長くなります。")
    if notes:
        text += "\n\n（練習用モデル：" + "".join(notes) + "）"
    return text


__all__ = ["wants_greeting_speech", "CHARS_PER_MINUTE", "Length", "Occasion", "asked_length", "read_occasion", "greeting_speech"]
