"""nbgrader's ClearSolutions, aware of text answers: a solution region inside a string becomes an empty line.

The no-code modules keep the learner's answer in a string (``プロンプト = \"\"\"…\"\"\"``). nbgrader would put
``raise NotImplementedError()`` inside that string, which confuses a learner who never coded; code answers keep
nbgrader's usual stub.
"""

from __future__ import annotations

from nbgrader.preprocessors import ClearSolutions
from traitlets import Unicode


class TextAwareClearSolutions(ClearSolutions):
    """A solution region right after an opening triple quote becomes ``text_answer_stub`` (empty by default)."""

    text_answer_stub = Unicode("", help="Replaces a solution region that sits inside a string literal").tag(config=True)

    def _replace_solution_region(self, cell, language):
        lines = cell.source.split("\n")
        begin = next((i for i, line in enumerate(lines) if self.begin_solution_delimeter in line), None)
        before = lines[begin - 1].rstrip() if begin else ""
        # The line before opens a string (an odd number of triple quotes), not a docstring closed on its own line.
        in_string = cell.cell_type == "code" and any(
            before.endswith(quote) and before.count(quote) % 2 == 1 for quote in ('"""', "'''"))
        if not in_string:
            return super()._replace_solution_region(cell, language)
        saved = self.code_stub
        self.code_stub = {**saved, language: self.text_answer_stub}
        try:
            return super()._replace_solution_region(cell, language)
        finally:
            self.code_stub = saved
