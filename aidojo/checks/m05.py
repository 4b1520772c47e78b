"""m05 データ×AI: checkers for classifying opinions, counting them with pandas, the chart and the summary prompt.

The chart is checked through the matplotlib ``Figure`` object (title, axis label, bar heights per label),
never through pixels. ``load_opinions()`` finds the module's CSV of fictional public comments.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from aidojo.checks.sandbox import case_label, graded, isolated
from aidojo.checks.registry import CheckResult, question

CATEGORIES = ["子育て", "交通", "ごみ", "防災", "福祉", "その他"]
CSV_NAME = "opinions.csv"


def opinions_path() -> Path:
    """The CSV next to the notebook when there is one (exercises, grading), else the course's copy."""
    here = Path.cwd() / CSV_NAME
    if here.exists():
        return here
    from aidojo.course.config import REPO_ROOT

    for folder in ("exercises", "solutions"):
        path = REPO_ROOT / folder / "m05" / CSV_NAME
        if path.exists():
            return path
    raise FileNotFoundError(f"{CSV_NAME} が見つかりません。m05 の課題フォルダ（exercises/m05）で開いてください。")


def load_opinions():
    """The 320 fictional public comments as a pandas DataFrame (columns id, 受付日, 年代, 地区, 意見)."""
    import pandas as pd

    return pd.read_csv(opinions_path(), encoding="utf-8-sig")


# --- q1: classify one opinion --------------------------------------------------------------------------

# (opinion, scripted reply, expected label, what it shows)
Q1_SCRIPTED: list[tuple[str, str, str, str]] = [
    ("バスの本数が減って、通院に困っています。", "交通", "交通", "AIが「交通」と答えた"),
    ("集積所のごみをカラスが散らかしています。", "  ごみ\n", "ごみ", "前後に空白や改行がある返事"),
    ("計画の資料が長くて読むのが大変でした。", "この意見はどれにも当てはまらないと思います。", "その他", "カテゴリ名ではない返事"),
]
# opinions the offline practice model classifies the same way for any prompt that lists the categories
Q1_OFFLINE: list[str] = [
    "保育園の待機児童が多く、子どもを預けられずに困っています。",
    "避難所の体育館に冷暖房がなく、災害のときが心配です。",
    "駅前の道路の渋滞がひどく、バスが時刻表どおりに来ません。",
]


def _sent_text(body: dict) -> str:
    return "\n".join(str(m.get("content") or "") for m in body.get("messages") or [])


@question("m05.q1", reads=("classify_opinion",), title="意見を1件分類する")
@isolated
def check_q1(classify_opinion: Callable, scripted: Sequence[tuple[str, str, str, str]] | None = None,
             offline: Sequence[str] | None = None) -> CheckResult:
    from aidojo.llm import client, scripted_client
    from aidojo.llm.offline.engine import classify

    held_back = scripted is not None
    scripted = list(scripted if scripted is not None else Q1_SCRIPTED)
    offline = list(offline if offline is not None else Q1_OFFLINE)
    hints: list[str] = []
    ok = 0
    for text, reply, want, note in scripted:
        where = case_label(note, held_back)
        fake = scripted_client([reply])
        got = classify_opinion(fake, text)
        if fake.transport.calls != 1:
            hints.append(f"意見1件につき、AIを1回だけ呼んでください（{fake.transport.calls}回呼ばれました）。")
            continue
        sent = _sent_text(fake.transport.requests[0])
        missing = [c for c in CATEGORIES if c not in sent]
        if text not in sent:
            hints.append("プロンプトに意見の文章そのものを入れてください。")
        elif missing:
            hints.append("プロンプトにカテゴリをすべて書いてください（CATEGORIES を使いましょう）。足りないもの：" + "、".join(missing))
        elif not isinstance(got, str):
            hints.append(f"カテゴリ名を文字列で返してください（いまは {type(got).__name__} です）。")
        elif got != want:
            if got.strip() == want:
                hints.append("返事の前後の空白や改行を取り除いてください（.strip()）。")
            elif want == "その他":
                hints.append(f"{where}のときは「その他」を返してください（返事が CATEGORIES に含まれているか確かめましょう）。")
            else:
                hints.append(f"{where}：返事どおりのカテゴリ名を返してください" + ("。" if held_back else f"（「{want}」のはずが「{got}」）。"))
        else:
            ok += 1
    llm = client()
    for text in offline:
        want = classify(text, CATEGORIES)
        got = classify_opinion(llm, text)
        if got == want:
            ok += 1
        else:
            hints.append("練習用オフラインモデルで分類できませんでした（" + ("非公開の確認用データ" if held_back else f"「{text}」")
                         + f"が「{got}」）。プロンプトに「分類してください」と、カテゴリの一覧と、区切った意見を書きましょう。")
    return graded(ok, len(scripted) + len(offline), hints)


# --- q2: count per category -------------------------------------------------------------------------------

Q2_CASES: list[tuple[list[str], str]] = [
    (["交通", "ごみ", "交通", "子育て", "その他", "交通", "福祉", "防災", "ごみ"], "全カテゴリがある表"),
    (["福祉", "交通", "福祉", "福祉"], "件数0のカテゴリがある表"),
]


@question("m05.q2", reads=("count_by_category",), title="カテゴリごとに数える")
@isolated
def check_q2(count_by_category: Callable, cases: Sequence[tuple[list[str], str]] | None = None) -> CheckResult:
    import pandas as pd

    held_back = cases is not None
    cases = list(cases if cases is not None else Q2_CASES)
    hints: list[str] = []
    ok = 0
    for labels, note in cases:
        where = case_label(note, held_back)
        df = pd.DataFrame({"id": [f"PC-{i:04d}" for i in range(1, len(labels) + 1)], "地区": "中央地区",
                           "意見": "（意見）", "カテゴリ": labels})
        before = df.copy()
        got = count_by_category(df)
        want = [labels.count(c) for c in CATEGORIES]
        if isinstance(got, pd.DataFrame):
            hints.append("DataFrame ではなく Series（1列の表）を返してください。")
            continue
        if not isinstance(got, pd.Series):
            hints.append(f"pandas の Series を返してください（いまは {type(got).__name__} です）。")
            continue
        if not df.equals(before):
            hints.append("受け取った表（df）を書き換えないでください。")
        index = [str(i) for i in got.index]
        if sorted(index) != sorted(CATEGORIES) and set(index) <= set(CATEGORIES):
            hints.append(f"{where}：件数が0のカテゴリも0として入れてください（reindex(CATEGORIES, fill_value=0) など）。")
        elif index != CATEGORIES:
            if sorted(index) == sorted(CATEGORIES):
                hints.append("並び順を CATEGORIES と同じにしてください（reindex(CATEGORIES) など）。")
            else:
                hints.append(f"Series の見出し（index）をカテゴリ名にしてください（いまは {index[:6]}）。")
        elif [int(v) for v in got.tolist()] != want:
            hints.append(f"{where}：件数が違います" + ("。" if held_back else f"（期待：{dict(zip(CATEGORIES, want))}）。"))
        else:
            ok += 1
    return graded(ok, len(cases), hints)


# --- q3: the chart ----------------------------------------------------------------------------------------

Q3_CASES: list[tuple[list[int], str]] = [([58, 66, 47, 44, 57, 48], "全体の件数"), ([3, 0, 12, 5, 1, 9], "0件を含む件数")]


def bars_by_label(fig: Any) -> tuple[dict[str, float], str, str, str]:
    """Read a bar chart from its Figure: {label: bar length}, title, value-axis label, orientation."""
    fig.canvas.draw()
    ax = fig.axes[0]
    title = ax.get_title() or (fig._suptitle.get_text() if getattr(fig, "_suptitle", None) else "")
    bars = [p for c in ax.containers for p in c.patches] or list(ax.patches)
    vertical = all(abs(p.get_y()) < 1e-9 for p in bars) and not all(abs(p.get_x()) < 1e-9 for p in bars)
    axis = ax.xaxis if vertical else ax.yaxis
    ticks = {round(float(t), 6): lab.get_text() for t, lab in zip(axis.get_ticklocs(), axis.get_ticklabels())}
    out: dict[str, float] = {}
    for p in bars:
        centre = p.get_x() + p.get_width() / 2 if vertical else p.get_y() + p.get_height() / 2
        nearest = min(ticks, key=lambda t: abs(t - centre)) if ticks else None
        label = ticks.get(nearest, "") if nearest is not None and abs(nearest - centre) < 0.5 else ""
        out[label] = float(p.get_height() if vertical else p.get_width())
    value_label = ax.get_ylabel() if vertical else ax.get_xlabel()
    return out, title, value_label, "vertical" if vertical else "horizontal"


def axis_labels(fig: Any) -> str:
    """Both axis labels of the first axes (the value axis may be either one for a horizontal chart)."""
    ax = fig.axes[0]
    return ax.get_xlabel() + " " + ax.get_ylabel()


@question("m05.q3", reads=("make_chart",), title="棒グラフにする")
@isolated
def check_q3(make_chart: Callable, cases: Sequence[tuple[list[int], str]] | None = None) -> CheckResult:
    import matplotlib
    import pandas as pd
    from matplotlib.figure import Figure

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    held_back = cases is not None
    cases = list(cases if cases is not None else Q3_CASES)
    hints: list[str] = []
    ok = 0
    for values, note in cases:
        where = case_label(note, held_back)
        counts = pd.Series(values, index=CATEGORIES, name="件数")
        fig = make_chart(counts.copy())
        if not isinstance(fig, Figure):
            hints.append("作ったグラフの Figure を return してください（fig, ax = plt.subplots() の fig）。")
            continue
        if not fig.axes:
            hints.append("グラフに軸（ax）がありません。ax.bar(...) で棒グラフを描いてください。")
            continue
        bars, title, value_label, _ = bars_by_label(fig)
        want = {c: float(v) for c, v in zip(CATEGORIES, values)}
        if "カテゴリ別" not in title:
            hints.append("タイトルに「カテゴリ別」を入れてください（ax.set_title(...)）。")
        elif "件数" not in value_label + axis_labels(fig):
            hints.append("件数の軸に「件数」というラベルをつけてください（縦棒なら ax.set_ylabel(\"件数\")）。")
        elif not bars:
            hints.append("棒グラフ（ax.bar または ax.barh）を描いてください。")
        elif bars != want:
            if sorted(bars.values()) == sorted(want.values()):
                hints.append(f"{where}：棒の高さとカテゴリ名の組み合わせがずれています。")
            else:
                hints.append(f"{where}：棒の高さが件数と合いません（counts の値をそのまま使いましょう）。")
        else:
            ok += 1
        plt.close(fig)
    return graded(ok, len(cases), hints)


# --- q4: a prompt that summarises one category's opinions -------------------------------------------------

Q4_CASES: list[tuple[str, list[str]]] = [
    ("交通", ["バスの本数が減って、通院に困っています。", "駅前の駐輪場が足りません。", "通学路の歩道を広げてほしいです。"]),
    ("ごみ", ["分別のルールが分かりにくいです。", "粗大ごみの申し込みをネットでしたいです。"]),
]


@question("m05.q4", reads=("build_summary_prompt",), title="カテゴリごとの要約を頼むプロンプト")
@isolated
def check_q4(build_summary_prompt: Callable, cases: Sequence[tuple[str, list[str]]] | None = None) -> CheckResult:
    import re

    from aidojo.llm.offline.engine import respond
    from aidojo.text.prompt_parse import length_limit

    held_back = cases is not None
    cases = list(cases if cases is not None else Q4_CASES)
    hints: list[str] = []
    ok = 0
    for category, opinions in cases:
        got = build_summary_prompt(category, list(opinions))
        if not isinstance(got, str):
            hints.append(f"プロンプトを文字列（str）で返してください（いまは {type(got).__name__} です）。")
            continue
        missing = [o for o in opinions if o not in got]
        if category not in got:
            hints.append("プロンプトにカテゴリ名を入れてください（何についての意見か、AIに伝えるため）。")
        elif missing:
            hints.append(f"意見がすべて入っていません（{len(opinions)}件中{len(opinions) - len(missing)}件）。for 文や join で全部入れましょう。")
        elif not re.search(r"要約|まとめ", got):
            hints.append("「要約してください」「まとめてください」のように、してほしいことを書いてください。")
        elif not length_limit(got) and not re.search(r"\d+\s*(?:点|つ|項目|行)", got):
            hints.append("「200字以内」「3点で」のように、答えの長さを指定してください。")
        elif respond([{"role": "user", "content": got}]).task not in ("summary", "sections"):
            hints.append("練習用オフラインモデルが要約として読み取れませんでした。意見は ### などで区切って、指示はその外に書きましょう。")
        else:
            ok += 1
    return graded(ok, len(cases), hints)


__all__ = ["CATEGORIES", "opinions_path", "load_opinions", "bars_by_label", "check_q1", "check_q2", "check_q3", "check_q4"]
