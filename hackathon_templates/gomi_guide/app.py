"""ごみ分別案内 (gomi_guide): answer "how do I throw away X" from the Tsu City garbage table, citing the row.

Core logic is in plain functions (``find_items``, ``answer``) that the UI, the tests and the scenario
suite all call. Facts come only from the table; the model only rewrites the table's note into やさしい日本語,
and a rewrite that drifts from the note is not used.
Run: ``python app.py`` (offline practice model by default; a real backend when configured).
"""

from __future__ import annotations

import csv
import difflib
import re
import unicodedata
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

from aidojo.llm import chat
from aidojo.retrieval import Index
from aidojo.safety import HANDOFF_REPLY, HandoffPolicy
from aidojo.text import bigram_overlap

HERE = Path(__file__).resolve().parent
DATA_CSV = HERE / "data" / "gomi_bunbetsu.csv"
PROMPTS = HERE / "prompts"
LOG_PATH = HERE / "logs" / "handoff.jsonl"
ATTRIBUTION = "出典：津市オープンデータライブラリ『ごみ分別表』（CC BY 2.1 JP）を加工して作成"
MAX_CANDIDATES = 5
MIN_NAME_OVERLAP = 0.67  # a searched row must hold this share of the query's character pairs in its name

policy = HandoffPolicy(log_path=LOG_PATH)


class Item(NamedTuple):
    """One row of the garbage table."""

    id: str
    name: str
    kana: str
    category: str
    point: str

    @property
    def citation(self) -> str:
        return f"ID-{self.id}"


def prompt(name: str) -> str:
    """A prompt file from prompts/, read at run time (edit the file, not the code)."""
    return (PROMPTS / name).read_text(encoding="utf-8").strip()


def key(text: str) -> str:
    """Matching key: NFKC, lower case, hiragana → katakana, no long-vowel marks, dots or spaces."""
    text = unicodedata.normalize("NFKC", text).lower()
    text = "".join(chr(ord(c) + 0x60) if "ぁ" <= c <= "ゖ" else c for c in text)
    return re.sub(r"[\sー・･,、。]", "", text)


def base_name(name: str) -> str:
    """The item name without its bracketed note: 「傘（骨組みが金属の物）」 → 「傘」."""
    return re.sub(r"[（(][^）)]*[）)]", "", name).strip()


@lru_cache(maxsize=1)
def load_items() -> tuple[Item, ...]:
    """All rows of data/gomi_bunbetsu.csv (UTF-8 with BOM); a missing column raises with its name."""
    with open(DATA_CSV, encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        needed = {"ID", "50音", "品目", "分別区分", "出し方のポイント"}
        missing = needed - set(reader.fieldnames or [])
        if missing:
            raise ValueError(f"{DATA_CSV} に列 {'、'.join(sorted(missing))} がありません。")
        return tuple(
            Item(r["ID"], r["品目"].strip(), r["50音"].strip(), r["分別区分"].strip(), " ".join(r["出し方のポイント"].split()))
            for r in reader
            if r["品目"].strip()
        )


@lru_cache(maxsize=1)
def _keys() -> dict[str, list[Item]]:
    index: dict[str, list[Item]] = {}
    for item in load_items():
        for k in {key(item.name), key(base_name(item.name))}:
            if k:
                index.setdefault(k, []).append(item)
    return index


_CUE = re.compile(
    r"(?:って|は|を|の|も|、|,|\s)\s*(?=(?:どう|どの|どこ|何|なに|なん|いつ|捨|すて|棄|出し|だし|出せ|だせ|分別|ぶんべつ|"
    r"処分|しょぶん|ゴミ|ごみ|収集|回収|リサイクル))"
)
_MODIFIERS = re.compile(r"^(?:古い|ふるい|壊れた|こわれた|使わなくなった|使い終わった|いらない|要らない|不要な|不要になった|使用済みの|家の|うちの|大きい|小さい)")


def extract_item(question: str) -> str:
    """The item a question asks about: 「古い自転車はどうやって捨てますか」 → 「自転車」."""
    text = unicodedata.normalize("NFKC", question).strip()
    text = _CUE.split(text, maxsplit=1)[0]
    text = re.split(r"[。、,!?！？]", text.strip("。、,!?！？ "))[-1] if re.search(r"[。、,!?！？]", text.strip("。、,!?！？ ")) else text
    text = _MODIFIERS.sub("", text.strip())
    return text.strip("「」『』\"' 　")


def find_items(query: str) -> tuple[str, list[Item]]:
    """Rows for an item name: ("exact", rows) / ("near", rows) / ("none", []).

    Exact on 品目 (with or without its bracketed note, kana-insensitive), then near matches:
    names that contain the query, close spellings (difflib), a table item at the end of the query
    (the head noun) or covering most of it, and finally a BM25 search of the table (aidojo.retrieval).
    The 50音 column holds only the first kana, so kana queries are matched by folding kana instead.
    """
    q = key(query)
    if len(q) < 1:
        return "none", []
    keys = _keys()
    if q in keys:
        return "exact", keys[q][:MAX_CANDIDATES]
    if len(q) >= 2:
        near = [i for k, items in keys.items() if q in k for i in items]
        near.sort(key=lambda i: (len(i.name), i.id))
        if near:
            return "near", list(dict.fromkeys(near))[:MAX_CANDIDATES]
    close = difflib.get_close_matches(q, list(keys), n=MAX_CANDIDATES, cutoff=0.8)
    if close:
        return "near", list(dict.fromkeys(i for k in close for i in keys[k]))[:MAX_CANDIDATES]
    # Japanese puts the head noun last: 「引っ越しで出たダンボール」 → 「ダンボール」.
    for start in range(1, len(q) - 1):
        if q[start:] in keys:
            return "near", keys[q[start:]][:MAX_CANDIDATES]
    # The longest table item written inside the query, covering most of it.
    for size in range(len(q) - 1, 1, -1):
        if size / len(q) < 0.6:
            break
        found = [keys[q[s : s + size]] for s in range(len(q) - size + 1) if q[s : s + size] in keys]
        if found:
            return "near", list(dict.fromkeys(i for items in found for i in items))[:MAX_CANDIDATES]
    return _search(query)


@lru_cache(maxsize=1)
def item_index() -> Index:
    """A BM25 index (aidojo.retrieval) with one chunk per row: name, category and note; source = the row ID."""
    index = Index()
    for item in load_items():
        index.add_text(f"{item.name} {item.category} {item.point}", source=item.id)
    return index


def _search(query: str) -> tuple[str, list[Item]]:
    """Last resort: search the table, keeping only rows whose name shares most of the query's characters."""
    by_id = {i.id: i for i in load_items()}
    hits = [by_id[h.source] for h in item_index().search(query, k=20)]
    near = [i for i in hits if len(key(query)) >= 2 and bigram_overlap(key(query), key(i.name)) >= MIN_NAME_OVERLAP]
    return ("near", near[:MAX_CANDIDATES]) if near else ("none", [])


def _line(item: Item, easy: bool = False) -> str:
    if easy:
        point = _easy(item.point) if item.point else "とくに ありません。"
        return prompt("answer_easy.md").format(item=item.name, category=item.category, point=point, id=item.id)
    point = item.point or "特にありません。"
    return prompt("answer.md").format(item=item.name, category=item.category, point=f"出し方：{point}", id=item.id)


def _easy(point: str) -> str:
    """Rewrite a 出し方 note into やさしい日本語 with the model; keep the note when the rewrite drifts from it."""
    try:
        rewritten = chat(prompt("yasashii.md").replace("{answer}", point)).strip()
    except Exception:  # the table's own note is still correct: show it rather than an error
        return point
    # A faithful rewrite keeps most of the note's content characters; anything else is not trusted.
    return rewritten if rewritten and bigram_overlap(point, rewritten) >= 0.5 else point


def answer(question: str, easy: bool = False) -> dict:
    """Answer one question. Returns {answer, handoff, citations, item, match, reason}."""
    question = (question or "").strip()
    if not question:
        return {"answer": "品目の名前を入力してください（例：ペットボトル）。", "handoff": False, "citations": [],
                "item": "", "match": "none", "reason": "empty"}
    decision = policy.decide(question)
    if decision.handoff:  # injection, personal data, or asks for a person
        policy.log(decision)
        return {"answer": decision.reply, "handoff": True, "citations": [], "item": "", "match": "none",
                "reason": decision.reason}
    item = extract_item(question)
    match, items = find_items(item)
    if match == "none":
        decision = policy.decide(question, best_score=0.0)
        policy.log(decision)
        text = f"{HANDOFF_REPLY}{prompt('not_found.md').format(item=item or question)}"
        return {"answer": text, "handoff": True, "citations": [], "item": item, "match": match,
                "reason": "not_in_table"}
    lines = [_line(i, easy) for i in items]
    if match == "near":
        lines.insert(0, prompt("candidates.md").format(item=item))
    text = "\n".join(lines)
    return {"answer": text, "handoff": False, "citations": [i.citation for i in items], "item": item, "match": match,
            "reason": ""}


# --- UI ----------------------------------------------------------------------------------------

def _ask(question: str, easy: bool):
    result = answer(question, easy)
    body = result["answer"].replace("\n", "  \n")
    if result["handoff"]:
        status = "### ■ 市の担当課におつなぎします\nこの質問はAIでは答えられません。担当課（ごみ・環境の担当）へご案内してください。"
    else:
        status = "● ごみ分別表の行を出典として回答しました。"
    return body, status, result


def build_ui():
    """The gr.Blocks app (Japanese UI)."""
    import gradio as gr

    with gr.Blocks(title="ごみ分別案内") as demo:
        gr.Markdown("# ごみ分別案内\n捨てたいものの名前を入れてください。ごみ分別表から、出し方と出典（表のID）を答えます。")
        with gr.Row():
            question = gr.Textbox(label="質問", placeholder="例：ペットボトルの捨て方を教えてください", scale=4,
                                  elem_id="question")
            easy = gr.Checkbox(label="やさしい日本語で答える", value=False, elem_id="easy")
        ask = gr.Button("調べる", variant="primary", elem_id="ask")
        answer_md = gr.Markdown(label="回答", elem_id="answer")
        status_md = gr.Markdown(elem_id="status")
        with gr.Accordion("詳細（見つかった行・出典）", open=False):
            details = gr.JSON(label="詳細")
        gr.Examples(["ペットボトルの捨て方を教えてください", "スプレー缶は何ごみですか", "古い自転車はどうやって捨てますか"],
                    inputs=question)
        gr.Markdown(f"<small>{ATTRIBUTION}</small>", elem_id="attribution")
        ask.click(_ask, [question, easy], [answer_md, status_md, details], api_name="ask")
        question.submit(_ask, [question, easy], [answer_md, status_md, details], api_name=False)
    return demo


# Module level, so that `gradio app.py` (reload on save) finds it; `python app.py` launches it.
demo = build_ui()

if __name__ == "__main__":
    demo.launch(server_name="127.0.0.1")
