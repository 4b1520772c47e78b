"""議会想定問答: expected council questions with draft answers (答弁案) and their caveats, from the facts given.

Each answer says only what the material says, in the formal 答弁 style (「〜につきましては、〜でございます」).
What the material leaves open (確認中・未定・予定) is answered as not settled, and a question the material
cannot answer gets the writer's own caveat wording (「確認が必要」「要確認」「今後検討」) instead of an answer.
Questions the writer names (「職員が使いこなせるのか」, 「予算の妥当性、安全対策を中心に」) come first.
The table takes the columns asked for (「質問・答弁案・確認が必要な点」).
"""

from __future__ import annotations

import re

from aidojo.llm.offline import facts as F
from aidojo.llm.offline import japanese as J
from aidojo.llm.offline.request import Request
from aidojo.text.normalize import bigram_overlap, content_bigrams

_COUNT_WORDS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
_UNSETTLED = re.compile(r"確認中|検討中|未定|調整中|協議中|調達中|作成中|準備中|予定|見込み")
_OPEN = re.compile(r"確認中|検討中|未定|調整中|協議中|調達中|作成中|準備中")  # not decided yet (予定 is decided, and may change)
_MARKERS = r"確認が必要|要確認|確認中|今後検討|検討中|調査中|未定|精査中|答弁を控える|所管課に確認"
# Standard questions the council asks about any project, asked when the material gives fewer facts than questions.
_USUAL_QUESTIONS = ("市民への周知はどのように行うのか。", "事業の効果はどのように検証するのか。", "今後のスケジュールはどうなっているのか。",
                    "他の自治体の状況をどう把握しているのか。", "課題と、その対応について伺う。")
# Words a council member uses for what a project summary calls otherwise (a word list: 費用 → 予算).
_RELATED = {"費用": "予算", "コスト": "予算", "お金": "予算", "負担": "予算", "税金": "予算", "効果": "目標", "成果": "目標",
            "情報": "個人情報 安全対策", "漏れ": "安全対策", "安全": "安全対策", "いつ": "予定 時期", "時期": "予定",
            "スケジュール": "予定 期間", "財源": "補助 交付金", "使いこなせ": "研修"}
# The columns a table may be asked for, and what goes in each.
_COLUMN_ROLES = [("number", r"^(?:no\.?|番号|#|項番|通し番号|問)$"), ("question", r"質問|問い|想定"), ("answer", r"答弁|回答|答え|答"),
                 ("caveat", r"確認|注意|留意|課題|懸念|未定"), ("basis", r"根拠|出典|資料|概要の該当")]


def wants_council_qa(req: Request) -> bool:
    return req.wants(r"想定問答|想定質問|想定される質問|答弁|質疑|議会で(?:聞かれ|質問)|議員(?:から|が|さん)|assembly questions?|"
                     r"council questions?") or (bool(req.blocks) and req.wants(r"想定q&a|q&a|q＆a|一問一答"))


def _count(req: Request, default: int) -> int:
    """「5問」「3組」「4つ」 first (「この2点を中心に」 names topics, not the number of questions), else the reader's count."""
    if m := re.search(r"(\d+)\s*(?:問|組|つ|個|セット)", req.norm_instructions):
        return max(1, min(int(m.group(1)), 10))
    if req.reading.items:
        return max(1, min(req.reading.items, 10))
    m = re.search(r"([一二三四五六七八九十])(?:つ|点|個|案|問|組)", req.instructions)
    return _COUNT_WORDS[m.group(1)] if m else default


def wants_table(req: Request) -> bool:
    """「表で」「表形式」「出力の形：表」「表（質問／答弁案）」「3列の表」 — not 公表・発表・表現・表示."""
    return req.wants(r"(?<![公発代図年辞])表(?![現示明記彰紙情])|テーブル|table")


def table_columns(req: Request) -> list[str]:
    """The column names asked for (「表（No.／想定質問／答弁案／確認が必要な点）」「「質問」「答弁案」の表」), else []."""
    text = req.instructions
    m = re.search(r"表\s*[（(]([^）)\n]+)[）)]", text) or re.search(r"((?:「[^」\n]+」\s*[、・,]?\s*){2,})の[^。\n]{0,6}表", text) or \
        re.search(r"([^\s、。:：「」（）]+(?:[・／/][^\s、。:：「」（）]+)+)の[^。\n]{0,6}表", text)
    if not m:
        return []
    names = [n.strip(" 「」") for n in re.split(r"[／/、,，・]|」\s*「", m.group(1)) if n.strip(" 「」")]
    if names:  # 「出力は質問・答弁・確認事項の3列の表」: not 「出力は」, not 「の3列」
        names[0] = re.sub(r"^.*[はをで](?=[^はをで]{2,}$)", "", names[0])
        names[-1] = re.sub(r"の?(?:\d+|[二三四五六])列$", "", names[-1])
    return names if len(names) >= 2 and all(len(n) <= 14 for n in names) else []


def _role(column: str) -> str | None:
    name = column.lower().replace(" ", "")
    return next((role for role, pattern in _COLUMN_ROLES if re.search(pattern, name)), None)


def caveat_word(req: Request) -> str:
    """The writer's own word for "not settled" (「要確認」「今後検討」), else 「確認が必要」."""
    m = re.search(rf"[「『]({_MARKERS})[」』]", req.instructions) or re.search(rf"({_MARKERS})", req.instructions)
    return m.group(1) if m else "確認が必要"


def focus_questions(req: Request) -> list[str]:
    """The questions the writer expects (「職員が使いこなせるのか」), then the topics to centre on (「予算の妥当性、安全対策を中心に」)."""
    quoted = [q.strip() for q in re.findall(r"[「『]([^」』\n]{4,40}?(?:か|のか|のでは|ないか)[？?]?)[」』]", req.instructions)]
    topics: list[str] = []
    if m := re.search(r"([^。\n]{2,60}?)(?:を|について)?(?:中心に|重点的に|を軸に|に絞って)", req.instructions):
        topics = [t.strip() for t in re.split(r"[、,・]|と(?=[^\s、]{2,})", m.group(1)) if 2 <= len(t.strip()) <= 16]
    return quoted + [t for t in topics if not re.search(r"想定|質問|答弁|問答|^(?:この|その|上の|次の|以下の|これら)|\d+\s*点", t)]


def _predicate(said: str) -> str:
    """The 答弁's ending: 「…を予定しております」「…を掲載するものでございます」「…でございます」."""
    if re.search(r"を(?:予定|検討|調整|計画|協議|想定)$", said):
        return said + "しております。"
    if re.search(r"(?:て|を|に|で)(?:掲載|実施|提供|開始|運営|整備|導入|設置|支援|対応|公開|配信|案内)$", said):
        return said + "するものでございます。"
    return said + "でございます。"


def _answer(key: str | None, value: str, marker: str) -> str:
    """A 答弁-style answer that says the fact as given; what is not decided yet is said to be so."""
    value = value.strip().rstrip("。")
    if not key:
        return J.polite(value).replace("です。", "でございます。") if not value.endswith(("ます", "です")) else value + "。"
    items = J.split_items(value)
    said = "、".join(f"{i}こと" if J.ends_in_verb(i) and not i.endswith("こと") else i for i in items)
    if _OPEN.search(value):
        return f"{key}につきましては、現在、{_predicate(said)}詳細は、現時点ではお答えできません（{marker}）。"
    return f"{key}につきましては、{_predicate(said)}"


def _overlap(ask: str, fact: F.Fact) -> tuple[float, float, float]:
    """How much of what is asked the fact covers: kanji/katakana bigrams over the whole fact, over its key and main
    value (outside brackets: 「職員」 in 「全職員向け研修」 beats 「職員研修」 in 予算額's brackets), then all bigrams."""
    asked = content_bigrams(ask)
    main = f"{fact.key or ''}{J.split_paren(fact.value)[0]}"
    if not asked:
        return bigram_overlap(ask, fact.line), bigram_overlap(ask, main), 0.0
    return (len(asked & content_bigrams(fact.line)) / len(asked), len(asked & content_bigrams(main)) / len(asked),
            bigram_overlap(ask, fact.line))


def _caveat(answer: str, fact_value: str | None, marker: str, key: str | None = None) -> str:
    if fact_value is None:
        return f"{marker}（概要に記載なし）"
    if _OPEN.search(fact_value):
        return f"{marker}：「{_OPEN.search(fact_value).group(0)}」の事項。結論は答弁しない"
    dates = F.dates(answer)
    figures = [x for x in re.findall(r"\d[\d,，.]*\s*(?:万円|億円|円|%|％|人|世帯|件|回|年|か月|日)", answer) if not any(x in d for d in dates)]
    shown = list(dict.fromkeys([*dates, *figures]))[:3]
    if _UNSETTLED.search(f"{key or ''}{fact_value}"):  # 「公開予定：2027年4月1日」「工事期間：…（予定）」
        return f"{marker}：予定の事項（{'、'.join(shown) or fact_value}）。変更がないか所管課で確認"
    return f"数字・日付（{'、'.join(shown)}）は最新の資料で確認" if shown else "概要のとおり（表現は所管課で確認）"


def council_qa(req: Request) -> str:
    """N expected questions with draft answers and caveats; what is not settled or not given is answered as such."""
    text = "\n".join(b.text for b in req.blocks) or req.reading.source or ""
    lines = F.fact_lines(text) if text else [f for f in F.fact_lines(req.instructions) if f.key]  # pasted without delimiters
    titles = [f for f in lines if f.kind == "title"]
    facts = [f for f in lines if f.value.strip() and f.kind != "title"]
    n = _count(req, 3)
    marker = caveat_word(req)
    topic = (re.sub(r"[（(][^）)]*[)）]", "", titles[0].value).strip() if titles else None) or (
        m.group(1) if (m := re.search(r"([^\s、。「」]{2,20}?)(?:について|に関する|の)(?:想定|議会|答弁)", req.instructions)) else "本事業")
    rows: list[tuple[str, str, str, str]] = []  # question, answer, caveat, basis
    used: set[int] = set()
    for ask in focus_questions(req)[:n]:
        related = [w for k, v in _RELATED.items() if k in ask for w in v.split()]
        scores = [(max(_overlap(ask, f)[0], 0.5 if any(content_bigrams(w) <= content_bigrams(f.line) for w in related) else 0.0),
                   _overlap(ask, f)[1], -i) for i, f in enumerate(facts) if i not in used]
        best, _, at = max(scores, default=(0.0, 0.0, 1))
        if best >= 0.3:
            covered, _, chars = _overlap(ask, facts[-at])
            if re.search(r"か[？?]?$", ask) and chars < 0.5:
                best = min(best, 0.99)  # a real question (「職員が使いこなせるのか」) the fact only touches on
            best = best if covered >= 1.0 else min(best, 0.99)
        question = ask if re.search(r"[かい][？?]?$", ask) else f"{topic}の{ask}について伺う。"
        question = question if question.endswith(("。", "？", "?")) else question + "。"
        if best >= 0.3:
            f = facts[-at]
            used.add(-at)
            answer = _answer(f.key, f.value, marker)
            caveat = _caveat(answer, f.value, marker, f.key)
            if best < 1.0:  # the fact answers only part of what is asked (「予算の妥当性」: the amount, not why)
                about = "ご質問の点" if re.search(r"か[？?。]?$", ask) else ask.rstrip("。？?")
                answer += f"なお、{about}につきましては、{marker}でございます。"
                caveat = f"{marker}：「{ask.rstrip('。？?')}」に直接答える記載は概要にない。{caveat}"
            rows.append((question, answer, caveat, f.line))
        else:
            rows.append((question, f"〔{marker}：概要に記載がありません。所管課で確認のうえ答弁を記入〕", _caveat("", None, marker), "記載なし"))
    rest = [i for i in range(len(facts)) if i not in used]
    unsettled = [i for i in rest if _OPEN.search(facts[i].value)]
    room = n - len(rows)
    if unsettled and room > 0 and unsettled[0] not in rest[:room]:  # one question on what is not settled
        rest = [i for i in rest if i != unsettled[0]][: max(0, room - 1)] + [unsettled[0]]
    for i in rest[:room]:
        f = facts[i]
        question = f"{topic}の{f.key}について伺う。" if f.key else f"{_short(f.value.rstrip('。'))}について、市の考えを伺う。"
        answer = _answer(f.key, f.value, marker)
        rows.append((question, answer, _caveat(answer, f.value, marker, f.key), f.line))
    for usual in _USUAL_QUESTIONS:
        if len(rows) >= n:
            break
        rows.append((f"{topic}について、{usual}", f"〔{marker}：概要に記載がありません。所管課で確認のうえ答弁を記入〕",
                     _caveat("", None, marker), "記載なし"))
    return _layout(req, rows[:n], marker)


def _layout(req: Request, rows: list[tuple[str, str, str, str]], marker: str) -> str:
    note = (f"※答弁案は資料に書かれた事実だけで作っています。数字・日付・表現は所管課で必ず確認し、"
            f"「{marker}」とした点は答弁しないでください。")
    columns = table_columns(req)
    if columns or wants_table(req):
        columns = columns or ["番号", "想定される質問", "答弁案"]
        out = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
        for i, (q, a, caveat, basis) in enumerate(rows, 1):
            cells = {"number": str(i), "question": q, "answer": a, "caveat": caveat, "basis": basis}
            out.append("| " + " | ".join(cells.get(_role(c) or "", "〔記入〕").replace("|", "｜") for c in columns) + " |")
        return "\n".join([*out, note])
    out = []
    for i, (q, a, caveat, _) in enumerate(rows, 1):
        out += [f"問{i}：{q}", f"答{i}：{a}"]
        if not a.startswith("〔"):
            out.append(f"　（確認：{caveat}）")
    return "\n".join([*out, note])


def _short(sentence: str, n: int = 20) -> str:
    return sentence if len(sentence) <= n else sentence[:n] + "…"


__all__ = ["wants_council_qa", "council_qa", "wants_table", "table_columns", "caveat_word", "focus_questions"]
