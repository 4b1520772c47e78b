"""One Japanese line, instead of an English traceback, for the mistakes learners make in answer cells (IPython only).

Installed when ``aidojo.checks`` is imported inside IPython (every notebook's setup cell imports it):

- A ``NameError`` or ``SyntaxError`` raised in a text answer cell (``答え = \"\"\"…\"\"\"``) — the answer typed after
  the closing quotes, the quotes deleted or left unclosed — shows one Japanese line naming the line and what to do.
  Every other cell keeps IPython's usual traceback. The cell still fails (Run All stops there), so that the
  learner sees it; the line says how to fix it.
- After an answer cell runs with its answer still empty while a ``#`` line holds text (the answer typed on the
  「# ▼」 comment line), a note under the cell says so.

Hand-written: IPython's ``set_custom_exc`` and ``post_run_cell`` event are the hooks; no library explains these
mistakes in Japanese.
"""

from __future__ import annotations

import ast
import html
import linecache
import re
import sys
from types import TracebackType
from typing import Any

_ANSWER_ASSIGN = re.compile(r"(?m)^[ \t]*[^\W\d]\w*[ \t]*=[ \t]*[rRuU]?(?:\"\"\"|''')")
_CODE_LINE = re.compile(r"(?m)^[ \t]*(?:def |class |import |from \S+ import |for |while |if |with |return |print\(|async )")
_UNCLOSED = re.compile(r"unterminated triple-quoted|EOF while scanning triple-quoted", re.I)
_RED = "\x1b[0;31m{}\x1b[0m"
_STUB_COMMENTS = ("ここに答えを書いてください", "YOUR CODE HERE")
_MARKER = "_aidojo_friendly"


def is_text_answer_cell(source: str) -> bool:
    """A text answer cell: it assigns a triple-quoted string (or carries the 「# ▼」 answer marker) and holds no other
    code — comments, and stray text that Python reads as names (「A, C, D」), aside."""
    marked = any(line.lstrip().startswith("#") and "▼" in line for line in source.splitlines())
    if not (_ANSWER_ASSIGN.search(source) or marked) or _CODE_LINE.search(_outside_strings(source)):
        return False
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return True  # broken, but shaped like an answer cell (checked above)
    for node in tree.body:
        if isinstance(node, (ast.Assign, ast.Expr)) and not any(isinstance(n, (ast.Call, ast.Await, ast.Lambda))
                                                                 for n in ast.walk(node)):
            continue
        return False
    return True


def _outside_strings(source: str) -> str:
    """``source`` with triple-quoted strings blanked out (their lines may hold anything)."""
    return re.sub(r"(\"\"\"|''').*?(?:\1|\Z)", lambda m: "\n" * m.group(0).count("\n"), source, flags=re.S)


def _snippet(line: str, n: int = 24) -> str:
    line = line.strip()
    return line if len(line) <= n else line[: n - 1] + "…"


def explain(etype: type[BaseException], value: BaseException, source: str, lineno: int | None) -> str:
    """The one Japanese line for an error raised in an answer cell."""
    lines = source.splitlines()
    line = lines[lineno - 1] if lineno and 0 < lineno <= len(lines) else ""
    where = f"{lineno}行目の「{_snippet(line)}」" if line.strip() else "答え"
    unclosed = len(re.findall(r"\"\"\"|\'\'\'", source)) % 2 == 1  # IPython reports an open string as 'incomplete input'
    if issubclass(etype, SyntaxError) and (unclosed or _UNCLOSED.search(str(getattr(value, "msg", "") or value))):
        return ("答えのセルの書き方に誤りがあります：答えの最後の \"\"\" がありません。答えを書いた行のあとに \"\"\" だけの行を入れて、"
                "もう一度このセルを実行してください。")
    return (f"答えのセルの書き方に誤りがあります：{where}が \"\"\" と \"\"\" の間に入っていないため、Pythonの命令として読まれました。"
            "答えは \"\"\" と \"\"\" の間の行に書き、# の行や \"\"\" の外には書かずに、もう一度このセルを実行してください。")


def _cell_frame(tb: TracebackType | None) -> tuple[str, int] | None:
    """(filename, line) of the cell's own top-level frame when the error was raised right there, else None."""
    last = None
    while tb is not None:
        last = tb
        tb = tb.tb_next
    if last is None or last.tb_frame.f_code.co_name != "<module>":
        return None  # raised inside a function (library code, or the learner's own): not an answer-text mistake
    return last.tb_frame.f_code.co_filename, last.tb_lineno


def _handler(shell: Any, etype: type[BaseException], value: BaseException, tb: TracebackType | None,
             tb_offset: int | None = None) -> None:
    """IPython's custom exception handler: one Japanese line for answer cells, the usual traceback elsewhere."""
    if issubclass(etype, SyntaxError):
        filename, lineno = getattr(value, "filename", None), getattr(value, "lineno", None)
    else:
        found = _cell_frame(tb)
        filename, lineno = found if found else (None, None)
    source = "".join(linecache.getlines(filename)) if filename else ""
    if source and is_text_answer_cell(source):
        shell._showtraceback(etype, value, [_RED.format(explain(etype, value, source, lineno))])
    elif issubclass(etype, SyntaxError):
        shell.showsyntaxerror()
    else:
        shell.showtraceback((etype, value, tb), tb_offset=tb_offset, running_compiled_code=True)
    return None


def _comment_text(source: str) -> str:
    """Text a learner typed on the cell's # lines (after the 「# ▼ …。」 instruction, or a # line of their own)."""
    typed = []
    for line in source.splitlines():
        stripped = line.strip()
        if not stripped.startswith("#"):
            continue
        text = stripped.lstrip("#").strip()
        if "▼" in text:
            text = text.rsplit("。", 1)[1].strip() if "。" in text else ""
        if text and not any(stub in text for stub in _STUB_COMMENTS):
            typed.append(text)
    return " ".join(typed)


class Note:
    """A one-line note under a cell (plain text and HTML)."""

    def __init__(self, text: str) -> None:
        self.text = text

    def __repr__(self) -> str:
        return f"× {self.text}"

    def _repr_html_(self) -> str:
        return (f'<div class="aidojo-note" style="border-left:4px solid #b42318;padding:4px 10px;white-space:pre-wrap">'
                f"× {html.escape(self.text)}</div>")


def comment_note(source: str, namespace: dict[str, Any]) -> Note | None:
    """The note for an answer cell that ran with its answer empty and text on a # line, else None."""
    if not is_text_answer_cell(source):
        return None
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return None
    names = [t.id for node in tree.body if isinstance(node, ast.Assign) for t in node.targets if isinstance(t, ast.Name)]
    from aidojo.checks.rubric import clean_answer

    empty = [n for n in names if isinstance(namespace.get(n), str) and not clean_answer(namespace[n])]
    typed = _comment_text(source)
    if not empty or not typed:
        return None
    return Note(f"答えが空です。# の行（メモの行）に「{_snippet(typed, 30)}」と書かれていますが、# で始まる行は答えとして読まれません。"
                "\"\"\" と \"\"\" の間の空いた行に書き直して、もう一度このセルを実行してください。")


def _after_cell(shell: Any, result: Any) -> None:
    info = getattr(result, "info", None)
    source = getattr(info, "raw_cell", None) or ""
    if not source or getattr(result, "error_before_exec", None) or getattr(result, "error_in_exec", None):
        return
    note = comment_note(source, shell.user_ns)
    if note is not None:
        from IPython.display import display

        display(note)


def install(shell: Any = None) -> bool:
    """Install the handlers in the running IPython (once). False outside IPython or when another handler is set."""
    if shell is None:
        ipython = sys.modules.get("IPython")
        shell = ipython.get_ipython() if ipython is not None else None
    if shell is None or getattr(shell, _MARKER, False):
        return bool(shell)
    if shell.custom_exceptions:  # someone else's handler: leave it alone
        return False
    shell.set_custom_exc((NameError, SyntaxError), _handler)
    shell.events.register("post_run_cell", lambda result: _after_cell(shell, result))
    setattr(shell, _MARKER, True)
    return True


__all__ = ["install", "explain", "is_text_answer_cell", "comment_note", "Note"]
