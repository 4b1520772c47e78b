"""資料検索支援 (doc_search): search a manual (PDF / Markdown / CSV) for a new staff member, answer
with citations to the page or section, and list what to confirm with a senior colleague.

Core logic: ``build_index(paths)`` and ``answer(question, files=None) -> dict``, called by the UI,
the tests and the scenario suite. Run: ``python app.py`` (bundled sample manual; upload your own in the UI).
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from aidojo.llm import chat
from aidojo.retrieval import Index
from aidojo.safety import HandoffPolicy
from aidojo.text import char_bigrams, normalize, split_sentences

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
SAMPLE_FILES = (DATA / "new_staff_manual.md", DATA / "jimu_tebiki.pdf", DATA / "procedures.csv")
PROMPTS = HERE / "prompts"
LOG_PATH = HERE / "logs" / "handoff.jsonl"
SUPPORTED = {".pdf", ".md", ".markdown", ".txt", ".csv"}
TOP_K = 3
MIN_SCORE = 5.3  # BM25 score below which the manual has nothing on the question (tuned on scenarios.yaml)
MIN_COVERAGE = 0.5  # share of the question's key terms the cited passage must contain
GENERIC_TERMS = {"教え", "方法", "手続", "続き", "知り", "調べ", "場合", "必要"}
# Sentences in a manual that say "this depends on your section / ask someone".
_ASK_CUES = re.compile(r"所属によって異なる|所属ごと|先輩職員に確認|所属長に|確認してください|人事課の|によって異なる")
_TAG = re.compile(r"【出典(\d+)】")

policy = HandoffPolicy(min_score=MIN_SCORE, log_path=LOG_PATH)


def prompt(name: str) -> str:
    """A prompt file from prompts/, read at run time (edit the file, not the code)."""
    return (PROMPTS / name).read_text(encoding="utf-8").strip()


def build_index(paths) -> Index:
    """An index over the given files (PDF by page, Markdown by section, CSV by row); others raise with the name."""
    index = Index()
    for path in map(Path, paths):
        suffix = path.suffix.lower()
        if suffix not in SUPPORTED:
            raise ValueError(f"{path.name} は読めない形式です。PDF・Markdown（.md）・テキスト（.txt）・CSV を選んでください。")
        if suffix == ".csv":
            index.add_csv(path)
        else:
            index.add_file(path)
    return index


@lru_cache(maxsize=1)
def sample_index() -> Index:
    """The index over the bundled sample manual (data/)."""
    return build_index(SAMPLE_FILES)


def key_terms(text: str) -> set[str]:
    """The question's key terms: character bigrams holding a kanji, katakana, letter or digit (not generic words)."""
    grams = char_bigrams(normalize(text))
    return {g for g in grams if any(not ("ぁ" <= c <= "ゖ") and c.isalnum() for c in g)} - GENERIC_TERMS


def coverage(question: str, text: str) -> float:
    """Share of the question's key terms found in ``text`` (a cited passage must cover the question)."""
    terms = key_terms(question)
    return len(terms & set(char_bigrams(normalize(text)))) / len(terms) if terms else 0.0


def confirm_items(hits, citations: list[str]) -> list[str]:
    """What to confirm with a senior colleague: the manual's own "depends on your section" sentences, then the fixed list."""
    items = []
    for hit in hits:
        if hit.citation in citations:
            items += [f"{s}（{hit.citation}）" for s in split_sentences(hit.text) if _ASK_CUES.search(s)]
    fixed = [ln.strip() for ln in prompt("confirm.md").splitlines() if ln.strip() and not ln.startswith("#")]
    items += [ln.format(citation="、".join(citations)) for ln in fixed]
    return list(dict.fromkeys(items))


def _handoff(decision, hits=()) -> dict:
    policy.log(decision)
    confirm = ["資料に答えが見つかりませんでした。この質問そのものを、先輩職員か所属長に確認してください。"]
    return {"answer": decision.reply, "handoff": True, "citations": [], "confirm": confirm, "reason": decision.reason,
            "hits": [_hit_row(h) for h in hits]}


def _hit_row(hit) -> dict:
    return {"citation": hit.citation, "score": round(float(hit.score), 2), "text": hit.text[:200]}


def answer(question: str, files=None) -> dict:
    """Answer from the sample manual (or the uploaded ``files``): {answer, handoff, citations, confirm, hits}."""
    question = (question or "").strip()
    if not question:
        return {"answer": "質問を入力してください。", "handoff": False, "citations": [], "confirm": [], "reason": "empty", "hits": []}
    first = policy.decide(question)  # injection, personal data, asks for a person
    if first.handoff:
        return _handoff(first)
    index = build_index(files) if files else sample_index()
    hits = index.search(question, k=TOP_K)
    if not hits:
        return _handoff(policy.decide(question, best_score=0.0))
    context = "\n\n".join(f"【出典{i}】{hit.text}" for i, hit in enumerate(hits, start=1))
    reply = chat(prompt("question.md").format(question=question, context=context), system=prompt("system.md")).strip()
    cited = []
    for number in dict.fromkeys(_TAG.findall(reply)):
        i = int(number) - 1
        if 0 <= i < len(hits) and coverage(question, hits[i].text) >= MIN_COVERAGE:
            cited.append(hits[i])
    # MIN_SCORE is tuned on the sample manual; BM25 scores of another (small) upload are on another scale.
    best_score = None if files else hits[0].score
    decision = policy.decide(question, answer=reply if cited else "", best_score=best_score)
    if decision.handoff:
        return _handoff(decision, hits)
    text = _TAG.sub(lambda m: f"【{hits[int(m.group(1)) - 1].citation}】" if int(m.group(1)) <= len(hits) else m.group(0), reply)
    citations = [h.citation for h in cited]
    return {"answer": text, "handoff": False, "citations": citations, "confirm": confirm_items(hits, citations),
            "reason": "", "hits": [_hit_row(h) for h in hits]}


# --- UI ----------------------------------------------------------------------------------------

def _ask(question: str, files):
    paths = [getattr(f, "name", f) for f in (files or [])]
    try:
        result = answer(question, paths or None)
    except ValueError as exc:  # an unreadable upload: say which file
        return f"※ {exc}", "", []
    confirm = "\n".join(f"- {item}" for item in result["confirm"])
    header = "### ■ 先輩職員に確認すること\n" if result["confirm"] else ""
    rows = [[h["citation"], h["score"], h["text"]] for h in result["hits"]]
    return result["answer"], header + confirm, rows


def build_ui():
    """The gr.Blocks app (Japanese UI)."""
    import gradio as gr

    with gr.Blocks(title="資料検索支援") as demo:
        gr.Markdown("# 資料検索支援（新規採用職員向け）\nマニュアルから答えを探し、出典（ページ・節）を示します。"
                    "ファイルを選ばないときは、サンプルの『新規採用職員ハンドブック』などを検索します。")
        files = gr.File(label="マニュアル（PDF・Markdown・CSV、複数可）", file_count="multiple",
                        file_types=[".pdf", ".md", ".txt", ".csv"], elem_id="files")
        question = gr.Textbox(label="質問", placeholder="例：年次休暇はどうやって申請しますか？", elem_id="question")
        ask = gr.Button("調べる", variant="primary", elem_id="ask")
        answer_md = gr.Markdown(elem_id="answer")
        confirm_md = gr.Markdown(elem_id="confirm")
        hits = gr.Dataframe(headers=["出典", "スコア", "該当箇所"], label="見つかった箇所", interactive=False)
        gr.Markdown("<small>サンプル資料は研修用の架空の内容です（みどり市は架空の市です）。</small>")
        ask.click(_ask, [question, files], [answer_md, confirm_md, hits], api_name="ask")
        question.submit(_ask, [question, files], [answer_md, confirm_md, hits], api_name=False)
    return demo


# Module level, so that `gradio app.py` (reload on save) finds it; `python app.py` launches it.
demo = build_ui()

if __name__ == "__main__":
    demo.launch(server_name="127.0.0.1")
