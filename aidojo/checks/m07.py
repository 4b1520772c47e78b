"""m07 資料検索: split a manual into sections, index them, build a grounded prompt, answer or hand off.

The learner's functions are called on texts of two fictional manuals: an excerpt of the welfare-desk
handbook used in the lesson (``solutions/m07/data/seikatsuhogo_tebiki.md``) for the visible checks, and
a National Health Insurance desk manual that only the hidden tests use. Both are fictional (みどり市).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from aidojo.checks.registry import CheckResult, question

HANDBOOK_NAME = "seikatsuhogo_tebiki.md"
MIN_SCORE = 9.0  # BM25 score below which the handbook has nothing on the question (calibrated on the handbook)


def handbook_path() -> Path:
    """The welfare-desk handbook: the released copy (exercises/m07/data) or, failing that, the source copy."""
    from aidojo.course.config import REPO_ROOT

    for folder in ("exercises", "solutions"):
        path = REPO_ROOT / folder / "m07" / "data" / HANDBOOK_NAME
        if path.is_file():
            return path
    raise FileNotFoundError(f"{HANDBOOK_NAME} が見つかりません（exercises/m07/data/ を確認してください）")


# --- the manuals the checkers use ---------------------------------------------------------------

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

HIDDEN_MANUAL = """# 国民健康保険 窓口対応の手引き

みどり市 健康福祉局 保険年金課（研修用の架空の資料です）

## 加入の手続き

会社の健康保険をやめたときは、やめた日から14日以内に国民健康保険の加入の届出をしてください。
届出には、健康保険の資格喪失証明書と本人確認書類が必要です。
### 届出の場所
届出は、本庁舎1階の保険年金課か、各区役所の保険年金係で受け付けます。

## 保険料の納め方

保険料は、6月から翌年3月までの10回に分けて納めます。
口座振替を申し込むと、毎月の納め忘れを防ぐことができます。

## 保険料の減免

災害や失業で収入が大きく減った場合は、保険料の減免を申請できます。
減免の申請には、収入の減少が分かる書類が必要です。

## 高額療養費

1か月の医療費の自己負担額が限度額を超えた場合は、超えた分が高額療養費として払い戻されます。
払い戻しの申請は、診療を受けた月の翌月1日から2年以内に行ってください。

## 脱退の手続き

会社の健康保険に加入したときは、14日以内に国民健康保険の脱退の届出をしてください。
"""

HIDDEN_TITLES = ["加入の手続き", "保険料の納め方", "保険料の減免", "高額療養費", "脱退の手続き"]
VISIBLE_TITLES = ["2. 相談の受付時間と場所", "7. 申請に必要な書類", "9. 住宅扶助の上限額", "10. 保護の決定までの期間",
                  "11. 所持金がない方への緊急の支援"]

# (question, title of the section that answers it, words the answer must quote)
VISIBLE_ANSWERABLE = [
    ("住宅扶助の上限額は単身世帯でいくらですか？", "9. 住宅扶助の上限額", "41,000円"),
    ("保護の決定は申請から何日以内ですか？", "10. 保護の決定までの期間", "14日以内"),
    ("くらし応急資金はいくらまで借りられますか？", "11. 所持金がない方への緊急の支援", "3万円"),
]
VISIBLE_UNANSWERABLE = ["ふるさと納税の返礼品を教えてください", "職員の駐車場はどこですか？"]
HIDDEN_ANSWERABLE = [
    ("高額療養費の払い戻しの申請はいつまでにすればよいですか？", "高額療養費", "払い戻されます"),
    ("保険料の減免を申請するには何が必要ですか？", "保険料の減免", "減免を申請できます"),
    ("国民健康保険の加入の届出には何が必要ですか？", "加入の手続き", "14日以内"),
]
HIDDEN_UNANSWERABLE = ["粗大ごみの出し方を教えてください", "図書館の開館時間は何時ですか？"]
VISIBLE_MIN_SCORE = 3.0  # the small manuals give smaller BM25 scores than the whole handbook
HIDDEN_MIN_SCORE = 3.0


def reference_sections(text: str) -> list[dict[str, str]]:
    """The expected sections: one per "## " heading, body stripped (the part before the first one left out)."""
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


def _not_callable(name: str, fn: Any) -> CheckResult | None:
    if not callable(fn):
        return CheckResult(False, [f"{name} が関数になっていません。def {name}(...): で関数を作ってください。"])
    return None


def _call(fn: Any, *args: Any, **kwargs: Any) -> tuple[Any, str | None]:
    """Call the learner's function; an exception becomes a Japanese hint instead of a traceback."""
    try:
        return fn(*args, **kwargs), None
    except NotImplementedError:
        return None, f"{getattr(fn, '__name__', '関数')} の中身がまだ書かれていません（raise NotImplementedError() を消して、処理を書いてください）。"
    except Exception as exc:  # noqa: BLE001 - any error of the learner's code is a hint
        return None, f"{getattr(fn, '__name__', '関数')} を呼ぶとエラーになりました（{type(exc).__name__}: {exc}）。"


# --- q1: split_sections ---------------------------------------------------------------------------


def _check_sections(fn: Any, text: str) -> list[str]:
    got, err = _call(fn, text)
    if err:
        return [err]
    expected = reference_sections(text)
    if not isinstance(got, list) or not all(isinstance(s, dict) for s in got):
        return ["split_sections は、{\"title\": 見出し, \"body\": 本文} の辞書を並べたリストを返してください。"]
    if any(not {"title", "body"} <= set(s) for s in got):
        return ["それぞれの辞書に \"title\"（見出し）と \"body\"（本文）の2つのキーを入れてください。"]
    hints = []
    titles = [s["title"] for s in got]
    want = [s["title"] for s in expected]
    if len(got) != len(expected):
        hints.append(f"節の数が {len(got)} 個になっています（{len(expected)} 個のはずです）。「## 」で始まる行ごとに新しい節にします。"
                     "最初の「## 」より前（表紙の部分）は入れません。")
    elif titles != want:
        bad = next(t for t, w in zip(titles, want) if t != w)
        hints.append(f"見出し「{bad}」が違います。見出しは「## 」を取り除き、前後の空白を strip() で取り除いた文字にします（例：「{want[0]}」）。")
    else:
        for s, e in zip(got, expected):
            if s["body"] != e["body"]:
                hints.append(f"「{e['title']}」の本文が違います。次の「## 」の行の手前までの行をすべて本文にし、前後の空白は strip() で取り除きます。")
                break
    return hints


@question("m07.q1", reads=("split_sections",), title="手引きを節に分ける")
def q1(fn: Any) -> CheckResult:
    return _not_callable("split_sections", fn) or _result(_check_sections(fn, VISIBLE_MANUAL),
                                                          "よくできました。手引きを見出しごとの節に分けられました。")


@question("m07.q1.hidden", reads=("split_sections",), title="別の手引きでも節に分けられるか")
def q1_hidden(fn: Any) -> CheckResult:
    hints = _not_callable("split_sections", fn)
    if hints:
        return hints
    return _result(_check_sections(fn, HIDDEN_MANUAL) + _check_sections(fn, "## だけの節\n\n## 二つ目\n本文です。\n"))


def _result(hints: list[str], praise: str = "よくできました。") -> CheckResult:
    hints = list(dict.fromkeys(hints))
    return CheckResult(not hints, hints, 0.0 if hints else 1.0, praise)


# --- q2: build_index --------------------------------------------------------------------------------


def _check_index(fn: Any, text: str, cases: list[tuple[str, str, str]]) -> list[str]:
    from aidojo.retrieval import Index

    sections = reference_sections(text)
    index, err = _call(fn, sections)
    if err:
        return [err]
    if not isinstance(index, Index):
        return [f"build_index は Index を返してください（いまは {type(index).__name__} が返っています）。最後に return index を書きましょう。"]
    if len(index) < len(sections):
        return [f"索引に {len(index)} 個の断片しかありません。節ごとに index.add_text(...) を呼んで、{len(sections)} 節すべてを入れてください。"]
    hints = []
    for q, title, _ in cases:
        hits = index.search(q, k=1)
        if not hits:
            hints.append(f"「{q}」で何も見つかりません。節の本文（body）を索引に入れていますか？")
        elif hits[0].location != title:
            hints.append(f"「{q}」のいちばん上の結果の場所が「{hits[0].location}」です。"
                         f"add_text の location= に節の見出し（例：「{title}」）を渡すと、出典に見出しが付きます。")
        elif hits[0].source != "手引き":
            hints.append(f"出典の名前が「{hits[0].source}」です。add_text の source= には \"手引き\" を渡してください。")
    return hints


@question("m07.q2", reads=("build_index",), title="節ごとの索引を作る")
def q2(fn: Any) -> CheckResult:
    return _not_callable("build_index", fn) or _result(_check_index(fn, VISIBLE_MANUAL, VISIBLE_ANSWERABLE),
                                                       "よくできました。検索結果に見出しの出典が付きます。")


@question("m07.q2.hidden", reads=("build_index",), title="別の手引きでも索引を作れるか")
def q2_hidden(fn: Any) -> CheckResult:
    return _not_callable("build_index", fn) or _result(_check_index(fn, HIDDEN_MANUAL, HIDDEN_ANSWERABLE))


# --- q3: build_prompt -------------------------------------------------------------------------------

_ONLY_SOURCE = re.compile(r"資料(?:に|の)?(?:書かれて|書いて|記載されて|載って|ある|ない|以外|だけ|のみ|にない|にもとづ|に基づ|をもとに|を根拠)")


def _hits(text: str, cases: list[tuple[str, str, str]]) -> dict[str, list]:
    index = reference_index(text)
    return {q: index.search(q, k=3) for q, _, _ in cases}


def _check_prompt(fn: Any, text: str, cases: list[tuple[str, str, str]], unanswerable: list[str]) -> list[str]:
    from aidojo.llm import HANDOFF_REPLY, chat
    from aidojo.safety import is_handoff

    hints: list[str] = []
    for q, hits in _hits(text, cases).items():
        prompt, err = _call(fn, q, hits)
        if err:
            return [err]
        if not isinstance(prompt, str):
            return [f"build_prompt は文字列（str）を返してください（いまは {type(prompt).__name__}）。"]
        if q not in prompt:
            hints.append("プロンプトに質問の文がそのまま入っていません。「質問: 」のあとに question を入れましょう。")
        missing = [i for i, h in enumerate(hits, start=1) if h.text not in prompt or f"[{i}]" not in prompt]
        if missing:
            hints.append(f"資料の断片 [{missing[0]}] が見つかりません。hits の順に、番号 [1]、[2]、… を付けて hit.text を入れます"
                         "（enumerate(hits, start=1) が便利です）。")
        if HANDOFF_REPLY not in prompt:
            hints.append(f"資料から答えられないときの答え方「{HANDOFF_REPLY}」を、プロンプトの中で指示してください（HANDOFF_REPLY を使えます）。")
        if not _ONLY_SOURCE.search(prompt):
            hints.append("「資料に書かれていないことは答えない」という指示を入れてください。")
        if hints:
            break
        reply = chat(prompt)
        if not re.search(r"\[\d+\]", reply):
            hints.append(f"AIの答えに資料の番号 [n] が付きませんでした（答え：{reply[:60]}）。資料は「\"\"\"」などで区切り、"
                         "各断片の行の先頭に [1] のような番号を付けてください。")
            break
    if not hints:
        for q in unanswerable:
            hits = reference_index(text).search(q, k=3)
            prompt, err = _call(fn, q, hits)
            if err or not isinstance(prompt, str):
                return [err or "build_prompt は文字列（str）を返してください。"]
            reply = chat(prompt)
            if not is_handoff(reply):
                hints.append(f"資料にない質問「{q}」に、AIが答えてしまいました（{reply[:50]}）。資料と質問をはっきり区切り、"
                             "答えられないときは引き継ぐよう指示しましょう。")
                break
    return hints


@question("m07.q3", reads=("build_prompt",), title="資料だけで答えさせるプロンプト")
def q3(fn: Any) -> CheckResult:
    return _not_callable("build_prompt", fn) or _result(
        _check_prompt(fn, VISIBLE_MANUAL, VISIBLE_ANSWERABLE, VISIBLE_UNANSWERABLE[:1]),
        "よくできました。AIは番号付きの資料だけを根拠に答えます。")


@question("m07.q3.hidden", reads=("build_prompt",), title="別の資料でも使えるプロンプトか")
def q3_hidden(fn: Any) -> CheckResult:
    return _not_callable("build_prompt", fn) or _result(_check_prompt(fn, HIDDEN_MANUAL, HIDDEN_ANSWERABLE, HIDDEN_UNANSWERABLE))


# --- q4: answer ---------------------------------------------------------------------------------------


def _check_answer(fn: Any, text: str, cases: list[tuple[str, str, str]], unanswerable: list[str], min_score: float) -> list[str]:
    from aidojo.llm import HANDOFF_REPLY

    index = reference_index(text)
    hints: list[str] = []
    for q, title, words in cases:
        result, err = _call(fn, q, index, min_score=min_score)
        if err:
            return [err]
        if not isinstance(result, dict) or not {"answer", "citations", "handoff"} <= set(result):
            return ["answer は {\"answer\": 答え, \"citations\": 出典のリスト, \"handoff\": True/False} の辞書を返してください。"]
        if result["handoff"]:
            hints.append(f"資料で答えられる質問「{q}」で引き継いでいます。min_score と比べるのは hits[0].score（いちばん良い結果の点数）です。")
        elif words not in str(result["answer"]):
            hints.append(f"「{q}」の答えに、資料の「{words}」が入っていません。AIの答え（chat の返り値）をそのまま answer に入れましょう。")
        elif not isinstance(result["citations"], list) or not any(title in str(c) for c in result["citations"]):
            hints.append(f"「{q}」の出典に「{title}」がありません。答えの中の [1] などの番号を見て、hits[番号-1].citation を citations に入れます。")
        else:
            ranked = index.search(q, k=10)
            numbers = [int(n) for n in re.findall(r"\[(\d+)\]", str(result["answer"]))]
            cited = list(dict.fromkeys(ranked[n - 1].citation for n in numbers if 0 < n <= len(ranked)))
            if [str(c) for c in result["citations"]] != cited:
                hints.append(f"「{q}」の citations が {result['citations']} です。答えの中で使われた番号の出典だけ（{cited}）を、同じものは1回だけ入れます。")
        if hints:
            return hints
    strict, err = _call(fn, cases[0][0], index, min_score=1000.0)
    if err:
        return [err]
    if not isinstance(strict, dict) or not strict.get("handoff"):
        return ["min_score=1000 のように高い点数を渡しても引き継ぎません。hits[0].score を、引数の min_score と比べてください。"]
    for q in unanswerable:
        result, err = _call(fn, q, index, min_score=min_score)
        if err:
            return [err]
        if not isinstance(result, dict) or not result.get("handoff"):
            hints.append(f"資料にない質問「{q}」で引き継いでいません。hits が空か、hits[0].score が min_score 未満なら、"
                         f"{{\"answer\": HANDOFF_REPLY, \"citations\": [], \"handoff\": True}} を返します。")
        elif result.get("citations"):
            hints.append("引き継ぐときは citations を空のリスト [] にしてください。")
        elif HANDOFF_REPLY not in str(result.get("answer", "")):
            hints.append(f"引き継ぐときの answer は「{HANDOFF_REPLY}」（HANDOFF_REPLY）にしてください。")
        if hints:
            break
    return hints


@question("m07.q4", reads=("answer",), title="出典つきで答えるか、引き継ぐ")
def q4(fn: Any) -> CheckResult:
    return _not_callable("answer", fn) or _result(
        _check_answer(fn, VISIBLE_MANUAL, VISIBLE_ANSWERABLE, VISIBLE_UNANSWERABLE, VISIBLE_MIN_SCORE),
        "よくできました。資料にあれば出典つきで答え、なければ担当者に引き継ぎます。")


@question("m07.q4.hidden", reads=("answer",), title="別の手引きでも答える・引き継ぐ")
def q4_hidden(fn: Any) -> CheckResult:
    return _not_callable("answer", fn) or _result(
        _check_answer(fn, HIDDEN_MANUAL, HIDDEN_ANSWERABLE, HIDDEN_UNANSWERABLE, HIDDEN_MIN_SCORE))
