"""m04 PythonからAIを呼ぶ: messages, JSON parsing, calls, retries and cost — public cases, observers, judges.

Each question's ``observe`` calls the learner's function on one case (in a forked child in the notebook, in
the sandbox when grading) against ``aidojo.llm.scripted_client`` or the offline model, and returns plain
data; its ``judge`` decides from that data alone. Held-back cases: ``grader/heldback/m04.py``.
"""

from __future__ import annotations

import json
import math
from typing import Any

from aidojo.checks.judging import case_label
from aidojo.checks.observe import plain, type_name
from aidojo.checks.registry import code_question
from aidojo.checks.spec import Case, Observation

# --- q1: messages ------------------------------------------------------------------------------------


def expected_messages(system: str, question_text: str) -> list[dict[str, str]]:
    msgs = [{"role": "system", "content": system}] if system else []
    return msgs + [{"role": "user", "content": question_text}]


def observe_q1(values: dict, case: Case) -> dict:
    got = values["build_messages"](case.args["system"], case.args["question"])
    sdk_ok = None
    if isinstance(got, list) and got == expected_messages(case.args["system"], case.args["question"]):
        from aidojo.llm import client, model_name  # the list must really work with the SDK

        client().chat.completions.create(model=model_name(), messages=got)
        sdk_ok = True
    return {"type": type_name(got), "messages": plain(got), "sdk_ok": sdk_ok}


def judge_q1(case: Case, obs: Observation) -> str | None:
    system, text = case.args["system"], case.args["question"]
    got, want = obs.value["messages"], expected_messages(system, text)
    where = case_label(case) if case.hidden else f"system={system[:15]!r}, question={text[:15]!r} のとき"
    if obs.value["type"] != "list":
        return f"戻り値はリスト（[...]）にしてください（いまは {obs.value['type']} です）。"
    if not all(isinstance(m, dict) and "__type__" not in m for m in got):
        return "リストの中身は {\"role\": ..., \"content\": ...} の形の辞書にしてください。"
    if got == want:
        return None if obs.value["sdk_ok"] else f"{where}：作ったリストを AI に送れませんでした。"
    roles = [m.get("role") for m in got]
    if not got or roles[-1] != "user" or got[-1].get("content") != text:
        return f"{where}：最後のメッセージは role が \"user\"、content が質問そのものになるようにしてください。"
    if system and "system" not in roles:
        return f"{where}：役割（role）が \"system\" のメッセージがありません。"
    if not system and "system" in roles:
        return "system が空（\"\"）のときは、system のメッセージを入れないでください。"
    if system and (roles[0] != "system" or got[0].get("content") != system):
        return f"{where}：system のメッセージを先頭に置き、content を system の文字列そのものにしてください。"
    return f"{where}：メッセージの数か中身が違います" + ("。" if case.hidden else f"（期待：{want}）。")


code_question("m04.q1", reads=("build_messages",), title="messagesを作る", observe=observe_q1, judge=judge_q1,
              uses_model=True, cases=[
                  Case("p1", "system_and_user", {"system": "あなたはみどり市環境政策課の職員です。丁寧に答えてください。",
                                                  "question": "粗大ごみはどうやって出せばよいですか？"}),
                  Case("p2", "empty_system", {"system": "", "question": "こんにちは"}),
                  Case("p3", "system_and_user", {"system": "You are a helpful assistant.", "question": "保育園の申し込みはいつからですか？"}),
                  Case("p4", "multiline", {"system": "次の点を守ってください。\n・丁寧語で答える", "question": "ごみの日は\nいつですか？"}),
              ])

# --- q2: parse and validate JSON ---------------------------------------------------------------------


def _dump(obj: Any) -> dict | None:
    dump = getattr(obj, "model_dump", None)
    return plain(dump()) if callable(dump) else None


def observe_q2(values: dict, case: Case) -> dict:
    try:
        got = values["parse_reply"](case.args["text"])
    except NotImplementedError:
        raise
    except Exception as exc:
        return {"raised": type(exc).__name__}
    return {"raised": None, "type": type_name(got), "none": got is None, "dump": _dump(got)}


def judge_q2(case: Case, obs: Observation) -> str | None:
    where, want, got = case_label(case), case.expect, obs.value
    if got["raised"]:
        return (f"{where}でエラー（{got['raised']}）になりました。壊れたJSONや合わない値のときは、"
                "try / except でエラーを受け止めて None を返してください。")
    if want is None:
        return None if got["none"] else f"{where}のときは None を返してください（pydantic のモデルで確かめると分かります）。"
    if got["none"]:
        return f"{where}なのに None になりました。" + ("前後の ```json と ``` を取り除いてから読みましょう。"
                                                   if "```" in case.args["text"] else "")
    if got["type"] == "dict":
        return "辞書ではなく、Inquiry（pydantic のモデル）を返してください（Inquiry.model_validate_json など）。"
    if got["dump"] != want:
        return f"{where}：読み取った中身が違います" + ("。" if case.hidden else f"（期待：{want}）。")
    return None


_GOOD = {"category": "ごみ", "urgent": False, "summary": "粗大ごみの出し方についての質問"}
code_question("m04.q2", reads=("parse_reply",), title="JSONを読んで確かめる", observe=observe_q2, judge=judge_q2, cases=[
    Case("p1", "valid", {"text": json.dumps(_GOOD, ensure_ascii=False)}, _GOOD, "正しいJSON"),
    Case("p2", "fenced", {"text": '```json\n{"category": "道路", "urgent": true, "summary": "道路の穴"}\n```'},
         {"category": "道路", "urgent": True, "summary": "道路の穴"}, "```json で囲まれたJSON"),
    Case("p3", "truncated", {"text": '{"category": "子育て", "urgent": false, "summary": "保育園'}, None, "途中で切れたJSON"),
    Case("p4", "not_json", {"text": "申し訳ありません。JSONで答えることができません。"}, None, "JSONではない返事"),
    Case("p5", "invalid_value", {"text": '{"category": "水道", "urgent": false, "summary": "水漏れ"}'}, None, "一覧にないカテゴリのJSON"),
    Case("p6", "missing_field", {"text": '{"category": "税金", "summary": "住民税の納付書"}'}, None, "urgent のないJSON"),
    Case("p7", "wrong_type", {"text": '{"category": "ごみ", "urgent": "たぶん", "summary": "収集日"}'}, None, "urgent が真偽値でないJSON"),
    Case("p8", "empty", {"text": ""}, None, "空の返事"),
])

# --- q3: call the model for JSON -----------------------------------------------------------------------


def observe_q3(values: dict, case: Case) -> dict:
    from aidojo.llm import client, scripted_client

    if case.kind == "offline_model":  # the same function against the offline practice model
        got = values["ask_inquiry"](client(), case.args["question"])
        return {"dump": _dump(got)}
    fake = scripted_client([case.args["reply"]])
    got = values["ask_inquiry"](fake, case.args["question"])
    return {"requests": plain(fake.transport.requests), "none": got is None, "dump": _dump(got)}


def judge_q3(case: Case, obs: Observation) -> str | None:
    where, got = case_label(case), obs.value
    if case.kind == "offline_model":
        return None if got["dump"] is not None else "練習用オフラインモデルに聞いたとき、Inquiry が返りませんでした。"
    sent = got["requests"]
    if len(sent) != 1:
        return f"AIを1回だけ呼んでください（{len(sent)}回呼ばれました）。"
    body = sent[0] if isinstance(sent[0], dict) else {}
    msgs = body.get("messages") or []
    fmt = body.get("response_format") or {}
    text = case.args["question"]
    if not isinstance(fmt, dict) or fmt.get("type") not in ("json_object", "json_schema"):
        return 'response_format={"type": "json_object"} を指定して、JSONで答えるよう頼んでください。'
    if not msgs or not isinstance(msgs[-1], dict) or msgs[-1].get("role") != "user" or msgs[-1].get("content") != text:
        return "最後のメッセージ（role が \"user\"）に、質問をそのまま入れてください（build_messages を使いましょう）。"
    if not any(isinstance(m, dict) and m.get("role") == "system" and "category" in str(m.get("content")) for m in msgs):
        return "SYSTEM_PROMPT を system のメッセージとして入れてください。"
    if case.expect is None:
        return None if got["none"] else f"{where}のときは None を返してください（parse_reply を使いましょう）。"
    if got["dump"] != case.expect:
        return f"{where}：返事の JSON を Inquiry にして返してください（response.choices[0].message.content を parse_reply へ）。"
    return None


code_question("m04.q3", reads=("ask_inquiry",), title="AIにJSONで答えさせる", observe=observe_q3, judge=judge_q3,
              uses_model=True, cases=[
                  Case("p1", "valid_reply", {"question": "家の前の道路に大きな穴があいていて危ないです。",
                                             "reply": '{"category": "道路", "urgent": true, "summary": "道路の穴が危ない"}'},
                       {"category": "道路", "urgent": True, "summary": "道路の穴が危ない"}, "正しいJSONの返事"),
                  Case("p2", "bad_reply", {"question": "保育園の申し込みはいつからですか。",
                                           "reply": '{"category": "子育て", "urgent": false, "summary": "保育園の申込時期"'},
                       None, "途中で切れた返事"),
                  Case("p3", "fenced_reply", {"question": "住民票の写しはどこで取れますか。",
                                              "reply": '```json\n{"category": "その他", "urgent": false, "summary": "住民票の写し"}\n```'},
                       {"category": "その他", "urgent": False, "summary": "住民票の写し"}, "```jsonで囲まれた返事"),
                  Case("p4", "offline_model", {"question": "家の前の道路に大きな穴があいていて、夜は危ないです。"}, None,
                       "練習用オフラインモデル"),
              ])

# --- q4: retry ---------------------------------------------------------------------------------------------


def observe_q4(values: dict, case: Case) -> dict:
    from aidojo.llm import scripted_client

    fake = scripted_client(list(case.args["script"]))
    try:
        got = values["call_with_retry"](fake, [{"role": "user", "content": "こんにちは"}],
                                        max_attempts=case.args["attempts"], wait_seconds=0)
        raised = None
    except NotImplementedError:
        raise
    except Exception as exc:
        got, raised = None, type(exc).__name__
    return {"reply": plain(got), "raised": raised, "calls": fake.transport.calls}


def judge_q4(case: Case, obs: Observation) -> str | None:
    where, got = case_label(case), obs.value
    want, calls, attempts, first = case.expect["result"], case.expect["calls"], case.args["attempts"], case.args["script"][0]
    wants_error, raised, n = want.endswith("Error"), got["raised"], got["calls"]
    if raised == "RetryError":
        return "tenacity を使うときは reraise=True を指定して、最後のエラーをそのまま出してください。"
    if wants_error and raised is None:
        return f"{where}：あきらめるときは、最後のエラーを raise してください（値を返さない）。"
    if wants_error and raised != want:
        return f"{where}：{want} を raise するはずが {raised} になりました。最後のエラーをそのまま raise してください。"
    if not wants_error and raised is not None:
        if isinstance(first, int) and first == 429 and n <= 1:
            return "429のときに再試行していません（429は混雑・回数制限のしるしで、少し待てば成功します）。"
        if isinstance(first, int) and first >= 500 and n <= 1:
            return "500番台（サーバーの一時的なエラー）のときに再試行していません。"
        return f"{where}：成功するまで再試行してください（{raised} になりました）。"
    if not wants_error and got["reply"] != want:
        return f"{where}：返事の文字列（response.choices[0].message.content）を返してください。"
    if n != calls:
        if isinstance(first, int) and first < 500 and first != 429:
            return f"{first}（リクエストの誤り）は何度送っても直りません。再試行せず、すぐにエラーを出してください。"
        if n > calls:
            return f"{where}：max_attempts（{attempts}回）までであきらめてください（{n}回呼びました）。"
        return f"{where}：呼んだ回数が{n}回でした（{calls}回のはず）。"
    return None


def _retry_case(cid: str, kind: str, script: list, attempts: int, result: str, calls: int, note: str, **kw: Any) -> Case:
    return Case(cid, kind, {"script": script, "attempts": attempts}, {"result": result, "calls": calls}, note, **kw)


code_question("m04.q4", reads=("call_with_retry",), title="エラーのときに再試行する", observe=observe_q4, judge=judge_q4, cases=[
    _retry_case("p1", "transient_then_ok", [429, 500, '{"ok": true}'], 3, '{"ok": true}', 3, "429→500→成功"),
    _retry_case("p2", "first_try", ["こんにちは"], 3, "こんにちは", 1, "1回目で成功"),
    _retry_case("p3", "gives_up", [429, 429, 429, "まだ"], 3, "RateLimitError", 3, "429が続く"),
    _retry_case("p4", "client_error", [400, "ok"], 3, "BadRequestError", 1, "400（リクエストの誤り）"),
    _retry_case("p5", "transient_then_ok", [503, "ok"], 2, "ok", 2, "503→成功"),
])

# --- q5: cost ------------------------------------------------------------------------------------------------


def observe_q5(values: dict, case: Case) -> dict:
    from openai.types import CompletionUsage

    a = case.args
    usage = CompletionUsage(prompt_tokens=a["prompt"], completion_tokens=a["completion"],
                            total_tokens=a["prompt"] + a["completion"])
    got = values["cost_yen"](usage, a["price_in"], a["price_out"])
    return {"type": type_name(got), "value": got if isinstance(got, (int, float)) and not isinstance(got, bool) else None}


def judge_q5(case: Case, obs: Observation) -> str | None:
    a, got = case.args, obs.value["value"]
    where = case_label(case) if case.hidden else f"入力{a['prompt']}・出力{a['completion']}トークン"
    want = a["prompt"] * a["price_in"] / 1_000_000 + a["completion"] * a["price_out"] / 1_000_000
    if got is None or not isinstance(got, (int, float)):
        return f"料金は数（float）で返してください（いまは {obs.value['type']} です）。"
    if math.isclose(got, want, rel_tol=1e-6, abs_tol=1e-9):
        return None
    if math.isclose(got, want * 1000, rel_tol=1e-6) or math.isclose(got, want / 1000, rel_tol=1e-6):
        return "値段は「100万トークンあたり」です。1_000_000 で割ってください。"
    total = a["prompt"] + a["completion"]
    if math.isclose(got, total * a["price_in"] / 1e6, rel_tol=1e-6) or math.isclose(got, total * a["price_out"] / 1e6, rel_tol=1e-6):
        return "入力（prompt_tokens）と出力（completion_tokens）は値段が違います。別々に計算して足してください。"
    return f"{where}：料金が合いません" + ("。" if case.hidden else f"（{want:.6f}円になるはずが {got}）。")


def _cost_case(cid: str, kind: str, prompt: int, completion: int, price_in: float, price_out: float, **kw: Any) -> Case:
    return Case(cid, kind, {"prompt": prompt, "completion": completion, "price_in": price_in, "price_out": price_out}, **kw)


code_question("m04.q5", reads=("cost_yen",), title="トークン数から料金を計算する", observe=observe_q5, judge=judge_q5, cases=[
    _cost_case("p1", "both", 1200, 300, 375.0, 1500.0),
    _cost_case("p2", "input_only", 15000, 0, 20.0, 80.0),
    _cost_case("p3", "output_only", 0, 2500, 100.0, 400.0),
    _cost_case("p4", "free_input", 250_000, 50_000, 0.0, 600.0),
])
