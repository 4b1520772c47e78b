"""Notices and press releases built from the facts the prompt gives, exactly as given.

Facts come from the source block (「日時：…」 lines), else from the learner's own sentences (a date, a
venue). A fact that was not given stays a blank 〔日時〕 — the practice model never makes one up here.
"""

from __future__ import annotations

import re

from aidojo.llm.offline import facts as F
from aidojo.llm.offline.request import Request

_GENRE = (r"お知らせ|案内文|ご案内|案内|告知文?|周知文?|チラシ|ポスター|募集記事|掲載文|記事|報道発表(?:資料)?|プレスリリース|"
          r"リリース|発表資料|報道資料|記者発表|知らせるための資料|広報文|広報記事|press release")
_TOPIC = re.compile(r"([^\s、。「」『』（）()をにへがは]{2,24}?)(?:の|を知らせる|についての|に関する)(?:" + _GENRE + ")")


def wants_notice(req: Request) -> bool:
    """The instructions ask for a notice / press release / flyer text (not to summarise or rewrite one)."""
    if req.wants(r"(?:" + _GENRE + r")を[^。\n]{0,25}(?:要約|まとめ|分類|やさしい日本語|書き換え|書き直|翻訳|確認|照らし|チェック)"):
        return False
    return req.wants(r"(?:" + _GENRE + r")[^。\n]{0,20}(?:作成|作って|書いて|つくって|考えて|下書き|文案|案を|の案|お願い|(?<!箇条)書き(?!換|直|かえ))|"
                     r"(?:作成|作って|書いて|作る|書く|draft|write)[^。\n]{0,16}(?:" + _GENRE + ")|(?:" + _GENRE + r")(?:文|を)?(?:作成|作って|書いて|を書|の下書き)")


def is_press_release(req: Request) -> bool:
    return req.wants(r"報道発表|プレスリリース|リリース|記者発表|報道機関|記者|発表資料|press")


_SECTION_NAME = re.compile(r"見出し|タイトル|件名|表題|リード|本文|概要|要項|問い合わせ|問合せ|連絡先|取材|申し込み|申込|日時|場所|会場|"
                           r"内容|対象|費用|参加費|締め|結び|署名|背景|目的|趣旨|経緯|今後|スケジュール|ポイント|まとめ")
_FORMAT_WORD = re.compile(r"箇条書き|表|段落|文章|形式|markdown|マークダウン|json|番号|一覧|見出しつき|です・?ます")


def requested_structure(req: Request) -> list[str]:
    """Sections named in 「構成：見出し、本文、開催概要（箇条書き）、取材の申し込み先」 (two or more section names)."""
    m = re.search(r"(?:構成|出力形式|形式|項目|順番|順序)\s*(?:は|:|：)\s*([^\n]+)", req.instructions) or \
        re.search(r"([^\n。]{2,60}?)の順(?:に|で|番)", req.instructions)
    if not m:
        return []
    raw = re.sub(r"[（(][^）)]*[)）]", "", m.group(1))
    raw = re.split(r"[。]", raw)[0]
    parts = [p.strip(" 「」【】・") for p in re.split(r"[、,，・/／＋+]|→|と(?=[^\s、]{1,8}(?:[、,，・と]|$))", raw)]
    parts = [re.sub(r"(?:の順|の順番|で書いて.*|にして.*|を書く.*|で出力.*|を入れて.*)$", "", p).strip() for p in parts]
    names = [p for p in parts if 1 <= len(p) <= 12 and _SECTION_NAME.search(p) and not _FORMAT_WORD.fullmatch(p)]
    return names[:8] if len(names) >= 2 else []


def _facts(req: Request) -> tuple[list[F.Fact], dict[str, str]]:
    """Fact lines from the source blocks, and the facts by kind (source first, then the learner's sentences)."""
    lines: list[F.Fact] = []
    for block in req.blocks:
        lines.extend(F.fact_lines(block.text))
    by_kind = {k: f.value for k, f in F.keyed(lines).items()}
    for kind, value in {**F.paren_facts(req.instructions), **F.facts_in_prose(req.instructions)}.items():
        by_kind.setdefault(kind, value)
    if not lines:  # facts written as 「日時：…」 lines among the instructions
        own = [f for f in F.fact_lines(req.instructions) if f.kind]
        lines.extend(own)
        for k, f in F.keyed(own).items():
            by_kind.setdefault(k, f.value)
    return lines, by_kind


_EVENT = re.compile(r"([^\s、。「」『』（）()をにへがは]{0,14}(?:フェア|まつり|祭り|講座|教室|説明会|イベント|大会|相談会|検診|健診|"
                    r"キャンペーン|セミナー|ハッカソン|展示会|見学会|体験会|訓練|講演会|交流会|フォーラム|ワークショップ|コンサート))")


def _headline_and_name(lines: list[F.Fact], req: Request) -> tuple[str | None, str | None]:
    """(headline, event name): 件名/タイトル is the headline; 名称/行事名 names the event."""
    headline = next((f.value for f in lines if f.key and re.search(r"件名|タイトル|見出し|表題", f.key)), None)
    name = next((f.value for f in lines if f.key and re.search(r"名称|行事名|イベント名|事業名|催し", f.key)), None)
    if not name:
        m = _TOPIC.search(req.instructions)
        topic = m.group(1) if m else None
        if not topic or re.search(r"ホームページ|広報|市報|載せる", topic):
            e = _EVENT.search(req.instructions)
            topic = e.group(1) if e else topic
        name = re.sub(r"^(?:市民向けの|市民向け|次の|この|市の|今度の|来月の)", "", topic) if topic else None
    return headline, name


def _body(req: Request, by_kind: dict[str, str], lines: list[F.Fact], headline: str | None, name: str | None) -> list[str]:
    org = "みどり市" if "みどり市" in req.prompt else "市"
    when = by_kind.get("date") or "〔日時〕"
    where = by_kind.get("place") or "〔場所〕"
    event = f"「{name}」" if name else "〔行事名〕"
    if headline and re.search(r"を開催$|を実施$|を開始$", headline.rstrip("。")):
        lead = headline.rstrip("。")
        verb = lead[-2:]
        subject = lead[: -3]
        first = f"{subject}{event if name else ''}を、{when}、{where}で{verb}します。"
    elif name and not _EVENT.search(name) and "date" not in by_kind and "place" not in by_kind:
        first = f"{org}から、{event}についてお知らせします。"  # a service, not an event: nothing to hold
    else:
        first = f"{org}は、{when}、{where}で{event}を開催します。"
    out = [first]
    used = {"date", "place", "title"}
    for f in lines:
        if f.key and f.kind not in used and f.kind not in ("contact", "apply") and not re.search(r"件名|タイトル|見出し|名称|行事名", f.key):
            out.append(f"{f.key}は、{f.value.rstrip('。')}です。")
    if not any(f.key for f in lines):
        for kind, label in (("content", "内容"), ("fee", "参加費")):
            if kind in by_kind:
                out.append(f"{label}は、{by_kind[kind].rstrip('。')}です。")
    if req.wants(r"来てもら|参加してもら|来場|参加を促|集客|お越し|参加してほしい|来てほしい"):
        out.append("ぜひお越しください。")
    return out


def _detail_lines(lines: list[F.Fact], by_kind: dict[str, str], bullets: bool, event: bool = True) -> list[str]:
    mark = "・" if bullets else ""
    keyed_lines = [f for f in lines if f.key]
    if keyed_lines:
        shown = [f"{mark}{f.line}" for f in lines
                 if (f.key and f.kind != "title" and not re.search(r"件名|タイトル|見出し|名称|行事名", f.key))
                 or (not f.key and len(f.value) <= 40 and f is not lines[0])]
        for k, name in (("contact", "問い合わせ"),):
            if k in by_kind and not any(by_kind[k] in x for x in shown):
                shown.append(f"{mark}{name}：{by_kind[k]}")
        return shown
    names = {"date": "日時", "place": "場所", "target": "対象", "content": "内容", "fee": "参加費", "apply": "申し込み", "contact": "問い合わせ"}
    shown = [f"{mark}{name}：{by_kind[k]}" for k, name in names.items() if k in by_kind]
    wanted = (("date", "日時"), ("place", "場所")) if event else (("content", "内容"), ("date", "開始日"), ("contact", "問い合わせ"))
    for k, name in wanted:
        if k not in by_kind:
            shown.append(f"{mark}{name}：〔{name}〕")
    return shown


def _section(name: str, lines: list[F.Fact], by_kind: dict[str, str], body: list[str], topic: str,
             structure: list[str]) -> list[str]:
    if re.search(r"見出し|タイトル|件名|表題", name):
        return [topic]
    if re.search(r"リード", name):
        return body[:1]
    if re.search(r"本文|説明|内容文", name):
        return body[1:] if len(body) > 1 and any("リード" in x for x in structure) else body
    if re.search(r"問い合わせ|連絡先|申し込み先|申込先|取材", name):
        picked = [f.line for f in lines if f.kind in ("contact", "apply")] or [by_kind[k] for k in ("contact", "apply") if k in by_kind]
        return picked or ["〔問い合わせ先〕"]
    if re.search(r"概要|詳細|日時|要項|ポイント", name):
        return [f"・{f.line}" for f in lines if f.key and f.kind not in ("title", "contact", "apply")] or _detail_lines(lines, by_kind, True)
    related = [f.line for f in lines if f.key and (f.key in name or name in f.key)]
    return related or ["（資料に記載がありません）"]


def write_notice(req: Request) -> str:
    """A notice (or press release) keeping every given fact; blanks for facts not given."""
    lines, by_kind = _facts(req)
    headline, name = _headline_and_name(lines, req)
    topic = headline or (f"{name}のお知らせ" if name else "お知らせ")
    body = _body(req, by_kind, lines, headline, name)
    limit = req.reading.limit_chars
    structure = requested_structure(req)
    if is_press_release(req) and not structure:
        structure = ["見出し", "本文", "概要", "問い合わせ先"]
    if structure:
        out: list[str] = []
        for section in structure:
            out.append(f"【{section}】")
            out.extend(_section(section, lines, by_kind, body, topic, structure))
        text = "\n".join(out)
    else:
        is_event = bool(name and _EVENT.search(name)) or "date" in by_kind or "place" in by_kind or not name
        details = _detail_lines(lines, by_kind, bullets=True, event=is_event)
        body = body[:1] + [b for b in body[1:] if b == "ぜひお越しください。"]  # the details follow as bullets
        text = "\n".join([topic, *body, *details])
        while limit and len(text) > limit and len(body) > 1:  # shorten the prose, never the facts
            body = body[:-1]
            text = "\n".join([topic, *body, *details])
    if "〔" in text:
        text += "\n（練習用モデル：示されていない事実は〔 〕のままにしました。日時や場所は資料として渡しましょう。）"
    return text


_DRAFT_GENRE = r"説明文|文章|文書|原稿|紹介文|案内|記事|メール|通知文|依頼文|お礼状|礼状|説明資料"


def wants_draft(req: Request) -> bool:
    """Any other piece of writing (説明文, 紹介文, メール…) asked for."""
    return req.wants(r"(?:" + _DRAFT_GENRE + r")[^。\n]{0,12}(?:作成|作って|書いて|つくって|考えて)")


def write_draft(req: Request) -> str:
    """A draft with the requested parts: the source's main points, or blanks when no material was given."""
    m = re.search(r"([^\s、。「」をにはが]{2,24}?)(?:について|の説明|を説明|に関する|を紹介|の紹介|を案内)", req.instructions)
    topic = re.sub(r"^(?:市民向けに、?|次の|この)", "", m.group(1)) if m else "ご案内"
    source = req.source
    if source:
        body = [summarize_for_draft(source, req.reading.limit_chars)]
    else:
        body = [f"{topic}についてお知らせします。", "〔ここに説明が入ります：もとになる資料が示されていないため、内容は書けません〕"]
    structure = requested_structure(req) or (["見出し", "本文"] if req.wants(r"見出し") else [])
    if structure:
        out: list[str] = []
        for section in structure:
            out.append(f"【{section}】")
            out.extend([topic] if re.search(r"見出し|タイトル|件名", section) else body)
        text = "\n".join(out)
    else:
        text = "\n".join([topic, *body])
    if not source:
        text += "\n（練習用モデル：説明のもとになる資料が示されていないので、中身は〔 〕のままにしました。資料を区切って貼り付けましょう。）"
    return text


def summarize_for_draft(source: str, limit: int | None) -> str:
    from aidojo.llm.offline.summary import summarize

    return summarize(source, limit=limit or 300)


__all__ = ["wants_draft", "write_draft", "wants_notice", "is_press_release", "write_notice", "requested_structure"]
