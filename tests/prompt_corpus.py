"""The labelled corpus of learners' answers (tests/fixtures/prompt_corpus/<qid>.yaml), shared by tests and benchmarks.

Each file holds one question's answers, written from different personas, each labelled ``right`` or ``wrong``.
``{material}`` in an answer stands for the material the answer cell comes pre-filled with (the file's
``material``), so an answer reads exactly as the learner's cell would.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

CORPUS_DIR = Path(__file__).resolve().parent / "fixtures" / "prompt_corpus"
LABELS = ("right", "wrong")


@dataclass(frozen=True)
class LabelledAnswer:
    qid: str
    n: int
    persona: str
    label: str
    text: str
    why: str = ""
    heldout: bool = False

    @property
    def id(self) -> str:
        return f"{self.qid}#{self.n}"


def load_question(path: Path) -> tuple[dict, list[LabelledAnswer]]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    qid, material = data["qid"], (data.get("material") or "").strip("\n")
    answers = []
    for n, item in enumerate(data["answers"], 1):
        label = item["label"]
        if label not in LABELS:
            raise ValueError(f"{path.name} の{n}番目：label は right か wrong です（{label!r}）")
        text = str(item["text"]).replace("{material}", material).strip("\n")
        answers.append(LabelledAnswer(qid, n, str(item.get("persona", "")), label, text, str(item.get("why", "")),
                                      bool(item.get("heldout", False))))
    return data, answers


def load_corpus(directory: Path = CORPUS_DIR) -> dict[str, list[LabelledAnswer]]:
    """qid → its labelled answers, for every question file in ``directory``."""
    out: dict[str, list[LabelledAnswer]] = {}
    for path in sorted(directory.glob("*.yaml")):
        data, answers = load_question(path)
        out[data["qid"]] = answers
    return out


def materials(directory: Path = CORPUS_DIR) -> dict[str, str]:
    """qid → the material its answer cell comes pre-filled with ('' when none)."""
    return {yaml.safe_load(p.read_text(encoding="utf-8"))["qid"]: (yaml.safe_load(p.read_text(encoding="utf-8")).get("material") or "").strip("\n")
            for p in sorted(directory.glob("*.yaml"))}
