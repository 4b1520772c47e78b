"""ごみ分別案内 (gomi_guide): answer "how do I throw away X" from the Tsu City garbage table, citing the row.

Core logic is in plain functions (``find_items``, ``answer``) that the UI, the tests and the scenario
suite all call. Facts come only from the table; the model only rewrites the table's note into やさしい日本語,
and a rewrite that drifts from the note is not used.
Run: ``python app.py`` (offline practice model by default; a real backend when configured).
"""

from __future__ import annotations

import csv
import difflib
import logging
import re
import unicodedata
from dataclasses import replace
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

from aidojo.hackathon.project import failure_decision, load_settings
from aidojo.retrieval import Index
from aidojo.safety import HANDOFF_REPLY, HandoffPolicy, Passage, case_notice_ja, guarded_chat, mask_pii
from aidojo.text import bigram_overlap

HERE = Path(__file__).resolve().parent
DATA_CSV = HERE / "data" / "gomi_bunbetsu.csv"
PROMPTS = HERE / "prompts"
LOG_PATH = HERE / "logs" / "handoff.jsonl"  # evaluation and scoring write elsewhere (AIDOJO_HANDOFF_LOG)
SETTINGS = load_settings(HERE)  # template.toml: [guard] max_tokens and timeouts of the やさしい日本語 rewrite
ATTRIBUTION = "出典：津市オープンデータライブラリ『ごみ分別表』（CC BY 2.1 JP）を加工して作成"
MAX_CANDIDATES = 5
MIN_NAME_OVERLAP = 0.67  # a searched row must hold this share of the query's character pairs in its name

STATUS_TABLE = "ごみ分別表の行を出典として回答しました。"
STATUS_NOT_REWRITTEN = "ごみ分別表の行を出典として回答しました（{why}、やさしい日本語に書き換えず、表の説明をそのまま表示しています）。"
STATUS_CHOOSE = "種類によって出し方が違います。どれにあたるか選んでください。"

log = logging.getLogger("gomi_guide")
policy = HandoffPolicy(log_path=LOG_PATH, source="gomi_guide")


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
    r"処分|しょぶん|ゴミ|ごみ|収集|回収|リサイクル|燃え|燃や|もえ|もや|プラ|資源|粗大))"
    # 「チラシは新聞と一緒に出せますか」: the topic, when a disposal word follows soon after
    r"|(?<!^)(?:は|って)(?=[^。?!]{0,12}(?:出せ|だせ|出し|捨て|すて|ごみ|ゴミ))"
    # 「扇風機が壊れたので…」「エアコンを買い替えたので…」: what happened to the item
    r"|(?:が|を|は|も)(?=(?:壊れ|こわれ|割れ|われ|余っ|あまっ|残っ|のこっ|いらなく|要らなく|不要|買い替え|買いかえ|古く|使わなく))"
)
_MODIFIERS = re.compile(r"^(?:古い|ふるい|壊れた|こわれた|使わなくなった|使い終わった|いらない|要らない|不要な|不要になった|使用済みの|家の|うちの|大きい|小さい)")


def extract_item(question: str) -> str:
    """The item a question asks about: 「古い自転車はどうやって捨てますか」 → 「自転車」."""
    text = unicodedata.normalize("NFKC", question).strip()  # 「？」 → 「?」 before anything is cut
    text = _CUE.split(text, maxsplit=1)[0].strip("。、,!?！？ ")
    if re.search(r"[。、,!?！？]", text):
        text = re.split(r"[。、,!?！？]", text)[-1]
    text = _MODIFIERS.sub("", text.strip()).strip("「」『』\"' 　")
    # A trailing particle with nothing after it: 「布団は？」 → 「布団」 (unless the table names the whole text).
    m = re.fullmatch(r"(.+?)(?:って|とか|は|も|を|の)", text)
    if m and key(text) not in _keys():
        text = m.group(1)
    return text


def _is_katakana(ch: str) -> bool:
    return "ァ" <= ch <= "ヺ"


def _same_script(a: str, b: str) -> bool:
    """Both katakana or both hiragana: a word does not end between them."""
    return (_is_katakana(a) and _is_katakana(b)) or ("ぁ" <= a <= "ゖ" and "ぁ" <= b <= "ゖ")


def _unfolded(text: str) -> str:
    """What :func:`key` makes of ``text`` without folding hiragana into katakana (same length as the key)."""
    return re.sub(r"[\sー・･,、。]", "", unicodedata.normalize("NFKC", text).lower())


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
    for other in _other_wordings(q):  # 「ペットボトルのキャップ」 → 「ペットボトルのふた」 (data/synonyms.csv)
        if other in keys:
            return "exact", keys[other][:MAX_CANDIDATES]
    if len(q) >= 2:
        near = [i for k, items in keys.items() if q in k for i in items]
        near.sort(key=lambda i: (len(i.name), i.id))
        if near:
            return "near", list(dict.fromkeys(near))[:MAX_CANDIDATES]
    # Close spellings (typos); a table item inside the query is left to the head-noun rule below.
    close = [k for k in difflib.get_close_matches(q, list(keys), n=MAX_CANDIDATES, cutoff=0.8) if k not in q]
    if close:
        return "near", list(dict.fromkeys(i for k in close for i in keys[k]))[:MAX_CANDIDATES]
    raw = _unfolded(query)  # same positions as q, kana not folded: word boundaries stay visible

    def inside(start: int, end: int) -> bool:  # 「ガラスコップ」 holds no 「スコップ」, 「あなた」 no 「なた」
        return (start > 0 and _same_script(raw[start - 1], raw[start])) or (
            end < len(raw) and _same_script(raw[end - 1], raw[end]))

    # Japanese puts the head noun last: 「引っ越しで出たダンボール」 → 「ダンボール」; what comes before it may say
    # which variant is meant: 「ガラスのコップ」 → 「コップ（ガラス製）」.
    for start in range(1, len(q) - 1):
        if q[start:] in keys and not inside(start, len(q)):
            rows = keys[q[start:]]
            modifier = re.sub(r"(?:ノ|ナ|デ|ガ)$", "", q[:start])
            fitting = [i for i in rows if len(modifier) >= 2 and modifier in key(i.name)]
            return "near", (fitting or rows)[:MAX_CANDIDATES]
    # The longest table item written inside the query, covering most of it.
    for size in range(len(q) - 1, 1, -1):
        if size / len(q) < 0.6:
            break
        found = [keys[q[s : s + size]] for s in range(len(q) - size + 1)
                 if q[s : s + size] in keys and not inside(s, s + size)]
        if found:
            return "near", list(dict.fromkeys(i for items in found for i in items))[:MAX_CANDIDATES]
    return _search(query)


@lru_cache(maxsize=1)
def synonyms() -> tuple[tuple[str, str], ...]:
    """(how citizens say it, how the table says it) from data/synonyms.csv, as matching keys; longest first."""
    path = DATA_CSV.parent / "synonyms.csv"
    if not path.is_file():
        return ()
    with open(path, encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        if not {"言い方", "表の言い方"} <= set(reader.fieldnames or []):
            raise ValueError(f"{path} の列は「言い方,表の言い方」にしてください。")
        pairs = {(key(r["言い方"]), key(r["表の言い方"])) for r in reader if r["言い方"].strip() and r["表の言い方"].strip()}
    return tuple(sorted(pairs, key=lambda p: (-len(p[0]), p)))


def _other_wordings(q: str) -> list[str]:
    """The query key with one citizen's word replaced by the table's word."""
    return [q.replace(said, table) for said, table in synonyms() if said in q]


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


def _line(item: Item, easy: bool = False) -> tuple[str, str]:
    """One row as a line of the answer, and why the model's rewrite was not used ("" when it was, or not asked for)."""
    if easy:
        point, why_not = _easy(item) if item.point else ("とくに ありません。", "")
        return prompt("answer_easy.md").format(item=item.name, category=item.category, point=point, id=item.id), why_not
    point = item.point or "特にありません。"
    return prompt("answer.md").format(item=item.name, category=item.category, point=f"出し方：{point}", id=item.id), ""


@lru_cache(maxsize=1)
def categories() -> frozenset[str]:
    """Every 分別区分 of the table (a rewrite may name only its own row's)."""
    return frozenset(i.category for i in load_items())


def _easy(item: Item) -> tuple[str, str]:
    """Rewrite a row's 出し方 note into やさしい日本語: (text, ""), or (the note itself, why not) when the rewrite
    cannot be trusted: the AI failed or timed out, or it says a number, date, place or 分別区分 the row does not."""
    source = f"{item.category}。{item.point}"
    reply = guarded_chat(prompt("yasashii.md").replace("{answer}", item.point), passages=[Passage(item.citation, source)],
                         settings=replace(SETTINGS.guard, require_citation=False))
    if reply.handoff:
        log.info("やさしい日本語の書き換えを使いません（%s）: ID-%s", reply.reason, item.id)
        return item.point, reply.reason_ja or "書き換えを確かめられなかったため"
    text = reply.text.strip()
    named = {c for c in categories() if c in text and c not in source}
    if named or not text:
        log.info("やさしい日本語の書き換えが別の分別区分 %s を書いたので使いません: ID-%s", sorted(named), item.id)
        return item.point, "書き換えが表と違う分別区分を書いたため"
    return text, ""


def _result(text: str, **kw) -> dict:
    result = {"answer": text, "handoff": False, "ask_back": False, "outcome": "answer", "citations": [], "item": "",
              "match": "none", "reason": "", "reason_ja": "", "status": STATUS_TABLE, "case_id": "", "score": None}
    result.update(kw)
    return result


def _handoff(decision, text: str | None = None, **kw) -> dict:
    """Record the handoff (a case number) and the reply that tells the citizen."""
    record = policy.record(decision)
    reply = f"{text}\n{case_notice_ja(record.case_id)}" if text else record.reply_ja
    return _result(reply, handoff=True, outcome="handoff", reason=decision.reason, reason_ja=decision.reason_ja,
                   status=f"{decision.status_ja}　受付番号：{record.case_id}", case_id=record.case_id, **kw)


def needs_choice(item: str, items: list[Item]) -> bool:
    """True when the rows found are sorted differently (傘立て: プラスチック製 → 他プラ, 金属製 → 金属) and none of them
    is the item itself without a note: the citizen must say which one."""
    if len({i.category for i in items}) < 2:
        return False
    wordings = [key(item), *_other_wordings(key(item))]
    plain = [i for i in items if i.name == base_name(i.name) and any(q.endswith(key(i.name)) for q in wordings)]
    return not plain


def answer(question: str, easy: bool = False) -> dict:
    """Answer one question: {answer, handoff, ask_back, outcome, citations, item, match, reason, status, case_id}."""
    question = (question or "").strip()
    if not question:
        return _result("品目の名前を入力してください（例：ペットボトル）。", reason="empty", status="")
    decision = policy.decide(question)
    if decision.handoff:  # injection, personal data, or asks for a person
        return _handoff(decision)
    item = extract_item(question)
    match, items = find_items(item)
    if match == "none":
        decision = policy.decide(question, relevance=0.0)
        shown = mask_pii(item).text if item and len(item) <= 20 else "お問い合わせの品目"  # never echo a long message
        text = f"{HANDOFF_REPLY}{prompt('not_found.md').format(item=shown)}"
        return _handoff(decision, text, item=item, match=match)
    lines, why_not = [], ""
    for i in items:
        line, why = _line(i, easy)
        lines.append(line)
        why_not = why_not or why
    citations = [i.citation for i in items]
    if needs_choice(item, items):
        text = "\n".join([prompt("ask_back.md").format(item=item), *lines])
        return _result(text, ask_back=True, outcome="ask_back", citations=citations, item=item, match=match,
                       status=STATUS_CHOOSE)
    if match == "near":
        lines.insert(0, prompt("candidates.md").format(item=item))
    status = STATUS_NOT_REWRITTEN.format(why=why_not) if why_not else STATUS_TABLE
    return _result("\n".join(lines), citations=citations, item=item, match=match, status=status)


# --- UI ----------------------------------------------------------------------------------------

def _ask(question: str, easy: bool):
    try:
        result = answer(question, easy)
    except Exception:  # a fault in the app itself: a handoff the citizen can see, never an error badge
        log.exception("gomi_guide failed on a question; handing off")
        result = _handoff(failure_decision(question))
    body = result["answer"].replace("\n", "  \n")
    if result["handoff"]:
        status = f"### ■ 市の担当課におつなぎします（受付番号：{result['case_id']}）\n{result['status']}。" \
                 "この質問はAIでは答えられません。担当課（ごみ・環境の担当）へご案内してください。"
    else:
        status = f"● {result['status']}"
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
