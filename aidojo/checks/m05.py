"""m05 データ×AI: classifying opinions, counting them with pandas, the chart and the summary prompt.

Each question's ``observe`` calls the learner's function on one case (in a forked child in the notebook, in
the sandbox when grading) and returns plain data: the label and the prompts a scripted client received, the
counts of a Series, the bars of a matplotlib ``Figure`` (never its pixels), a prompt string. Its ``judge``
decides from that data alone. Held-back cases stay with the grader. ``load_opinions()`` finds the
module's CSV of fictional public comments (the notebook and the lesson use it).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from aidojo.checks.judging import case_label
from aidojo.checks.observe import plain, type_name
from aidojo.checks.registry import code_question
from aidojo.checks.spec import Case, Observation

CATEGORIES = ["子育て", "交通", "ごみ", "防災", "福祉", "その他"]
CSV_NAME = "opinions.csv"
COURSE_ROOT = Path(__file__).resolve().parents[2]  # the checkout this package runs from (exercises/, solutions/)
MAX_PROMPT_CHARS = 20_000  # a summary prompt longer than this is not read (the judge stays fast)


def opinions_path() -> Path:
    """The CSV next to the notebook when there is one (exercises, grading), else the course's copy."""
    here = Path.cwd() / CSV_NAME
    if here.exists():
        return here
    for folder in ("exercises", "solutions"):
        path = COURSE_ROOT / folder / "m05" / CSV_NAME
        if path.exists():
            return path
    raise FileNotFoundError(f"{CSV_NAME} が見つかりません。m05 の課題フォルダ（exercises/m05）で開いてください。")


def load_opinions():
    """The 320 fictional public comments as a pandas DataFrame (columns id, 受付日, 年代, 地区, 意見)."""
    import pandas as pd

    return pd.read_csv(opinions_path(), encoding="utf-8-sig")


def _where(case: Case, shown: str) -> str:
    """How a hint names a case: ``shown`` for a public case, its description only for a held-back one."""
    return case_label(case) if case.hidden else shown


# --- q1: classify one opinion --------------------------------------------------------------------------


def _sent_text(body: Any) -> str:
    messages = body.get("messages") if isinstance(body, dict) else None
    return "\n".join(str(m.get("content") or "") for m in messages or [] if isinstance(m, dict))


def observe_q1(values: dict, case: Case) -> dict:
    from aidojo.llm import offline_client, scripted_client

    fn = values["classify_opinion"]
    if case.kind == "offline_model":  # the same function against the offline practice model
        got = fn(offline_client(), case.args["text"])
        return {"type": type_name(got), "label": got[:300] if isinstance(got, str) else None}
    fake = scripted_client([case.args["reply"]])
    got = fn(fake, case.args["text"])
    return {"type": type_name(got), "label": got[:300] if isinstance(got, str) else None,
            "sent": [_sent_text(body)[:MAX_PROMPT_CHARS] for body in fake.transport.requests[:5]],
            "calls": fake.transport.calls}


def judge_q1(case: Case, obs: Observation) -> str | None:
    got, want, text = obs.value, case.expect, case.args["text"]
    label = got["label"]
    if got["type"] != "str" or not isinstance(label, str):
        return f"カテゴリ名を文字列で返してください（いまは {got['type']} です）。"
    if case.kind == "offline_model":
        if label == want:
            return None
        return ("練習用オフラインモデルで分類できませんでした（" + _where(case, f"「{text}」") + f"が「{label[:20]}」）。"
                "プロンプトに「分類してください」と、カテゴリの一覧と、区切った意見を書きましょう。")
    calls, sent = got["calls"], got["sent"]
    if calls != 1:
        return f"意見1件につき、AIを1回だけ呼んでください（{calls}回呼ばれました）。"
    prompt = sent[0] if isinstance(sent, list) and sent and isinstance(sent[0], str) else ""
    missing = [c for c in CATEGORIES if c not in prompt]
    if text not in prompt:
        return "プロンプトに意見の文章そのものを入れてください。"
    if missing:
        return "プロンプトにカテゴリをすべて書いてください（CATEGORIES を使いましょう）。足りないもの：" + "、".join(missing)
    if label == want:
        return None
    reply = case.args["reply"]
    if label.strip() == want:
        return "返事の前後の空白や改行を取り除いてください（.strip()）。"
    if want == "その他" and case.kind == "empty_reply":
        return f"{_where(case, '空の返事')}のときも「その他」を返してください（空の文字は CATEGORIES に含まれません）。"
    if want == "その他":
        shown = f"返事が「{reply}」"
        return (f"{_where(case, shown)}のときは「その他」を返してください。返事（.strip() したもの）が CATEGORIES の"
                "どれかとまったく同じときだけ、そのカテゴリ名を返します（一部に含まれるだけではだめです）。")
    return f"{_where(case, f'返事が「{reply.strip()}」')}：返事どおりのカテゴリ名を返してください" + (
        "。" if case.hidden else f"（「{want}」のはずが「{label[:20]}」）。")


code_question("m05.q1", reads=("classify_opinion",), title="意見を1件分類する", observe=observe_q1, judge=judge_q1,
              uses_model=True, cases=[
                  Case("p1", "category_reply", {"text": "バスの本数が減って、通院に困っています。", "reply": "交通"}, "交通",
                       "AIが「交通」と答えたとき"),
                  Case("p2", "padded_reply", {"text": "集積所のごみをカラスが散らかしています。", "reply": "  ごみ\n"}, "ごみ",
                       "前後に空白や改行がある返事"),
                  Case("p3", "other_reply", {"text": "計画の資料が長くて読むのが大変でした。",
                                             "reply": "この意見はどれにも当てはまらないと思います。"}, "その他", "カテゴリ名ではない返事"),
                  Case("p4", "other_reply", {"text": "公園のベンチが古くなっています。", "reply": "分類：子育て"}, "その他",
                       "カテゴリ名のほかに文字がついた返事"),
                  Case("p5", "empty_reply", {"text": "説明会の日程を早めに知らせてください。", "reply": ""}, "その他", "空の返事"),
                  Case("p6", "offline_model", {"text": "保育園の待機児童が多く、子どもを預けられずに困っています。"}, "子育て",
                       "練習用オフラインモデル"),
                  Case("p7", "offline_model", {"text": "避難所の体育館に冷暖房がなく、災害のときが心配です。"}, "防災",
                       "練習用オフラインモデル"),
                  Case("p8", "offline_model", {"text": "駅前の道路の渋滞がひどく、バスが時刻表どおりに来ません。"}, "交通",
                       "練習用オフラインモデル"),
              ])

# --- q2: count per category -------------------------------------------------------------------------------


def observe_q2(values: dict, case: Case) -> dict:
    import pandas as pd

    labels = list(case.args["labels"])
    df = pd.DataFrame({"id": [f"PC-{i:04d}" for i in range(1, len(labels) + 1)], "地区": "中央地区",
                       "意見": "（意見）", "カテゴリ": labels})
    before = df.copy()
    got = values["count_by_category"](df)
    out: dict[str, Any] = {"type": type_name(got), "changed": not df.equals(before)}
    if isinstance(got, pd.Series):
        out["index"] = [str(i)[:40] for i in list(got.index)[:50]]
        out["values"] = [plain(v) for v in got.tolist()[:50]]
    return out


def _is_count(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def judge_q2(case: Case, obs: Observation) -> str | None:
    got, labels = obs.value, list(case.args["labels"])
    want = [labels.count(c) for c in CATEGORIES]
    if got["type"] == "DataFrame":
        return "DataFrame ではなく Series（1列の表）を返してください。"
    if got["type"] != "Series":
        return f"pandas の Series を返してください（いまは {got['type']} です）。"
    if got["changed"]:
        return "受け取った表（df）を書き換えないでください。"
    index, counts = got["index"], got["values"]
    if sorted(index) != sorted(CATEGORIES) and set(index) <= set(CATEGORIES):
        return f"{_where(case, case.note)}：件数が0のカテゴリも0として入れてください（reindex(CATEGORIES, fill_value=0) など）。"
    if index != CATEGORIES:
        if sorted(index) == sorted(CATEGORIES):
            return "並び順を CATEGORIES と同じにしてください（reindex(CATEGORIES) など）。"
        return f"Series の見出し（index）をカテゴリ名にしてください（いまは {index[:6]}）。"
    if not all(_is_count(v) for v in counts):
        return f"{_where(case, case.note)}：件数に数でない値（NaN など）があります。0件のカテゴリは fill_value=0 で0にしてください。"
    if list(counts) != want:
        return f"{_where(case, case.note)}：件数が違います" + ("。" if case.hidden else f"（期待：{dict(zip(CATEGORIES, want))}）。")
    return None


code_question("m05.q2", reads=("count_by_category",), title="カテゴリごとに数える", observe=observe_q2, judge=judge_q2, cases=[
    Case("p1", "all_categories", {"labels": ["交通", "ごみ", "交通", "子育て", "その他", "交通", "福祉", "防災", "ごみ"]},
         note="全カテゴリがある表"),
    Case("p2", "missing_categories", {"labels": ["福祉", "交通", "福祉", "福祉"]}, note="件数0のカテゴリがある表"),
    Case("p3", "missing_categories", {"labels": ["ごみ"]}, note="1件だけの表"),
])

# --- q3: the chart ----------------------------------------------------------------------------------------


def bars_by_label(fig: Any) -> tuple[dict[str, float], str, str, str]:
    """Read a bar chart from its Figure: {label: bar length}, title, value-axis label, orientation."""
    pairs, title, value_label, orientation = _bars(fig)
    return dict(pairs), title, value_label, orientation


def _bars(fig: Any) -> tuple[list[tuple[str, float]], str, str, str]:
    fig.canvas.draw()
    ax = fig.axes[0]
    title = ax.get_title() or (fig._suptitle.get_text() if getattr(fig, "_suptitle", None) else "")
    bars = [p for c in ax.containers for p in c.patches] or list(ax.patches)
    vertical = all(abs(p.get_y()) < 1e-9 for p in bars) and not all(abs(p.get_x()) < 1e-9 for p in bars)
    axis = ax.xaxis if vertical else ax.yaxis
    ticks = {round(float(t), 6): lab.get_text() for t, lab in zip(axis.get_ticklocs(), axis.get_ticklabels())}
    out: list[tuple[str, float]] = []
    for p in bars:
        centre = p.get_x() + p.get_width() / 2 if vertical else p.get_y() + p.get_height() / 2
        nearest = min(ticks, key=lambda t: abs(t - centre)) if ticks else None
        label = ticks.get(nearest, "") if nearest is not None and abs(nearest - centre) < 0.5 else ""
        out.append((label, float(p.get_height() if vertical else p.get_width())))
    value_label = ax.get_ylabel() if vertical else ax.get_xlabel()
    return out, title, value_label, "vertical" if vertical else "horizontal"


def axis_labels(fig: Any) -> str:
    """Both axis labels of the first axes (the value axis may be either one for a horizontal chart)."""
    ax = fig.axes[0]
    return ax.get_xlabel() + " " + ax.get_ylabel()


def observe_q3(values: dict, case: Case) -> dict:
    import matplotlib

    matplotlib.use("Agg", force=True)
    import pandas as pd
    from matplotlib.figure import Figure

    counts = pd.Series(list(case.args["counts"]), index=CATEGORIES, name="件数")
    fig = values["make_chart"](counts.copy())
    if not isinstance(fig, Figure):
        return {"type": type_name(fig)}
    if not fig.axes:
        return {"type": "Figure", "axes": 0}
    bars, title, value_label, orientation = _bars(fig)
    return {"type": "Figure", "axes": len(fig.axes), "bars": [[label[:40], height] for label, height in bars[:50]],
            "title": title[:200], "value_label": value_label[:200], "axis_labels": axis_labels(fig)[:400],
            "orientation": orientation}


def judge_q3(case: Case, obs: Observation) -> str | None:
    got, counts = obs.value, list(case.args["counts"])
    if got["type"] != "Figure":
        return "作ったグラフの Figure を return してください（fig, ax = plt.subplots() の fig）。"
    if not got["axes"]:
        return "グラフに軸（ax）がありません。ax.bar(...) で棒グラフを描いてください。"
    if "カテゴリ別" not in str(got["title"]):
        return "タイトルに「カテゴリ別」を入れてください（ax.set_title(...)）。"
    if "件数" not in str(got["value_label"]) + str(got["axis_labels"]):
        return "件数の軸に「件数」というラベルをつけてください（縦棒なら ax.set_ylabel(\"件数\")）。"
    bars = [(str(label), height) for label, height in got["bars"]]
    if not bars:
        return "棒グラフ（ax.bar または ax.barh）を描いてください。"
    want = {c: float(v) for c, v in zip(CATEGORIES, counts)}
    if len(bars) == len(want) and dict(bars) == want:
        return None
    where = _where(case, f"件数 {counts}")
    if sorted(h for _, h in bars) == sorted(want.values()):
        return f"{where}：棒の高さとカテゴリ名の組み合わせがずれています。"
    return f"{where}：棒の高さが件数と合いません（counts の値をそのまま使いましょう）。"


code_question("m05.q3", reads=("make_chart",), title="棒グラフにする", observe=observe_q3, judge=judge_q3, cases=[
    Case("p1", "counts", {"counts": [58, 66, 47, 44, 57, 48]}, note="全体の件数"),
    Case("p2", "with_zero", {"counts": [3, 0, 12, 5, 1, 9]}, note="0件を含む件数"),
])

# --- q4: a prompt that summarises one category's opinions -------------------------------------------------


def observe_q4(values: dict, case: Case) -> dict:
    got = values["build_summary_prompt"](case.args["category"], list(case.args["opinions"]))
    return {"type": type_name(got), "prompt": got[:MAX_PROMPT_CHARS + 1] if isinstance(got, str) else None}


def judge_q4(case: Case, obs: Observation) -> str | None:
    from aidojo.llm.offline.engine import respond
    from aidojo.text.prompt_parse import length_limit

    got, category, opinions = obs.value, case.args["category"], list(case.args["opinions"])
    prompt = got["prompt"]
    if got["type"] != "str" or not isinstance(prompt, str):
        return f"プロンプトを文字列（str）で返してください（いまは {got['type']} です）。"
    if len(prompt) > MAX_PROMPT_CHARS:
        return f"プロンプトが長すぎます（{MAX_PROMPT_CHARS:,}字まで）。"
    missing = [o for o in opinions if o not in prompt]
    if category not in prompt:
        return "プロンプトにカテゴリ名を入れてください（何についての意見か、AIに伝えるため）。"
    if missing:
        return (f"{_where(case, f'「{category}」の意見{len(opinions)}件')}：意見がすべて入っていません"
                f"（{len(opinions)}件中{len(opinions) - len(missing)}件）。for 文や join で全部入れましょう。")
    if not re.search(r"要約|まとめ", prompt):
        return "「要約してください」「まとめてください」のように、してほしいことを書いてください。"
    if not length_limit(prompt) and not re.search(r"\d+\s*(?:点|つ|項目|行)", prompt):
        return "「200字以内」「3点で」のように、答えの長さを指定してください。"
    if respond([{"role": "user", "content": prompt}]).task not in ("summary", "sections"):
        return "練習用オフラインモデルが要約として読み取れませんでした。意見は ### などで区切って、指示はその外に書きましょう。"
    return None


code_question("m05.q4", reads=("build_summary_prompt",), title="カテゴリごとの要約を頼むプロンプト", observe=observe_q4, uses_model=True,
              judge=judge_q4, cases=[
                  Case("p1", "several", {"category": "交通", "opinions": ["バスの本数が減って、通院に困っています。",
                                                                         "駅前の駐輪場が足りません。", "通学路の歩道を広げてほしいです。"]},
                       note="意見が3件"),
                  Case("p2", "several", {"category": "ごみ", "opinions": ["分別のルールが分かりにくいです。",
                                                                         "粗大ごみの申し込みをネットでしたいです。"]}, note="意見が2件"),
                  Case("p3", "single", {"category": "福祉", "opinions": ["介護の相談窓口を駅の近くにもつくってください。"]},
                       note="意見が1件だけ"),
              ])

__all__ = ["CATEGORIES", "opinions_path", "load_opinions", "bars_by_label", "axis_labels"]
