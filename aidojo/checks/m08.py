"""m08 Gradioでアプリを作る: a 新任職員向け 手引き検索アプリ — its Blocks layout, chat turn, CSV upload, full app.

``make_answer(path)`` is the question-answering function of m07 packed into one call; the lessons and
assignments of m08 and m09 build their Gradio app around it. The checkers inspect ``demo.config`` and call
the app's functions through ``demo(..., api_name=...)`` (no server), so they never hang; the tests drive
the launched app through ``gradio_client`` on 127.0.0.1.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from aidojo.checks.m07 import MIN_SCORE, _call, _not_callable, _result
from aidojo.checks.registry import CheckResult, question

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

EMPTY_REPLY = "質問を入力してください。"


def make_answer(path: str | os.PathLike, *, min_score: float = MIN_SCORE, source: str = "手引き") -> Callable[[str], str]:
    """``answer(question) -> str`` over the Markdown manual at ``path`` (m07's pipeline in one function).

    The manual is cut at "## " headings and indexed per section; an answer quotes the manual with
    「（出典：[手引き 9. 住宅扶助の上限額]）」, or is ``HANDOFF_REPLY`` when nothing relevant is found.
    """
    from aidojo.checks.m07 import reference_sections
    from aidojo.llm import HANDOFF_REPLY, chat
    from aidojo.retrieval import Index
    from aidojo.safety import is_handoff

    text = Path(path).read_text(encoding="utf-8")
    index = Index()
    for section in reference_sections(text):
        index.add_text(section["body"], source=source, location=section["title"], heading=section["title"])
    if not len(index):
        raise ValueError(f"{path}: 「## 」で始まる見出しの節がありません")

    def answer(question: str) -> str:
        """The manual's answer with its source, or the handoff reply."""
        question = (question or "").strip()
        if not question:
            return EMPTY_REPLY
        hits = index.search(question, k=3)
        if not hits or hits[0].score < min_score:
            return HANDOFF_REPLY
        passages = "\n".join(f"[{i}] {hit.text}" for i, hit in enumerate(hits, start=1))
        prompt = (f"次の資料だけを根拠に質問に答えてください。資料から答えられないときは「{HANDOFF_REPLY}」とだけ答えてください。\n"
                  f"根拠にした資料の番号を [1] のように書いてください。\n資料:\n\"\"\"\n{passages}\n\"\"\"\n質問: {question}")
        reply = chat(prompt)
        if is_handoff(reply) or not re.search(r"\[\d+\]", reply):
            return HANDOFF_REPLY
        return re.sub(r"\[(\d+)\]", lambda m: f"[{hits[int(m.group(1)) - 1].citation}]" if 0 < int(m.group(1)) <= len(hits)
                      else m.group(0), reply)

    answer.index = index  # type: ignore[attr-defined]  # for the lessons: answer.index.search(...)
    return answer


VISIBLE_QUESTIONS = ["住宅扶助の上限額は単身世帯でいくらですか？", "ふるさと納税の返礼品を教えてください"]
HIDDEN_QUESTIONS = ["保護の決定は申請から何日以内ですか？", "外国籍の方は生活保護を受けられますか？", "明日の天気は？"]


# --- reading a Blocks app ---------------------------------------------------------------------------


def _components(demo: Any) -> list[dict]:
    return list(demo.config.get("components", []))


def _label(c: dict) -> str:
    return str(c.get("props", {}).get("label") or "")


def _find(demo: Any, kind: str, label: str | None = None) -> list[dict]:
    return [c for c in _components(demo) if c.get("type") == kind and (label is None or label in _label(c))]


def _dependency(demo: Any, api_name: str) -> dict | None:
    for dep in demo.config.get("dependencies", []):
        if dep.get("api_name") == api_name:
            return dep
    return None


def _blocks(fn: Any, name: str) -> tuple[Any, list[str]]:
    import gradio as gr

    demo, err = _call(fn)
    if err:
        return None, [err]
    if not isinstance(demo, gr.Blocks):
        return None, [f"{name}() は gr.Blocks を返してください（with gr.Blocks() as demo: で作り、最後に return demo）。"
                      f"いまは {type(demo).__name__} が返っています。"]
    return demo, []


def _run(demo: Any, *args: Any, api_name: str) -> tuple[Any, str | None]:
    try:
        return demo(*args, api_name=api_name), None
    except Exception as exc:  # noqa: BLE001 - the learner's event handler failed
        return None, f"アプリの「{api_name}」を動かすとエラーになりました（{type(exc).__name__}: {exc}）。"


# --- q1: build_demo -----------------------------------------------------------------------------------


def _check_demo(fn: Any, answer: Any, questions: list[str]) -> list[str]:
    demo, hints = _blocks(fn, "build_demo")
    if hints:
        return hints
    q_boxes, a_boxes = _find(demo, "textbox", "質問"), _find(demo, "textbox", "回答")
    if not q_boxes:
        hints.append("label=\"質問\" の gr.Textbox がありません。")
    if not a_boxes:
        hints.append("label=\"回答\" の gr.Textbox がありません。")
    if not _find(demo, "button"):
        hints.append("gr.Button（送信ボタン）がありません。")
    examples = _find(demo, "dataset")
    if not examples or len(examples[0].get("props", {}).get("samples") or []) < 2:
        hints.append("gr.Examples で、質問の例を2つ以上示してください（examples=[...], inputs=質問の欄）。")
    dep = _dependency(demo, "answer")
    if dep is None:
        hints.append("ボタンの click に api_name=\"answer\" を付けてください（テストや評価がこの名前で呼びます）。")
    elif q_boxes and a_boxes and (q_boxes[0]["id"] not in dep["inputs"] or a_boxes[0]["id"] not in dep["outputs"]):
        hints.append("click の入力を「質問」の欄、出力を「回答」の欄にしてください：送信.click(answer, inputs=質問, outputs=回答, api_name=\"answer\")")
    if hints:
        return hints
    for q in questions:
        got, err = _run(demo, q, api_name="answer")
        if err:
            return [err]
        want, err = _call(answer, q)
        if err:
            return [err]
        if str(got) != str(want):
            return [f"「{q}」を送ると「{str(got)[:40]}」が表示されました。ボタンで answer 関数を呼び、その答えを「回答」に出してください。"]
    return []


@question("m08.q1", reads=("build_demo", "answer"), title="質問と回答の画面")
def q1(fn: Any, answer: Any) -> CheckResult:
    return _not_callable("build_demo", fn) or _result(_check_demo(fn, answer, VISIBLE_QUESTIONS),
                                                      "よくできました。質問・送信ボタン・回答・例のそろった画面ができました。")


@question("m08.q1.hidden", reads=("build_demo", "answer"), title="別の質問でも画面が答えるか")
def q1_hidden(fn: Any, answer: Any) -> CheckResult:
    return _not_callable("build_demo", fn) or _result(_check_demo(fn, answer, HIDDEN_QUESTIONS))


# --- q2: respond (a chat turn) -------------------------------------------------------------------------


def _content(message: Any) -> str:
    content = message.get("content") if isinstance(message, dict) else None
    if isinstance(content, list):  # Gradio's postprocessed form: [{"type": "text", "text": ...}]
        return "".join(str(p.get("text", "")) for p in content if isinstance(p, dict))
    return str(content if content is not None else "")


def _check_respond(fn: Any, answer: Any, cases: list[tuple[str, list[dict]]]) -> list[str]:
    for message, history in cases:
        before = [dict(m) for m in history]
        out, err = _call(fn, message, [dict(m) for m in history])
        if err:
            return [err]
        if not isinstance(out, (tuple, list)) or len(out) != 2:
            return ["respond は (入力欄に戻す文字, 新しい会話の履歴) の2つを返してください：return \"\", history"]
        box, new = out
        if box != "":
            return ["1つ目の返り値は空の文字 \"\" にして、送信後に入力欄を空にしてください。"]
        if not isinstance(new, list):
            return ["2つ目の返り値は会話の履歴（リスト）にしてください。"]
        if not message.strip():
            if len(new) != len(before):
                return ["空のメッセージ（空白だけ）のときは、履歴に何も足さずにそのまま返してください。"]
            continue
        if len(new) != len(before) + 2:
            return [f"履歴の長さが {len(new)} です。それまでの履歴の後ろに、利用者の発言と回答の2つを足してください（{len(before) + 2} 個になるはず）。"]
        if [(_content(m), m.get("role")) for m in new[:len(before)] if isinstance(m, dict)] != [(m["content"], m["role"]) for m in before]:
            return ["それまでの履歴が変わっています。前の会話は消さずに、後ろに足してください。"]
        user, bot = new[-2], new[-1]
        if not (isinstance(user, dict) and user.get("role") == "user" and _content(user) == message):
            return ["最後から2つ目は {\"role\": \"user\", \"content\": message}（利用者の発言）にしてください。"]
        want, err = _call(answer, message)
        if err:
            return [err]
        if not (isinstance(bot, dict) and bot.get("role") == "assistant" and _content(bot) == str(want)):
            return ["最後は {\"role\": \"assistant\", \"content\": answer(message)}（アプリの回答）にしてください。"]
    return []


@question("m08.q2", reads=("respond", "answer"), title="チャットの1往復")
def q2(fn: Any, answer: Any) -> CheckResult:
    return _not_callable("respond", fn) or _result(_check_respond(fn, answer, [(VISIBLE_QUESTIONS[0], [])]),
                                                   "よくできました。会話の履歴に質問と回答が足されます。")


@question("m08.q2.hidden", reads=("respond", "answer"), title="続きの会話・空のメッセージ")
def q2_hidden(fn: Any, answer: Any) -> CheckResult:
    earlier = [{"role": "user", "content": "こんにちは"}, {"role": "assistant", "content": "ご質問をどうぞ。"}]
    return _not_callable("respond", fn) or _result(_check_respond(fn, answer, [
        (HIDDEN_QUESTIONS[0], earlier), (HIDDEN_QUESTIONS[2], []), ("   ", earlier)]))


# --- q3: answer_file (CSV upload) ----------------------------------------------------------------------


def _csv(rows: list[list[str]], encoding: str) -> str:
    import csv
    import io

    buf = io.StringIO(newline="")
    csv.writer(buf).writerows(rows)
    fd, path = tempfile.mkstemp(prefix="m08_", suffix=".csv")
    with os.fdopen(fd, "wb") as fh:
        fh.write(buf.getvalue().encode(encoding))
    return path


def _check_file(fn: Any, answer: Any, rows: list[list[str]], encoding: str, bad_file: bool = False) -> list[str]:
    import pandas as pd

    path = _csv(rows, encoding)
    try:
        if bad_file:
            try:
                fn(path)
            except NotImplementedError:
                return ["answer_file の中身がまだ書かれていません。"]
            except Exception as exc:  # noqa: BLE001 - the message is what we check
                if "質問" not in str(exc) or not re.search(r"列|ない|ありません|見つかりません", str(exc)):
                    return [f"「質問」の列がないCSVでのエラーの文が「{exc}」です。「CSVに「質問」の列がありません」のように、何が足りないかを書いてください。"]
                return []
            return ["「質問」の列がないCSVでは、raise ValueError(\"CSVに「質問」の列がありません\") のように、分かる言葉で止めてください。"]
        table, err = _call(fn, path)
        if err:
            return [err + "（CSVは encoding=\"utf-8-sig\" で読むと、BOM付きのファイルも読めます）"]
        if not isinstance(table, pd.DataFrame):
            return [f"answer_file は pandas の DataFrame を返してください（いまは {type(table).__name__}）。"]
        if list(table.columns) != ["質問", "回答"]:
            return [f"表の列は「質問」「回答」の2つにしてください（いまは {list(table.columns)}）。"]
        questions = [r[rows[0].index("質問")] for r in rows[1:]]
        if list(table["質問"]) != questions:
            return [f"表の行数か質問が違います（{len(table)} 行。{len(questions)} 行のはず）。CSVの「質問」の列をそのまま使ってください。"]
        for q, a in zip(questions, table["回答"]):
            want, err = _call(answer, q)
            if err:
                return [err]
            if str(a) != str(want):
                return [f"「{q}」の回答が answer(質問) の結果と違います。"]
        return []
    finally:
        os.unlink(path)


@question("m08.q3", reads=("answer_file", "answer"), title="CSVの質問にまとめて答える")
def q3(fn: Any, answer: Any) -> CheckResult:
    rows = [["質問"], [VISIBLE_QUESTIONS[0]], [VISIBLE_QUESTIONS[1]]]
    return _not_callable("answer_file", fn) or _result(_check_file(fn, answer, rows, "utf-8"),
                                                       "よくできました。CSVの質問にまとめて答えられます。")


@question("m08.q3.hidden", reads=("answer_file", "answer"), title="BOM付き・列の多いCSV、列のないCSV")
def q3_hidden(fn: Any, answer: Any) -> CheckResult:
    rows = [["受付番号", "質問", "受付日"]] + [[f"R{i:03d}", q, "2027-04-0" + str(i)] for i, q in enumerate(HIDDEN_QUESTIONS, 1)]
    if not callable(fn):
        return _not_callable("answer_file", fn)
    return _result(_check_file(fn, answer, rows, "utf-8-sig")
                   or _check_file(fn, answer, [["問い合わせ"], ["住宅扶助の上限額は？"]], "utf-8", bad_file=True))


# --- q4: build_app (tabs: 質問する / チャット / CSVで一括) ------------------------------------------------


def _check_app(fn: Any, answer: Any, question_text: str) -> list[str]:
    demo, hints = _blocks(fn, "build_app")
    if hints:
        return hints
    need = {"chatbot": "gr.Chatbot（会話）", "file": "gr.File（CSVのアップロード）", "dataframe": "gr.Dataframe（結果の表）"}
    for kind, what in need.items():
        if not _find(demo, kind):
            hints.append(f"{what} がありません。")
    for api, what in (("answer", "質問→回答"), ("chat", "チャットの送信"), ("file", "CSVのアップロード")):
        if _dependency(demo, api) is None:
            hints.append(f"{what} のイベントに api_name=\"{api}\" を付けてください。")
    if hints:
        return hints
    chatbot = _find(demo, "chatbot")[0]["id"]
    dep = _dependency(demo, "chat")
    if chatbot not in dep["inputs"] or chatbot not in dep["outputs"]:
        return ["チャットの送信では、入力と出力の両方に gr.Chatbot を入れてください：inputs=[メッセージ, 会話], outputs=[メッセージ, 会話]"]
    file_dep, file_id = _dependency(demo, "file"), _find(demo, "file")[0]["id"]
    if file_id not in file_dep["inputs"] or _find(demo, "dataframe")[0]["id"] not in file_dep["outputs"]:
        return ["CSVのイベントは、入力を gr.File、出力を gr.Dataframe にしてください。"]
    got, err = _run(demo, question_text, [], api_name="chat")
    if err:
        return [err]
    want, err = _call(answer, question_text)
    if err:
        return [err]
    history = got[-1] if isinstance(got, (list, tuple)) and got else None
    if not history or _content(history[-1]) != str(want):
        return ["チャットに質問を送っても、アプリの回答が会話に出ません。respond 関数を api_name=\"chat\" のイベントにつないでください。"]
    got, err = _run(demo, question_text, api_name="answer")
    if err:
        return [err]
    if str(got) != str(want):
        return ["「質問する」のタブで answer 関数の答えが出ません。"]
    return []


@question("m08.q4", reads=("build_app", "answer"), title="タブで3つの機能をまとめたアプリ")
def q4(fn: Any, answer: Any) -> CheckResult:
    return _not_callable("build_app", fn) or _result(_check_app(fn, answer, VISIBLE_QUESTIONS[0]),
                                                     "よくできました。質問・チャット・CSVの3つの機能がそろったアプリです。")


@question("m08.q4.hidden", reads=("build_app", "answer"), title="アプリが別の質問にも答えるか")
def q4_hidden(fn: Any, answer: Any) -> CheckResult:
    return _not_callable("build_app", fn) or _result(_check_app(fn, answer, HIDDEN_QUESTIONS[1]))
