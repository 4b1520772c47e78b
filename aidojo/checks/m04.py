"""m04 PythonからAIを呼ぶ: checkers for the learner's functions (messages, JSON parsing, calls, retries, cost).

Each checker calls the learner's function on cases (shown ones by default; the nbgrader hidden tests pass
held-back cases) against ``aidojo.llm.scripted_client`` or the offline model, and answers with Japanese hints.
Learner code runs in a forked child (:func:`isolated`), so an endless loop or a crash in it fails that one
question instead of hanging or killing the notebook.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Sequence
from typing import Any

from aidojo.checks.registry import CheckResult, question

from aidojo.checks.sandbox import NOT_WRITTEN, case_label, graded, isolated  # noqa: F401  (re-exported)


# --- q1: messages ------------------------------------------------------------------------------------

Q1_CASES: list[tuple[str, str]] = [
    ("あなたはみどり市環境政策課の職員です。丁寧に答えてください。", "粗大ごみはどうやって出せばよいですか？"),
    ("", "こんにちは"),
    ("You are a helpful assistant.", "保育園の申し込みはいつからですか？"),
]


def _expected_messages(system: str, question_text: str) -> list[dict[str, str]]:
    msgs = [{"role": "system", "content": system}] if system else []
    return msgs + [{"role": "user", "content": question_text}]


@question("m04.q1", reads=("build_messages",), title="messagesを作る")
@isolated
def check_q1(build_messages: Callable, cases: Sequence[tuple[str, str]] | None = None) -> CheckResult:
    held_back = cases is not None
    cases = list(cases if cases is not None else Q1_CASES)
    hints: list[str] = []
    ok = 0
    last_good = None
    for system, text in cases:
        got = build_messages(system, text)
        want = _expected_messages(system, text)
        where = "非公開の確認用データ" if held_back else f"system={system[:15]!r}, question={text[:15]!r} のとき"
        if not isinstance(got, list):
            hints.append(f"戻り値はリスト（[...]）にしてください（いまは {type(got).__name__} です）。")
            continue
        if not all(isinstance(m, dict) for m in got):
            hints.append("リストの中身は {\"role\": ..., \"content\": ...} の形の辞書にしてください。")
            continue
        if got == want:
            ok += 1
            last_good = got
            continue
        roles = [m.get("role") for m in got]
        if not got or roles[-1] != "user" or got[-1].get("content") != text:
            hints.append(f"{where}：最後のメッセージは role が \"user\"、content が質問そのものになるようにしてください。")
        elif system and "system" not in roles:
            hints.append(f"{where}：役割（role）が \"system\" のメッセージがありません。")
        elif not system and "system" in roles:
            hints.append("system が空（\"\"）のときは、system のメッセージを入れないでください。")
        elif system and (roles[0] != "system" or got[0].get("content") != system):
            hints.append(f"{where}：system のメッセージを先頭に置き、content を system の文字列そのものにしてください。")
        else:
            hints.append(f"{where}：メッセージの数か中身が違います" + ("。" if held_back else f"（期待：{want}）。"))
    if last_good is not None and not hints:  # the list must really work with the SDK
        from aidojo.llm import client, model_name

        client().chat.completions.create(model=model_name(), messages=last_good)
    return graded(ok, len(cases), hints)


# --- q2: parse and validate JSON ---------------------------------------------------------------------

_GOOD = {"category": "ごみ", "urgent": False, "summary": "粗大ごみの出し方についての質問"}
Q2_CASES: list[tuple[str, dict | None, str]] = [
    (json.dumps(_GOOD, ensure_ascii=False), _GOOD, "正しいJSON"),
    ('```json\n{"category": "道路", "urgent": true, "summary": "道路の穴"}\n```',
     {"category": "道路", "urgent": True, "summary": "道路の穴"}, "```json で囲まれたJSON"),
    ('{"category": "子育て", "urgent": false, "summary": "保育園', None, "途中で切れたJSON"),
    ("申し訳ありません。JSONで答えることができません。", None, "JSONではない返事"),
    ('{"category": "水道", "urgent": false, "summary": "水漏れ"}', None, "一覧にないカテゴリのJSON"),
    ('{"category": "税金", "summary": "住民税の納付書"}', None, "urgent のないJSON"),
]


def _dump(obj: Any) -> dict | None:
    dump = getattr(obj, "model_dump", None)
    return dump() if callable(dump) else None


@question("m04.q2", reads=("parse_reply",), title="JSONを読んで確かめる")
@isolated
def check_q2(parse_reply: Callable, cases: Sequence[tuple[str, dict | None, str]] | None = None) -> CheckResult:
    held_back = cases is not None
    cases = list(cases if cases is not None else Q2_CASES)
    hints: list[str] = []
    ok = 0
    for text, want, note in cases:
        where = case_label(note, held_back)
        try:
            got = parse_reply(text)
        except NotImplementedError:
            raise
        except Exception as exc:
            hints.append(f"{where}でエラー（{type(exc).__name__}）になりました。壊れたJSONや合わない値のときは、"
                         "try / except でエラーを受け止めて None を返してください。")
            continue
        if want is None:
            if got is None:
                ok += 1
            else:
                hints.append(f"{where}のときは None を返してください（pydantic のモデルで確かめると分かります）。")
            continue
        if got is None:
            hint = f"{where}なのに None になりました。"
            if "```" in text:
                hint += "前後の ```json と ``` を取り除いてから読みましょう。"
            hints.append(hint)
        elif isinstance(got, dict):
            hints.append("辞書ではなく、Inquiry（pydantic のモデル）を返してください（Inquiry.model_validate_json など）。")
        elif _dump(got) != want:
            hints.append(f"{where}：読み取った中身が違います" + ("。" if held_back else f"（期待：{want}）。"))
        else:
            ok += 1
    return graded(ok, len(cases), hints)


# --- q3: call the model for JSON -----------------------------------------------------------------------

Q3_CASES: list[tuple[str, str, dict | None, str]] = [
    ("家の前の道路に大きな穴があいていて危ないです。", '{"category": "道路", "urgent": true, "summary": "道路の穴が危ない"}',
     {"category": "道路", "urgent": True, "summary": "道路の穴が危ない"}, "正しいJSONの返事"),
    ("保育園の申し込みはいつからですか。", '{"category": "子育て", "urgent": false, "summary": "保育園の申込時期"',
     None, "途中で切れた返事"),
]


@question("m04.q3", reads=("ask_inquiry",), title="AIにJSONで答えさせる")
@isolated
def check_q3(ask_inquiry: Callable, cases: Sequence[tuple[str, str, dict | None, str]] | None = None) -> CheckResult:
    from aidojo.llm import client, scripted_client

    held_back = cases is not None
    cases = list(cases if cases is not None else Q3_CASES)
    hints: list[str] = []
    ok = 0
    total = len(cases) + 1
    for text, reply, want, note in cases:
        where = case_label(note, held_back)
        fake = scripted_client([reply])
        got = ask_inquiry(fake, text)
        sent = fake.transport.requests
        if len(sent) != 1:
            hints.append(f"AIを1回だけ呼んでください（{len(sent)}回呼ばれました）。")
            continue
        body = sent[0]
        msgs = body.get("messages") or []
        fmt = body.get("response_format") or {}
        if fmt.get("type") not in ("json_object", "json_schema"):
            hints.append('response_format={"type": "json_object"} を指定して、JSONで答えるよう頼んでください。')
        elif not msgs or msgs[-1].get("role") != "user" or msgs[-1].get("content") != text:
            hints.append("最後のメッセージ（role が \"user\"）に、質問をそのまま入れてください（build_messages を使いましょう）。")
        elif not any(m.get("role") == "system" and "category" in str(m.get("content")) for m in msgs):
            hints.append("SYSTEM_PROMPT を system のメッセージとして入れてください。")
        elif want is None and got is not None:
            hints.append(f"{where}のときは None を返してください（parse_reply を使いましょう）。")
        elif want is not None and _dump(got) != want:
            hints.append(f"{where}：返事の JSON を Inquiry にして返してください（response.choices[0].message.content を parse_reply へ）。")
        else:
            ok += 1
    # the same function against the offline practice model: it must come back as an Inquiry
    got = ask_inquiry(client(), "家の前の道路に大きな穴があいていて、夜は危ないです。")
    if _dump(got) is None:
        hints.append("練習用オフラインモデルに聞いたとき、Inquiry が返りませんでした。")
    else:
        ok += 1
    return graded(ok, total, hints)


# --- q4: retry ---------------------------------------------------------------------------------------------

# (script, max_attempts, expected reply or exception class name, expected calls, what it shows)
Q4_CASES: list[tuple[list, int, str, int, str]] = [
    ([429, 500, '{"ok": true}'], 3, '{"ok": true}', 3, "429→500→成功"),
    (["こんにちは"], 3, "こんにちは", 1, "1回目で成功"),
    ([429, 429, 429, "まだ"], 3, "RateLimitError", 3, "429が続く"),
    ([400, "ok"], 3, "BadRequestError", 1, "400（リクエストの誤り）"),
    ([503, "ok"], 2, "ok", 2, "503→成功"),
]


@question("m04.q4", reads=("call_with_retry",), title="エラーのときに再試行する")
@isolated
def check_q4(call_with_retry: Callable, cases: Sequence[tuple[list, int, str, int, str]] | None = None) -> CheckResult:
    from aidojo.llm import scripted_client

    held_back = cases is not None
    cases = list(cases if cases is not None else Q4_CASES)
    hints: list[str] = []
    ok = 0
    messages = [{"role": "user", "content": "こんにちは"}]
    for script, attempts, want, calls, note in cases:
        where = case_label(note, held_back)
        fake = scripted_client(script)
        wants_error = want.endswith("Error")
        try:
            got = call_with_retry(fake, messages, max_attempts=attempts, wait_seconds=0)
            raised = None
        except NotImplementedError:
            raise
        except Exception as exc:
            got, raised = None, exc
        n = fake.transport.calls
        first = script[0]
        if raised is not None and type(raised).__name__ == "RetryError":
            hints.append("tenacity を使うときは reraise=True を指定して、最後のエラーをそのまま出してください。")
        elif wants_error and raised is None:
            hints.append(f"{where}：あきらめるときは、最後のエラーを raise してください（値を返さない）。")
        elif wants_error and type(raised).__name__ != want:
            hints.append(f"{where}：{want} を raise するはずが {type(raised).__name__} になりました。最後のエラーをそのまま raise してください。")
        elif not wants_error and raised is not None:
            if isinstance(first, int) and first == 429 and n <= 1:
                hints.append("429のときに再試行していません（429は混雑・回数制限のしるしで、少し待てば成功します）。")
            elif isinstance(first, int) and first >= 500 and n <= 1:
                hints.append("500番台（サーバーの一時的なエラー）のときに再試行していません。")
            else:
                hints.append(f"{where}：成功するまで再試行してください（{type(raised).__name__} になりました）。")
        elif not wants_error and got != want:
            hints.append(f"{where}：返事の文字列（response.choices[0].message.content）を返してください。")
        elif n != calls:
            if isinstance(first, int) and first < 500 and first != 429:
                hints.append(f"{first}（リクエストの誤り）は何度送っても直りません。再試行せず、すぐにエラーを出してください。")
            elif n > calls:
                hints.append(f"{where}：max_attempts（{attempts}回）までであきらめてください（{n}回呼びました）。")
            else:
                hints.append(f"{where}：呼んだ回数が{n}回でした（{calls}回のはず）。")
        else:
            ok += 1
    return graded(ok, len(cases), hints)


# --- q5: cost ------------------------------------------------------------------------------------------------

Q5_CASES: list[tuple[int, int, float, float]] = [
    (1200, 300, 375.0, 1500.0),
    (15000, 0, 20.0, 80.0),
    (0, 2500, 100.0, 400.0),
]


def _usage(prompt: int, completion: int):
    from openai.types import CompletionUsage

    return CompletionUsage(prompt_tokens=prompt, completion_tokens=completion, total_tokens=prompt + completion)


@question("m04.q5", reads=("cost_yen",), title="トークン数から料金を計算する")
@isolated
def check_q5(cost_yen: Callable, cases: Sequence[tuple[int, int, float, float]] | None = None) -> CheckResult:
    held_back = cases is not None
    cases = list(cases if cases is not None else Q5_CASES)
    hints: list[str] = []
    ok = 0
    for prompt, completion, price_in, price_out in cases:
        where = "非公開の確認用データ" if held_back else f"入力{prompt}・出力{completion}トークン"
        want = prompt * price_in / 1_000_000 + completion * price_out / 1_000_000
        got = cost_yen(_usage(prompt, completion), price_in, price_out)
        if not isinstance(got, (int, float)) or isinstance(got, bool):
            hints.append(f"料金は数（float）で返してください（いまは {type(got).__name__} です）。")
        elif math.isclose(got, want, rel_tol=1e-6, abs_tol=1e-9):
            ok += 1
        elif math.isclose(got, want * 1000, rel_tol=1e-6) or math.isclose(got, want / 1000, rel_tol=1e-6):
            hints.append("値段は「100万トークンあたり」です。1_000_000 で割ってください。")
        elif math.isclose(got, (prompt + completion) * price_in / 1e6, rel_tol=1e-6) or \
                math.isclose(got, (prompt + completion) * price_out / 1e6, rel_tol=1e-6):
            hints.append("入力（prompt_tokens）と出力（completion_tokens）は値段が違います。別々に計算して足してください。")
        else:
            hints.append(f"{where}：料金が合いません" + ("。" if held_back else f"（{want:.6f}円になるはずが {got}）。"))
    return graded(ok, len(cases), hints)


__all__ = ["isolated", "graded", "case_label", "NOT_WRITTEN", "check_q1", "check_q2", "check_q3", "check_q4", "check_q5"]
