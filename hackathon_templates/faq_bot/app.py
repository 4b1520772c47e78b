"""問い合わせ一次対応 (faq_bot): a citizen chat that answers only from the FAQ, always citing it, asks back when a
question fits several FAQ entries, and hands off to a person (「担当者に引き継ぎます」) when it cannot answer, when
the question holds personal data, when the user asks for a person, or when the AI fails or says something its FAQ
entry does not. Every handoff gets a case number and a record (personal data masked) in logs/handoff.jsonl.

Core logic: ``answer(question) -> dict`` (one turn; ``answer_stream`` yields the reply as it is written) and
``chat_turn(message, state)`` (a turn of the conversation, with all state in a plain dict kept by gr.State).
Settings (the AI's max_tokens and timeouts, the relevance threshold) are in template.toml. Run: ``python app.py``.
"""

from __future__ import annotations

import csv
import logging
import re
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path

from aidojo.hackathon.clarify import choices
from aidojo.hackathon.project import failure_decision, load_settings
from aidojo.retrieval import Index
from aidojo.safety import (
    STATUS_ANSWERED_JA,
    STATUS_WRITING_JA,
    HandoffPolicy,
    Passage,
    append_record,
    mask_conversation,
    mask_pii,
    stream_guarded_chat,
)

HERE = Path(__file__).resolve().parent
FAQ_CSV = HERE / "data" / "faq.csv"
PROMPTS = HERE / "prompts"
LOG_PATH = HERE / "logs" / "handoff.jsonl"  # evaluation and scoring write elsewhere (AIDOJO_HANDOFF_LOG)
SETTINGS = load_settings(HERE)  # template.toml: [guard] max_tokens, timeouts; [retrieval] top_k, min_relevance
TOP_K = SETTINGS.value("retrieval", "top_k", 3)
MIN_RELEVANCE = SETTINGS.value("retrieval", "min_relevance", 0.5)  # 0..1; `aidojo eval --show-scores` helps tune it
CLOSE_TO_BEST = 0.8  # an entry is offered to the model only when it fits at least this share of the best fit
HANDOFF_STATE = "職員におつなぎします"
_FAQ_ID = re.compile(r"^FAQ-\d+$")

log = logging.getLogger("faq_bot")
policy = HandoffPolicy(min_relevance=MIN_RELEVANCE, log_path=LOG_PATH, source="faq_bot")


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
            faq_id = (row.get("id") or "").strip()
            if not faq_id or not (row.get("question") or "").strip() or not (row.get("answer") or "").strip():
                raise ValueError(f"{FAQ_CSV} の{line}行目：id・question・answer は空にできません。")
            if not _FAQ_ID.match(faq_id):
                raise ValueError(f"{FAQ_CSV} の{line}行目：id「{faq_id}」は FAQ-01 の形にしてください。")
            if faq_id in entries:
                raise ValueError(f"{FAQ_CSV} の{line}行目：id「{faq_id}」が重複しています。")
            entries[faq_id] = {k: (v or "").strip() for k, v in row.items() if k}
    return entries


def entry_text(faq_id: str, entry: dict[str, str]) -> str:
    """How one FAQ entry is shown to the model: 【FAQ-01】Q: … / A: …"""
    return f"【{faq_id}】Q: {entry['question']}\nA: {entry['answer']}"


def search_text(faq_id: str, entry: dict[str, str]) -> str:
    """What the search sees: the entry and its optional 「aliases」 (how citizens ask; never shown to the model)."""
    aliases = entry.get("aliases", "")
    return entry_text(faq_id, entry) + (f"\nよくある聞き方：{aliases}" if aliases else "")


@lru_cache(maxsize=1)
def faq_index() -> Index:
    """A search index with one chunk per FAQ entry (source = the FAQ id)."""
    index = Index()
    for faq_id, entry in load_faq().items():
        index.add_text(search_text(faq_id, entry), source=faq_id)
    return index


def _result(text: str, **kw) -> dict:
    result = {"answer": text, "handoff": False, "ask_back": False, "outcome": "answer", "citations": [], "reason": "",
              "reason_ja": "", "status": STATUS_ANSWERED_JA, "score": None, "case_id": "", "final": True}
    result.update(kw)
    return result


def _handoff(decision, conversation=None, score=None, details=None) -> dict:
    """Record the handoff (a case number, the masked conversation) and the reply that tells the citizen."""
    record = policy.record(decision, conversation=conversation, details=details)
    return _result(record.reply_ja, handoff=True, outcome="handoff", reason=decision.reason,
                   reason_ja=decision.reason_ja, status=f"{decision.status_ja}　受付番号：{record.case_id}", score=score,
                   case_id=record.case_id, record=record.to_dict())


def update_record(state: dict, **changes) -> None:
    """Append the case's record again with ``changes`` (the conversation so far, the contact): the last line of a
    case number in the log is its latest state."""
    path = policy.effective_log_path
    if path is not None and state.get("record"):
        append_record(path, {**state["record"], **changes, "handoff": True})


def ask_back(question: str) -> dict | None:
    """When the question fits several FAQ entries equally (「手数料は？」), a reply asking which one is meant."""
    faq = load_faq()
    ids = choices(question, {i: e["question"] for i, e in faq.items()}, extra={i: e.get("aliases", "") for i, e in faq.items()})
    if not ids:
        return None
    options = "\n".join(f"・{faq[i]['question']}" for i in ids)
    return _result(prompt("ask_back.md").format(options=options), ask_back=True, outcome="ask_back",
                   status="どのご質問か確認しています", citations=[])


def answer_stream(question: str, conversation: list | None = None) -> Iterator[dict]:
    """Answer one question from the FAQ, yielding the reply as it is written (``final`` False) and then the result:
    {answer, handoff, ask_back, outcome, citations, reason, reason_ja, status, score, case_id, final}."""
    question = (question or "").strip()
    if not question:
        yield _result("ご質問を入力してください。", reason="empty")
        return
    first = policy.decide(question)  # injection, personal data, asks for a person
    if first.handoff:
        yield _handoff(first, conversation)
        return
    if (asked := ask_back(question)) is not None:
        yield asked
        return
    hits = faq_index().search(question, k=TOP_K)
    # Only entries that are about the question may be cited: Hit.relevance is the share of what the question names
    # that the entry holds (「犬の登録」 is not about 登録 alone: 犬 weighs most, no entry uses it).
    ranked = sorted(((h.relevance, i, h) for i, h in enumerate(hits)), key=lambda x: (-x[0], x[1]))
    relevance = ranked[0][0] if ranked else 0.0
    # Entries that fit clearly worse than the best one are not offered: the model cannot quote the wrong one.
    usable = [h for r, _, h in ranked if r >= max(MIN_RELEVANCE, relevance * CLOSE_TO_BEST)]
    if not usable:
        yield _handoff(policy.decide(question, relevance=relevance), conversation, relevance)
        return
    faq = load_faq()
    passages = [Passage(h.source, entry_text(h.source, faq[h.source])) for h in usable]
    context = "\n\n".join(p.text for p in passages)
    reply = None
    for reply in stream_guarded_chat(prompt("question.md").format(question=question, context=context),
                                     system=prompt("system.md"), passages=passages, settings=SETTINGS.guard):
        if not reply.final:
            yield _result(reply.text, status=reply.status_ja or STATUS_WRITING_JA, score=relevance, final=False)
    decision = policy.decide(question, answer=reply, relevance=relevance)
    if decision.handoff:
        yield _handoff(decision, conversation, relevance, details=reply.event())
        return
    cited = [c for c in reply.citations if c in faq]
    refs = "\n".join(f"（参照：{c}「{faq[c]['question']}」）" for c in cited)
    yield _result(f"{reply.text}\n{refs}", citations=cited, score=relevance)


def answer(question: str, conversation: list | None = None) -> dict:
    """Answer one question from the FAQ (the last result of :func:`answer_stream`)."""
    return list(answer_stream(question, conversation))[-1]


# --- conversation state (kept in gr.State; plain data so it survives any number of turns) -----------

def new_state() -> dict:
    """A fresh conversation: messages for the Chatbot, handoff status and case number, turn count."""
    return {"messages": [], "handoff": False, "handoff_reason": "", "case_id": "", "record": None, "status": "",
            "turns": 0, "pending": ""}


def _waiting_reply(state: dict) -> str:
    return prompt("after_handoff.md").format(case_id=state["case_id"])


def chat_stream(message: str, state: dict | None) -> Iterator[dict]:
    """One turn, yielding the updated state as the reply is written (the last one is final; the input is not changed).

    After a handoff the AI does not answer any more: every message gets the 「担当者が引き継ぎます」 reply and is
    added to the case's record, until a person resets the conversation. After an ask-back, the next message is read
    together with the question it clarifies.
    """
    state = {**new_state(), **(state or {})}
    shown = mask_pii(message or "").text  # personal data is not kept in the conversation either
    if not (message or "").strip():
        yield state
        return
    user = {"role": "user", "content": shown}
    if state["handoff"]:
        messages = [*state["messages"], user, {"role": "assistant", "content": _waiting_reply(state)}]
        update_record(state, conversation=mask_conversation(messages))  # the person taking over sees what was added
        yield {**state, "messages": messages, "turns": state["turns"] + 1}
        return
    question = f"{state['pending']} {message}".strip() if state["pending"] else message
    conversation = [*state["messages"], user]
    result = None
    for result in answer_stream(question, conversation):
        partial = {**state, "messages": [*conversation, {"role": "assistant", "content": result["answer"]}],
                   "status": result["status"]}
        if not result["final"]:
            yield partial
    state = {**partial, "turns": state["turns"] + 1, "last": result, "pending": question if result["ask_back"] else ""}
    if result["handoff"]:
        state.update(handoff=True, handoff_reason=result["reason_ja"] or "FAQでお答えできないご質問のため",
                     case_id=result["case_id"], record=result.get("record"))
    yield state


def chat_turn(message: str, state: dict | None) -> dict:
    """One turn of the conversation: the final state of :func:`chat_stream`."""
    return list(chat_stream(message, state))[-1]


def add_contact(state: dict, name: str, phone: str, consent: bool) -> tuple[dict, str]:
    """Record the contact the citizen agreed to give for the call back, under the case number; (state, message)."""
    if not state.get("handoff"):
        return state, "職員への引き継ぎのあとで、必要なときだけ入力してください。"
    if not consent:
        return state, "「連絡先を記録することに同意します」にチェックがないため、連絡先は記録していません。"
    contact = {k: v.strip() for k, v in (("name", name or ""), ("phone", phone or "")) if v and v.strip()}
    if not contact.get("phone"):
        return state, "折り返しの電話番号を入力してください。"
    update_record(state, contact=contact, details={**(state.get("record") or {}).get("details", {}), "consent": True})
    return {**state, "contact_given": True}, f"受付番号「{state['case_id']}」に連絡先を記録しました。職員から折り返しご連絡します。"


def status_markdown(state: dict) -> str:
    """The visible status: 「職員におつなぎします」 and the case number once a handoff happened, else what the AI does."""
    if state.get("handoff"):
        return prompt("handoff_banner.md").format(reason=state["handoff_reason"], case_id=state["case_id"])
    status = state.get("status") or STATUS_ANSWERED_JA
    return f"● {status}（{state.get('turns', 0)}件目まで）。"


# --- UI ----------------------------------------------------------------------------------------

def _respond(message: str, state: dict):
    import gradio as gr

    try:
        for last in chat_stream(message, state):
            yield "", last["messages"], status_markdown(last), last, gr.update(visible=last["handoff"])
    except Exception:  # a fault in the app itself: a handoff the citizen can see, never an error badge
        log.exception("faq_bot failed on a message; handing off")
        last = fail_state(message, state)
        yield "", last["messages"], status_markdown(last), last, gr.update(visible=True)


def fail_state(message: str, state: dict | None) -> dict:
    """The state after an unexpected error: the question kept, a handoff with a case number recorded."""
    state = {**new_state(), **(state or {})}
    user = {"role": "user", "content": mask_pii(message or "").text}
    record = policy.record(failure_decision(message), conversation=[*state["messages"], user])
    return {**state, "messages": [*state["messages"], user, {"role": "assistant", "content": record.reply_ja}],
            "handoff": True, "handoff_reason": record.reason_ja, "case_id": record.case_id, "record": record.to_dict(),
            "turns": state["turns"] + 1}


def _reset():
    import gradio as gr

    state = new_state()
    return [], status_markdown(state), state, gr.update(visible=False), ""


def _contact(name: str, phone: str, consent: bool, state: dict):
    state, message = add_contact(state, name, phone, consent)
    return state, message


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
        with gr.Group(visible=False, elem_id="contact") as contact_box:
            gr.Markdown("**折り返しのご連絡を希望される方**（任意）：お名前と電話番号を入力し、同意にチェックしてください。"
                        "チャットの欄には個人情報を書かないでください。")
            name = gr.Textbox(label="お名前（任意）", elem_id="contact_name")
            phone = gr.Textbox(label="電話番号", elem_id="contact_phone")
            consent = gr.Checkbox(label="職員からの折り返し連絡のために、この連絡先を記録することに同意します", elem_id="consent")
            send_contact = gr.Button("連絡先を送る", elem_id="send_contact")
            contact_note = gr.Markdown(elem_id="contact_note")
        reset = gr.Button("最初からやり直す（職員対応の完了後）", elem_id="reset")
        gr.Markdown("<small>このFAQは研修用の架空の内容です（みどり市は架空の市です）。</small>")
        outputs = [message, chatbot, status, state, contact_box]
        send.click(_respond, [message, state], outputs, api_name="chat")
        message.submit(_respond, [message, state], outputs, api_name=False)
        send_contact.click(_contact, [name, phone, consent, state], [state, contact_note], api_name="contact")
        reset.click(_reset, None, [chatbot, status, state, contact_box, contact_note], api_name="reset")
    return demo


# Module level, so that `gradio app.py` (reload on save) finds it; `python app.py` launches it.
demo = build_ui()

if __name__ == "__main__":
    demo.launch(server_name="127.0.0.1")
