"""Text answers read from a notebook's source, without running it: ``プロンプト = \"\"\"…\"\"\"`` and the like.

The learner's cells are parsed with ``ast``; only a string literal (or literals joined with ``+``, or an
f-string without placeholders) counts as an answer. The last such assignment in cell order wins, as it would
when the notebook runs top to bottom.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass

NOT_LITERAL = "not_literal"
SYNTAX_ERROR = "syntax_error"
MISSING = "missing"


@dataclass(frozen=True)
class TextAnswer:
    """The value of one answer variable, or why there is none (``problem``: not_literal / syntax_error / missing)."""

    value: str | None
    problem: str | None = None


MAX_CELL_CHARS = 100_000  # a learner's cell longer than this is not read (no answer is that long)


def parse_learner_source(source: str) -> ast.Module | None:
    """``ast.parse`` for untrusted source in the trusted grader: None for anything it cannot parse, including
    sources built to exhaust the parser (deep nesting, endless chains) or too long to be an answer."""
    if len(source) > MAX_CELL_CHARS:
        return None
    try:
        return ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None


def literal_text(node: ast.AST) -> str | None:
    """The string a node stands for when it is made of string literals only; otherwise None."""
    try:
        return _literal(node)
    except RecursionError:  # a chain of ``+`` thousands long: not a learner's answer
        return None


def _literal(node: ast.AST) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr) and all(isinstance(v, ast.Constant) for v in node.values):
        return "".join(str(v.value) for v in node.values)  # type: ignore[attr-defined]
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _literal(node.left), _literal(node.right)
        return left + right if left is not None and right is not None else None
    return None


def _targets(node: ast.stmt) -> list[tuple[str, ast.AST | None]]:
    if isinstance(node, ast.Assign):
        return [(t.id, node.value) for t in node.targets if isinstance(t, ast.Name)]
    if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
        return [(node.target.id, node.value)]
    return []


def read_text_answers(sources: list[str], names: set[str],
                      found: dict[str, TextAnswer] | None = None) -> dict[str, TextAnswer]:
    """For each name, its last top-level literal assignment across ``sources`` (the learner's code cells, in
    order), starting from ``found`` (what earlier cells assigned)."""
    found = dict(found) if found else {name: TextAnswer(None, MISSING) for name in names}
    for source in sources:
        tree = parse_learner_source(source)
        if tree is None:
            for name in names:  # a broken cell that assigns this name: its answer cannot be read
                if re.search(rf"(?m)^\s*{re.escape(name)}\s*[:=]", source):
                    found[name] = TextAnswer(None, SYNTAX_ERROR)
            continue
        for node in tree.body:
            for name, value in _targets(node):
                if name in names:
                    text = literal_text(value) if value is not None else None
                    found[name] = TextAnswer(text, None if text is not None else NOT_LITERAL)
    return found


PROBLEM_HINTS = {
    NOT_LITERAL: "{name} には文字列（\"\"\" と \"\"\" の間の文章）だけを書いてください。ほかの変数や計算は使えません。",
    SYNTAX_ERROR: "{name} を書いたセルに文法の誤りがあります（\"\"\" の閉じ忘れなど）。セルを実行してエラーを直してください。",
    MISSING: "{name} = \"\"\"…\"\"\" の答えが見つかりません。答えのセルを消したり、変数名を変えたりしていませんか。",
}
