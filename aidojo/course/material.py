"""One module's grading material, from the trainer's checkout: the released notebooks (the trusted skeleton),
the files released beside them, the graded cells and their questions, and the held-back cases."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

from aidojo.checks.registry import get_question, load_module_questions
from aidojo.checks.spec import Case, CodeQuestion, Question
from aidojo.course import nbjson
from aidojo.course.config import GRADER_DIR
from aidojo.course.heldback import load_heldback
from aidojo.course.layout import CourseLayout

REQUIRE = re.compile(r"""require\(\s*["']([A-Za-z0-9_.]+)["']""")


class MaterialError(RuntimeError):
    """The course material itself is inconsistent (a trainer's problem, not a learner's)."""


@dataclass(frozen=True)
class GradeCell:
    """A graded test cell of a released notebook and the question it stands for."""

    notebook: str
    grade_id: str
    qid: str
    points: float


@dataclass
class NotebookMaterial:
    name: str  # file name, e.g. m07_kadai.ipynb
    release: dict  # the released notebook (exercises/): locked cells, stubs, metadata
    grade_cells: list[GradeCell]

    @property
    def stem(self) -> str:
        return Path(self.name).stem


@dataclass
class ModuleMaterial:
    module: str
    notebooks: dict[str, NotebookMaterial]
    files: dict[str, bytes]  # released files beside the notebooks (data/…), relative to the module folder
    questions: dict[str, Question]
    heldback: dict[str, list[Case]]
    fingerprint: str
    preload: list[str] = field(default_factory=list)

    @property
    def needs_sandbox(self) -> bool:
        """True when a question is judged from observations of learner code (False: read the answers only)."""
        return any(isinstance(self.questions[g.qid], CodeQuestion)
                   for nb in self.notebooks.values() for g in nb.grade_cells)

    def max_score(self) -> float:
        return sum(g.points for nb in self.notebooks.values() for g in nb.grade_cells)


def _grade_cells(name: str, nb: dict, module: str) -> list[GradeCell]:
    cells = []
    for cell in nb["cells"]:
        if not nbjson.is_test_cell(cell):
            continue
        found = REQUIRE.findall(nbjson.cell_source(cell))
        gid = nbjson.grade_id(cell)
        if len(found) != 1:
            raise MaterialError(f"{module}/{name} の採点セル「{gid}」には require(\"{module}.qN\") を1つだけ書いてください")
        try:
            get_question(found[0])
        except KeyError as exc:
            raise MaterialError(f"{module}/{name} の採点セル「{gid}」の問題 {found[0]} が aidojo.checks にありません") from exc
        cells.append(GradeCell(name, gid, found[0], nbjson.points(cell)))
    return cells


def load_material(layout: CourseLayout, module: str, grader_dir: Path = GRADER_DIR) -> ModuleMaterial:
    """Read ``module``'s released notebooks and files and its held-back cases."""
    folder = layout.release_dir / module
    if not folder.is_dir():
        raise MaterialError(f"{folder} がありません。先に aidojo release {module} で配布用のノートブックを作ってください")
    digest = hashlib.sha256(module.encode())
    notebooks: dict[str, NotebookMaterial] = {}
    files: dict[str, bytes] = {}
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        rel = path.relative_to(folder)
        if any(part.startswith(".") or part == "__pycache__" for part in rel.parts):
            continue
        data = path.read_bytes()
        digest.update(str(rel).encode() + b"\0" + hashlib.sha256(data).digest())
        if path.suffix == ".ipynb" and len(rel.parts) == 1:
            nb = nbjson.parse_notebook(data, str(rel))
            notebooks[path.name] = NotebookMaterial(path.name, nb, _grade_cells(path.name, nb, module))
        else:
            files[str(rel.as_posix())] = data
    if not notebooks:
        raise MaterialError(f"{folder} に課題のノートブックがありません")
    questions = load_module_questions(module)
    for nb in notebooks.values():
        for g in nb.grade_cells:
            questions.setdefault(g.qid, get_question(g.qid))
    heldback = load_heldback(module, grader_dir)
    checks_file = Path(__import__("aidojo.checks", fromlist=["x"]).__file__).parent / f"{module}.py"
    for extra in (grader_dir / "heldback" / f"{module}.py", checks_file):
        if extra.is_file():
            digest.update(extra.read_bytes())
    setup = "\n".join(nbjson.cell_source(c) for nb in notebooks.values() for c in nb.release["cells"]
                      if c.get("cell_type") == "code")
    preload = [name for name in ("gradio", "gradio_client") if re.search(rf"\bimport {name}\b|\bfrom {name}\b", setup)]
    preload += [f"aidojo.checks.{module}"]
    return ModuleMaterial(module, notebooks, files, questions, heldback, digest.hexdigest(), preload)
