"""What a question is: text questions judged from the answer itself, code questions judged from observations.

A **text question** (``TextQuestion``) reads string variables (a prompt, a choice) and one ``checker(values)``
decides. A **code question** (``CodeQuestion``) reads the learner's functions (or values) and is judged on
*cases*: for each case, ``observe(values, case)`` runs in the learner's process (a forked child in the
notebook; a sandbox during grading) and returns plain JSON data; ``judge(case, observation)`` runs in a
trusted process and returns a hint, or ``None`` when the case is met. Public cases ship with the package;
held-back cases live in ``grader/heldback/<module>.py`` and reach the learner's process only as inputs —
their expectations and the judge never do.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from aidojo.checks.result import CheckResult

JSON = Any  # str, int, float, bool, None, list[JSON], dict[str, JSON]


@dataclass(frozen=True)
class Case:
    """One case of a code question. ``args`` go to ``observe`` (JSON data); ``expect`` stays with the judge.

    ``kind`` names what the case exercises (the self-check's public cases cover every kind the held-back
    cases cover; a test checks it). ``note`` describes it in Japanese for hints; ``hidden`` cases are named by
    their note only, never shown.
    """

    id: str
    kind: str
    args: Mapping[str, JSON] = field(default_factory=dict)
    expect: JSON = None
    note: str = ""
    hidden: bool = False

    def public_view(self) -> dict:
        """What may enter the learner's process: id, kind and inputs only."""
        return {"id": self.id, "kind": self.kind, "args": dict(self.args)}


@dataclass(frozen=True)
class Observation:
    """What the learner's process reported for one case (untrusted data, validated before judging)."""

    value: JSON = None
    error: str | None = None  # exception type name raised by the learner's code (outside observe's own handling)
    message: str = ""  # the exception's message, shortened
    timeout: bool = False
    crashed: bool = False  # the child died (os._exit, a signal, memory)
    missing: bool = False  # the case was never observed (the run stopped before it)

    @classmethod
    def from_json(cls, data: Any) -> Observation:
        """Validate untrusted JSON into an Observation (anything malformed counts as a crash)."""
        if not isinstance(data, dict):
            return cls(crashed=True)
        error = data.get("error")
        return cls(value=data.get("value"), error=str(error)[:80] if error else None,
                   message=str(data.get("message") or "")[:300], timeout=bool(data.get("timeout")),
                   crashed=bool(data.get("crashed")), missing=bool(data.get("missing")))

    def to_json(self) -> dict:
        return {"value": self.value, "error": self.error, "message": self.message, "timeout": self.timeout,
                "crashed": self.crashed, "missing": self.missing}

    @property
    def ran(self) -> bool:
        return not (self.error or self.timeout or self.crashed or self.missing)


Observer = Callable[[Mapping[str, Any], Case], JSON]
CaseJudge = Callable[[Case, Observation], "str | None"]


@dataclass(frozen=True)
class Question:
    """Common part: id (``m04.q1``), the notebook variables it reads, a title."""

    qid: str
    reads: tuple[str, ...]
    title: str = ""

    @property
    def module(self) -> str:
        return self.qid.split(".")[0]


@dataclass(frozen=True)
class TextQuestion(Question):
    """Judged from the answer values themselves (never runs learner code)."""

    checker: Callable[..., CheckResult] = None  # type: ignore[assignment]


@dataclass(frozen=True)
class CodeQuestion(Question):
    """Judged case by case from observations of the learner's functions."""

    cases: Sequence[Case] = ()
    observe: Observer = None  # type: ignore[assignment]
    judge: CaseJudge = None  # type: ignore[assignment]
    praise: str = "よくできました。"
    uses_model: bool = False  # observe calls aidojo.llm (forced to the offline model in checks and grading)
    timeout: float | None = None  # seconds per case when this question needs more than the default (e.g. Gradio apps)
