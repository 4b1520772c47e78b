"""The outcome of one check, shown the same way in a notebook, in a feedback page and in a test log."""

from __future__ import annotations

import html
from dataclasses import dataclass, field

OK_MARK = "○"  # marks every Japanese font has (no emoji font needed)
NG_MARK = "×"


@dataclass
class CheckResult:
    """Passed or not, and hints in Japanese saying what to fix. ``score`` is the share of cases met (0..1).

    ``ok`` means full points: the self-check and the grade come from the same judge on the same answer.
    """

    ok: bool
    hints: list[str] = field(default_factory=list)
    score: float = 0.0
    praise: str = "よくできました。"
    note: str = ""  # one line shown under the result (e.g. which model the self-check used)

    def __post_init__(self) -> None:
        self.hints = list(dict.fromkeys(str(h) for h in self.hints))
        if self.ok:
            self.score = 1.0

    def one_line(self) -> str:
        """The result in one line (what a graded cell shows)."""
        if self.ok:
            return f"{OK_MARK} {self.praise}"
        first = self.hints[0] if self.hints else "もう一度見直してください。"
        more = f"（ほか{len(self.hints) - 1}点）" if len(self.hints) > 1 else ""
        return f"{NG_MARK} {first}{more}"

    def __str__(self) -> str:
        if self.ok:
            lines = [f"{OK_MARK} {self.praise}"]
        else:
            lines = [f"{NG_MARK} もう少しです。"] + [f"・{h}" for h in self.hints]
        return "\n".join(lines + ([self.note] if self.note else []))

    def __repr__(self) -> str:
        return str(self)

    def _repr_html_(self) -> str:
        colour = "#1a7f37" if self.ok else "#b42318"
        body = "<br>".join(html.escape(line) for line in str(self).splitlines())
        return (f'<div class="aidojo-check" style="border-left:4px solid {colour};padding:4px 10px;font-size:1.05em;'
                f'white-space:pre-wrap">{body}</div>')


@dataclass
class OneLine:
    """A graded cell's display: just the one-line form of a result (the learner reads hints under check())."""

    result: CheckResult

    def __repr__(self) -> str:
        return self.result.one_line()

    def _repr_html_(self) -> str:
        colour = "#1a7f37" if self.result.ok else "#b42318"
        return (f'<div class="aidojo-require" style="color:{colour};font-size:1.0em">'
                f"{html.escape(self.result.one_line())}</div>")
