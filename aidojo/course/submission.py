"""Learner side: ``aidojo submit MODULE --staff-id k12345`` packs the module's notebook into one zip.

The notebook is taken from where the learner works: the current folder, else ``./MODULE/``, else
``./aidojo/MODULE/`` (where nbgrader's fetch puts it on JupyterHub); ``--dir`` chooses. The staff id goes through
the one rule (:func:`aidojo.text.staff_id.normalize_staff_id`) and is written into the packaged notebook's
metadata (``metadata.aidojo.staff_id``) and the manifest; ``aidojo collect`` accepts a package only when its
file name, manifest and notebooks name the same id (:mod:`aidojo.course.identity`). The package format::

    k12345_m01.zip
      manifest.json                  {"format": "aidojo-submission", "version": 2, "staff_id": "k12345",
                                      "module": "m01", "created": "2026-11-23T10:00:00+00:00",
                                      "notebooks": [{"name": "m01_kadai.ipynb", "path": "k12345/m01/m01_kadai.ipynb",
                                                     "sha256": "…", "bytes": 1234}]}
      k12345/m01/m01_kadai.ipynb     the learner's notebook, with the staff id in its metadata

Nothing is written when a check fails (missing, unreadable or oversized notebook, an API key in a source, output
or metadata, another person's id in the notebook). Warnings do not stop it: answer cells unchanged since release,
a notebook never run, a newer copy of the notebook saved under another name.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import zipfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from aidojo.course.identity import notebook_staff_id, stamp_notebook
from aidojo.course.keyscan import scan_notebook
from aidojo.course.layout import CourseLayout, resolve_layout
from aidojo.course.nbjson import NotebookError, cell_source, grade_id, is_answer_cell, nbgrader_meta, parse_notebook
from aidojo.fileio import atomic_write_bytes
from aidojo.text.staff_id import StaffIdError, normalize_staff_id

FORMAT = "aidojo-submission"
VERSION = 2
DEFAULT_MAX_BYTES = 5 * 1024 * 1024


class SubmissionError(ValueError):
    """The submission cannot be packed (message in Japanese, naming the file and cell)."""


@dataclass(frozen=True)
class PackedNotebook:
    """One notebook as packed: where it came from, when it was saved, and the bytes that went into the zip."""

    name: str
    source: Path
    saved: datetime
    data: bytes


@dataclass
class Packed:
    """What ``aidojo submit`` did: the zip (None for the exchange), the notebooks, and warnings in Japanese."""

    staff_id: str
    module: str
    notebooks: list[PackedNotebook]
    warnings: list[str] = field(default_factory=list)
    path: Path | None = None


def check_staff_id(staff_id: object) -> str:
    """The staff id by the one rule (full-width to half-width, leading zeros kept), or SubmissionError."""
    try:
        return normalize_staff_id(staff_id)
    except StaffIdError as exc:
        raise SubmissionError(f"{exc}（--staff-id に自分の職員番号を指定してください。例: k12345）") from None


def expected_notebooks(module: str, layout: CourseLayout) -> list[str]:
    """Notebook file names of ``module``: from the student versions (exercises/), else the sources."""
    for folder in (layout.release_dir / module, layout.source_dir / module):
        names = sorted(p.name for p in folder.glob("*.ipynb"))
        if names:
            return names
    raise SubmissionError(f"モジュール「{module}」はありません（exercises/ に {module} フォルダがありません）。")


def _course_id() -> str:
    from aidojo.course.config import load_course

    return load_course().id


def find_work_folder(module: str, names: list[str], work_dir: Path | None = None) -> Path:
    """The folder holding the learner's notebooks: ``work_dir``, else the current folder, ./MODULE/ or
    ./<course id>/MODULE/ (nbgrader's fetch) — never the checkout the package was installed from."""
    if work_dir is not None:
        return Path(work_dir)
    cwd = Path.cwd()
    for folder in (cwd, cwd / module, cwd / _course_id() / module):
        if all((folder / n).is_file() for n in names):
            return folder
    return cwd


def _saved(path: Path) -> datetime:
    return datetime.fromtimestamp(path.stat().st_mtime, tz=UTC)


def _load(path: Path, name: str, folder: Path, max_bytes: int) -> dict:
    if not path.is_file():
        raise SubmissionError(f"{path} が見つかりません。課題のノートブック「{name}」を名前を変えずに保存し、そのフォルダで"
                              f"実行するか --dir でフォルダを指定してください（今のフォルダ: {folder}）。")
    size = path.stat().st_size
    if size > max_bytes:
        raise SubmissionError(f"{name} が大きすぎます（{size / 1024 / 1024:.1f} MB、上限 {max_bytes / 1024 / 1024:.1f} MB）。"
                              "「Edit → Clear Outputs of All Cells」（編集 → すべての出力を消去）で出力を消して保存し直してください。")
    try:
        return parse_notebook(path.read_bytes(), name)
    except NotebookError as exc:
        raise SubmissionError(f"{exc}。JupyterLabで開いて保存し直してください。") from None


def checked_notebooks(module: str, staff_id: str, *, work_dir: Path | None = None, layout: CourseLayout | None = None,
                      max_bytes: int = DEFAULT_MAX_BYTES) -> list[PackedNotebook]:
    """The learner's notebooks of ``module``, each checked and stamped with ``staff_id`` (SubmissionError if a check
    fails: missing, unreadable, too large, an API key, or another person's staff id in its metadata)."""
    layout = resolve_layout(layout)
    staff_id = check_staff_id(staff_id)
    names = expected_notebooks(module, layout)
    folder = find_work_folder(module, names, work_dir)
    packed = []
    for name in names:
        path = folder / name
        nb = _load(path, name, folder, max_bytes)
        findings = scan_notebook(nb, name)
        if findings:
            lines = "\n".join(f"- {f.message()}" for f in findings)
            raise SubmissionError("APIキーらしき文字列が見つかったため、提出を中止しました（提出ファイルは作っていません）。\n"
                                  f"{lines}\nキーはノートブックに書かず .env に置き、該当セルの出力も消してから、もう一度提出してください。")
        written = notebook_staff_id(nb)
        if written is not None:
            try:
                other = normalize_staff_id(written)
            except StaffIdError:
                other = written
            if other != staff_id:
                raise SubmissionError(f"{name} には別の職員番号「{other}」が書かれています（ほかの人の提出ファイルから取り出した"
                                      f"ノートブックではありませんか）。自分で解答したノートブックを、自分の職員番号（{staff_id}）で提出してください。")
        stamp_notebook(nb, staff_id, module)
        data = (json.dumps(nb, ensure_ascii=False, indent=1, sort_keys=True) + "\n").encode("utf-8")
        packed.append(PackedNotebook(name, path.resolve(), _saved(path), data))
    return packed


def _released_answers(module: str, name: str, layout: CourseLayout) -> dict[str, str] | None:
    """grade id → source of each answer cell as released (None when the released notebook is not here)."""
    path = layout.release_dir / module / name
    try:
        nb = parse_notebook(path.read_bytes(), name)
    except (OSError, NotebookError):
        return None
    return {gid: cell_source(c) for c in nb["cells"] if is_answer_cell(c) and (gid := grade_id(c))}


def _released_checksum(cell: dict) -> bool:
    """Whether an answer cell still matches the checksum nbgrader stored when releasing it (nbgrader's
    compute_checksum, written out because importing nbgrader takes seconds on a learner's laptop)."""
    meta = nbgrader_meta(cell)
    if not isinstance(meta.get("checksum"), str):
        return False
    m = hashlib.md5()
    for part in (cell_source(cell), str(cell.get("cell_type")), str(bool(meta.get("grade"))), "True", "False",
                 str(meta.get("grade_id"))):
        m.update(part.encode("utf-8"))
    if meta.get("grade"):
        try:
            m.update(str(float(meta.get("points") or 0)).encode("utf-8"))
        except (TypeError, ValueError):
            return False
    return m.hexdigest() == meta["checksum"]


def _question_label(cell: dict, index: int) -> str:
    """「問4」 from an answer cell's grade id (m01-q4-answer); else the cell's position, as a fallback."""
    import re

    found = re.search(r"-q(\d+)-", grade_id(cell) or "")
    return f"問{int(found.group(1))}" if found else f"{index}番目のセル"


def submission_warnings(module: str, notebooks: list[PackedNotebook], layout: CourseLayout | None = None) -> list[str]:
    """Japanese warnings for things a learner would want to fix before handing in (none stops the submission)."""
    layout = resolve_layout(layout)
    warnings = []
    for packed in notebooks:
        nb = json.loads(packed.data)
        released = _released_answers(module, packed.name, layout)
        answers = [(i, c) for i, c in enumerate(nb["cells"], start=1) if is_answer_cell(c) and grade_id(c)]
        same = [i for i, c in answers
                if (released[grade_id(c)] == cell_source(c) if released and grade_id(c) in released else _released_checksum(c))]
        if answers and len(same) == len(answers):
            warnings.append(f"{packed.name} の解答セルが配布されたときのまま、1つも書き換えられていません（このまま提出すると0点です）。"
                            "解答を書いて保存（Ctrl+S）しましたか？")
        elif same:
            labels = "・".join(_question_label(nb["cells"][i - 1], i) for i in same)
            warnings.append(f"{packed.name} に、書き換えられていない解答セルがあります（{labels}）。未回答の問題は0点です。")
        code = [c for c in nb["cells"] if c.get("cell_type") == "code"]
        if code and not any(c.get("execution_count") is not None or c.get("outputs") for c in code):
            warnings.append(f"{packed.name} は一度も実行されていません。上から順に実行して結果を確かめ、保存してから提出してください。")
        stem = Path(packed.name).stem
        folder = packed.source.parent
        for other in sorted({*folder.glob(f"{stem}*.ipynb"), *folder.parent.glob(f"{module}/{stem}*.ipynb")}):
            try:
                newer = other.resolve() != packed.source and _saved(other) > packed.saved
            except OSError:
                continue
            if newer:
                warnings.append(f"「{other}」のほうが新しく保存されています。そちらで解答したなら、元の名前（{packed.name}）で"
                                "保存し直してから、もう一度提出してください。")
    return warnings


def pack_submission(module: str, staff_id: str, *, work_dir: Path | None = None, out: Path | None = None,
                    layout: CourseLayout | None = None, max_bytes: int = DEFAULT_MAX_BYTES) -> Packed:
    """Zip the learner's notebooks of ``module`` into ``out`` (default ./<staff_id>_<module>.zip) and say what was
    zipped and what looks wrong. Raises SubmissionError — before writing anything — when a check fails."""
    layout = resolve_layout(layout)
    staff_id = check_staff_id(staff_id)
    notebooks = checked_notebooks(module, staff_id, work_dir=work_dir, layout=layout, max_bytes=max_bytes)
    manifest = {"format": FORMAT, "version": VERSION, "staff_id": staff_id, "module": module,
                "created": datetime.now(UTC).isoformat(timespec="seconds"),
                "notebooks": [{"name": p.name, "path": f"{staff_id}/{module}/{p.name}",
                               "sha256": hashlib.sha256(p.data).hexdigest(), "bytes": len(p.data)} for p in notebooks]}
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("manifest.json", json.dumps(manifest, ensure_ascii=False, indent=2))
        for p in notebooks:
            zf.writestr(f"{staff_id}/{module}/{p.name}", p.data)
    target = Path(out) if out else Path.cwd() / f"{staff_id}_{module}.zip"
    if target.is_dir() or not target.suffix:  # a folder (existing or not)
        target = target / f"{staff_id}_{module}.zip"
    path = atomic_write_bytes(target, buf.getvalue())
    return Packed(staff_id, module, notebooks, submission_warnings(module, notebooks, layout), path)


def package_submission(module: str, staff_id: str, *, work_dir: Path | None = None, out: Path | None = None,
                       layout: CourseLayout | None = None, max_bytes: int = DEFAULT_MAX_BYTES) -> Path:
    """:func:`pack_submission`, returning only the zip's path."""
    packed = pack_submission(module, staff_id, work_dir=work_dir, out=out, layout=layout, max_bytes=max_bytes)
    assert packed.path is not None
    return packed.path


def hub_identity(staff_id: str | None) -> str:
    """On JupyterHub the identity is the hub login (``JUPYTERHUB_USER``): ``staff_id``, if given, must be the same.
    Elsewhere (a local exchange) ``staff_id`` is required."""
    login = os.environ.get("JUPYTERHUB_USER")
    if not login:
        if not staff_id:
            raise SubmissionError("--staff-id で自分の職員番号を指定してください（例: k12345）。")
        return check_staff_id(staff_id)
    try:
        hub_id = normalize_staff_id(login)
    except StaffIdError:
        raise SubmissionError(f"JupyterHub のログイン名「{login}」が職員番号の形ではないため提出できません。研修担当に連絡してください。") from None
    if staff_id and check_staff_id(staff_id) != hub_id:
        raise SubmissionError(f"ログインしている職員番号は「{hub_id}」です。別の職員番号（{check_staff_id(staff_id)}）では提出できません。"
                              "--staff-id を付けずに、もう一度実行してください。")
    return hub_id


def submit_to_exchange(module: str, staff_id: str | None = None, *, work_dir: Path | None = None,
                       layout: CourseLayout | None = None) -> Packed:
    """JupyterHub: the same checks, then ``nbgrader submit`` as the hub login (see :func:`hub_identity`), with the
    staff id written into the notebook's metadata like a zip package."""
    import tempfile

    from aidojo.course.nbgrader_cli import run_nbgrader

    layout = resolve_layout(layout)
    staff_id = hub_identity(staff_id)
    notebooks = checked_notebooks(module, staff_id, work_dir=work_dir, layout=layout)
    with tempfile.TemporaryDirectory(prefix="aidojo-submit-") as tmp:
        folder = Path(tmp) / _course_id() / module
        folder.mkdir(parents=True)
        for p in notebooks:
            (folder / p.name).write_bytes(p.data)
        proc = run_nbgrader(["submit", module, f"--course={_course_id()}", f"--student={staff_id}",
                             f"--Exchange.root={layout.exchange_dir}", f"--Exchange.assignment_dir={tmp}"], check=False)
    if proc.returncode != 0:
        raise SubmissionError(f"exchange への提出に失敗しました: {(proc.stdout + proc.stderr).strip()[-300:]}")
    return Packed(staff_id, module, notebooks, submission_warnings(module, notebooks, layout))
