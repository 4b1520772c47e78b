"""相談記録作成 (consult_record): a consultation transcript → a structured record (相談者の状況, 主訴,
対応内容, 次回対応, 要確認事項). Personal data is masked with ``aidojo.safety.mask_pii`` BEFORE anything is
sent to the model; the record is editable in the UI and saved as .docx (python-docx) and .csv (UTF-8 BOM).

For each field the code picks the utterances that belong to it (who spoke, cue words) and the model
summarises them; a field with no matching utterance says so instead of guessing.

Core logic: ``make_record(transcript) -> dict`` and ``export_record(fields, folder)``. Run: ``python app.py``.
"""

from __future__ import annotations

import csv
import io
import logging
import re
import tempfile
import unicodedata
from dataclasses import replace
from datetime import datetime
from pathlib import Path

from aidojo.fileio import atomic_write_bytes
from aidojo.hackathon.project import load_settings
from aidojo.safety import Passage, find_pii, guarded_chat, mask_pii, screen_prompt, status_ja
from aidojo.safety.pii_types import KIND_LABELS_JA
from aidojo.text import split_sentences

HERE = Path(__file__).resolve().parent
PROMPTS = HERE / "prompts"
DATA = HERE / "data"
MIN_SENTENCES = 3  # fewer sentences than this is not a consultation
EMPTY = "（記録なし・要確認）"
NOT_MADE = "（AIが作成できませんでした・職員が記入してください）"
NOT_SHOWN = "（AIの要約に元の発言にない内容があったため表示しません・職員が記入してください）"
SETTINGS = load_settings(HERE)  # template.toml: [guard] max_tokens and timeouts of each field's model call
BACKEND_FAULTS = {"backend_timeout", "backend_error", "empty_reply"}
log = logging.getLogger("consult_record")
FIELDS = ("相談者の状況", "主訴", "対応内容", "次回対応", "要確認事項")

# Which utterances feed which field: (speaker roles, cue words, hint for the prompt, points).
# Speaker labels, matched after NFKC and upper-casing (「ＣＷ」「cw」 → CW). Add your section's own labels here.
CLIENT = ("相談者", "本人", "家族", "市民", "来所者", "申請者", "利用者", "妻", "夫", "母", "父", "長男", "長女", "次男",
          "次女", "息子", "娘", "祖母", "祖父", "姉", "兄", "妹", "弟", "親族", "知人")
STAFF = ("職員", "相談員", "担当", "支援員", "ケースワーカー", "CW", "SW", "ワーカー", "保健師", "社会福祉士",
         "相談支援専門員", "ケアマネ", "面接員", "受付")
RULES: dict[str, tuple[tuple[str, ...], str, str, int]] = {
    "相談者の状況": (CLIENT, r"です|ます|いて|おり|暮らし|住ん|働|収入|家族|子ども|仕事|歳", "相談者の暮らしや置かれている状況", 3),
    "主訴": (CLIENT, r"困|心配|不安|難し|できな|したい|ほしい|相談|悩|つら|辛|苦し", "相談者がいちばん困っていること", 1),
    "対応内容": (STAFF, r"説明|案内|お伝え|紹介|お渡し|伝えました|手続|申請|提案", "職員が説明・案内したこと", 3),
    "次回対応": (STAFF + CLIENT, r"次回|来週|後日|改めて|予約します|訪問します|折り返|までに", "次に行うことと日時", 2),
    "要確認事項": (STAFF + CLIENT, r"確認が必要|要確認|かどうか|不明|分から|わから|調べ", "まだ確認できていないこと", 2),
}
_SPEAKER = re.compile(r"^\s*([^\s：:「」]{1,10})\s*[：:]\s*(.+)$")
_HEADER = re.compile(r"^\s*(?:相談日|日時|場所|記録者|受付|担当者名)\s*[：:]")


def prompt(name: str) -> str:
    """A prompt file from prompts/, read at run time (edit the file, not the code)."""
    return (PROMPTS / name).read_text(encoding="utf-8").strip()


def read_transcript(path: str | Path) -> str:
    """The text of an uploaded transcript (.txt in UTF-8 or Shift_JIS)."""
    path = Path(path)
    if path.suffix.lower() not in (".txt", ".md", ""):
        raise ValueError(f"{path.name}：読めるのは .txt のファイルです。")
    data = path.read_bytes()
    for encoding in ("utf-8-sig", "cp932"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ValueError(f"{path.name} の文字コードが分かりません。UTF-8 で保存してください。")


def utterances(masked: str) -> list[tuple[str, str]]:
    """(speaker, sentence) pairs of a masked transcript; lines without 「名前：」 belong to the previous speaker."""
    out: list[tuple[str, str]] = []
    speaker = ""
    for line in masked.splitlines():
        if not line.strip() or _HEADER.match(line):
            continue
        m = _SPEAKER.match(line)
        if m:
            speaker, line = m.group(1), m.group(2)
        out += [(speaker, s) for s in split_sentences(line)]
    return out


def _is_role(speaker: str, roles: tuple[str, ...]) -> bool:
    label = unicodedata.normalize("NFKC", speaker).upper()
    return any(r in label for r in roles) or (not speaker and roles == CLIENT)


def _informative(sentence: str) -> bool:
    """False for a sentence that is only a placeholder and 「です」 (「［氏名］です。」)."""
    return len(re.sub(r"［[^］]*］|です|と申します|。", "", sentence)) >= 6


def select(field: str, pairs: list[tuple[str, str]]) -> list[str]:
    """The sentences that feed ``field`` (by speaker role and cue words); each sentence goes to one field
    only, 要確認事項 first, then 次回対応 (past-tense 「〜しました」 is never a next step)."""
    roles, cues, _hint, _items = RULES[field]
    picked = [s for sp, s in pairs if _is_role(sp, roles) and re.search(cues, s) and _informative(s)]
    if field == "次回対応":
        picked = [s for s in picked if not s.endswith("ました。") and s not in select("要確認事項", pairs)]
    if field in ("相談者の状況", "対応内容"):  # the other fields' sentences are not the situation / the response
        others = {s for f in ("次回対応", "要確認事項") for s in select(f, pairs)}
        picked = [s for s in picked if s not in others]
    return picked


def mask_transcript(transcript: str) -> tuple[str, list[str]]:
    """``mask_pii`` on each utterance without its 「相談者：」 label (the label alone can look like a name's
    context to the detector); returns (masked text, kinds found)."""
    lines, kinds = [], []
    for line in transcript.splitlines():
        m = _SPEAKER.match(line)
        label, body = (line[: m.start(2)], m.group(2)) if m else ("", line)
        masked = mask_pii(body)
        kinds += [f.kind for f in masked.findings]
        lines.append(label + masked.text)
    return "\n".join(lines), list(dict.fromkeys(kinds))


def _bullets(reply: str) -> str:
    lines = [re.sub(r"^[・\-\*●]\s*", "", ln).strip() for ln in reply.splitlines()]
    return "\n".join(f"・{ln}" for ln in lines if ln)


def make_record(transcript: str) -> dict:
    """A consultation record: {fields {項目: 内容}, masked_transcript, pii (kinds masked), answer, handoff, reason}."""
    transcript = (transcript or "").strip()
    base = {"fields": {f: "" for f in FIELDS}, "masked_transcript": "", "pii": [], "handoff": False, "reason": ""}
    if not transcript:
        return {**base, "answer": "相談のやり取りを貼り付けるか、ファイルを選んでください。", "reason": "empty"}
    masked_text, kinds = mask_transcript(transcript)  # before anything is sent to the model
    base.update(masked_transcript=masked_text, pii=kinds)
    screen = screen_prompt(masked_text)
    if screen.blocked:
        reply = prompt("injection.md").format(matched="".join(f"「{m}」" for m in screen.matched) or "「指示の書き換え」")
        return {**base, "answer": reply, "handoff": True, "reason": "injection"}
    pairs = utterances(masked_text)
    if len(pairs) < MIN_SENTENCES:
        reply = prompt("not_consultation.md").format(sentences=len(pairs))
        return {**base, "answer": reply, "handoff": True, "reason": "not_consultation"}
    if not any(_is_role(sp, STAFF) for sp, _ in pairs):
        found = "、".join(dict.fromkeys(f"「{sp}」" for sp, _ in pairs if sp)) or "（なし）"
        reply = prompt("no_staff_label.md").format(found=found, staff="・".join(STAFF[:4]))
        return {**base, "answer": reply, "handoff": True, "reason": "no_staff_label"}
    fields, fault = {}, ""
    settings = replace(SETTINGS.guard, require_citation=False)
    for field in FIELDS:
        chosen = select(field, pairs)
        if not chosen:
            fields[field] = EMPTY
            continue
        if fault:  # the AI already failed: do not make the staff member wait for every field
            fields[field] = NOT_MADE
            continue
        _roles, _cues, hint, items = RULES[field]
        request = prompt("field.md").format(field=field, hint=hint, items=items, utterances="\n".join(chosen))
        # The guard: a field is shown only when what it says (dates, numbers, places, procedures) is in the
        # utterances it summarises; a failing or silent AI stops the record with a visible status.
        reply = guarded_chat(request, system=prompt("system.md"), passages=[Passage("発言", "\n".join(chosen))],
                             settings=settings)
        if reply.handoff and reply.reason in BACKEND_FAULTS:
            fault = reply.reason
            fields[field] = NOT_MADE
        elif reply.handoff:
            log.warning("field %s not shown: %s %s", field, reply.reason, reply.unsupported)
            fields[field] = NOT_SHOWN
        else:
            fields[field] = _bullets(reply.text) or EMPTY
    result = {**base, "fields": fields}
    result["answer"] = render_text(fields, kinds)
    if fault:
        note = prompt("not_made.md").format(status=status_ja(fault))
        result.update(handoff=True, reason=fault, status=status_ja(fault), answer=f"{note}\n{result['answer']}")
    return result


def render_text(fields: dict[str, str], pii: list[str] | None = None) -> str:
    """The record as plain text (【項目】 then its lines)."""
    lines = []
    for field in FIELDS:
        lines += [f"【{field}】", fields.get(field, "") or EMPTY]
    if pii:
        labels = "・".join(dict.fromkeys(KIND_LABELS_JA.get(k, k) for k in pii))
        lines.append(f"※ 個人情報（{labels}）を伏せ字にしてからAIに渡しました。")
    return "\n".join(lines)


def answer(question: str) -> dict:
    """The scenario suite's target: the transcript in, the record (or a handoff) out."""
    return make_record(question)


# --- export ------------------------------------------------------------------------------------



def export_record(fields: dict[str, str], folder: str | Path, *, stem: str | None = None,
                  now: datetime | None = None) -> tuple[Path, Path]:
    """Save the (edited) record as ``stem.docx`` (a heading and a 2-column table) and ``stem.csv`` (UTF-8 BOM)."""
    import docx  # python-docx

    missing = [f for f in FIELDS if f not in fields]
    if missing:
        raise ValueError(f"相談記録の項目 {'、'.join(missing)} がありません。")
    now = now or datetime.now()
    stem = stem or f"相談記録_{now:%Y%m%d_%H%M%S}"
    folder = Path(folder)
    created = f"{now:%Y-%m-%d %H:%M}"

    document = docx.Document()
    document.add_heading("相談記録（AIによる下書きを職員が確認・修正したもの）", level=1)
    document.add_paragraph(f"作成日時：{created}")
    table = document.add_table(rows=0, cols=2)
    table.style = "Table Grid"
    for field in FIELDS:
        row = table.add_row().cells
        row[0].text, row[1].text = field, fields[field] or EMPTY
    buf = io.BytesIO()
    document.save(buf)
    docx_path = folder / f"{stem}.docx"
    atomic_write_bytes(docx_path, buf.getvalue())

    text = io.StringIO(newline="")
    writer = csv.writer(text)
    writer.writerow(["作成日時", *FIELDS])
    writer.writerow([created, *(fields[f] or EMPTY for f in FIELDS)])
    csv_path = folder / f"{stem}.csv"
    atomic_write_bytes(csv_path, text.getvalue().encode("utf-8-sig"))
    return docx_path, csv_path


def sample_names() -> list[str]:
    """The sample transcripts in data/."""
    return sorted(p.name for p in DATA.glob("*.txt"))


# --- UI ----------------------------------------------------------------------------------------

def _load_sample(name: str) -> str:
    return (DATA / name).read_text(encoding="utf-8") if name else ""


def _from_file(file) -> str:
    if not file:
        return ""
    try:
        return read_transcript(file if isinstance(file, str) else file.name)
    except ValueError as exc:
        import gradio as gr

        raise gr.Error(str(exc)) from None


def _run(transcript: str):
    try:
        result = make_record(transcript)
    except Exception:  # a fault in the app itself: said in Japanese, never an error badge; the transcript stays
        log.exception("consult_record failed")
        note = prompt("not_made.md").format(status=status_ja("backend_error"))
        return ("", note, *([NOT_MADE] * len(FIELDS)))
    if result["handoff"] and result["reason"] in BACKEND_FAULTS:
        note = result["answer"].splitlines()[0]
    elif result["handoff"] or result["reason"] == "empty":
        note = result["answer"]
    elif result["pii"]:
        note = render_text({}, result["pii"]).splitlines()[-1]
    else:
        note = "個人情報は見つかりませんでした。"
    return (result["masked_transcript"], note, *(result["fields"][f] for f in FIELDS))


def is_empty_record(fields: dict[str, str]) -> bool:
    """True when no field holds anything but blanks or the 「要確認」 placeholder (nothing worth saving)."""
    return all(not (v or "").strip() or (v or "").strip() in (EMPTY, NOT_MADE, NOT_SHOWN) for v in fields.values())


def _save(*values: str):
    import gradio as gr

    fields = dict(zip(FIELDS, values))
    if is_empty_record(fields):
        gr.Warning("記録が空なので保存しませんでした。「相談記録を作る」を押すか、項目を入力してから保存してください。")
        return None
    if find_pii("\n".join(values)):
        gr.Warning("記録に個人情報が含まれています。保存してよいか確認してください。")
    folder = Path(tempfile.mkdtemp(prefix="consult_record_"))
    docx_path, csv_path = export_record(fields, folder)
    return [str(docx_path), str(csv_path)]


def build_ui():
    """The gr.Blocks app (Japanese UI)."""
    import gradio as gr

    with gr.Blocks(title="相談記録作成（みどり市）") as demo:
        gr.Markdown("# 相談記録作成\n相談のやり取りから、相談記録の下書きを作ります。**個人情報はAIに渡す前に伏せ字にします**。"
                    "下書きは必ず担当職員が確認・修正してから保存してください。")
        with gr.Row():
            with gr.Column():
                sample = gr.Dropdown(sample_names(), label="サンプルの相談（架空）", value=None, elem_id="sample")
                upload = gr.File(label="ファイルから読み込む（.txt）", file_types=[".txt"], elem_id="upload")
                transcript = gr.Textbox(label="相談のやり取り（「職員：」「相談者：」の形）", lines=14, elem_id="transcript")
                run = gr.Button("相談記録を作る", variant="primary", elem_id="run")
                masked = gr.Textbox(label="AIに渡した内容（伏せ字にした後）", lines=8, interactive=False, elem_id="masked")
                note = gr.Markdown(elem_id="note")
            with gr.Column():
                boxes = [gr.Textbox(label=f, lines=3, interactive=True, elem_id=f"field{i}") for i, f in enumerate(FIELDS)]
                save = gr.Button("確認したので保存する（Word・CSV）", elem_id="save")
                files = gr.File(label="保存したファイル", file_count="multiple", elem_id="files")
        gr.Markdown("<small>サンプルは研修用の架空の相談です（個人情報も合成したものです）。</small>")
        sample.change(_load_sample, sample, transcript, api_name="sample")
        upload.change(_from_file, upload, transcript, api_name="upload")
        run.click(_run, transcript, [masked, note, *boxes], api_name="record")
        save.click(_save, boxes, files, api_name="save")
    return demo


# Module level, so that `gradio app.py` (reload on save) finds it; `python app.py` launches it.
demo = build_ui()

if __name__ == "__main__":
    demo.launch(server_name="127.0.0.1")
