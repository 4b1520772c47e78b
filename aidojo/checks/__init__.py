"""Instant self-checks with Japanese hints, and the prompt rubric, for the course notebooks.

``check("m02.q3")`` shows ✅ or ❌ with hints; ``require("m02.q3")`` is the same logic for nbgrader tests.
``ask(プロンプト)`` shows what the configured model answers; ``playground()`` is the prompt playground.
"""

from aidojo.checks import rubric
from aidojo.checks.notebook import Conversation, ask, capabilities, playground
from aidojo.checks.registry import CheckResult, check, evaluate, question, registered, require

__all__ = ["CheckResult", "check", "evaluate", "question", "registered", "require", "rubric", "ask", "playground",
           "Conversation", "capabilities"]
