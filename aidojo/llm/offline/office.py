"""Everyday office jobs: ideas (見出し案) and help with an Excel formula (the greeting speech is in ``speech``,
the council's expected questions in ``council``). Built from the facts given; blanks otherwise.
"""

from __future__ import annotations

import re
import unicodedata

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


_CELL = r"(?<![a-z])([a-z]{1,2})(\d{1,4})(?!\d)"
_RANGE = re.compile(_CELL + r"\s*(?::|〜|~|～|から|-|－)\s*" + _CELL)


def sheet_cells(text: str, columns: dict[str, str], sheet: str, first: str) -> tuple[str | None, str | None, str | None]:
    """(where the result goes, the cell it depends on, how far it is copied) from the request's own words (NFKC, lower).

    「F2:F8に」「F2からF8に」「F2セルに」「F列に出す」 name where the result goes; 「F8まで」 how far it is copied; the
    other cell (「E2の課」), else the sheet's list column (「E列：課の名前の一覧」) on the same row, is what it depends on.
    """
    out = copy_to = None
    spans: list[tuple[int, int]] = []
    for m in _RANGE.finditer(text):
        if m.group(1) == m.group(3) and re.match(r"\s*(?:の?セル)?(?:に|へ)", text[m.end():]):
            out, copy_to = f"{m.group(1)}{m.group(2)}", f"{m.group(3)}{m.group(4)}"
            spans.append(m.span())
            break
    cells = [(m.group(1), m.group(2), m.start(), m.end()) for m in re.finditer(_CELL, text)
             if not any(a <= m.start() < b for a, b in spans)]
    for col, row, _, end in cells:
        after = text[end:end + 8]
        if out is None and re.match(r"\s*(?:の?セル)?(?:に|へ)(?!並)", after):
            out = f"{col}{row}"
        elif re.match(r"\s*(?:まで|の行まで)", after) and copy_to is None:
            copy_to = f"{col}{row}"
    if out is None and (m := re.search(r"(?:formula|式)\s*(?:for|in|into)\s+([a-z]{1,2}\d{1,4})", text)):
        out = m.group(1)
    if out is None:
        targets = [m for m in re.finditer(r"(?<![a-z])([a-z]{1,2})\s*列(?:に|へ)(?!並|ある|あり|入って|書いて|記載)", text)]
        if targets:
            out = f"{targets[-1].group(1)}{first}"  # 「F列に出したい」: the first data row of that column
    out_col = re.match(r"[a-z]+", out).group(0) if out else None
    out_row = out[len(out_col):] if out and out_col else first
    key = next((f"{c}{r}" for c, r, _, _ in cells if c != out_col and f"{c}{r}" != copy_to and
                not re.search(rf"(?<![a-z]){c}\s*{r}\s*:", text)), None)
    if key is None and re.search(r"ごと|別|それぞれ|各|for the|per ", text):
        named = re.search(r"(?<![a-z])([a-z]{1,2})\s*列(?:に並|にある|の(?:各|課|名|[^\s、。]{0,6}ごと))", text)
        listed = named.group(1).upper() if named else next((c for c, n in columns.items() if re.search(r"一覧|リスト|名前|名の", n)), None)
        if listed:
            rows = re.search(rf"{listed}(\d+)", sheet)
            key = f"{listed.lower()}{out_row if out else (rows.group(1) if rows else first)}"
    return (out.upper() if out else None, key.upper() if key else None, copy_to.upper() if copy_to else None)


def _pick_column(columns: dict[str, str], pattern: str, default: str | None) -> str | None:
    return next((c for c, name in columns.items() if re.search(pattern, name)), default)


def excel_formula(req: Request) -> str:
    """A formula for the common office sums, counts and look-ups, built on the sheet's own columns, with how to use it."""
    text = normalize(req.instructions)
    sheet = _source_text(req) or req.instructions
    columns = _sheet_columns(unicodedata_nfkc(sheet))
    rows = re.search(r"(\d+)\s*行目から\s*(\d+)\s*行目", unicodedata_nfkc(sheet))
    first, last = (rows.group(1), rows.group(2)) if rows else ("2", None)
    out_cell, key_cell, copy_to = sheet_cells(text, _sheet_columns(unicodedata_nfkc(sheet)), unicodedata_nfkc(sheet), first)
    quoted = re.search(r"[「『\"]([^」』\"\n]{1,20})[」』\"]", req.instructions)
    criterion = key_cell or (f'"{quoted.group(1)}"' if quoted else '"条件"')
    group_word = re.search(r"[a-z]{1,2}\d{1,4}の([\u4e00-\u9fff\u30a0-\u30ff]{1,6})", text)
    data_columns = {c: n for c, n in columns.items() if not re.search(r"一覧|リスト", n)}  # not the list of names to look up
    listed_name = columns.get(re.match(r"[A-Z]+", key_cell).group(0), "") if key_cell else ""
    listed_word = re.match(r"^(.+?)(?:の名前|の一覧|名の一覧|名前|の名|一覧)", listed_name)  # 「区の名前の一覧」 → 区
    cond_col = _pick_column(data_columns, rf"^{re.escape(listed_word.group(1))}(?:[（(]|$)", None) if listed_word else None
    cond_col = cond_col or _pick_column(data_columns, re.escape(group_word.group(1)) if group_word else r"課|部|地区|区分|種類|担当", None)
    value_col = _pick_column(data_columns, r"金額|額|費|数|時間|点|人数|件数", None)
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
    lines = [f"{out_cell + 'に入れる' if out_cell else ''}式：{formula}", f"意味：{what}。"]
    fn = re.match(r"=([A-Z]+)\(", formula)
    cond_of, value_of = f"{cond_col}列の{columns.get(cond_col, '値')}", f"{value_col}列の{columns.get(value_col, '値')}"
    parts = {"SUMIF": [f"条件を探す範囲（{cond_of}）", "探す値", f"合計する範囲（{value_of}）"],
             "COUNTIF": [f"条件を探す範囲（{cond_of}）", "探す値"],
             "AVERAGEIF": [f"条件を探す範囲（{cond_of}）", "探す値", f"平均する範囲（{value_of}）"],
             "XLOOKUP": ["探す値", f"探す範囲（{cond_of}）", f"返す範囲（{value_of}）", "見つからないときの表示"]}
    if fn and fn.group(1) in parts:
        args = re.split(r",(?![^(]*\))", formula[len(fn.group(0)):].rstrip(")"))
        lines.append("式の中身：" + "／".join(f"{a}＝{m}" for a, m in zip(args, parts[fn.group(1)], strict=False)))
    lines.append("使い方：")
    lines.append(f"1. {out_cell or '結果を出したいセル'}を選び、上の式を貼り付けて Enter を押す")
    if key_cell and out_cell:
        lines.append(f"2. {out_cell}の右下の■を{copy_to + 'まで' if copy_to else '下に'}ドラッグして、ほかの行にもコピーする"
                     "（$ は範囲を固定する印（絶対参照）なので、コピーしても範囲はずれず、"
                     f"{key_cell}のように $ のないところだけが行に合わせて変わります）")
    else:
        lines.append("2. 列の記号や条件を、自分の表に合わせて直す")
    lines.append("3. 2〜3件を手で計算して、結果が合っているか確かめる")
    return "\n".join(lines)


def unicodedata_nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


__all__ = ["wants_ideas", "ideas",
           "wants_excel", "excel_formula"]
