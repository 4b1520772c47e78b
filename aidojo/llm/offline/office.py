"""Everyday office jobs: a greeting speech (挨拶文), expected questions and answers for the council
(議会想定問答), ideas (見出し案), and help with an Excel formula. Built from the facts given; blanks otherwise.
"""

from __future__ import annotations

import re

from aidojo.llm.offline import facts as F
from aidojo.llm.offline.request import Request

_COUNT_WORDS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}


def _count(req: Request, default: int) -> int:
    if req.reading.items:
        return max(1, min(req.reading.items, 10))
    m = re.search(r"([一二三四五六七八九十])(?:つ|点|個|案|問)", req.instructions)
    return _COUNT_WORDS[m.group(1)] if m else default


def _source_text(req: Request) -> str:
    return "\n".join(b.text for b in req.blocks)


# --- 挨拶文 ------------------------------------------------------------------------------------------------

def wants_greeting_speech(req: Request) -> bool:
    return req.wants(r"挨拶文|あいさつ文|挨拶(?:の原稿|を|案)|あいさつ(?:の原稿|を|案)|スピーチ|祝辞|式辞|開会の(?:ことば|言葉)|閉会の(?:ことば|言葉)")


def greeting_speech(req: Request) -> str:
    """A short speech: who speaks, thanks for coming, the facts given (event, numbers), a closing wish."""
    facts = F.fact_lines(_source_text(req))
    by_kind = {k: f.value for k, f in F.keyed(facts).items()}
    speaker = re.search(r"(?:あなたは)?(?:みどり市)?([^\s、。]{1,10}?(?:長|部長|課長|局長|市長|副市長))(?:です|として|の立場)", req.instructions)
    event = by_kind.get("title") or (m.group(1) if (m := re.search(r"([^\s、。「」]{2,20}?)(?:で|の)(?:挨拶|あいさつ|スピーチ)", req.instructions)) else None)
    lines = ["皆さま、こんにちは。" + (f"みどり市{speaker.group(1)}です。" if speaker else "")]
    lines.append(f"本日は、{event or '〔行事名〕'}にお集まりいただき、誠にありがとうございます。")
    other = [f for f in facts if f.key and f.kind not in ("title", "contact")] + [f for f in facts if not f.key]
    for f in other[:4]:
        lines.append((f"{f.key}は{f.value.rstrip('。')}です。" if f.key else f.value if f.value.endswith("。") else f.value + "。"))
    lines.append("皆さまのご協力に心から感謝申し上げるとともに、本日が実り多い一日となりますことを願い、挨拶といたします。")
    text = "\n".join(lines)
    limit = req.reading.limit_chars
    while limit and len(text) > limit and len(lines) > 3:
        lines.pop(-2)
        text = "\n".join(lines)
    return text


# --- 想定問答 ------------------------------------------------------------------------------------------------

def wants_council_qa(req: Request) -> bool:
    return req.wants(r"想定問答|想定質問|想定される質問|答弁|質疑|議会で(?:聞かれ|質問)|q&a")


def council_qa(req: Request) -> str:
    """N expected questions with draft answers taken from the source, each to be checked by the section."""
    text = _source_text(req) or req.reading.source or ""
    facts = [f for f in F.fact_lines(text) if f.value.strip()]
    n = _count(req, 3)
    topic = (facts[0].value if facts and facts[0].kind == "title" else None) or (
        m.group(1) if (m := re.search(r"([^\s、。「」]{2,20}?)(?:について|に関する|の)(?:想定|議会|答弁)", req.instructions)) else "本件")
    pairs: list[tuple[str, str]] = []
    for f in facts:
        if f.kind == "title":
            continue
        if f.key:
            pairs.append((f"{topic}の{f.key}はどうなっているのか。", f"{f.key}は、{f.value.rstrip('。')}です。"))
        else:
            sentence = f.value.rstrip("。")
            pairs.append((f"{_short(sentence)}について、市の考えを伺う。", f"{sentence}。"))
        if len(pairs) >= n:
            break
    while len(pairs) < n:
        pairs.append((f"{topic}について、市民への周知はどのように行うのか。", "〔所管課で回答を記入〕"))
    out = []
    for i, (q, a) in enumerate(pairs, 1):
        out.append(f"問{i}：{q}")
        out.append(f"答{i}：{a}")
    out.append("※答弁案は資料に書かれた事実だけで作っています。数字・日付・表現は所管課で必ず確認し、決まっていないことは答弁しないでください。")
    return "\n".join(out)


def _short(sentence: str, n: int = 20) -> str:
    return sentence if len(sentence) <= n else sentence[:n] + "…"


# --- 見出し案・アイデア ------------------------------------------------------------------------------------------

def wants_ideas(req: Request) -> bool:
    if req.wants(r"要約|まとめ|分類|抜き出"):
        return False
    return req.wants(r"(?:見出し|タイトル|キャッチコピー|標語|アイデア|ネーミング)(?:の)?(?:案)?[^。\n]{0,10}(?:\d+|[一二三四五六七八九十])\s*(?:つ|個|案|点)|"
                     r"(?:\d+|[一二三四五六七八九十])\s*(?:つ|個|案|点)[^。\n]{0,6}(?:の)?(?:見出し|タイトル|キャッチコピー|標語|アイデア)")


def ideas(req: Request) -> str:
    m = re.search(r"([^\s、。「」]{2,20}?)(?:の)(?:チラシ|ポスター|記事|お知らせ|案内)?(?:に使う|の)?(?:見出し|タイトル|キャッチコピー|標語)", req.instructions)
    topic = re.sub(r"^(?:来月の|市民向けの|次の)", "", m.group(1)) if m else "この取り組み"
    patterns = ["{t}のご案内", "知っておきたい{t}", "家族で参加！{t}", "{t}に参加しませんか", "今日から始める{t}",
                "はじめての{t}", "{t}、あなたも一緒に", "みんなの{t}", "{t}で安心をひとつ", "まちと学ぶ{t}"]
    return "\n".join(f"{i}. {p.format(t=topic)}" for i, p in enumerate(patterns[: _count(req, 5)], 1))


# --- Excel ---------------------------------------------------------------------------------------------------

def wants_excel(req: Request) -> bool:
    return req.wants(r"excel|エクセル|スプレッドシート|関数|数式|セル") and req.wants(r"式|関数|数式|formula|計算|集計")


def _columns(text: str) -> list[str]:
    return re.findall(r"(?<![A-Za-z])([A-Z]{1,2})列", text)


def excel_formula(req: Request) -> str:
    """A formula for the common office sums and look-ups, with the steps to use it."""
    text = req.instructions
    cols = _columns(text) or ["A", "B", "C"]
    cond = re.search(r"[「『\"]([^」』\"\n]{1,20})[」』\"]", text)
    value = f'"{cond.group(1)}"' if cond else '"条件"'
    key, target = cols[0], cols[-1] if len(cols) > 1 else "B"
    if re.search(r"重複", text):
        formula, what = f"=COUNTIF({key}:{key},{key}2)>1", f"{key}列に同じ値が2回以上あるとTRUEになります"
    elif re.search(r"探|検索|引い|対応する|参照|照合|vlookup|xlookup", text, re.I):
        ret = cols[2] if len(cols) > 2 else target
        formula = f"=XLOOKUP({key}2,{cols[1] if len(cols) > 2 else 'Sheet2!A'}:{cols[1] if len(cols) > 2 else 'A'},{ret}:{ret},\"見つかりません\")"
        what = "探したい値と同じ行の値を返します（古いExcelでは VLOOKUP を使います）"
    elif re.search(r"平均", text):
        formula = f"=AVERAGEIF({key}:{key},{value},{target}:{target})" if cond else f"=AVERAGE({target}:{target})"
        what = "条件に合う行だけの平均です" if cond else "列の平均です"
    elif re.search(r"件数|数え|何件|何人|カウント|count", text, re.I):
        formula = f"=COUNTIF({key}:{key},{value})"
        what = "条件に合うセルの数です"
    elif re.search(r"合計|足し|集計|sum", text, re.I):
        formula = f"=SUMIF({key}:{key},{value},{target}:{target})" if cond or len(cols) > 1 else f"=SUM({target}:{target})"
        what = "条件に合う行だけを合計します" if cond or len(cols) > 1 else "列の合計です"
    elif re.search(r"四捨五入|切り捨て|切り上げ", text):
        fn = "ROUND" if "四捨五入" in text else "ROUNDDOWN" if "切り捨て" in text else "ROUNDUP"
        formula, what = f"={fn}({key}2,0)", "小数点以下を処理します（0 を 1 にすると小数第1位まで）"
    elif re.search(r"日数|経過|年齢|何日", text):
        formula, what = f'=DATEDIF({key}2,{target}2,"d")', "2つの日付の間の日数です（\"y\" にすると年数）"
    else:
        formula, what = f"=SUM({target}:{target})", "列の合計です（やりたいことをもう少し具体的に書くと、合う関数を選べます）"
    return "\n".join([
        f"式：{formula}",
        f"意味：{what}。",
        "使い方：",
        "1. 結果を出したいセルを選ぶ",
        "2. 上の式を貼り付けて Enter を押す",
        "3. 列の記号や条件（\" \" の中）を、自分の表に合わせて直す",
        "4. 数件を手で計算して、結果が合っているか確かめる",
    ])


__all__ = ["wants_greeting_speech", "greeting_speech", "wants_council_qa", "council_qa", "wants_ideas", "ideas",
           "wants_excel", "excel_formula"]
