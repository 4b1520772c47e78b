"""市民意見分析 (opinions): a CSV of citizen comments → a category and a sentiment for each comment,
representative quotes per category, a chart, and a downloadable summary table (CSV, UTF-8 BOM).

Personal data in a comment is masked (``aidojo.safety.mask_pii``) before it is sent to the model and in
every quote shown; a comment that tries to rewrite the AI's instructions is not sent to the model and is
marked for a person to review.

Core logic: ``classify_comment(text) -> dict`` and ``analyze(df) -> Analysis``; ``answer`` is the scenario
suite's target. Run: ``python app.py``.
"""

from __future__ import annotations

import io
import logging
import tempfile
from dataclasses import dataclass
from pathlib import Path

from aidojo.fileio import atomic_write_bytes
from aidojo.hackathon.project import load_settings
from aidojo.safety import guarded_chat, mask_pii, screen_prompt, status_ja
from aidojo.text import bigram_overlap, normalize

HERE = Path(__file__).resolve().parent
PROMPTS = HERE / "prompts"
SAMPLE_CSV = HERE / "data" / "iken_sample.csv"
SETTINGS = load_settings(HERE)  # template.toml: [guard] max_tokens (a label is short) and timeouts
BACKEND_FAULTS = {"backend_timeout", "backend_error", "empty_reply"}
log = logging.getLogger("opinions")
CATEGORIES = ["子育て", "交通", "環境", "防災", "福祉", "窓口", "公園", "観光", "その他"]
SENTIMENTS = ["ポジティブ", "ネガティブ", "中立"]
REVIEW = "要確認"  # the category of a comment a person must read (instructions to the AI, nothing to classify)
COMMENT_COLUMNS = ("意見", "ご意見", "内容", "本文", "コメント", "自由記述", "comment", "text")
MIN_CHARS = 4  # a comment with fewer meaningful characters cannot be classified
NOTHING = {"特になし", "なし", "とくになし", "ない", "無し", "特にない", "特にありません", "ありません", "n/a", "na", "-"}
QUOTES_PER_CATEGORY = 2
# Words that show a comment is about the city's services at all; with none of them it is 「その他」 without
# asking the model (the offline practice model would force a label). Add your own field's words here.
CITY_WORDS = (
    "保育", "子ども", "子供", "子育て", "育児", "学童", "学校", "給食", "児童", "幼稚園", "待機",
    "バス", "電車", "駅", "道路", "信号", "渋滞", "駐車", "駐輪", "自転車", "歩道", "横断", "路線", "便",
    "ごみ", "ゴミ", "分別", "収集", "リサイクル", "騒音", "不法投棄", "ポイ捨て", "川", "清掃", "環境", "脱炭素",
    "避難", "防災", "災害", "地震", "台風", "洪水", "津波", "備蓄", "停電", "ハザード",
    "高齢", "介護", "障害", "福祉", "年金", "見守り", "配食", "認知症", "生活保護", "手話",
    "窓口", "手続", "申請", "住民票", "証明書", "マイナンバー", "市役所", "職員", "待ち時間", "オンライン", "ホームページ", "電話",
    "公園", "遊具", "芝生", "ベンチ", "花壇", "広場", "桜",
    "観光", "イベント", "祭り", "美術館", "宿泊", "名所", "案内所", "ふるさと納税",
    "市", "広報", "アンケート", "税", "料金", "補助",
)


def prompt(name: str) -> str:
    """A prompt file from prompts/, read at run time (edit the file, not the code)."""
    return (PROMPTS / name).read_text(encoding="utf-8").strip()


def _pick(reply: str, labels: list[str], default: str) -> str:
    """The label named in the model's reply (the first one it contains), else ``default``."""
    reply = normalize(reply)
    found = [(reply.find(normalize(lab)), lab) for lab in labels if normalize(lab) in reply]
    return min(found)[1] if found else default


class AIUnavailable(Exception):
    """The model failed, timed out or said nothing (``reason`` is the guard's code)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _label(request: str, labels: list[str], default: str) -> str:
    """Ask the model for one label through the guard (max_tokens from template.toml); raise AIUnavailable on a fault."""
    reply = guarded_chat(request, system=prompt("system.md"), settings=SETTINGS.guard)
    if reply.handoff and reply.reason in BACKEND_FAULTS:
        raise AIUnavailable(reply.reason)
    return _pick("" if reply.handoff else reply.text, labels, default)


def classify_comment(text: str, *, ai_down: str = "") -> dict:
    """One comment → {comment (masked), category, sentiment, review (a person must read it), reason, pii}.

    With ``ai_down`` (the guard's code of an earlier fault) the model is not called: the comment is left for a person.
    """
    masked = mask_pii(str(text or "").strip())
    comment = masked.text
    out = {"comment": comment, "pii": [f.kind for f in masked.findings], "review": False, "reason": "", "fault": ""}
    meaningful = "".join(ch for ch in comment if ch.isalnum())
    if len(meaningful) < MIN_CHARS or normalize(comment).strip("。.！!？? ") in NOTHING:
        return {**out, "category": REVIEW, "sentiment": "中立", "review": True, "reason": "分類できる内容がありません"}
    if screen_prompt(comment).blocked:
        return {**out, "category": REVIEW, "sentiment": "中立", "review": True,
                "reason": "AIへの指示を書き換えようとする文が含まれています"}
    try:
        if ai_down:
            raise AIUnavailable(ai_down)
        if not any(word in comment for word in CITY_WORDS):
            sentiment = _label(prompt("sentiment.md").format(comment=comment), SENTIMENTS, "中立")
            return {**out, "category": "その他", "sentiment": sentiment}
        category = _label(prompt("category.md").format(labels=" / ".join(CATEGORIES), comment=comment), CATEGORIES,
                          "その他")
        sentiment = _label(prompt("sentiment.md").format(comment=comment), SENTIMENTS, "中立")
    except AIUnavailable as exc:
        return {**out, "category": REVIEW, "sentiment": "中立", "review": True, "fault": exc.reason,
                "reason": f"AIで分類できませんでした（{status_ja(exc.reason)}）"}
    return {**out, "category": category, "sentiment": sentiment}


def answer(question: str) -> dict:
    """The scenario suite's target: one comment in; its category and sentiment (or a review handoff) out."""
    r = classify_comment(question)
    if r["review"]:
        text = f"分かりません。担当者に引き継ぎます。（{r['reason']}。職員が内容を確認してください）\n意見：{r['comment']}"
    else:
        text = f"カテゴリ：{r['category']}／感情：{r['sentiment']}\n意見：{r['comment']}"
    return {"answer": text, "handoff": r["review"], "citations": []}


# --- reading the CSV ---------------------------------------------------------------------------

def read_comments(path: str | Path):
    """A comments CSV (UTF-8 with/without BOM or Shift_JIS) as a DataFrame with a 「意見」 column; bad files raise
    ValueError naming the file and the problem."""
    import pandas as pd

    path = Path(path)
    data = path.read_bytes()
    for encoding in ("utf-8-sig", "cp932"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ValueError(f"{path.name} の文字コードが分かりません。UTF-8 か Shift_JIS で保存してください。")
    try:
        df = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise ValueError(f"{path.name} を CSV として読めません（{str(exc).splitlines()[0]}）。") from None
    column = next((c for c in df.columns if str(c).strip().lower() in COMMENT_COLUMNS), None)
    if column is None:
        raise ValueError(f"{path.name} に意見の列がありません（列名を「意見」にしてください。今の列：{'、'.join(map(str, df.columns))}）。")
    df = df.rename(columns={column: "意見"})
    if df["意見"].str.strip().eq("").all():
        raise ValueError(f"{path.name} の「意見」の列が空です。")
    return df


def pd_frame(comments: list[str]):
    """A DataFrame with a 「意見」 column from a list of comments (for trying the analysis in code)."""
    import pandas as pd

    return pd.DataFrame({"意見": list(comments)})


# --- analysis ----------------------------------------------------------------------------------

@dataclass
class Analysis:
    """The result of ``analyze``: one row per comment, one row per category, quotes, and files written."""

    comments: object  # pandas.DataFrame: 元の列 + 意見（伏せ字）, カテゴリ, 感情, 要確認, 理由
    summary: object  # pandas.DataFrame: カテゴリ, 件数, ポジティブ, ネガティブ, 中立, 代表的な意見
    quotes: dict[str, list[str]]
    fault: str = ""  # the guard's code when the AI stopped answering partway ("" when it did not)

    @property
    def review_count(self) -> int:
        return int(self.comments["要確認"].sum())


def representative(comments: list[str], n: int = QUOTES_PER_CATEGORY) -> list[str]:
    """The ``n`` most typical comments: highest mean bigram overlap with the others (hand-written: a few lines,
    no model needed, same result every time)."""
    if len(comments) <= n:
        return list(comments)
    scores = [(sum(bigram_overlap(c, o) for o in comments if o is not c) / (len(comments) - 1), -i)
              for i, c in enumerate(comments)]
    order = sorted(range(len(comments)), key=lambda i: scores[i], reverse=True)
    return [comments[i] for i in sorted(order[:n])]


def analyze(df) -> Analysis:
    """Classify every comment of ``df`` (column 「意見」) and summarise by category."""
    import pandas as pd

    results, fault = [], ""
    for text in df["意見"]:  # after one fault the rest wait for a person: no minutes of timeouts
        result = classify_comment(text, ai_down=fault)
        fault = fault or result["fault"]
        results.append(result)
    out = df.copy()
    out["意見"] = [r["comment"] for r in results]
    out["カテゴリ"] = [r["category"] for r in results]
    out["感情"] = [r["sentiment"] for r in results]
    out["要確認"] = [r["review"] for r in results]
    out["理由"] = [r["reason"] for r in results]
    rows, quotes = [], {}
    for category in [*CATEGORIES, REVIEW]:
        part = out[out["カテゴリ"] == category]
        if part.empty:
            continue
        quotes[category] = representative(list(part["意見"])) if category != REVIEW else []
        counts = part["感情"].value_counts()
        rows.append({"カテゴリ": category, "件数": len(part), **{s: int(counts.get(s, 0)) for s in SENTIMENTS},
                     "代表的な意見": " / ".join(quotes[category])})
    summary = pd.DataFrame(rows, columns=["カテゴリ", "件数", *SENTIMENTS, "代表的な意見"])
    summary = summary.sort_values("件数", ascending=False, kind="stable").reset_index(drop=True)
    return Analysis(out, summary, quotes, fault)




def write_csv(df, path: str | Path) -> Path:
    """A DataFrame as CSV in UTF-8 with BOM (Excel opens the Japanese text correctly)."""
    path = Path(path)
    atomic_write_bytes(path, df.to_csv(index=False).encode("utf-8-sig"))
    return path


def figure(summary):
    """A stacked bar chart (件数 by category and sentiment) as a matplotlib figure, with a Japanese font."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import matplotlib_fontja  # noqa: F401 - registers a Japanese font for matplotlib
    from matplotlib.ticker import MaxNLocator

    fig, ax = plt.subplots(figsize=(8, 4.5), dpi=100)
    bottom = [0] * len(summary)
    colors = {"ポジティブ": "#4c9f70", "ネガティブ": "#d1495b", "中立": "#9aa5b1"}
    for sentiment in SENTIMENTS:
        values = list(summary[sentiment])
        ax.bar(list(summary["カテゴリ"]), values, bottom=bottom, label=sentiment, color=colors[sentiment])
        bottom = [b + v for b, v in zip(bottom, values)]
    ax.set_title("市民意見の件数（カテゴリ別・感情別）")
    ax.set_ylabel("件数")
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))  # counts are whole numbers: no 0.25件 ticks
    ax.legend()
    fig.tight_layout()
    return fig


def chart(summary, path: str | Path) -> Path:
    """The chart of ``figure`` saved as PNG."""
    import matplotlib.pyplot as plt

    path = Path(path)
    fig = figure(summary)
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    plt.close(fig)
    atomic_write_bytes(path, buf.getvalue())
    return path


def analyze_file(path: str | Path, out_dir: str | Path) -> tuple[Analysis, dict[str, Path]]:
    """Read, analyse and write the files: summary CSV, per-comment CSV, chart PNG."""
    analysis = analyze(read_comments(path))
    out_dir = Path(out_dir)
    files = {
        "summary": write_csv(analysis.summary, out_dir / "意見集計.csv"),
        "comments": write_csv(analysis.comments, out_dir / "意見一覧_分類つき.csv"),
        "chart": chart(analysis.summary, out_dir / "意見グラフ.png"),
    }
    return analysis, files


# --- UI ----------------------------------------------------------------------------------------

def quotes_markdown(analysis: Analysis) -> str:
    """Representative quotes per category as Markdown, and how many comments a person must read."""
    lines = ["### 代表的な意見（個人情報は伏せ字）"]
    for category, quotes in analysis.quotes.items():
        if quotes:  # a blank line before each heading: otherwise Markdown glues it to the previous bullet
            lines += ["", f"#### {category}", ""]
            lines += [f"- 「{q}」" for q in quotes]
    if analysis.review_count:
        lines += ["", f"⚠ 職員が読んで確認する意見が {analysis.review_count} 件あります（カテゴリ「{REVIEW}」）。"]
    return "\n".join(lines)


def status_markdown(analysis: Analysis) -> str:
    """The visible status: how many comments a person must read, and why the AI stopped when it did."""
    if analysis.fault:
        return (f"### ■ {status_ja(analysis.fault)}\nAIで分類できなかった意見 {analysis.review_count} 件を「{REVIEW}」に"
                "しました。職員が読んで分類してください（集計表とグラフは、分類できた分だけです）。")
    return f"● AIが分類しました（目安です）。職員が確認する意見：{analysis.review_count} 件"


def _run(file):
    path = SAMPLE_CSV if not file else Path(file if isinstance(file, str) else file.name)
    try:
        analysis, files = analyze_file(path, tempfile.mkdtemp(prefix="opinions_"))
    except ValueError as exc:  # a file that cannot be read: said in Japanese, naming the file
        return None, None, "", [], f"### ■ 読み込めませんでした\n{exc}"
    except Exception:  # a fault in the app itself: said in Japanese, never an error badge
        log.exception("opinions failed")
        return None, None, "", [], f"### ■ {status_ja('backend_error')}\n分析できませんでした。職員に連絡してください。"
    return (analysis.summary, str(files["chart"]), quotes_markdown(analysis),
            [str(files["summary"]), str(files["comments"])], status_markdown(analysis))


def build_ui():
    """The gr.Blocks app (Japanese UI)."""
    import gradio as gr

    with gr.Blocks(title="市民意見分析（みどり市）") as demo:
        gr.Markdown("# 市民意見分析\n市民の意見のCSV（列「意見」）を読み込み、**カテゴリ・感情** に分けて集計し、"
                    "代表的な意見とグラフ、集計表（Excelで開けるCSV）を作ります。ファイルを選ばずに押すとサンプル（架空の意見100件）を分析します。"
                    "AIの分類は目安です。施策に使う前に、職員が意見そのものを読んでください。")
        with gr.Row():
            upload = gr.File(label="意見のCSV（UTF-8 または Shift_JIS）", file_types=[".csv"], elem_id="upload")
            run = gr.Button("分析する", variant="primary", elem_id="run")
        status = gr.Markdown(elem_id="status")
        summary = gr.Dataframe(label="カテゴリ別の集計", wrap=True, elem_id="summary")
        with gr.Row():
            image = gr.Image(label="グラフ", type="filepath", elem_id="chart")
            quotes = gr.Markdown(elem_id="quotes")
        files = gr.File(label="ダウンロード（集計表・分類つき一覧）", file_count="multiple", elem_id="files")
        gr.Markdown("<small>サンプルは研修用の架空の意見です（みどり市は架空の市です）。</small>")
        run.click(_run, upload, [summary, image, quotes, files, status], api_name="analyze")
    return demo


# Module level, so that `gradio app.py` (reload on save) finds it; `python app.py` launches it.
demo = build_ui()

if __name__ == "__main__":
    demo.launch(server_name="127.0.0.1")
