"""問い合わせ一次対応 (faq_bot): a citizen chat that answers only from the FAQ, always citing it,
and hands off to a person (「職員におつなぎします」) when it cannot answer, when the question holds
personal data, or when the user asks for a person. Every handoff is logged (JSONL, personal data masked).

Core logic: ``answer(question) -> dict`` (one turn) and ``chat_turn(message, state)`` (a turn of the
conversation, with all state in a plain dict kept by gr.State). Run: ``python app.py``.
"""

from __future__ import annotations

import csv
import re
from functools import lru_cache
from pathlib import Path

from aidojo.llm import chat
from aidojo.retrieval import Index
from aidojo.safety import HandoffPolicy, mask_pii
from aidojo.text import char_bigrams, normalize

HERE = Path(__file__).resolve().parent
FAQ_CSV = HERE / "data" / "faq.csv"
PROMPTS = HERE / "prompts"
LOG_PATH = HERE / "logs" / "handoff.jsonl"
TOP_K = 3
MIN_SCORE = 9.4  # BM25 score below which the FAQ has no matching entry (tuned on scenarios.yaml; re-check after changing the FAQ)
MIN_COVERAGE = 0.5  # share of the question's key terms that the cited FAQ entry must contain
GENERIC_TERMS = {"教え", "方法", "手続", "続き", "知り", "調べ", "質問", "場合"}
HANDOFF_STATE = "職員におつなぎします"
_CITATION = re.compile(r"【(FAQ-\d+)】")

policy = HandoffPolicy(min_score=MIN_SCORE, log_path=LOG_PATH)


def prompt(name: str) -> str:
    """A prompt file from prompts/, read at run time (edit the file, not the code)."""
    return (PROMPTS / name).read_text(encoding="utf-8").strip()


@lru_cache(maxsize=1)
def load_faq() -> dict[str, dict[str, str]]:
    """FAQ entries by id from data/faq.csv (columns id, category, question, answer); bad rows raise with their line."""
    entries: dict[str, dict[str, str]] = {}
    with open(FAQ_CSV, encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        missing = {"id", "question", "answer"} - set(reader.fieldnames or [])
        if missing:
            raise ValueError(f"{FAQ_CSV} に列 {'、'.join(sorted(missing))} がありません。")
        for line, row in enumerate(reader, start=2):
            if not (row.get("id") or "").strip() or not (row.get("answer") or "").strip():
                raise ValueError(f"{FAQ_CSV} の{line}行目：id と answer は空にできません。")
            entries[row["id"].strip()] = {k: (v or "").strip() for k, v in row.items()}
    return entries


def entry_text(faq_id: str, entry: dict[str, str]) -> str:
    """How one FAQ entry is shown to the model: 【FAQ-01】Q: … / A: …"""
    return f"【{faq_id}】Q: {entry['question']}\nA: {entry['answer']}"


@lru_cache(maxsize=1)
def faq_index() -> Index:
    """A search index with one chunk per FAQ entry (source = the FAQ id)."""
    index = Index()
    for faq_id, entry in load_faq().items():
        index.add_text(entry_text(faq_id, entry), source=faq_id)
    return index


def key_terms(text: str) -> set[str]:
    """The question's key terms: character bigrams holding a kanji, katakana, letter or digit (not generic words)."""
    grams = char_bigrams(normalize(text))
    return {g for g in grams if any(not ("ぁ" <= c <= "ゖ") and c.isalnum() for c in g)} - GENERIC_TERMS


def coverage(question: str, text: str) -> float:
    """Share of the question's key terms found in ``text`` (a cited entry must cover the question)."""
    terms = key_terms(question)
    return len(terms & set(char_bigrams(normalize(text)))) / len(terms) if terms else 0.0


def _handoff(decision, extra: dict | None = None) -> dict:
    policy.log(decision)
    return {"answer": decision.reply, "handoff": True, "citations": [], "reason": decision.reason,
            "reason_ja": decision.reason_ja, **(extra or {})}


def answer(question: str) -> dict:
    """Answer one question from the FAQ: {answer, handoff, citations, reason, reason_ja}."""
    question = (question or "").strip()
    if not question:
        return {"answer": "ご質問を入力してください。", "handoff": False, "citations": [], "reason": "empty", "reason_ja": ""}
    first = policy.decide(question)  # injection, personal data, asks for a person
    if first.handoff:
        return _handoff(first)
    hits = faq_index().search(question, k=TOP_K)
    if not hits:
        return _handoff(policy.decide(question, best_score=0.0))
    best = hits[0].score
    context = "\n\n".join(hit.text for hit in hits)
    reply = chat(prompt("question.md").format(question=question, context=context), system=prompt("system.md")).strip()
    retrieved = {hit.source for hit in hits}
    faq = load_faq()
    cited = [c for c in dict.fromkeys(_CITATION.findall(reply))
             if c in retrieved and coverage(question, entry_text(c, faq[c])) >= MIN_COVERAGE]
    decision = policy.decide(question, answer=reply if cited else "", best_score=best)
    if decision.handoff:
        return _handoff(decision)
    refs = "\n".join(f"（参照：{c}「{faq[c]['question']}」）" for c in cited)
    return {"answer": f"{reply}\n{refs}", "handoff": False, "citations": cited, "reason": "", "reason_ja": ""}


# --- conversation state (kept in gr.State; plain data so it survives any number of turns) -----------

def new_state() -> dict:
    """A fresh conversation: messages for the Chatbot, handoff status, turn count."""
    return {"messages": [], "handoff": False, "handoff_reason": "", "turns": 0}


def chat_turn(message: str, state: dict | None) -> dict:
    """One turn: answer ``message`` and return the updated state (a new dict; the old one is not changed)."""
    state = dict(state or new_state())
    result = answer(message)
    shown = mask_pii(message).text  # personal data is not kept in the conversation either
    reply = f"{result['answer']}\n\n【{HANDOFF_STATE}】" if result["handoff"] else result["answer"]
    state["messages"] = [*state["messages"], {"role": "user", "content": shown}, {"role": "assistant", "content": reply}]
    state["turns"] += 1
    if result["handoff"]:
        state["handoff"] = True
        state["handoff_reason"] = result["reason_ja"] or "FAQでお答えできないご質問のため"
    state["last"] = result
    return state


def status_markdown(state: dict) -> str:
    """The visible status: 「職員におつなぎします」 once a handoff happened, else the AI is answering."""
    if state.get("handoff"):
        return prompt("handoff_banner.md").format(reason=state["handoff_reason"])
    return f"● AIがFAQをもとにお答えしています（{state.get('turns', 0)}件目まで）。"


# --- UI ----------------------------------------------------------------------------------------

def _respond(message: str, state: dict):
    state = chat_turn(message, state)
    return "", state["messages"], status_markdown(state), state


def _reset():
    state = new_state()
    return [], status_markdown(state), state


def build_ui():
    """The gr.Blocks app (Japanese UI)."""
    import gradio as gr

    with gr.Blocks(title="みどり市 マイナンバーカード 問い合わせ窓口") as demo:
        gr.Markdown("# みどり市 マイナンバーカード お問い合わせ（AI一次対応）\n"
                    "市のFAQをもとにAIがお答えします。回答には出典（FAQ番号）を付けます。"
                    "お名前・住所・電話番号・マイナンバーなどの個人情報は入力しないでください。")
        state = gr.State(new_state())
        status = gr.Markdown(status_markdown(new_state()), elem_id="status")
        chatbot = gr.Chatbot(label="会話", elem_id="chatbot", height=420)
        with gr.Row():
            message = gr.Textbox(label="ご質問", placeholder="例：マイナンバーカードの受け取りに必要なものは？", scale=4,
                                 elem_id="message")
            send = gr.Button("送信", variant="primary", elem_id="send")
        reset = gr.Button("最初からやり直す（職員対応の完了後）", elem_id="reset")
        gr.Markdown("<small>このFAQは研修用の架空の内容です（みどり市は架空の市です）。</small>")
        send.click(_respond, [message, state], [message, chatbot, status, state], api_name="chat")
        message.submit(_respond, [message, state], [message, chatbot, status, state], api_name=False)
        reset.click(_reset, None, [chatbot, status, state], api_name="reset")
    return demo


# Module level, so that `gradio app.py` (reload on save) finds it; `python app.py` launches it.
demo = build_ui()

if __name__ == "__main__":
    demo.launch(server_name="127.0.0.1")
