"""Go-live figures (公開判定) of the three citizen-facing templates with the offline practice model: per-category
pass rates, handoff precision and recall, and the scenarios that fail.

    python benchmarks/golive.py                 # faq_bot, gomi_guide, doc_search
    python benchmarks/golive.py faq_bot

Each template's handoff records go to a temporary file (never to its logs/handoff.jsonl).
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ["AIDOJO_PROVIDER"] = "offline"

from aidojo.evals import load_suite, run_suite  # noqa: E402
from aidojo.evals.golive import judge, render  # noqa: E402

TEMPLATES = ("faq_bot", "gomi_guide", "doc_search")


def main(names: list[str]) -> int:
    failed = 0
    for name in names or TEMPLATES:
        with tempfile.TemporaryDirectory() as tmp:
            report = run_suite(load_suite(REPO / "hackathon_templates" / name / "scenarios.yaml"),
                               log_path=Path(tmp) / "handoff.jsonl")
        verdict = judge(report)
        failed += not verdict.ok
        print(render(verdict, backend="練習用オフラインモデル"))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
