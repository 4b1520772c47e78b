"""議事録・要約 (minutes): a meeting transcript (pasted, .txt or .docx) → minutes with decisions,
action items (who, what, by when) and open questions.

Personal data other than the speakers' names is masked (``aidojo.safety.mask_pii``) before the transcript
is sent to the model. A transcript that tries to rewrite the AI's instructions, or text that is not a
meeting record, is handed to a person instead.

Core logic: ``make_minutes(transcript) -> dict`` (used by the UI, the tests and the scenario suite through
``answer``). Run: ``python app.py``.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from dataclasses import replace
from pathlib import Path

from aidojo.hackathon.project import load_settings
from aidojo.safety import Passage, find_pii, guarded_chat, screen_prompt, status_ja
from aidojo.safety.pii_types import PLACEHOLDERS
from aidojo.text import split_sentences

HERE = Path(__file__).resolve().parent
SETTINGS = load_settings(HERE)  # template.toml: [guard] max_tokens and timeouts of the model call
log = logging.getLogger("minutes")
PROMPTS = HERE / "prompts"
DATA = HERE / "data"
MIN_SENTENCES = 3  # fewer sentences than this is not a meeting record
SECTIONS = ("決定事項", "アクション項目", "未決事項")
NOT_FOUND = "（記録の中に見つかりませんでした）"
UNKNOWN = "（記録になし・要確認）"

_SPEAKER = re.compile(r"^\s*([^\s：:「」]{1,12})\s*[：:]\s*(.+)$")
_DUE = re.compile(
    r"((?:\d{4}年)?\d{1,2}月\d{1,2}日|\d{1,2}/\d{1,2}|(?:今週|来週|再来週)の?[月火水木金土日]曜日?|"
    r"今月末|来月末|月末|今週中|来週中|今日中|明日|明後日|年内|年度内|次回の?会議|次回)(?:まで|中)?(?=に|で|、|。|$)"
)
_WHO = (
    re.compile(r"([一-龥ァ-ヶー]{1,8}(?:課|係|室|センター))(?:が|で|では|から|に)"),
    re.compile(r"([一-龥ァ-ヶー]{1,6})(?:さん|様|課長|係長|主任|部長)(?:が|に|は|から)"),
    re.compile(r"担当(?:は|者は|：|:)\s*([一-龥ァ-ヶー]{1,6})"),
    re.compile(r"([一-龥ァ-ヶー]{1,6})が担当"),
    re.compile(r"(?:^|、|は)([一-龥ァ-ヶーA-Za-z]{1,6})が"),
)
_HEADER = re.compile(r"^\s*(?:日時|場所|出席|出席者|欠席|議題|日付|作成)\s*[：:]")
_OPEN = re.compile(r"未定|決まっていない|決まっていません|持ち越|保留|検討が必要|引き続き検討|次回の課題|要確認")
_BOILERPLATE = re.compile(r"を始めます。?$|以上です。?$|終わります。?$")
_SELF = re.compile(r"(?:^|は|、)(?:私|わたし|僕|自分)(?:が|で|の方で)|(?:私|わたし)が担当")


def prompt(name: str) -> str:
    """A prompt file from prompts/, read at run time (edit the file, not the code)."""
    return (PROMPTS / name).read_text(encoding="utf-8").strip()


def read_transcript(path: str | Path) -> str:
    """The text of an uploaded transcript: .txt (UTF-8 or Shift_JIS) or .docx (paragraphs, via python-docx)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".docx":
        import docx  # python-docx

        try:
            document = docx.Document(str(path))
        except Exception as exc:  # noqa: BLE001 - python-docx raises several kinds for a bad file
            raise ValueError(f"{path.name} を Word ファイルとして読めません（{type(exc).__name__}）。") from None
        return "\n".join(p.text for p in document.paragraphs)
    if suffix not in (".txt", ".md", ""):
        raise ValueError(f"{path.name}：読めるのは .txt と .docx のファイルです。")
    data = path.read_bytes()
    for encoding in ("utf-8-sig", "cp932"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ValueError(f"{path.name} の文字コードが分かりません。UTF-8 で保存してください。")


def speakers(transcript: str) -> set[str]:
    """The meeting's participants: names before 「：」 at the start of lines and those on an 「出席：」 line."""
    names = {m.group(1) for line in transcript.splitlines() if (m := _SPEAKER.match(line)) and not _HEADER.match(line)}
    for line in transcript.splitlines():
        m = re.match(r"^\s*出席(?:者)?\s*[：:](.+)$", line)
        for part in re.split(r"[、,，・\s]+", m.group(1)) if m else []:
            name = re.sub(r"（[^）]*）|\([^)]*\)|(?:課長|係長|主任|部長|次長|主査|さん)$", "", part).strip()
            if name:
                names.add(name)
    return names


def mask_transcript(transcript: str) -> tuple[str, list[str]]:
    """Mask personal data, keeping the speakers' names (needed for 「誰が」); returns (text, kinds masked)."""
    names = speakers(transcript)
    parts, kinds, pos = [], [], 0
    for f in find_pii(transcript):
        if f.kind == "person_name" and any(f.value in n or n in f.value for n in names):
            continue
        parts += [transcript[pos:f.start], PLACEHOLDERS[f.kind]]
        kinds.append(f.kind)
        pos = f.end
    parts.append(transcript[pos:])
    return "".join(parts), kinds


def parse_sections(text: str) -> dict[str, list[str]]:
    """The model's 【見出し】 sections as lists of lines (without the bullet)."""
    out: dict[str, list[str]] = {name: [] for name in SECTIONS}
    current = None
    for line in text.splitlines():
        line = line.strip()
        heading = re.fullmatch(r"[【\[#\s]*([^】\]]+?)[】\]]?\s*", line) if line.startswith(("【", "[", "#")) else None
        if heading and heading.group(1) in out:
            current = heading.group(1)
        elif current and line and NOT_FOUND.strip("（）") not in line and "該当する発言は見つかりません" not in line:
            out[current].append(re.sub(r"^[・\-\*●]\s*", "", line))
    return out


def _line_of(sentence: str, lines: list[str]) -> int | None:
    """Index of the transcript line that holds ``sentence``."""
    body = re.sub(r"^[^\s：:]{1,12}[：:]", "", sentence).strip()
    return next((i for i, line in enumerate(lines) if body and body in line), None)


def _speaker_of(sentence: str, transcript: str) -> str | None:
    """Who said ``sentence``: the speaker of the transcript line that holds it."""
    lines = transcript.splitlines()
    i = _line_of(sentence, lines)
    m = _SPEAKER.match(lines[i]) if i is not None else None
    return m.group(1) if m else None


def merge_by_line(items: list[str], transcript: str) -> list[str]:
    """Join items that came from the same utterance (the model splits sentences; an utterance is one item)."""
    lines = transcript.splitlines()
    out: list[str] = []
    last = None
    for item in items:
        i = _line_of(item, lines)
        if out and i is not None and i == last:
            out[-1] += re.sub(r"^[^\s：:]{1,12}[：:]", "", item).strip()
        else:
            out.append(item)
        last = i
    return out


def dialogue(transcript: str) -> tuple[str, str]:
    """(header, utterances): lines before the first 「名前：発言」 line are the meeting's details, not minutes."""
    lines = transcript.splitlines()
    first = next((i for i, line in enumerate(lines) if _SPEAKER.match(line) and not _HEADER.match(line)), 0)
    if sum(1 for line in lines if _SPEAKER.match(line)) < MIN_SENTENCES:
        first = 0
    return "\n".join(lines[:first]).strip(), "\n".join(lines[first:]).strip()


def sort_open(sections: dict[str, list[str]]) -> dict[str, list[str]]:
    """Move 「まだ決まっていません」-like items out of 決定事項 into 未決事項 (a fix-up for the offline model)."""
    def boilerplate(item: str) -> bool:
        body = re.sub(r"^[^\s：:]{1,12}[：:]", "", item).strip()
        return len(body) <= 25 and bool(_BOILERPLATE.search(body))

    sections = {k: [d for d in v if not boilerplate(d)] for k, v in sections.items()}
    open_items = [d for d in sections["決定事項"] if _OPEN.search(d)]
    sections["決定事項"] = [d for d in sections["決定事項"] if d not in open_items]
    sections["未決事項"] = [*sections["未決事項"], *(d for d in open_items if d not in sections["未決事項"])]
    return sections


def parse_action(sentence: str, transcript: str = "") -> dict[str, str]:
    """An action item as who / what / due: 「〜さんが」「担当は〜」「私が」(= the speaker) and 「12月5日まで」."""
    norm = unicodedata.normalize("NFKC", sentence)
    m = _SPEAKER.match(norm)
    speaker = m.group(1) if m else _speaker_of(norm, transcript)
    body = m.group(2) if m else norm
    who = speaker if _SELF.search(body) else None
    for pattern in _WHO if who is None else ():
        found = pattern.search(body)
        if found:
            who = found.group(1)
            break
    if who is None and (_SELF.search(body) or re.search(r"(?:します|いたします|行います)。?$", body)):
        who = speaker
    if who is None and re.match(r"^[一-龥ァ-ヶー]{1,6}が", body):
        who = body.split("が", 1)[0]
    due = _DUE.search(body)
    return {"who": who or UNKNOWN, "what": body.strip(), "due": due.group(1) if due else UNKNOWN}


def _handoff(reply: str, reason: str, status: str = "") -> dict:
    return {"answer": reply, "handoff": True, "reason": reason, "decisions": [], "actions": [], "open_questions": [],
            "masked": [], "status": status or "職員が確認してください"}


def make_minutes(transcript: str) -> dict:
    """Minutes of one meeting: {answer (Markdown), decisions, actions [{who, what, due}], open_questions,
    masked (kinds of personal data masked), handoff, reason}."""
    transcript = (transcript or "").strip()
    if not transcript:
        return {**_handoff("会議の記録を貼り付けるか、ファイルを選んでください。", "empty"), "handoff": False}
    screen = screen_prompt(transcript)
    if screen.blocked:
        return _handoff(prompt("injection.md").format(matched="".join(f"「{m}」" for m in screen.matched) or "「指示の書き換え」"), "injection")
    sentences = split_sentences(transcript)
    if len(sentences) < MIN_SENTENCES:
        return _handoff(prompt("not_minutes.md").format(sentences=len(sentences)), "not_minutes")
    masked, kinds = mask_transcript(transcript)
    header, body = dialogue(masked)
    # The guard: a failing or silent AI, or minutes that state a date, number or place the record does not,
    # are not shown; the staff member writes the minutes from the record instead.
    reply = guarded_chat(prompt("minutes.md").format(transcript=body), system=prompt("system.md"),
                         passages=[Passage("記録", masked)], settings=replace(SETTINGS.guard, require_citation=False))
    if reply.handoff:
        log.warning("minutes not shown: %s %s", reply.reason, reply.unsupported)
        return _handoff(prompt("not_shown.md").format(status=reply.status_ja), reply.reason, reply.status_ja)
    sections = sort_open({k: merge_by_line(v, body) for k, v in parse_sections(reply.text).items()})
    actions = [parse_action(s, body) for s in sections["アクション項目"]]
    result = {"header": header, "decisions": sections["決定事項"], "actions": actions,
              "open_questions": sections["未決事項"], "masked": kinds, "handoff": False, "reason": "",
              "status": "AIが議事録の下書きを作りました。出席者が確認してから共有してください"}
    result["answer"] = render_markdown(result)
    return result


def render_markdown(result: dict) -> str:
    """The minutes as Markdown (what the UI shows and what a team pastes into its mail)."""
    lines = ["## 議事録（AIによる下書き・要確認）", ""]
    if result.get("header"):
        lines += [f"{line}  " for line in result["header"].splitlines()] + [""]
    lines += ["### 決定事項"]
    lines += [f"- {d}" for d in result["decisions"]] or [f"- {NOT_FOUND}"]
    lines += ["", "### アクション項目", "", "| 誰が | 何を | いつまでに |", "|---|---|---|"]
    lines += [f"| {a['who']} | {a['what']} | {a['due']} |" for a in result["actions"]] or [f"| {NOT_FOUND} | | |"]
    lines += ["", "### 未決事項"]
    lines += [f"- {q}" for q in result["open_questions"]] or [f"- {NOT_FOUND}"]
    if result.get("masked"):
        lines += ["", f"※ 個人情報を {len(result['masked'])} か所伏せ字にしてからAIに渡しました。"]
    return "\n".join(lines)


def answer(question: str) -> dict:
    """The scenario suite's target: the transcript in, the minutes (or a handoff) out."""
    return make_minutes(question)


def sample_names() -> list[str]:
    """The sample transcripts in data/."""
    return sorted(p.name for p in DATA.glob("*.txt"))


# --- UI ----------------------------------------------------------------------------------------

def _from_file(file) -> str:
    if not file:
        return ""
    try:
        return read_transcript(file if isinstance(file, str) else file.name)
    except ValueError as exc:
        import gradio as gr

        raise gr.Error(str(exc)) from None


def _load_sample(name: str) -> str:
    return (DATA / name).read_text(encoding="utf-8") if name else ""


def _run(transcript: str):
    try:
        result = make_minutes(transcript)
    except Exception:  # a fault in the app itself: say so, never an error badge; the transcript stays in its box
        log.exception("minutes failed")
        result = _handoff(prompt("not_shown.md").format(status=status_ja("backend_error")), "backend_error",
                          status_ja("backend_error"))
    rows = [[a["who"], a["what"], a["due"]] for a in result["actions"]]
    mark = "■" if result["handoff"] else "●"
    return result["answer"], rows, f"{mark} {result.get('status', '')}"


def build_ui():
    """The gr.Blocks app (Japanese UI)."""
    import gradio as gr

    with gr.Blocks(title="議事録・要約（みどり市）") as demo:
        gr.Markdown("# 議事録・要約\n会議の記録（文字起こし）から、**決定事項・アクション項目（誰が・何を・いつまでに）・未決事項** "
                    "に分けた議事録の下書きを作ります。発言者の名前以外の個人情報は、AIに渡す前に伏せ字にします。"
                    "できた議事録は、必ず出席者が確認してから共有してください。")
        with gr.Row():
            with gr.Column():
                sample = gr.Dropdown(sample_names(), label="サンプルの会議記録", value=None, elem_id="sample")
                upload = gr.File(label="ファイルから読み込む（.txt・.docx）", file_types=[".txt", ".docx"], elem_id="upload")
                transcript = gr.Textbox(label="会議の記録（「名前：発言」の形だと担当者を読み取れます）", lines=16,
                                        elem_id="transcript")
                run = gr.Button("議事録を作る", variant="primary", elem_id="run")
            with gr.Column():
                status = gr.Markdown(elem_id="status")
                minutes = gr.Markdown(elem_id="minutes")
                actions = gr.Dataframe(headers=["誰が", "何を", "いつまでに"], label="アクション項目（編集できます）",
                                       interactive=True, wrap=True, elem_id="actions")
        gr.Markdown("<small>サンプルは研修用の架空の会議です（みどり市は架空の市です）。</small>")
        sample.change(_load_sample, sample, transcript, api_name="sample")
        upload.change(_from_file, upload, transcript, api_name="upload")
        run.click(_run, transcript, [minutes, actions, status], api_name="minutes")
    return demo


# Module level, so that `gradio app.py` (reload on save) finds it; `python app.py` launches it.
demo = build_ui()

if __name__ == "__main__":
    demo.launch(server_name="127.0.0.1")
