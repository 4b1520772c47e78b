"""Feedback back to learners through nbgrader's exchange (``nbgrader release_feedback``; learners fetch it in the
Assignments tab, or ``fetch_feedback``).

nbgrader finds a learner's feedback by a hash of the submission's secret (``submission_secret.txt``, written by
``nbgrader submit``). ``aidojo collect --exchange`` keeps only notebooks and the timestamp, so the secret is
taken back from the exchange's inbound copy whose notebooks match the collected ones byte for byte.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path

from aidojo.course.layout import CourseLayout, resolve_layout
from aidojo.course.nbgrader_cli import run_nbgrader
from aidojo.hub.lab import COURSE_ID


@dataclass
class FeedbackReturn:
    """Who got feedback back (staff ids) and what could not be returned (Japanese lines)."""

    module: str
    returned: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def text(self) -> str:
        lines = [f"{self.module}: {len(self.returned)} 人にフィードバックを返却しました（受講者は「Assignments」タブで受け取れます）。"]
        return "\n".join(lines + [f"- {p}" for p in self.problems])


def _notebooks(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.glob("*.ipynb")}


def find_inbound(layout: CourseLayout, staff_id: str, module: str) -> Path | None:
    """The exchange inbound submission of ``staff_id``/``module`` holding exactly the collected notebooks."""
    submitted = _notebooks(layout.submitted_dir / staff_id / module)
    inbound = layout.exchange_dir / COURSE_ID / "inbound"
    for folder in sorted(inbound.glob(f"{staff_id}+{module}+*"), reverse=True):
        theirs = _notebooks(folder)
        if submitted and all(theirs.get(name) == data for name, data in submitted.items()):
            return folder
    return None


def return_feedback(module: str, *, layout: CourseLayout | None = None, students: list[str] | None = None) -> FeedbackReturn:
    """Release ``aidojo feedback``'s HTML for ``module`` into the exchange for every (or the given) learner."""
    layout = resolve_layout(layout)
    result = FeedbackReturn(module)
    folders = sorted(p for p in layout.feedback_dir.glob(f"*/{module}") if p.is_dir())
    if students:
        folders = [p for p in folders if p.parent.name in set(students)]
    if not folders:
        result.problems.append("返却するフィードバックがありません（先に aidojo feedback を実行してください）。")
        return result
    for folder in folders:
        staff_id = folder.parent.name
        inbound = find_inbound(layout, staff_id, module)
        if inbound is None:
            result.problems.append(f"{staff_id}: exchange に同じ内容の提出が見つからないため返却できません"
                                   "（ZIPで集めた提出は、HTMLファイルを直接渡してください）。")
            continue
        for name in ("submission_secret.txt", "timestamp.txt"):
            if (inbound / name).exists():
                shutil.copyfile(inbound / name, folder / name)
        proc = run_nbgrader(["release_feedback", module, f"--student={staff_id}", f"--course={COURSE_ID}",
                             *layout.overrides()], course_dir=layout.data_dir, check=False)
        if proc.returncode != 0:
            tail = (proc.stdout + proc.stderr).strip().splitlines()[-1:] or [""]
            result.problems.append(f"{staff_id}: nbgrader release_feedback が失敗しました（{tail[0][:200]}）")
            continue
        result.returned.append(staff_id)
    return result
