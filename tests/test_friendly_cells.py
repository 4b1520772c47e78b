"""Mistakes in answer cells explained in one Japanese line, in a real kernel (nbclient), as a learner meets them.

The answer typed after the closing quotes (NameError), the closing quotes deleted (SyntaxError), the answer typed on
the 「# ▼」 comment line (the answer stays empty): each gets one Japanese line. A cell that is not an answer cell
keeps IPython's usual traceback.
"""

from __future__ import annotations

import re

import nbformat
import pytest

from aidojo.checks.friendly import comment_note, explain, is_text_answer_cell

SETUP = "from aidojo.checks import check, require"
AFTER_QUOTES = '# ▼ 下の """ と """ の間に、記号を書きます（例：A, B）。\n答え = """\n\n"""\nA, C, D'
UNCLOSED = '# ▼ 下の """ と """ の間に、記号を書きます（例：A, B）。\n答え = """\nA, C, D\n'
NO_QUOTES = "# ▼ 下の \"\"\" と \"\"\" の間に、記号を書きます（例：A, B）。\n答え = A, C, D"
ON_COMMENT = '# ▼ 下の """ と """ の間に、記号と番号の組を書きます（例：A=1, B=2）。A=1, C=2, D=3\n答え = """\n\n"""'
RIGHT = '# ▼ 下の """ と """ の間に、記号を書きます（例：A, B）。\n答え = """\nA, C, D\n"""'
CODE_CELL = "def f(x):\n    return x + 1\n\nprint(undefined_name)"
TYPO_CALL = 'check("m01.q1")\nchekc("m01.q1")'


def _ansi_free(text: str) -> str:
    return re.sub(r"\x1b\[[0-9;]*m", "", text)


@pytest.fixture(scope="module")
def ran(tmp_path_factory):
    """One kernel runs a learner's mistakes, each in its own cell (errors allowed, as Run All meets them one by one)."""
    from nbclient import NotebookClient

    sources = [SETUP, AFTER_QUOTES, UNCLOSED, NO_QUOTES, ON_COMMENT, "check('m01.q2')", RIGHT, CODE_CELL, TYPO_CALL]
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in sources])
    work = tmp_path_factory.mktemp("friendly")
    NotebookClient(nb, timeout=120, kernel_name="python3", allow_errors=True,
                   resources={"metadata": {"path": str(work)}}).execute()
    return nb.cells


def _error(cell) -> str:
    errors = [o for o in cell.outputs if o.output_type == "error"]
    assert errors, cell.outputs
    return _ansi_free("\n".join(errors[0].traceback))


def _text(cell) -> str:
    out = []
    for o in cell.outputs:
        if o.output_type == "stream":
            out.append(o.text)
        elif "data" in o:
            out.append(o.data.get("text/plain", ""))
    return "\n".join(out)


@pytest.mark.slow
def test_answer_after_the_closing_quotes_gets_one_japanese_line(ran):
    line = _error(ran[1])
    assert "\n" not in line.strip() and "5行目の「A, C, D」" in line and "\"\"\" と \"\"\" の間" in line, line
    assert "Traceback" not in line and "is not defined" not in line


@pytest.mark.slow
def test_unclosed_and_missing_quotes_get_one_japanese_line(ran):
    unclosed = _error(ran[2])
    assert "\n" not in unclosed.strip() and "最後の \"\"\" がありません" in unclosed, unclosed
    no_quotes = _error(ran[3])
    assert "\n" not in no_quotes.strip() and "2行目の「答え = A, C, D」" in no_quotes, no_quotes


@pytest.mark.slow
def test_answer_on_the_comment_line_is_pointed_out_and_check_says_the_answer_is_empty(ran):
    note = _text(ran[4])
    assert "# の行" in note and "A=1, C=2, D=3" in note, note
    assert "答えが空です" in _text(ran[5])


@pytest.mark.slow
def test_a_right_answer_and_other_cells_are_left_alone(ran):
    assert not [o for o in ran[6].outputs if o.output_type == "error"] and not _text(ran[6])
    code = _error(ran[7])
    assert "NameError" in code and "undefined_name" in code and "答えのセル" not in code
    typo = _error(ran[8])
    assert "NameError" in typo and "chekc" in typo and "答えのセル" not in typo


def test_answer_cells_are_told_apart_from_code_cells():
    assert is_text_answer_cell(AFTER_QUOTES) and is_text_answer_cell(UNCLOSED) and is_text_answer_cell(NO_QUOTES)
    assert is_text_answer_cell('プロンプト = """\nあなたは広報担当です。\n<事実>\n日時：10月18日\n</事実>\n"""')
    assert not is_text_answer_cell(CODE_CELL) and not is_text_answer_cell(TYPO_CALL)
    assert not is_text_answer_cell('# ▼ここを書き換えてください\ndef classify(text):\n    raise NotImplementedError()')
    assert not is_text_answer_cell('SYSTEM = """あなたは案内係です。"""\nreply = chat(SYSTEM)')


def test_explanations_and_the_comment_note():
    msg = explain(NameError, NameError("name 'A' is not defined"), AFTER_QUOTES, 5)
    assert msg.startswith("答えのセルの書き方に誤りがあります") and "「A, C, D」" in msg
    assert comment_note(ON_COMMENT, {"答え": "\n\n"}) is not None
    assert comment_note(ON_COMMENT, {"答え": "A=1"}) is None  # answered between the quotes too
    assert comment_note(RIGHT, {"答え": "\n"}) is None  # only the instruction on the # line
