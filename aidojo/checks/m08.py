"""m08 Gradioでアプリを作る: a 新任職員向け 手引き検索アプリ — its Blocks layout, chat turn, CSV upload, full app.

``make_answer(path)`` is the question-answering function of m07 packed into one call; the lessons and
assignments of m08 and m09 build their Gradio app around it. Each question's ``observe`` builds the
learner's app and summarises it into plain data — the components (type, label, examples), the events
(api_name, inputs, outputs) and what the app's functions return when called through ``demo(..., api_name=...)``
(no server, so nothing hangs) — and its ``judge`` decides from that data alone. The tests drive the launched
app through ``gradio_client`` on 127.0.0.1. Held-back cases stay with the grader.
"""

from __future__ import annotations

import csv
import io
import os
import re
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from aidojo.checks.judging import case_label
from aidojo.checks.m07 import MIN_SCORE
from aidojo.checks.observe import plain, type_name
from aidojo.checks.registry import code_question
from aidojo.checks.spec import Case, Observation

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

EMPTY_REPLY = "質問を入力してください。"
MAX_TEXT = 4000


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


def _where(case: Case, shown: str) -> str:
    return case_label(case) if case.hidden else shown


def _text(value: Any) -> str:
    return str(value)[:MAX_TEXT]


# --- reading a Blocks app (in the learner's process) --------------------------------------------------


def summarize_blocks(demo: Any) -> dict:
    """A Blocks app as plain data: its components (id, type, label, number of examples) and events."""
    config = demo.config if isinstance(demo.config, dict) else {}
    components = []
    for c in list(config.get("components") or [])[:300]:
        props = c.get("props") or {}
        components.append({"id": c.get("id"), "type": str(c.get("type")), "label": str(props.get("label") or "")[:80],
                           "samples": len(props.get("samples") or []) if c.get("type") == "dataset" else 0})
    events = [{"api_name": d.get("api_name") if isinstance(d.get("api_name"), str) else None,
               "inputs": [i for i in d.get("inputs") or [] if isinstance(i, int)],
               "outputs": [o for o in d.get("outputs") or [] if isinstance(o, int)]}
              for d in list(config.get("dependencies") or [])[:300]]
    return {"components": components, "events": events}


def _run(demo: Any, *args: Any, api_name: str) -> dict:
    """Call one of the app's events like a user would (without a server); an error becomes data."""
    try:
        return {"value": plain(demo(*args, api_name=api_name))}
    except NotImplementedError:
        raise
    except Exception as exc:  # noqa: BLE001 - the learner's event handler failed: the judge gives the hint
        return {"error": f"{type(exc).__name__}: {str(exc)[:200]}"}


def _observe_app(values: dict, builder: str) -> tuple[Any, dict]:
    import gradio as gr

    demo = values[builder]()
    if not isinstance(demo, gr.Blocks):
        return None, {"type": type_name(demo)}
    return demo, {"type": "Blocks", **summarize_blocks(demo)}


def _apis(app: dict) -> set[str]:
    return {e["api_name"] for e in app["events"] if e["api_name"]}


def _find(app: dict, kind: str, label: str | None = None) -> list[dict]:
    return [c for c in app["components"] if c["type"] == kind and (label is None or label in c["label"])]


def _event(app: dict, api_name: str) -> dict | None:
    return next((e for e in app["events"] if e["api_name"] == api_name), None)


def _content(message: Any) -> str:
    content = message.get("content") if isinstance(message, dict) else None
    if isinstance(content, list):  # Gradio's postprocessed form: [{"type": "text", "text": ...}]
        return "".join(str(p.get("text", "")) for p in content if isinstance(p, dict))
    return str(content if content is not None else "")


def _answer_hint(case: Case, question: str, expect: Any, want: Any) -> str | None:
    """The app's ``answer`` must really answer from the manual (the set-up cell's function)."""
    from aidojo.safety import is_handoff

    text = str(want)
    expect = expect if isinstance(expect, dict) else {}
    ok = is_handoff(text) if expect.get("handoff") else (str(expect.get("contains")) in text and not is_handoff(text))
    if ok:
        return None
    return (f"{_where(case, '「' + question + '」')}への answer(質問) の答えが、手引きの答えになっていません。"
            "準備のセルの answer = make_answer(...) を書き換えずに使ってください。")


# --- q1: build_demo -----------------------------------------------------------------------------------
# One case asks several questions of one app: building a gr.Blocks costs about a second (Gradio makes its
# web app each time), so each case builds the learner's app once.


def observe_q1(values: dict, case: Case) -> dict:
    demo, app = _observe_app(values, "build_demo")
    if demo is None:
        return app
    questions = list(case.args["questions"])
    if "answer" in _apis(app):
        app["shown"] = [_run(demo, q, api_name="answer") for q in questions]
    app["want"] = [_text(values["answer"](q)) for q in questions]
    return app


def judge_q1(case: Case, obs: Observation) -> str | None:
    app = obs.value
    if app["type"] != "Blocks":
        return (f"build_demo() は gr.Blocks を返してください（with gr.Blocks() as demo: で作り、最後に return demo）。"
                f"いまは {app['type']} が返っています。")
    hints = []
    q_boxes, a_boxes = _find(app, "textbox", "質問"), _find(app, "textbox", "回答")
    if not q_boxes:
        hints.append("label=\"質問\" の gr.Textbox がありません。")
    if not a_boxes:
        hints.append("label=\"回答\" の gr.Textbox がありません。")
    if not _find(app, "button"):
        hints.append("gr.Button（送信ボタン）がありません。")
    examples = _find(app, "dataset")
    if not examples or examples[0]["samples"] < 2:
        hints.append("gr.Examples で、質問の例を2つ以上示してください（examples=[...], inputs=質問の欄）。")
    event = _event(app, "answer")
    if event is None:
        hints.append("ボタンの click に api_name=\"answer\" を付けてください（テストや評価がこの名前で呼びます）。")
    elif q_boxes and a_boxes and (q_boxes[0]["id"] not in event["inputs"] or a_boxes[0]["id"] not in event["outputs"]):
        hints.append("click の入力を「質問」の欄、出力を「回答」の欄にしてください：送信.click(answer, inputs=質問, outputs=回答, api_name=\"answer\")")
    if hints:
        return " ".join(hints)
    questions, expects = list(case.args["questions"]), list(case.expect)
    if len(app["shown"]) != len(questions) or len(app["want"]) != len(questions):
        return "アプリに質問を送れませんでした。"
    for question, expect, shown, want in zip(questions, expects, app["shown"], app["want"]):
        where = _where(case, f"「{question}」")
        if "error" in shown:
            return f"{where}を送ると、アプリがエラーになりました" + ("。" if case.hidden else f"（{shown['error']}）。")
        if _text(shown["value"]) != want:
            return (f"{where}を送っても、answer 関数の答えが「回答」に出ません。" if case.hidden else
                    f"{where}を送ると「{_text(shown['value'])[:40]}」が表示されました。ボタンで answer 関数を呼び、その答えを「回答」に出してください。")
        hint = _answer_hint(case, question, expect, want)
        if hint:
            return hint
    return None


def _question_case(cid: str, kind: str, question: str, note: str, contains: str | None = None) -> Case:
    """A question to the app; ``contains``: words of the manual its answer quotes (None: it hands off)."""
    return Case(cid, kind, {"question": question}, {"handoff": True} if contains is None else {"contains": contains}, note)


VISIBLE_QUESTIONS = ["住宅扶助の上限額は単身世帯でいくらですか？", "ふるさと納税の返礼品を教えてください"]

code_question("m08.q1", reads=("build_demo", "answer"), title="質問と回答の画面", observe=observe_q1, judge=judge_q1,
              uses_model=True, praise="よくできました。質問・送信ボタン・回答・例のそろった画面ができました。", cases=[
                  Case("p1", "questions", {"questions": VISIBLE_QUESTIONS}, [{"contains": "41,000円"}, {"handoff": True}],
                       "手引きで答えられる質問と、手引きにない質問"),
              ])

# --- q2: respond (a chat turn) -------------------------------------------------------------------------


def observe_q2(values: dict, case: Case) -> dict:
    message, history = case.args["message"], [dict(m) for m in case.args["history"]]
    out = values["respond"](message, history)
    want = _text(values["answer"](message)) if message.strip() else None
    if isinstance(out, (tuple, list)):
        out = list(out)[:5]
    return {"type": type_name(out), "out": plain(out), "want": want}


def judge_q2(case: Case, obs: Observation) -> str | None:
    out, want = obs.value["out"], obs.value["want"]
    message, before = case.args["message"], list(case.args["history"])
    if not isinstance(out, list) or len(out) != 2:
        return "respond は (入力欄に戻す文字, 新しい会話の履歴) の2つを返してください：return \"\", history"
    box, new = out
    if box != "":
        return "1つ目の返り値は空の文字 \"\" にして、送信後に入力欄を空にしてください。"
    if not isinstance(new, list):
        return "2つ目の返り値は会話の履歴（リスト）にしてください。"
    if case.kind == "blank_message":
        if [(_content(m), m.get("role") if isinstance(m, dict) else None) for m in new] != [(m["content"], m["role"]) for m in before]:
            return "空のメッセージ（空白だけ）のときは、履歴に何も足さずにそのまま返してください（message.strip() が空かどうかで判断します）。"
        return None
    if len(new) != len(before) + 2:
        return (f"{_where(case, case.note)}：履歴の長さが {len(new)} です。それまでの履歴の後ろに、利用者の発言と回答の2つを足してください"
                f"（{len(before) + 2} 個になるはず）。" + ("前の会話は消さずに残します。" if before else ""))
    if [(_content(m), m.get("role") if isinstance(m, dict) else None) for m in new[:len(before)]] != [(m["content"], m["role"]) for m in before]:
        return "それまでの履歴が変わっています。前の会話は消さずに、後ろに足してください。"
    user, bot = new[-2], new[-1]
    if not (isinstance(user, dict) and user.get("role") == "user" and _content(user) == message):
        return "最後から2つ目は {\"role\": \"user\", \"content\": message}（利用者の発言）にしてください。"
    if not (isinstance(bot, dict) and bot.get("role") == "assistant" and _content(bot) == want):
        return "最後は {\"role\": \"assistant\", \"content\": answer(message)}（アプリの回答）にしてください。"
    return None


EARLIER = [{"role": "user", "content": "よろしくお願いします。"}, {"role": "assistant", "content": "ご質問をどうぞ。"}]

code_question("m08.q2", reads=("respond", "answer"), title="チャットの1往復", observe=observe_q2, judge=judge_q2,
              uses_model=True, praise="よくできました。会話の履歴に質問と回答が足されます。", cases=[
                  Case("p1", "first_turn", {"message": VISIBLE_QUESTIONS[0], "history": []}, note="最初の質問"),
                  Case("p2", "continued", {"message": VISIBLE_QUESTIONS[1], "history": EARLIER}, note="会話の続きの質問"),
                  Case("p3", "blank_message", {"message": "   ", "history": EARLIER}, note="空白だけのメッセージ"),
              ])

# --- q3: answer_file (CSV upload) ----------------------------------------------------------------------


def _write_csv(folder: str, rows: list[list[str]], encoding: str) -> str:
    buf = io.StringIO(newline="")
    csv.writer(buf).writerows(rows)
    path = os.path.join(folder, "questions.csv")
    with open(path, "wb") as fh:
        fh.write(buf.getvalue().encode(encoding))
    return path


def observe_q3(values: dict, case: Case) -> dict:
    import pandas as pd

    rows, encoding = [list(r) for r in case.args["rows"]], case.args["encoding"]
    folder = tempfile.mkdtemp(prefix="m08_")
    try:
        path = _write_csv(folder, rows, encoding)
        try:
            table = values["answer_file"](path)
        except NotImplementedError:
            raise
        except Exception as exc:  # noqa: BLE001 - whether and how it stops is what the judge checks
            return {"raised": type(exc).__name__, "message": str(exc)[:300]}
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    if not isinstance(table, pd.DataFrame):
        return {"raised": None, "type": type_name(table)}
    columns = [str(c)[:40] for c in list(table.columns)[:20]]
    out: dict[str, Any] = {"raised": None, "type": "DataFrame", "columns": columns}
    if columns == ["質問", "回答"]:
        out["questions"] = [_text(q) for q in list(table["質問"])[:100]]
        out["answers"] = [_text(a) for a in list(table["回答"])[:100]]
        out["want"] = [_text(values["answer"](q)) for q in out["questions"]]
    return out


def judge_q3(case: Case, obs: Observation) -> str | None:
    got, rows = obs.value, case.args["rows"]
    if case.kind == "missing_column":
        if got["raised"] is None:
            return "「質問」の列がないCSVでは、raise ValueError(\"CSVに「質問」の列がありません\") のように、分かる言葉で止めてください。"
        message = str(got["message"])
        if "質問" not in message or not re.search(r"列|ない|ありません|見つかりません", message):
            return (f"「質問」の列がないCSVでのエラーの文が「{message[:60]}」です。「CSVに「質問」の列がありません」のように、"
                    "何が足りないかを書いてください。")
        return None
    if got["raised"]:
        bom = "（CSVは encoding=\"utf-8-sig\" で読むと、Excelが付ける BOM があっても読めます）" if case.args["encoding"] == "utf-8-sig" else ""
        detail = "" if case.hidden else f"（{got['raised']}: {str(got['message'])[:80]}）"
        return f"{_where(case, case.note)}でエラーになりました{detail}。{bom}"
    if got["type"] != "DataFrame":
        return f"answer_file は pandas の DataFrame を返してください（いまは {got['type']}）。"
    if got["columns"] != ["質問", "回答"]:
        now = "" if case.hidden else f"（いまは {got['columns']}）"
        return (f"{_where(case, case.note)}：表の列は「質問」「回答」の2つだけにしてください{now}。"
                "アップロードされたCSVのほかの列は入れません。")
    questions = [str(r[list(rows[0]).index("質問")]) for r in rows[1:]]
    if got["questions"] != questions:
        return (f"{_where(case, case.note)}：表の行数か質問が違います（{len(got['questions'])} 行。{len(questions)} 行のはず）。"
                "CSVの「質問」の列をそのまま使ってください。")
    for q, a, w in zip(got["questions"], got["answers"], got["want"]):
        if a != w:
            return f"{_where(case, '「' + q + '」')}の回答が answer(質問) の結果と違います。"
    return None


def _csv_case(cid: str, kind: str, rows: list[list[str]], encoding: str, note: str) -> Case:
    return Case(cid, kind, {"rows": rows, "encoding": encoding}, None, note)


code_question("m08.q3", reads=("answer_file", "answer"), title="CSVの質問にまとめて答える", observe=observe_q3, judge=judge_q3,
              uses_model=True, praise="よくできました。CSVの質問にまとめて答えられます。", cases=[
                  _csv_case("p1", "single_column", [["質問"], [VISIBLE_QUESTIONS[0]], [VISIBLE_QUESTIONS[1]]], "utf-8",
                            "「質問」の列だけのCSV"),
                  _csv_case("p2", "bom", [["質問"], ["くらし応急資金はいくらまで借りられますか？"]], "utf-8-sig",
                            "Excelで保存したCSV（BOM付き）"),
                  _csv_case("p3", "extra_columns", [["受付番号", "質問", "担当"], ["R-101", "自動車は持てますか？", "北村"],
                                                    ["R-102", VISIBLE_QUESTIONS[0], "南"]], "utf-8-sig",
                            "ほかの列もあるCSV（BOM付き）"),
                  _csv_case("p4", "missing_column", [["問い合わせ"], ["住宅扶助の上限額は？"]], "utf-8", "「質問」の列がないCSV"),
              ])

# --- q4: build_app (tabs: 質問する / チャット / CSVで一括) ------------------------------------------------


def observe_q4(values: dict, case: Case) -> dict:
    question = case.args["question"]
    demo, app = _observe_app(values, "build_app")
    if demo is None:
        return app
    apis = _apis(app)
    if "chat" in apis:
        app["chat"] = _run(demo, question, [], api_name="chat")
    if "answer" in apis:
        app["shown"] = _run(demo, question, api_name="answer")
    app["want"] = _text(values["answer"](question))
    return app


def judge_q4(case: Case, obs: Observation) -> str | None:
    app = obs.value
    if app["type"] != "Blocks":
        return (f"build_app() は gr.Blocks を返してください（with gr.Blocks() as demo: で作り、最後に return demo）。"
                f"いまは {app['type']} が返っています。")
    hints = []
    need = {"chatbot": "gr.Chatbot（会話）", "file": "gr.File（CSVのアップロード）", "dataframe": "gr.Dataframe（結果の表）"}
    for kind, what in need.items():
        if not _find(app, kind):
            hints.append(f"{what} がありません。")
    for api, what in (("answer", "質問→回答"), ("chat", "チャットの送信"), ("file", "CSVのアップロード")):
        if _event(app, api) is None:
            hints.append(f"{what} のイベントに api_name=\"{api}\" を付けてください。")
    if hints:
        return " ".join(hints)
    chatbot, chat = _find(app, "chatbot")[0]["id"], _event(app, "chat")
    if chatbot not in chat["inputs"] or chatbot not in chat["outputs"]:
        return "チャットの送信では、入力と出力の両方に gr.Chatbot を入れてください：inputs=[メッセージ, 会話], outputs=[メッセージ, 会話]"
    file_event = _event(app, "file")
    if _find(app, "file")[0]["id"] not in file_event["inputs"] or _find(app, "dataframe")[0]["id"] not in file_event["outputs"]:
        return "CSVのイベントは、入力を gr.File、出力を gr.Dataframe にしてください。"
    want, chat_out = app["want"], app["chat"]
    if "error" in chat_out:
        return "チャットに質問を送ると、アプリがエラーになりました" + ("。" if case.hidden else f"（{chat_out['error']}）。")
    history = chat_out["value"][-1] if isinstance(chat_out["value"], list) and chat_out["value"] else None
    if not isinstance(history, list) or not history or _text(_content(history[-1])) != want:
        return "チャットに質問を送っても、アプリの回答が会話に出ません。respond 関数を api_name=\"chat\" のイベントにつないでください。"
    shown = app["shown"]
    if "error" in shown or _text(shown["value"]) != want:
        return "「質問する」のタブで answer 関数の答えが出ません。"
    return _answer_hint(case, case.args["question"], case.expect, want)


code_question("m08.q4", reads=("build_app", "answer"), title="タブで3つの機能をまとめたアプリ", observe=observe_q4, judge=judge_q4,
              uses_model=True, praise="よくできました。質問・チャット・CSVの3つの機能がそろったアプリです。", cases=[
                  _question_case("p1", "app", VISIBLE_QUESTIONS[0], "手引きで答えられる質問", "41,000円"),
              ])

__all__ = ["EMPTY_REPLY", "make_answer", "summarize_blocks", "VISIBLE_QUESTIONS"]
