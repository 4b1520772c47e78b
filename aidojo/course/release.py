"""Release: regenerate exercises/ from solutions/ with nbgrader generate_assignment, refusing any leak.

The student versions are generated into a temporary folder, scanned (nbgrader's BEGIN/END markers, the
solution and hidden-test text itself, leftover outputs), and only then swapped into exercises/<module>.
"""

from __future__ import annotations

import json
import re
import tempfile
from pathlib import Path

from aidojo.course.layout import CourseLayout, resolve_layout
from aidojo.course.nbgrader_cli import run_nbgrader
from aidojo.course.nbjson import cell_source, nbgrader_meta

MARKERS = re.compile(r"(?i)\b(BEGIN|END)\s+(SOLUTION|HIDDEN\s+TESTS)\b")
SECRET_REGION = re.compile(r"(?is)BEGIN\s+(SOLUTION|HIDDEN\s+TESTS)(.*?)END\s+\1")
MIN_LEAK_CHARS = 6  # shorter lines ("pass", '"""', ")") are too common to mean anything


class ReleaseError(RuntimeError):
    """A student version would leak a solution or a hidden test (the message names file, cell and text)."""


def _cells(path: Path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8")).get("cells", [])


def secret_lines(source_nb: Path) -> set[str]:
    """Lines that must never reach a student version: every hidden-test line, and every solution line that
    appears nowhere else in the instructor notebook (facts quoted in the task text may recur in an answer)."""
    hidden: set[str] = set()
    solution: set[str] = set()
    public: set[str] = set()
    for cell in _cells(source_nb):
        src = cell_source(cell)
        meta = nbgrader_meta(cell)
        if meta.get("solution") and not SECRET_REGION.search(src):  # the whole cell is the answer
            solution.update(ln.strip() for ln in src.splitlines())
            continue
        for m in SECRET_REGION.finditer(src):
            lines = {ln.strip() for ln in m.group(2).splitlines()[1:]}
            (solution if m.group(1).upper() == "SOLUTION" else hidden).update(lines)
        public.update(ln.strip() for ln in SECRET_REGION.sub("", src).splitlines())
    keep = lambda ln: len(ln) >= MIN_LEAK_CHARS and not MARKERS.search(ln)  # noqa: E731
    return {ln for ln in hidden if keep(ln)} | {ln for ln in solution if keep(ln) and ln not in public}


def _output_text(output: dict) -> str:
    parts = [output.get("text", ""), output.get("evalue", ""), *(output.get("traceback") or []),
             *(output.get("data") or {}).values()]
    return "\n".join(p if isinstance(p, str) else "".join(p) if isinstance(p, list) else json.dumps(p, ensure_ascii=False)
                     for p in parts)


def find_leaks(student_nb: Path, source_nb: Path | None) -> list[str]:
    """Leaks in one generated student notebook (Japanese descriptions; empty when clean)."""
    leaks = []
    secrets = secret_lines(source_nb) if source_nb and source_nb.exists() else set()
    for i, cell in enumerate(_cells(student_nb), start=1):
        where = f"{student_nb.name} の{i}番目のセル（id: {cell.get('id', '?')}）"
        src = cell_source(cell)
        if m := MARKERS.search(src):
            leaks.append(f"{where}に印「{m.group(0)}」が残っています")
        text_out = "\n".join(_output_text(o) for o in cell.get("outputs", []) or [])
        if cell.get("outputs"):
            leaks.append(f"{where}に実行結果（出力）が残っています")
        lines = {ln.strip() for ln in src.splitlines()}
        for secret in sorted(secrets):
            if secret in lines or secret in text_out:
                leaks.append(f"{where}に模範解答または非公開テストの行「{secret[:60]}」が含まれています")
    return leaks


def generate(modules: list[str], release_dir: Path, *, layout: CourseLayout | None = None,
             db_url: str | None = None) -> None:
    """Run nbgrader generate_assignment for ``modules`` into ``release_dir`` (a scratch gradebook unless given)."""
    layout = resolve_layout(layout)
    with tempfile.TemporaryDirectory(prefix="aidojo-gen-") as tmp:
        url = db_url or f"sqlite:///{Path(tmp) / 'release.db'}"  # releasing records no grades
        for module in modules:
            if not (layout.source_dir / module).is_dir():
                raise FileNotFoundError(f"{layout.source_dir.name}/{module} がありません（モジュール名を確認してください）")
            run_nbgrader(["generate_assignment", module, "--force", *layout.overrides(db_url=url, release_dir=release_dir,
                                                                                     data_dir=Path(tmp))],
                         course_dir=Path(tmp))


def check_release(module: str, generated: Path, layout: CourseLayout) -> list[str]:
    """All leaks in ``generated`` (the student folder of ``module``)."""
    leaks = []
    for nb in sorted(generated.rglob("*.ipynb")):
        rel = nb.relative_to(generated)
        leaks.extend(f"{module}/{msg}" for msg in find_leaks(nb, layout.source_dir / module / rel))
    return leaks


def release(modules: list[str] | None = None, *, layout: CourseLayout | None = None,
            source_dir: Path | None = None) -> list[Path]:
    """Regenerate ``release_dir/<module>`` (exercises/) for ``modules`` (all by default); raise ReleaseError on
    any leak, leaving exercises/ untouched. Returns the written folders."""
    layout = resolve_layout(layout, source_dir=source_dir)
    modules = list(modules or layout.modules())
    layout.release_dir.mkdir(parents=True, exist_ok=True)
    written = []
    with tempfile.TemporaryDirectory(prefix=".aidojo-release-", dir=layout.release_dir) as tmp:
        staging = Path(tmp) / "release"
        generate(modules, staging, layout=layout)
        leaks = [leak for module in modules for leak in check_release(module, staging / module, layout)]
        if leaks:
            raise ReleaseError("受講者用ノートブックに模範解答・非公開テストが漏れるため、配布を中止しました"
                               "（exercises/ は変更していません）:\n" + "\n".join(f"- {x}" for x in leaks))
        for module in modules:  # swap each folder in: rename is atomic within one file system
            target = layout.release_dir / module
            old = Path(tmp) / f"old-{module}"
            if target.exists():
                target.rename(old)
            (staging / module).rename(target)
            written.append(target)
    return written
