"""Small, rule-based Japanese rewrites the practice model uses to weave given facts into polite sentences.

Hand-written: they turn a fact as written on a memo (「熱中症に気をつけること」「協力」「A・B」) into speech
(「熱中症に気をつけていただきますよう」「ご協力」「AとB」) with a fixed word list and verb endings, and never
add content. No maintained library conjugates Japanese without a dictionary-backed tokenizer.
"""

from __future__ import annotations

import re

# Nouns that take the honorific ご/お when they are the listener's act (協力 → ご協力).
HONORIFIC = {"協力": "ご協力", "参加": "ご参加", "支援": "ご支援", "理解": "ご理解", "尽力": "ご尽力", "来場": "ご来場",
             "出席": "ご出席", "協賛": "ご協賛", "指導": "ご指導", "助言": "ご助言", "意見": "ご意見", "活躍": "ご活躍",
             "貢献": "ご貢献", "配慮": "ご配慮", "声援": "ご声援", "参列": "ご参列", "臨席": "ご臨席", "列席": "ご列席",
             "力添え": "お力添え", "世話": "お世話", "支え": "お支え", "取り組み": "お取り組み", "寄付": "ご寄付", "対応": "ご対応", "支援活動": "ご支援活動"}
_GODAN_RU = ("帰る", "入る", "走る", "知る", "切る", "要る", "減る", "参る", "限る", "送る", "守る", "作る", "配る", "戻る",
             "残る", "集まる", "始まる", "決まる", "変わる", "上がる", "下がる", "分かる", "わかる", "頑張る", "がんばる", "乗る",
             "取る", "とる", "登る", "祈る", "図る", "計る", "測る", "困る", "語る", "やる", "見守る", "関わる", "かかわる",
             "つながる", "高まる", "広がる", "深まる", "加わる", "伝わる", "振り返る", "触る", "減らす", "座る", "譲る", "握る")
_I_E_ROW = set("いきぎしじちぢにひびぴみりえけげせぜてでねへべぺめれ")
_TE = {"う": "って", "つ": "って", "る": "って", "む": "んで", "ぶ": "んで", "ぬ": "んで", "く": "いて", "ぐ": "いで", "す": "して"}


def honorific(phrase: str) -> str:
    """「工事中の協力」 → 「工事中のご協力」: the last noun gets ご/お when the word list knows it."""
    for plain, polite in sorted(HONORIFIC.items(), key=lambda kv: -len(kv[0])):
        if phrase.endswith(plain) and not phrase.endswith(polite):
            return phrase[: -len(plain)] + polite
    return phrase


def te_form(verb_phrase: str) -> str | None:
    """「気をつける」 → 「気をつけて」, 「水分をとる」 → 「水分をとって」; ``None`` when the phrase does not end in a verb."""
    vp = verb_phrase.rstrip("。 ")
    if vp.endswith("する"):
        return vp[:-2] + "して"
    if vp.endswith(("来る", "くる")):
        return vp[:-2] + ("来て" if vp.endswith("来る") else "きて")
    if vp.endswith(("行く", "いく")):
        return vp[:-1] + "って"
    if not vp or vp[-1] not in _TE:
        return None
    if vp[-1] == "る" and len(vp) >= 2 and not vp.endswith(_GODAN_RU) and vp[-2] in _I_E_ROW:
        return vp[:-1] + "て"  # 一段: 気をつける → 気をつけて
    return vp[:-1] + _TE[vp[-1]]


def spoken_list(text: str) -> str:
    """「A・B」 → 「AとB」, 「A・B・C」 → 「A、B、C」 (a memo's middle dots are not read aloud)."""
    parts = [p.strip() for p in re.split(r"[・／/]", text) if p.strip()]
    if len(parts) == 2:
        return f"{parts[0]}と{parts[1]}"
    return "、".join(parts)


def split_items(text: str) -> list[str]:
    """「A、B（C、D）、E」 → ['A', 'B（C、D）', 'E']: commas outside brackets only (never the one in 「2,400万円」)."""
    items, depth, buf = [], 0, ""
    for i, ch in enumerate(text):
        depth += ch in "（(「『"
        depth -= ch in "）)」』"
        thousands = ch in ",，" and 0 < i < len(text) - 1 and text[i - 1].isdigit() and text[i + 1].isdigit()
        if ch in "、,，" and depth <= 0 and not thousands:
            items.append(buf.strip())
            buf = ""
        else:
            buf += ch
    items.append(buf.strip())
    return [i for i in items if i]


def split_paren(text: str) -> tuple[str, str | None]:
    """「窓口の取り組み（オンライン予約・案内表示）」 → ('窓口の取り組み', 'オンライン予約・案内表示')."""
    m = re.fullmatch(r"(.+?)\s*[（(]([^（）()]+)[)）]\s*(.*)", text.strip())
    if not m:
        return text.strip(), None
    return (m.group(1) + m.group(3)).strip(), m.group(2).strip()


def ends_in_verb(text: str) -> bool:
    """A phrase ending in a plain verb (使う, 育てる, 守る) rather than a noun (ルール, 試験)."""
    return bool(re.search(r"(?:[うくぐすつぬぶむる]|ない|たい)$", text.rstrip("。 "))) and not re.search(r"(?:ルール|サークル|ツール)$", text)


_MASU = {"う": "います", "く": "きます", "ぐ": "ぎます", "す": "します", "つ": "ちます", "ぬ": "にます", "ぶ": "びます", "む": "みます",
         "る": "ります"}


def masu_form(verb_phrase: str) -> str | None:
    """「始まる」 → 「始まります」, 「育てる」 → 「育てます」; ``None`` when the phrase does not end in a plain verb."""
    vp = verb_phrase.rstrip("。 ")
    if vp.endswith("する"):
        return vp[:-2] + "します"
    if vp.endswith("来る"):
        return vp[:-2] + "来ます"
    if not vp or vp[-1] not in _MASU:
        return None
    if vp[-1] == "る" and len(vp) >= 2 and not vp.endswith(_GODAN_RU) and vp[-2] in _I_E_ROW:
        return vp[:-1] + "ます"
    return vp[:-1] + _MASU[vp[-1]]


def polite(sentence: str) -> str:
    """A plain-form sentence said in です・ます (だ → です, する → します, した → しました); polite ones unchanged."""
    s = sentence.strip().rstrip("。")
    if re.search(r"(?:です|ます|ました|ません|でした|ください|ございます)$", s):
        return s + "。"
    for plain, pol in (("である", "です"), ("だった", "でした"), ("だ", "です"), ("した", "しました"), ("する", "します"),
                       ("いる", "います"), ("ある", "あります"), ("なった", "なりました"), ("なる", "なります"), ("ない", "ありません")):
        if s.endswith(plain):
            return s[: -len(plain)] + pol + "。"
    if re.search(r"が[^、。]*(?:対応|実施|開始|運営|支援|提供|開催|案内|受付|連携|協力|参加|担当)$", s):
        return s + "します。"  # 「夜間も専門医が対応」 → 「夜間も専門医が対応します。」
    if s.endswith("い"):  # an adjective: 多い → 多いです
        return s + "です。"
    if masu := masu_form(s):
        return masu + "。"
    return s + "です。"


__all__ = ["HONORIFIC", "honorific", "te_form", "spoken_list", "split_items", "split_paren", "ends_in_verb", "masu_form", "polite"]
