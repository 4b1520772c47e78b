"""nbconvert preprocessors for learners' feedback: hidden tests stay hidden, and a Japanese summary on top.

``ClearHiddenTests`` removes the hidden region from a test cell's source, but the traceback of a failed
hidden assert still shows its line; ``HideHiddenTestResults`` replaces such outputs with a Japanese note.
It must run before ClearHiddenTests (it finds hidden-test cells by their BEGIN/END HIDDEN TESTS region).
"""

from __future__ import annotations

import re

from nbconvert.preprocessors import Preprocessor
from nbformat.v4 import new_markdown_cell, new_output
from traitlets import Bool

HIDDEN = re.compile(r"(?s)BEGIN HIDDEN TESTS(.*?)END HIDDEN TESTS")
ANSI = re.compile(r"\x1b\[[0-9;]*m")
NOTE_FAIL = "非公開テストを含むこのテストで不合格になりました（非公開テストの内容は表示しません）。"
NOTE_TIMEOUT = "このテストは制限時間内に終わりませんでした（無限ループがないか確かめてください）。"


class HideHiddenTestResults(Preprocessor):
    """Replace the outputs of hidden-test cells with a Japanese note (a hint only when it reveals nothing)."""

    enabled = Bool(True).tag(config=True)  # nbconvert preprocessors are off unless enabled

    def preprocess_cell(self, cell, resources, index):
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if cell.cell_type != "code" or not meta.get("grade"):
            return cell, resources
        hidden = "\n".join(m.group(1) for m in HIDDEN.finditer(cell.source))
        if not hidden:
            return cell, resources
        secret = [ln.strip() for ln in hidden.splitlines() if len(ln.strip()) >= 4]
        errors = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
        texts = []
        for err in errors:
            ename, evalue = err.get("ename", ""), ANSI.sub("", str(err.get("evalue", ""))).strip()
            if "Timeout" in ename:
                texts.append(NOTE_TIMEOUT)
                continue
            safe = evalue and not any(s in evalue or evalue in s for s in secret) and not any(
                tok in evalue for tok in ("assert ", "==", "require("))
            texts.append(NOTE_FAIL + (f"\nヒント：{evalue}" if safe else "\nヒント：問題文の条件をもう一度確かめ、別の入力でも正しく動くか試してください。"))
        cell.outputs = [new_output("stream", name="stdout", text="\n".join(texts) + "\n")] if texts else []
        cell.source = HIDDEN.sub("BEGIN HIDDEN TESTS\n# （非公開テスト）\n### END HIDDEN TESTS", cell.source)
        return cell, resources


class JapaneseSummary(Preprocessor):
    """Put a Japanese summary (staff id, module, score, pass mark) at the top of the feedback."""

    enabled = Bool(True).tag(config=True)
    pass_ratio = 0.8

    def preprocess(self, nb, resources):
        info = resources.get("nbgrader", {})
        score, max_score = float(info.get("score") or 0), float(info.get("max_score") or 0)
        try:
            from aidojo.course.config import load_course

            ratio = load_course().pass_ratio
        except Exception:  # the course file is optional for fixture assignments
            ratio = self.pass_ratio
        passed = max_score > 0 and score >= ratio * max_score - 1e-9
        verdict = "合格ラインに達しています。" if passed else f"合格ライン（{ratio:.0%}）まであと少しです。ヒントを読んで再提出しましょう。"
        text = (f"## 採点結果（{info.get('assignment', '')}）\n\n- 職員番号：{info.get('student', '')}\n"
                f"- ノートブック：{info.get('notebook', '')}\n- 得点：**{score:g} / {max_score:g} 点**\n\n{verdict}\n\n"
                "問ごとの結果（○、または × と直すためのヒント）は、下の各問の「採点の結果」にあります。")
        nb.cells.insert(0, new_markdown_cell(text))
        for cell in nb.cells:  # 問N instead of a grade id, for the table of contents and each result
            meta = cell.get("metadata", {}).get("nbgrader", {})
            found = re.search(r"-q(\d+)-", str(meta.get("grade_id", "")))
            if meta.get("grade") and not meta.get("solution") and found:
                cell.metadata["aidojo_label"] = f"問{int(found.group(1))}"
        return nb, resources
