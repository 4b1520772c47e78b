"""資料検索支援 (doc_search): search a manual (PDF / Markdown / CSV) for a new staff member, answer
with citations to the page or section, and list what to confirm with a senior colleague.

Core logic: ``build_index(paths)`` and ``answer(question, files=None) -> dict``, called by the UI,
the tests and the scenario suite. Run: ``python app.py`` (bundled sample manual; upload your own in the UI).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path

from aidojo.hackathon.clarify import choices
from aidojo.hackathon.project import failure_decision, load_settings
from aidojo.retrieval import Index
from aidojo.safety import STATUS_ANSWERED_JA, STATUS_WRITING_JA, HandoffPolicy, Passage, stream_guarded_chat
from aidojo.text import split_sentences

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
SAMPLE_FILES = (DATA / "new_staff_manual.md", DATA / "jimu_tebiki.pdf", DATA / "procedures.csv")
PROMPTS = HERE / "prompts"
LOG_PATH = HERE / "logs" / "handoff.jsonl"  # evaluation and scoring write elsewhere (AIDOJO_HANDOFF_LOG)
SUPPORTED = {".pdf", ".md", ".markdown", ".txt", ".csv"}
SETTINGS = load_settings(HERE)  # template.toml: [guard] max_tokens, timeouts; [retrieval] top_k, min_relevance
TOP_K = SETTINGS.value("retrieval", "top_k", 3)
MIN_RELEVANCE = SETTINGS.value("retrieval", "min_relevance", 0.5)  # 0..1, the same scale for any manual you upload
CLOSE_TO_BEST = 0.8  # a passage is offered to the model only when it fits at least this share of the best one
# Sentences in a manual that say "this depends on your section / ask someone".
_ASK_CUES = re.compile(r"所属によって異なる|所属ごと|先輩職員に確認|所属長に|確認してください|人事課の|によって異なる")
_TAG = re.compile(r"【出典(\d+)】")

log = logging.getLogger("doc_search")
policy = HandoffPolicy(min_relevance=MIN_RELEVANCE, log_path=LOG_PATH, source="doc_search")


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


def title(chunk) -> str:
    """A short name for a passage, to offer when asking back: the section heading, a CSV row's first cell, or a
    PDF page's first heading line."""
    if chunk.location and " > " in chunk.location:
        return chunk.location.split(" > ")[-1]
    first = re.split(r"[　\n。]", chunk.text.strip(), maxsplit=1)[0]
    return first.split("：", 1)[-1][:30]


def confirm_items(hits, citations: list[str]) -> list[str]:
    """What to confirm with a senior colleague: the manual's own "depends on your section" sentences, then the fixed list."""
    items = []
    for hit in hits:
        if hit.citation in citations:
            items += [f"{s}（{hit.citation}）" for s in split_sentences(hit.text) if _ASK_CUES.search(s)]
    fixed = [ln.strip() for ln in prompt("confirm.md").splitlines() if ln.strip() and not ln.startswith("#")]
    items += [ln.format(citation="、".join(citations)) for ln in fixed]
    return list(dict.fromkeys(items))


def _hit_row(hit, fit: float | None = None) -> dict:
    return {"citation": hit.citation, "score": round(float(hit.relevance if fit is None else fit), 2), "text": hit.text[:200]}


def _result(text: str, **kw) -> dict:
    result = {"answer": text, "handoff": False, "ask_back": False, "outcome": "answer", "citations": [], "confirm": [],
              "reason": "", "reason_ja": "", "status": STATUS_ANSWERED_JA, "score": None, "case_id": "", "hits": [],
              "final": True}
    result.update(kw)
    return result


def _handoff(decision, hits=(), score=None, details=None) -> dict:
    record = policy.record(decision, details=details)
    confirm = ["資料に答えが見つかりませんでした。この質問そのものを、先輩職員か所属長に確認してください。"]
    return _result(record.reply_ja, handoff=True, outcome="handoff", confirm=confirm, reason=decision.reason,
                   reason_ja=decision.reason_ja, status=f"{decision.status_ja}　受付番号：{record.case_id}",
                   score=score, case_id=record.case_id, hits=[_hit_row(h) for h in hits])


def _chunk_key(c) -> tuple:
    return (c.source, c.location, c.start, c.text)


def passage_text(hit, index: Index) -> str:
    """A passage as the model sees it: its section heading first (「（3.1 給料日）給料は…」), ending like a sentence."""
    heading = next((c.heading for c in index.chunks if _chunk_key(c) == _chunk_key(hit)), None)
    text = " ".join(hit.text.split()) if hit.source.endswith(".csv") else hit.text.strip()
    text = text if re.search(r"[。．.!?！？]$", text) else text + "。"
    return f"（{heading.split(' > ')[-1]}）{text}" if heading else text


def _ask_back(question: str, index: Index) -> dict | None:
    """When the question fits several sections equally (「手当の申請は？」), a reply asking which one is meant."""
    titles = {str(i): title(c) for i, c in enumerate(index.chunks)}
    ids = choices(question, titles)
    if not ids:
        return None
    options = "\n".join(f"・{titles[i]}（{index.chunks[int(i)].source}）" for i in ids)
    return _result(prompt("ask_back.md").format(options=options), ask_back=True, outcome="ask_back",
                   status="どの項目についての質問か確認しています")


def answer_stream(question: str, files=None) -> Iterator[dict]:
    """Answer from the sample manual (or the uploaded ``files``), yielding the answer as it is written (``final``
    False) and then {answer, handoff, ask_back, outcome, citations, confirm, reason, status, score, case_id, hits}."""
    question = (question or "").strip()
    if not question:
        yield _result("質問を入力してください。", reason="empty", status="")
        return
    first = policy.decide(question)  # injection, personal data, asks for a person
    if first.handoff:
        yield _handoff(first)
        return
    index = build_index(files) if files else sample_index()
    if (asked := _ask_back(question, index)) is not None:
        yield asked
        return
    hits = index.search(question, k=TOP_K)
    # Hit.relevance: the share of what the question names that the passage holds (0..1, the same for any manual).
    fits = sorted(((h.relevance, i, h) for i, h in enumerate(hits)), key=lambda x: (-x[0], x[1]))
    best = fits[0][0] if fits else 0.0
    top_score = max((h.score for h in hits), default=0.0)
    # Passages that fit, or rank, clearly worse than the best are not offered: 「給料日はいつ？」 is answered from
    # 3.1 給料日 (ranked first), not from the travel rules that mention 給料日 in passing.
    usable = [(f, h) for f, _, h in fits
              if f >= max(MIN_RELEVANCE, best * CLOSE_TO_BEST) and h.score >= top_score * CLOSE_TO_BEST]
    if not usable:
        yield _handoff(policy.decide(question, relevance=best), hits, best)
        return
    passages = [Passage(f"出典{i}", passage_text(h, index), h.citation) for i, (_, h) in enumerate(usable, start=1)]
    context = "\n\n".join(f"【出典{i}】{p.text}" for i, p in enumerate(passages, start=1))
    reply = None
    for reply in stream_guarded_chat(prompt("question.md").format(question=question, context=context),
                                     system=prompt("system.md"), passages=passages, settings=SETTINGS.guard):
        if not reply.final:
            yield _result(_shown(reply.text, usable), status=reply.status_ja or STATUS_WRITING_JA, score=best, final=False)
    decision = policy.decide(question, answer=reply, relevance=best)
    if decision.handoff:
        yield _handoff(decision, [h for _, h in usable], best, details=reply.event())
        return
    citations = list(reply.citations)
    yield _result(_shown(reply.text, usable), citations=citations, confirm=confirm_items([h for _, h in usable], citations),
                  score=best, hits=[_hit_row(h, f) for f, h in usable])


def _shown(text: str, usable) -> str:
    """【出典2】 tags as the passage's own citation: 【jimu_tebiki.pdf p.2】."""
    return _TAG.sub(lambda m: f"【{usable[int(m.group(1)) - 1][1].citation}】" if 0 < int(m.group(1)) <= len(usable)
                    else m.group(0), text)


def answer(question: str, files=None) -> dict:
    """Answer one question (the last result of :func:`answer_stream`)."""
    return list(answer_stream(question, files))[-1]


# --- UI ----------------------------------------------------------------------------------------

def _view(result: dict):
    confirm = "\n".join(f"- {item}" for item in result["confirm"])
    header = "### ■ 先輩職員に確認すること\n" if result["confirm"] else ""
    rows = [[h["citation"], h["score"], h["text"]] for h in result["hits"]]
    status = f"### ■ {result['status']}" if result["handoff"] else f"● {result['status']}" if result["status"] else ""
    return result["answer"], header + confirm, rows, status


def _ask(question: str, files):
    paths = [getattr(f, "name", f) for f in (files or [])]
    try:
        for result in answer_stream(question, paths or None):
            yield _view(result)
    except ValueError as exc:  # an unreadable upload: say which file
        yield f"※ {exc}", "", [], ""
    except Exception:  # a fault in the app itself: a handoff, never an error badge
        log.exception("doc_search failed on a question; handing off")
        yield _view(_handoff(failure_decision(question)))


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
        status_md = gr.Markdown(elem_id="status")
        answer_md = gr.Markdown(elem_id="answer")
        confirm_md = gr.Markdown(elem_id="confirm")
        hits = gr.Dataframe(headers=["出典", "関連度", "該当箇所"], label="見つかった箇所（関連度 0〜1）", interactive=False)
        gr.Markdown("<small>サンプル資料は研修用の架空の内容です（みどり市は架空の市です）。</small>")
        ask.click(_ask, [question, files], [answer_md, confirm_md, hits, status_md], api_name="ask")
        question.submit(_ask, [question, files], [answer_md, confirm_md, hits, status_md], api_name=False)
    return demo


# Module level, so that `gradio app.py` (reload on save) finds it; `python app.py` launches it.
demo = build_ui()

if __name__ == "__main__":
    demo.launch(server_name="127.0.0.1")
