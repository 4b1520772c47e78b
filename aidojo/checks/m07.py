"""m07 資料検索: split a manual into sections, index them, build a grounded prompt, answer or hand off.

Each question's ``observe`` calls the learner's function on a case — a fictional manual (text) and, for
q2–q4, questions about it — and returns plain data: the sections, the top search results of the learner's
index for probe questions, the prompt and what the offline model answered to it, the answer dict. Its
``judge`` decides from that data alone. The public manuals are an excerpt of the welfare-desk handbook used
in the lesson and a child-allowance desk excerpt with ``###`` sub-headings; held-back cases use another
manual kept with the grader. All manuals are fictional (みどり市).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from aidojo.checks.judging import case_label
from aidojo.checks.observe import plain, type_name
from aidojo.checks.registry import code_question
from aidojo.checks.spec import Case, Observation

HANDBOOK_NAME = "seikatsuhogo_tebiki.md"
COURSE_ROOT = Path(__file__).resolve().parents[2]  # the checkout this package runs from (exercises/, solutions/)
MIN_SCORE = 9.0  # BM25 score below which the handbook has nothing on the question (calibrated on the handbook)
SMALL_MIN_SCORE = 3.0  # the small manuals of the checks give smaller BM25 scores than the whole handbook
MAX_TEXT = 20_000


def handbook_path() -> Path:
    """The welfare-desk handbook: ``data/`` next to the notebook, the released copy, or the source copy."""
    here = Path.cwd() / "data" / HANDBOOK_NAME
    if here.is_file():
        return here
    for folder in ("exercises", "solutions"):
        path = COURSE_ROOT / folder / "m07" / "data" / HANDBOOK_NAME
        if path.is_file():
            return path
    raise FileNotFoundError(f"{HANDBOOK_NAME} が見つかりません（exercises/m07/data/ を確認してください）")


# --- the public manuals ---------------------------------------------------------------------------

VISIBLE_MANUAL = """# 生活保護 相談対応の手引き（抜粋）

この抜粋は研修用の架空の資料です。

## 2. 相談の受付時間と場所

面接相談は、平日の午前8時30分から午後5時15分まで、本庁舎2階の生活福祉課相談室で受け付けます。
土曜日・日曜日・祝日と年末年始（12月29日から1月3日）は、窓口での相談を受け付けていません。

## 7. 申請に必要な書類

申請は、保護申請書に記入して提出してもらうことで受け付けます。
書類がそろっていなくても申請は受け付けることができ、足りない書類は後から提出してもらえば構いません。

## 9. 住宅扶助の上限額

みどり市の住宅扶助の上限額は、単身世帯で月額41,000円、2人世帯で月額49,000円、3人から5人の世帯で月額53,000円です。
家賃が上限額を超える場合は、上限額まで支給したうえで、必要に応じて転居について相談します。

## 10. 保護の決定までの期間

保護を行うかどうかは、申請のあった日から原則として14日以内に決定し、書面で通知します。
資産の調査に時間がかかるなど特別な理由がある場合は、30日まで延ばすことができます。

## 11. 所持金がない方への緊急の支援

くらし応急資金は、1世帯あたり3万円までを無利子で借りられる制度です。
その日の食料に困っている場合は、フードバンクみどりの食料品を、生活福祉課の窓口でお渡しできます。
"""

CHILD_ALLOWANCE_MANUAL = """# 児童手当 窓口対応の手引き（抜粋）

みどり市 こども未来局 こども給付課（研修用の架空の資料です）

## 申請の方法

子どもが生まれたときや転入したときは、翌日から15日以内に、こども給付課に認定請求書を出してもらいます。
### 申請に必要なもの
請求者の健康保険証の写しと、振込先の口座が分かるものが必要です。
### 申請の窓口
申請は、本庁舎3階のこども給付課か、各区役所の子育て支援係で受け付けます。

## 支給日

児童手当は、2月・4月・6月・8月・10月・12月の各月の10日に、前月までの2か月分を振り込みます。
"""

EMPTY_SECTION_MANUAL = "## はじめに\n\n## 窓口の場所\n窓口は本庁舎1階です。\n"

# (question, title of the section that answers it, words the answer must quote)
VISIBLE_ANSWERABLE = [
    ("住宅扶助の上限額は単身世帯でいくらですか？", "9. 住宅扶助の上限額", "41,000円"),
    ("保護の決定は申請から何日以内ですか？", "10. 保護の決定までの期間", "14日以内"),
    ("くらし応急資金はいくらまで借りられますか？", "11. 所持金がない方への緊急の支援", "3万円"),
]
VISIBLE_UNANSWERABLE = ["ふるさと納税の返礼品を教えてください", "職員の駐車場はどこですか？"]


def reference_sections(text: str) -> list[dict[str, str]]:
    """The sections of a manual: one per "## " heading, body stripped (the part before the first one left out)."""
    sections: list[dict[str, str]] = []
    for line in text.splitlines():
        if line.startswith("## "):
            sections.append({"title": line[3:].strip(), "body": ""})
        elif sections:
            sections[-1]["body"] += line + "\n"
    return [{"title": s["title"], "body": s["body"].strip()} for s in sections]


def reference_index(text: str):
    """An index of ``text`` with one located chunk group per section (what build_index should make)."""
    from aidojo.retrieval import Index

    index = Index()
    for s in reference_sections(text):
        index.add_text(s["body"], source="手引き", location=s["title"])
    return index


def _where(case: Case, shown: str) -> str:
    return case_label(case) if case.hidden else shown


# --- q1: split_sections ---------------------------------------------------------------------------


def observe_q1(values: dict, case: Case) -> dict:
    got = values["split_sections"](case.args["text"])
    return {"type": type_name(got), "sections": plain(got[:200] if isinstance(got, list) else None)}


def judge_q1(case: Case, obs: Observation) -> str | None:
    got, want = obs.value["sections"], case.expect
    where = _where(case, case.note)
    if obs.value["type"] != "list" or not isinstance(got, list) or not all(isinstance(s, dict) for s in got):
        return "split_sections は、{\"title\": 見出し, \"body\": 本文} の辞書を並べたリストを返してください。"
    if any(not {"title", "body"} <= set(s) for s in got):
        return "それぞれの辞書に \"title\"（見出し）と \"body\"（本文）の2つのキーを入れてください。"
    titles, want_titles = [s["title"] for s in got], [s["title"] for s in want]
    if len(got) != len(want):
        extra = "「### 」で始まる行は見出しではなく本文です。" if case.kind == "subheadings" and len(got) > len(want) else ""
        return (f"{where}：節の数が {len(got)} 個になっています（{len(want)} 個のはずです）。「## 」で始まる行ごとに新しい節にします。"
                f"最初の「## 」より前（表紙の部分）は入れません。{extra}")
    if titles != want_titles:
        bad = next(t for t, w in zip(titles, want_titles) if t != w)
        example = "" if case.hidden else f"（例：「{want_titles[0]}」）"
        return (f"{where}：見出し「{str(bad)[:40]}」が違います。見出しは「## 」を取り除き、前後の空白を strip() で取り除いた文字にします"
                f"{example}。")
    for s, w in zip(got, want):
        if s["body"] != w["body"]:
            title = "ある節" if case.hidden else f"「{w['title']}」"
            extra = "本文のない節の body は空の文字 \"\" にします。" if not w["body"] else ""
            return (f"{where}：{title}の本文が違います。次の「## 」の行の手前までの行をすべて本文にし"
                    f"（「### 」の行も本文に入れます）、前後の空白は strip() で取り除きます。{extra}")
    return None


def _manual_case(cid: str, kind: str, text: str, note: str) -> Case:
    return Case(cid, kind, {"text": text}, reference_sections(text), note)


code_question("m07.q1", reads=("split_sections",), title="手引きを節に分ける", observe=observe_q1, judge=judge_q1,
              praise="よくできました。手引きを見出しごとの節に分けられました。", cases=[
                  _manual_case("p1", "manual", VISIBLE_MANUAL, "生活保護の手引き（抜粋）"),
                  _manual_case("p2", "subheadings", CHILD_ALLOWANCE_MANUAL, "「### 」の小見出しがある手引き"),
                  _manual_case("p3", "empty_body", EMPTY_SECTION_MANUAL, "本文のない節がある手引き"),
              ])

# --- q2: build_index --------------------------------------------------------------------------------


def observe_q2(values: dict, case: Case) -> dict:
    from aidojo.retrieval import Index

    sections = [dict(s) for s in case.args["sections"]]
    index = values["build_index"](sections)
    if not isinstance(index, Index):
        return {"type": type_name(index)}
    top = []
    for q in case.args["queries"]:
        hits = index.search(q, k=1)
        top.append({"location": hits[0].location, "source": hits[0].source} if hits else None)
    return {"type": "Index", "size": len(index), "top": top}


def judge_q2(case: Case, obs: Observation) -> str | None:
    got, queries, titles = obs.value, list(case.args["queries"]), list(case.expect)
    n = len(case.args["sections"])
    if got["type"] != "Index":
        return f"build_index は Index を返してください（いまは {got['type']} が返っています）。最後に return index を書きましょう。"
    if not isinstance(got["size"], int) or got["size"] < n:
        return f"索引に {got['size']} 個の断片しかありません。節ごとに index.add_text(...) を呼んで、{n} 節すべてを入れてください。"
    if len(got["top"]) != len(queries):
        return "索引を検索できませんでした。"
    for q, title, hit in zip(queries, titles, got["top"]):
        shown = _where(case, f"「{q}」")
        if not hit:
            return f"{shown}で何も見つかりません。節の本文（body）を索引に入れていますか？"
        if hit["location"] != title:
            return (f"{shown}のいちばん上の結果の場所が「{str(hit['location'])[:40]}」です。add_text の location= に節の見出し"
                    + ("" if case.hidden else f"（例：「{title}」）") + "を渡すと、出典に見出しが付きます。")
        if hit["source"] != "手引き":
            return f"出典の名前が「{str(hit['source'])[:20]}」です。add_text の source= には \"手引き\" を渡してください。"
    return None


def _index_case(cid: str, kind: str, text: str, probes: list[tuple[str, str]], note: str) -> Case:
    return Case(cid, kind, {"sections": reference_sections(text), "queries": [q for q, _ in probes]}, [t for _, t in probes], note)


code_question("m07.q2", reads=("build_index",), title="節ごとの索引を作る", observe=observe_q2, judge=judge_q2,
              praise="よくできました。検索結果に見出しの出典が付きます。", cases=[
                  _index_case("p1", "manual", VISIBLE_MANUAL, [(q, t) for q, t, _ in VISIBLE_ANSWERABLE], "生活保護の手引き（抜粋）"),
                  _index_case("p2", "manual", CHILD_ALLOWANCE_MANUAL, [("児童手当はいつ振り込まれますか？", "支給日"),
                                                                      ("認定請求書はいつまでに出しますか？", "申請の方法")],
                              "児童手当の手引き"),
              ])

# --- q3: build_prompt -------------------------------------------------------------------------------

_ONLY_SOURCE = re.compile(r"資料(?:に|の)?(?:書かれて|書いて|記載されて|載って|ある|ない|以外|だけ|のみ|にない|にもとづ|に基づ|をもとに|を根拠)")


def observe_q3(values: dict, case: Case) -> dict:
    from aidojo.llm import chat, offline_client

    question = case.args["question"]
    hits = reference_index(case.args["text"]).search(question, k=3)
    prompt = values["build_prompt"](question, hits)
    out: dict[str, Any] = {"type": type_name(prompt), "hits": [h.text for h in hits]}
    if isinstance(prompt, str):
        out["prompt"] = prompt[:MAX_TEXT + 1]
        out["reply"] = chat(prompt, client=offline_client())[:2000] if len(prompt) <= MAX_TEXT else ""
    return out


def judge_q3(case: Case, obs: Observation) -> str | None:
    from aidojo.llm import HANDOFF_REPLY
    from aidojo.safety import is_handoff

    got, question = obs.value, case.args["question"]
    if got["type"] != "str" or not isinstance(got["prompt"], str):
        return f"build_prompt は文字列（str）を返してください（いまは {got['type']}）。"
    prompt, reply, hits = got["prompt"], str(got["reply"]), list(got["hits"])
    if len(prompt) > MAX_TEXT:
        return f"プロンプトが長すぎます（{MAX_TEXT:,}字まで）。"
    if question not in prompt:
        return "プロンプトに質問の文がそのまま入っていません。「質問: 」のあとに question を入れましょう。"
    missing = [i for i, text in enumerate(hits, start=1) if not isinstance(text, str) or text not in prompt or f"[{i}]" not in prompt]
    if missing:
        return (f"資料の断片 [{missing[0]}] が見つかりません。hits の順に、番号 [1]、[2]、… を付けて hit.text を入れます"
                "（enumerate(hits, start=1) が便利です）。")
    if HANDOFF_REPLY not in prompt:
        return f"資料から答えられないときの答え方「{HANDOFF_REPLY}」を、プロンプトの中で指示してください（HANDOFF_REPLY を使えます）。"
    if not _ONLY_SOURCE.search(prompt):
        return "「資料に書かれていないことは答えない」という指示を入れてください。"
    where = _where(case, f"「{question}」")
    if case.kind == "answerable":
        if is_handoff(reply) or not re.search(r"\[\d+\]", reply):
            return (f"{where}で、AIの答えに資料の番号 [n] が付きませんでした" + ("" if case.hidden else f"（答え：{reply[:60]}）") +
                    "。資料は「\"\"\"」などで区切り、各断片の行の先頭に [1] のような番号を付けてください。")
        return None
    if not is_handoff(reply):
        return (f"資料にない質問{where}に、AIが答えてしまいました" + ("" if case.hidden else f"（{reply[:50]}）") +
                "。資料と質問をはっきり区切り、答えられないときは引き継ぐよう指示しましょう。")
    return None


def _prompt_case(cid: str, kind: str, text: str, question: str, note: str) -> Case:
    return Case(cid, kind, {"text": text, "question": question}, None, note)


code_question("m07.q3", reads=("build_prompt",), title="資料だけで答えさせるプロンプト", observe=observe_q3, judge=judge_q3,
              uses_model=True, praise="よくできました。AIは番号付きの資料だけを根拠に答えます。", cases=[
                  *[_prompt_case(f"p{i}", "answerable", VISIBLE_MANUAL, q, "資料で答えられる質問")
                    for i, (q, _, _) in enumerate(VISIBLE_ANSWERABLE, start=1)],
                  *[_prompt_case(f"p{i}", "unanswerable", VISIBLE_MANUAL, q, "資料にない質問")
                    for i, q in enumerate(VISIBLE_UNANSWERABLE, start=len(VISIBLE_ANSWERABLE) + 1)],
              ])

# --- q4: answer ---------------------------------------------------------------------------------------


def observe_q4(values: dict, case: Case) -> dict:
    question = case.args["question"]
    index = reference_index(case.args["text"])
    got = values["answer"](question, index, min_score=case.args["min_score"])
    ranked = [h.citation for h in index.search(question, k=10)]
    if isinstance(got, dict):
        got = {str(k): (v[:2000] if isinstance(v, str) else plain(v)) for k, v in list(got.items())[:20]}
    return {"type": type_name(got), "result": got if isinstance(got, dict) else None, "ranked": ranked}


def judge_q4(case: Case, obs: Observation) -> str | None:
    from aidojo.llm import HANDOFF_REPLY

    result, question, min_score = obs.value["result"], case.args["question"], case.args["min_score"]
    where = _where(case, f"「{question}」")
    if not isinstance(result, dict) or not {"answer", "citations", "handoff"} <= set(result):
        return "answer は {\"answer\": 答え, \"citations\": 出典のリスト, \"handoff\": True/False} の辞書を返してください。"
    handoff, text, citations = result["handoff"], str(result["answer"]), result["citations"]
    if case.kind == "strict_threshold":
        if handoff is not True:
            return (f"min_score={min_score:g} のように高い点数を渡しても引き継ぎません。hits[0].score を、"
                    "引数の min_score と比べてください（MIN_SCORE ではなく引数を使います）。")
        return None
    if case.kind == "unanswerable":
        if handoff is not True:
            return (f"資料にない質問{where}で引き継いでいません。hits が空か、hits[0].score が min_score 未満なら、"
                    "{\"answer\": HANDOFF_REPLY, \"citations\": [], \"handoff\": True} を返します。")
        if citations != []:
            return "引き継ぐときは citations を空のリスト [] にしてください。"
        if HANDOFF_REPLY not in text:
            return f"引き継ぐときの answer は「{HANDOFF_REPLY}」（HANDOFF_REPLY）にしてください。"
        return None
    title, words = case.expect["title"], case.expect["words"]
    if handoff is not False:
        return (f"資料で答えられる質問{where}で引き継いでいます" if handoff else f"{where}：handoff は False にしてください") + (
            "。hits[0].score（いちばん良い結果の点数）を、引数の min_score と比べます（ノートブックの MIN_SCORE ではなく引数を使います）。")
    if words not in text:
        return (f"{where}の答えに、資料の言葉" + ("" if case.hidden else f"「{words}」") +
                "が入っていません。AIの答え（chat の返り値）をそのまま answer に入れましょう。")
    if not isinstance(citations, list) or not any(title in str(c) for c in citations):
        return (f"{where}の出典に" + ("正しい節" if case.hidden else f"「{title}」") +
                "がありません。答えの中の [1] などの番号を見て、hits[番号-1].citation を citations に入れます。")
    ranked = list(obs.value["ranked"])
    numbers = [int(n) for n in re.findall(r"\[(\d+)\]", text)]
    cited = list(dict.fromkeys(ranked[n - 1] for n in numbers if 0 < n <= len(ranked)))
    if [str(c) for c in citations] != cited:
        return (f"{where}の citations が" + ("違います" if case.hidden else f" {citations} です") +
                "。答えの中で使われた番号の出典だけを、同じものは1回だけ入れます。")
    return None


def _answer_case(cid: str, kind: str, text: str, question: str, note: str, min_score: float = SMALL_MIN_SCORE,
                 expect: dict | None = None) -> Case:
    return Case(cid, kind, {"text": text, "question": question, "min_score": min_score}, expect, note)


code_question("m07.q4", reads=("answer",), title="出典つきで答えるか、引き継ぐ", observe=observe_q4, judge=judge_q4,
              uses_model=True, praise="よくできました。資料にあれば出典つきで答え、なければ担当者に引き継ぎます。", cases=[
                  *[_answer_case(f"p{i}", "answerable", VISIBLE_MANUAL, q, "資料で答えられる質問", expect={"title": t, "words": w})
                    for i, (q, t, w) in enumerate(VISIBLE_ANSWERABLE, start=1)],
                  *[_answer_case(f"p{i}", "unanswerable", VISIBLE_MANUAL, q, "資料にない質問")
                    for i, q in enumerate(VISIBLE_UNANSWERABLE, start=len(VISIBLE_ANSWERABLE) + 1)],
                  _answer_case("p6", "strict_threshold", VISIBLE_MANUAL, VISIBLE_ANSWERABLE[0][0],
                               "答えられる質問でも min_score が高いとき", min_score=1000.0),
              ])

__all__ = ["HANDBOOK_NAME", "MIN_SCORE", "handbook_path", "reference_sections", "reference_index", "VISIBLE_MANUAL"]
