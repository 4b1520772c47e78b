"""Learner side: ``aidojo submit MODULE --staff-id k12345`` packs the module's notebooks into one zip.

The package format (what ``aidojo collect`` reads)::

    k12345_m01.zip
      manifest.json                  {"format": "aidojo-submission", "version": 1, "staff_id": "k12345",
                                      "module": "m01", "created": "2026-11-23T10:00:00+00:00",
                                      "notebooks": [{"name": "m01_kadai.ipynb", "path": "k12345/m01/m01_kadai.ipynb",
                                                     "sha256": "…", "bytes": 1234}]}
      k12345/m01/m01_kadai.ipynb     the learner's notebook, byte for byte

API keys are searched for first (cell sources, outputs, metadata): a package is never written with one.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import zipfile
from datetime import datetime, timezone
from pathlib import Path

from aidojo.course.keyscan import scan_notebook
from aidojo.course.layout import CourseLayout, resolve_layout
from aidojo.fileio import atomic_write_bytes

FORMAT = "aidojo-submission"
STAFF_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$")
DEFAULT_MAX_BYTES = 5 * 1024 * 1024


class SubmissionError(ValueError):
    """The submission cannot be packed (message in Japanese, naming the file and cell)."""


def check_staff_id(staff_id: str) -> str:
    staff_id = (staff_id or "").strip()
    if not STAFF_ID.match(staff_id):
        raise SubmissionError(f"職員番号「{staff_id}」は使えません（半角英数字・-・_ で32文字まで。例: k12345）。")
    return staff_id


def expected_notebooks(module: str, layout: CourseLayout) -> list[str]:
    """Notebook file names of ``module``: from the student versions (exercises/), else the sources."""
    for folder in (layout.release_dir / module, layout.source_dir / module):
        names = sorted(p.name for p in folder.glob("*.ipynb"))
        if names:
            return names
    raise SubmissionError(f"モジュール「{module}」はありません（exercises/ に {module} フォルダがありません）。")


def checked_notebooks(module: str, staff_id: str, *, work_dir: Path | None = None, layout: CourseLayout | None = None,
                      max_bytes: int = DEFAULT_MAX_BYTES) -> list[tuple[str, bytes]]:
    """The learner's notebooks of ``module`` as (file name, bytes), after every check (SubmissionError if one fails)."""
    layout = resolve_layout(layout)
    check_staff_id(staff_id)
    names = expected_notebooks(module, layout)
    folder = Path(work_dir) if work_dir else layout.release_dir / module
    entries = []
    for name in names:
        path = folder / name
        if not path.is_file():
            raise SubmissionError(f"{path} が見つかりません。課題のノートブックを {folder} に置いて（名前を変えずに）保存してください。")
        data = path.read_bytes()
        if len(data) > max_bytes:
            raise SubmissionError(f"{name} が大きすぎます（{len(data) / 1e6:.1f} MB、上限 {max_bytes / 1e6:.1f} MB）。"
                                  "「Edit → Clear Outputs of All Cells」で出力を消して保存し直してください。")
        try:
            json.loads(data.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as exc:
            raise SubmissionError(f"{name} はノートブックとして読めません（{exc.__class__.__name__}）。JupyterLabで開いて保存し直してください。") from None
        findings = scan_notebook(path, name)
        if findings:
            lines = "\n".join(f"- {f.message()}" for f in findings)
            raise SubmissionError("APIキーらしき文字列が見つかったため、提出を中止しました（提出ファイルは作っていません）。\n"
                                  f"{lines}\nキーはノートブックに書かず .env に置き、該当セルの出力も消してから、もう一度提出してください。")
        entries.append((name, data))
    return entries


def package_submission(module: str, staff_id: str, *, work_dir: Path | None = None, out: Path | None = None,
                       layout: CourseLayout | None = None, max_bytes: int = DEFAULT_MAX_BYTES) -> Path:
    """Zip the learner's notebooks of ``module`` (found in ``work_dir``, default exercises/<module>) into
    ``out`` (default ./<staff_id>_<module>.zip). Raises SubmissionError — before writing anything — when a
    notebook is missing, unreadable, too large, or holds something that looks like an API key."""
    staff_id = check_staff_id(staff_id)
    entries = checked_notebooks(module, staff_id, work_dir=work_dir, layout=layout, max_bytes=max_bytes)
    manifest = {"format": FORMAT, "version": 1, "staff_id": staff_id, "module": module,
                "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                "notebooks": [{"name": n, "path": f"{staff_id}/{module}/{n}", "sha256": hashlib.sha256(d).hexdigest(),
                               "bytes": len(d)} for n, d in entries]}
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("manifest.json", json.dumps(manifest, ensure_ascii=False, indent=2))
        for name, data in entries:
            zf.writestr(f"{staff_id}/{module}/{name}", data)
    target = Path(out) if out else Path.cwd() / f"{staff_id}_{module}.zip"
    if target.is_dir() or not target.suffix:  # a folder (existing or not)
        target = target / f"{staff_id}_{module}.zip"
    return atomic_write_bytes(target, buf.getvalue())


def submit_to_exchange(module: str, staff_id: str, *, work_dir: Path | None = None,
                       layout: CourseLayout | None = None) -> None:
    """JupyterHub: the same checks, then ``nbgrader submit`` with ``--student=staff_id`` (nbgrader would
    otherwise take the OS user name as the id)."""
    import tempfile

    from aidojo.course.nbgrader_cli import run_nbgrader

    layout = resolve_layout(layout)
    staff_id = check_staff_id(staff_id)
    if work_dir is None and (Path.cwd() / "aidojo" / module).is_dir():  # where nbgrader fetch_assignment puts it
        work_dir = Path.cwd() / "aidojo" / module
    entries = checked_notebooks(module, staff_id, work_dir=work_dir, layout=layout)
    with tempfile.TemporaryDirectory(prefix="aidojo-submit-") as tmp:
        folder = Path(tmp) / "aidojo" / module
        folder.mkdir(parents=True)
        for name, data in entries:
            (folder / name).write_bytes(data)
        proc = run_nbgrader(["submit", module, "--course=aidojo", f"--student={staff_id}",
                             f"--Exchange.root={layout.exchange_dir}", f"--Exchange.assignment_dir={tmp}"], check=False)
    if proc.returncode != 0:
        raise SubmissionError(f"exchange への提出に失敗しました: {(proc.stdout + proc.stderr).strip()[-300:]}")
