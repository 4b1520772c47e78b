"""Plain ``nbgrader autograde`` on the course is refused: it would run learner code in the trainer's own
kernel, with the trainer's environment, files and network (formgrader's "autograde" button included).

``aidojo autograde`` grades in the sandbox instead. The refusal is nbgrader's first autograde preprocessor
(set in grader/nbgrader_config.py); only the benchmark's baseline turns it off (``AIDOJO_PLAIN_NBGRADER=1``).
"""

from __future__ import annotations

from nbgrader.preprocessors import NbGraderPreprocessor

MESSAGE = ("この講座では nbgrader autograde（formgrader の自動採点ボタンを含む）は使えません。受講者のコードが"
           "研修担当の環境で動いてしまうためです。代わりに `aidojo autograde` を実行してください（サンドボックス内で採点します）。")


class RefusePlainAutograde(NbGraderPreprocessor):
    """Stops nbgrader's autograde before any cell runs."""

    def preprocess(self, nb, resources):
        raise RuntimeError(MESSAGE)
