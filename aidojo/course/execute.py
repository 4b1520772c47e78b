"""nbgrader's Execute, surviving a kernel crash: the crashed cell scores 0, the rest of the notebook still counts.

Plain nbgrader drops the whole submission when a cell kills the kernel (``os._exit``, a segfault, memory):
"Removing failed assignment". Here the crashed cell gets an error output, a fresh kernel re-runs the cells
before it (they define what later cells use), and grading goes on. Hand-written: nbclient has no
"restart and continue" mode.
"""

from __future__ import annotations

from nbclient import NotebookClient
from nbclient.exceptions import DeadKernelError
from nbformat.notebooknode import NotebookNode
from nbgrader.preprocessors import Execute

MAX_CRASHES = 5


class RecoveringExecute(Execute):
    """Execute every cell; a cell that kills the kernel is marked failed and skipped on a fresh kernel."""

    def preprocess_cell(self, cell, resources, index):
        self._aidojo_index = index
        if index in self._aidojo_crashed:
            return cell, self.resources  # keep its error output; do not run it again
        return super().preprocess_cell(cell, resources, index)

    def preprocess(self, nb, resources=None, km=None):
        self._aidojo_crashed: set[int] = set()
        while True:
            try:
                return super().preprocess(nb, resources, km)
            except DeadKernelError:
                index = getattr(self, "_aidojo_index", None)
                if index is None or index in self._aidojo_crashed or len(self._aidojo_crashed) >= MAX_CRASHES:
                    raise
                self._aidojo_crashed.add(index)
                cell = nb.cells[index]
                cell.outputs = [NotebookNode(output_type="error", ename="DeadKernelError",
                                             evalue="このセルの実行中にPythonのカーネルが停止しました",
                                             traceback=["DeadKernelError: このセルの実行中にPythonのカーネルが停止しました"
                                                        "（os._exit やメモリ不足など）。このセルに関係する問題は0点です。"])]
                self.log.warning("kernel died in cell %s; re-running the notebook without it", index)
                NotebookClient.__init__(self, nb, None)  # a fresh kernel manager for the next attempt
                km = None
