"""Everyday office jobs: a greeting speech (挨拶文), expected questions and answers for the council
(議会想定問答), ideas (見出し案), and help with an Excel formula. Built from the facts given; blanks otherwise.
"""

from __future__ import annotations

import re
import unicodedata

from aidojo.llm.offline import facts as F
from aidojo.llm.offline.request import Request
from aidojo.text.normalize import normalize

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
    return req.wants(r"(?:挨拶|あいさつ|アイサツ)(?!状|の仕方|回り)|スピーチ|祝辞|式辞|(?:読む|話す|読み上げる|述べる)原稿|"
                     r"(?:開会式|閉会式|式典|記念式|セレモニー)[^。\n]{0,12}(?:原稿|文)|"
                     r"開会の(?:ことば|言葉)|閉会の(?:ことば|言葉)|speech|greeting")


def greeting_speech(req: Request) -> str:
    """A short speech: who speaks, thanks for coming, the facts given (event, place, participants), the points asked for."""
    facts = F.fact_lines(_source_text(req))
    by_key = {f.key: f.value for f in facts if f.key}
    kind = {k: f.value for k, f in F.keyed(facts).items()}
    speaker = next((v for k, v in by_key.items() if re.search(r"あいさつする人|挨拶する人|話す人|話者|登壇者", k)), None)
    if not speaker and (m := re.search(r"(?:あなたは)?(?:みどり市の?)?([^\s、。]{1,10}?(?:長|部長|課長|局長|市長|副市長|監))(?:です|として|の立場|の[^、。]{0,8}(?:あいさつ|挨拶))",
                                       req.instructions)):
        speaker = m.group(1)
    event = kind.get("title") or next((v for k, v in by_key.items() if re.search(r"行事|式典|会議|大会", k)), None)
    opening = "新年あけましておめでとうございます。" if req.wants(r"年頭|新年|年始") else "皆さま、おはようございます。"
    who = ("みどり" + speaker if speaker.startswith("市長") else f"みどり市{speaker}") if speaker else ""
    lines = [opening + (f"{who}でございます。" if who else "")]
    place = kind.get("place")
    lines.append(f"本日は、{(place + 'で開かれる') if place else ''}{event or '〔行事名〕'}に、お集まりいただき、誠にありがとうございます。")
    if target := kind.get("target"):
        lines.append(f"今日は、{re.sub(r'^(?:市内の)?', '', target).rstrip('。')}の皆さまにご参加いただいています。")
    points = next((v for k, v in by_key.items() if re.search(r"伝えたいこと|伝えること|話すこと|ポイント|お願い", k)), "")
    asks = [p.strip() for p in re.split(r"[、,，]", points) if p.strip() and not re.search(r"お礼|感謝", p)]
    for ask in asks:
        lines.append(f"{ask.rstrip('。').removesuffix('こと')}よう、お願いいたします。" if ask.endswith("こと") else f"{ask.rstrip('。')}、お願いいたします。")
    lines.append("皆さまのご協力に心から感謝申し上げるとともに、本日が実り多い一日となりますことを願い、あいさつといたします。")
    text = "\n".join(lines)
    limit = req.reading.limit_chars
    while limit and len(text) > limit and len(lines) > 3:
        lines.pop(-2)
        text = "\n".join(lines)
    if "〔" in text:
        text += "\n（練習用モデル：行事の名前や日時が示されていないので〔 〕のままにしました。行事の情報を区切って渡しましょう。）"
    return text


# --- 想定問答 ------------------------------------------------------------------------------------------------

def wants_council_qa(req: Request) -> bool:
    return req.wants(r"想定問答|想定質問|想定される質問|答弁|質疑|議会で(?:聞かれ|質問)|議員(?:から|が)|assembly questions?|council questions?") or \
        (bool(req.blocks) and req.wants(r"想定q&a|q&a|q＆a|一問一答"))


_UNSETTLED = re.compile(r"確認中|検討中|未定|調整中|協議中|予定")


def council_qa(req: Request) -> str:
    """N expected questions with draft answers taken from the source; what is not settled is answered as such."""
    text = _source_text(req) or req.reading.source or ""
    facts = [f for f in F.fact_lines(text) if f.value.strip() and f.kind != "title"]
    titles = [f for f in F.fact_lines(text) if f.kind == "title"]
    n = _count(req, 3)
    topic = (re.sub(r"[（(][^）)]*[)）]", "", titles[0].value) if titles else None) or (
        m.group(1) if (m := re.search(r"([^\s、。「」]{2,20}?)(?:について|に関する|の)(?:想定|議会|答弁)", req.instructions)) else "本件")
    unsettled = [f for f in facts if _UNSETTLED.search(f.value)]
    if unsettled and req.wants(r"確認が必要|要確認|未定|決まっていない|断定|約束"):
        facts = [f for f in facts if f not in unsettled][: max(0, n - 1)] + unsettled[:1]  # one question on what is not settled
    pairs: list[tuple[str, str]] = []
    for f in facts[:n]:
        if f.key:
            value = f.value.rstrip("。")
            answer = f"{f.key}は、「{value}」です。" if re.search(r"[るうくすつむぶぐ]$", value) else f"{f.key}は、{value}です。"
            if _UNSETTLED.search(f.value):
                answer += "詳細は確認が必要です。現時点で決まっていることだけをお答えします。"
            pairs.append((f"{topic}の{f.key}について伺う。", answer))
        else:
            sentence = f.value.rstrip("。")
            pairs.append((f"{_short(sentence)}について、市の考えを伺う。", f"{sentence}。"))
    while len(pairs) < n:
        pairs.append((f"{topic}について、市民への周知はどのように行うのか。", "〔確認が必要：資料に記載がありません。所管課で回答を記入〕"))
    if req.wants(r"表(?:で|に|形式)|テーブル|table"):
        out = ["| 番号 | 想定される質問 | 答弁案 |", "|---|---|---|"]
        out += [f"| {i} | {q} | {a} |" for i, (q, a) in enumerate(pairs, 1)]
    else:
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
    """「見出しの案を5つ出して」: several candidates asked for (not a notice with a headline)."""
    if req.wants(r"要約|まとめ|分類|抜き出"):
        return False
    return req.wants(r"(?:見出し|タイトル|キャッチコピー|標語|ネーミング|名前|愛称)の?(?:案|候補)|アイデア|アイディア") and \
        req.wants(r"出して|考えて|挙げて|ください|提案|お願い")


def ideas(req: Request) -> str:
    m = re.search(r"([^\s、。「」]{2,20}?)(?:の)(?:チラシ|ポスター|記事|お知らせ|案内)?(?:に使う|の)?(?:見出し|タイトル|キャッチコピー|標語)", req.instructions)
    topic = re.sub(r"^(?:来月の|市民向けの|次の)", "", m.group(1)) if m else "この取り組み"
    patterns = ["{t}のご案内", "知っておきたい{t}", "{t}のポイント", "{t}に参加しませんか", "はじめての{t}",
                "いま知りたい{t}", "{t}、ここに注目", "{t}をもっと身近に", "今日から始める{t}", "みんなの{t}"]
    return "\n".join(f"{i}. {p.format(t=topic)}" for i, p in enumerate(patterns[: _count(req, 5)], 1))


# --- Excel ---------------------------------------------------------------------------------------------------

def wants_excel(req: Request) -> bool:
    sheet = any(re.search(r"(?<![A-Za-z])[A-Z]{1,2}列", b.text) for b in req.blocks)
    return (req.wants(r"excel|エクセル|スプレッドシート|関数|数式|セル|(?<![a-z])[a-z]列|sumif|countif") or sheet) and \
        req.wants(r"式|関数|数式|formula|計算|集計|sumif|countif")


def _sheet_columns(text: str) -> dict[str, str]:
    """「B列：担当課（例：…）」 lines → {"B": "担当課"}."""
    return {m.group(1): m.group(2).strip() for m in re.finditer(r"(?<![A-Za-z])([A-Z]{1,2})列\s*[:：]\s*([^（(\n、]+)", text)}


def _pick_column(columns: dict[str, str], pattern: str, default: str | None) -> str | None:
    return next((c for c, name in columns.items() if re.search(pattern, name)), default)


def excel_formula(req: Request) -> str:
    """A formula for the common office sums, counts and look-ups, built on the sheet's own columns, with how to use it."""
    text = normalize(req.instructions)
    sheet = _source_text(req) or req.instructions
    columns = _sheet_columns(unicodedata_nfkc(sheet))
    rows = re.search(r"(\d+)\s*行目から\s*(\d+)\s*行目", unicodedata_nfkc(sheet))
    first, last = (rows.group(1), rows.group(2)) if rows else ("2", None)
    ranges = re.findall(r"(?<![a-z])([a-z]{1,2}\d{1,4})\s*:\s*([a-z]{1,2}\d{1,4})", text)
    cells = [c for c in re.findall(r"(?<![a-z])([a-z]{1,2}\d{1,4})(?!\d)", text) if not any(c == r[1] for r in ranges)]
    out_cell = next((c.upper() for c in cells if re.search(re.escape(c) + r"(?::[a-z]{1,2}\d{1,4})?\s*(?:に|へ|のセルに)", text)), None)
    if out_cell is None and (m := re.search(r"(?<![a-z])([a-z]{1,2})\s*列(?:に|へ)", text)):
        out_cell = f"{m.group(1).upper()}{first}"  # 「F列に」: the first data row of that column
    key_cell = next((c.upper() for c in cells if c.upper() != out_cell and not re.search(re.escape(c) + r"\s*:", text)), None)
    if key_cell is None and re.search(r"ごと|別|それぞれ|各", text):
        listed = next((c for c, name in _sheet_columns(unicodedata_nfkc(sheet)).items() if re.search(r"一覧|リスト|名前|名の", name)), None)
        m = re.search(rf"{listed}(\d+)", unicodedata_nfkc(sheet)) if listed else None
        key_cell = f"{listed}{m.group(1) if m else first}" if listed else None
    quoted = re.search(r"[「『\"]([^」』\"\n]{1,20})[」』\"]", req.instructions)
    criterion = key_cell or (f'"{quoted.group(1)}"' if quoted else '"条件"')
    group_word = re.search(r"[a-z]{1,2}\d{1,4}の([\u4e00-\u9fff\u30a0-\u30ff]{1,6})", text)
    cond_col = _pick_column(columns, re.escape(group_word.group(1)) if group_word else r"課|部|地区|区分|種類|担当", None)
    value_col = _pick_column(columns, r"金額|額|費|数|時間|点|人数|件数", None)
    letters = list(columns) or ["A", "B", "C"]
    cond_col = cond_col or letters[0]
    value_col = value_col or letters[-1]

    def rng(col: str) -> str:
        return f"${col}${first}:${col}${last}" if last else f"{col}:{col}"

    names = {c: f"{c}列（{n}）" for c, n in columns.items()}
    cond_name, value_name = names.get(cond_col, f"{cond_col}列"), names.get(value_col, f"{value_col}列")
    named_fn = re.search(r"sumif|countif|averageif|xlookup|vlookup", text)
    if named_fn:  # the learner named the function to use
        text = text + {"sumif": " 合計", "countif": " 件数", "averageif": " 平均", "xlookup": " 探", "vlookup": " 探"}[named_fn.group(0)]
        if named_fn.group(0) in ("sumif", "countif", "averageif"):
            text = re.sub(r"探|検索|引い", "", text)
    if re.search(r"重複", text):
        formula, what = f"=COUNTIF({rng(cond_col)},{cond_col}{first})>1", f"{cond_name}に同じ値が2回以上あるとTRUEになります"
    elif re.search(r"探|検索|引い|対応する|照合|vlookup|xlookup", text) and not re.search(r"合計|件数|平均|sumif|countif", text):
        formula = f"=XLOOKUP({criterion},{rng(cond_col)},{rng(value_col)},\"見つかりません\")"
        what = f"{cond_name}から {criterion} を探し、同じ行の{value_name}を返します（古いExcelでは VLOOKUP を使います）"
    elif re.search(r"平均", text):
        formula = f"=AVERAGEIF({rng(cond_col)},{criterion},{rng(value_col)})"
        what = f"{cond_name}が {criterion} と同じ行の、{value_name}の平均です"
    elif re.search(r"件数|数え|何件|何人|個数|カウント|count", text):
        formula = f"=COUNTIF({rng(cond_col)},{criterion})"
        what = f"{cond_name}が {criterion} と同じ行の数です"
    elif re.search(r"四捨五入|切り捨て|切り上げ", text):
        fn = "ROUND" if "四捨五入" in text else "ROUNDDOWN" if "切り捨て" in text else "ROUNDUP"
        formula, what = f"={fn}({value_col}{first},0)", "小数点以下を処理します（0 を 1 にすると小数第1位まで）"
    else:  # 合計 and anything else about sums
        formula = f"=SUMIF({rng(cond_col)},{criterion},{rng(value_col)})"
        what = f"{cond_name}が {criterion} と同じ行だけ、{value_name}を合計します"
    lines = [f"{out_cell + 'に入れる' if out_cell else ''}式：{formula}", f"意味：{what}。", "使い方："]
    lines.append(f"1. {out_cell or '結果を出したいセル'}を選び、上の式を貼り付けて Enter を押す")
    if key_cell and out_cell:
        lines.append(f"2. {out_cell}の右下の■を下にドラッグして、ほかの行にもコピーする（$ は範囲を固定する印なので、コピーしてもずれません）")
    else:
        lines.append("2. 列の記号や条件を、自分の表に合わせて直す")
    lines.append("3. 2〜3件を手で計算して、結果が合っているか確かめる")
    return "\n".join(lines)


def unicodedata_nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


__all__ = ["wants_greeting_speech", "greeting_speech", "wants_council_qa", "council_qa", "wants_ideas", "ideas",
           "wants_excel", "excel_formula"]
