"""Instant self-checks with Japanese hints, and the prompt rubric, for the course notebooks.

``check("m02.q3")`` shows ○ or × with hints; ``require("m02.q3")`` is the graded cell's one-line version.
Both call the one judge (``aidojo.checks.judging``) that grading uses. This package holds public checks
only: held-back cases and answer keys live with the instructor's material in ``grader/``.
``ask(プロンプト)`` shows what the configured model answers; ``playground()`` is the prompt playground.
Imported in IPython, it installs one-line Japanese explanations for mistakes in answer cells (``friendly``).
"""

from aidojo.checks import friendly, rubric
from aidojo.checks.notebook import Conversation, ask, capabilities, playground
from aidojo.checks.registry import check, code_question, evaluate, get_question, question, registered, require
from aidojo.checks.result import CheckResult
from aidojo.checks.spec import Case, CodeQuestion, Observation, TextQuestion

__all__ = ["Case", "CheckResult", "CodeQuestion", "Observation", "TextQuestion", "check", "code_question", "evaluate",
           "get_question", "question", "registered", "require", "rubric", "ask", "playground", "Conversation",
           "capabilities"]

friendly.install()
