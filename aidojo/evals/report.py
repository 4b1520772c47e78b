"""Run results: pass rates (weighted, unweighted, per category), JUnit XML and an Excel-friendly CSV."""

from __future__ import annotations

import csv
import io
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

from aidojo.fileio import atomic_write_bytes

OUTCOME_JA = {"answer": "回答", "handoff": "引き継ぎ", "ask_back": "聞き返し", "error": "エラー"}


@dataclass(frozen=True)
class ScenarioResult:
    """One scenario's outcome, with the failed asserts explained in Japanese."""

    id: str
    category: str
    question: str
    weight: float
    passed: bool
    failures: list[str] = field(default_factory=list)
    answer: str = ""
    handoff: bool = False
    citations: list[str] = field(default_factory=list)
    seconds: float = 0.0
    error: str | None = None
    ask_back: bool = False
    score: float | None = None
    reason: str = ""
    expected: str | None = None  # "answer" / "handoff" / "ask_back" / None (the scenario does not say)

    @property
    def outcome(self) -> str:
        """What the app did: "error", "handoff", "ask_back" or "answer"."""
        if self.error is not None:
            return "error"
        return "handoff" if self.handoff else "ask_back" if self.ask_back else "answer"


@dataclass(frozen=True)
class HandoffMetrics:
    """Handoff as a yes/no decision over the scenarios that say what should happen.

    Positive = "hand off to a person". A crash counts as "did not hand off" (the citizen saw no handoff).
    """

    true_pos: int
    false_pos: int
    false_neg: int
    true_neg: int

    @property
    def precision(self) -> float | None:
        """Of the handoffs the app made, the share that were needed (None when it made none)."""
        made = self.true_pos + self.false_pos
        return self.true_pos / made if made else None

    @property
    def recall(self) -> float | None:
        """Of the handoffs that were needed, the share the app made (None when none were needed)."""
        needed = self.true_pos + self.false_neg
        return self.true_pos / needed if needed else None


@dataclass
class Report:
    """All scenario results of one suite run."""

    suite: str
    target: str
    results: list[ScenarioResult]
    seconds: float = 0.0
    repeats: list[list[ScenarioResult]] = field(default_factory=list)  # every run per scenario (repeat > 1)

    @property
    def total(self) -> int:
        return len(self.results)

    @property
    def passed(self) -> int:
        return sum(r.passed for r in self.results)

    @property
    def failed(self) -> list[ScenarioResult]:
        return [r for r in self.results if not r.passed]

    @property
    def pass_rate(self) -> float:
        """Weighted pass rate (0..1)."""
        total = sum(r.weight for r in self.results)
        return sum(r.weight for r in self.results if r.passed) / total if total else 0.0

    @property
    def pass_rate_unweighted(self) -> float:
        return self.passed / self.total if self.total else 0.0

    def by_category(self) -> dict[str, tuple[int, int]]:
        """category → (passed, total), in first-seen order."""
        out: dict[str, list[int]] = {}
        for r in self.results:
            c = out.setdefault(r.category, [0, 0])
            c[0] += r.passed
            c[1] += 1
        return {k: (v[0], v[1]) for k, v in out.items()}

    def handoff_metrics(self) -> HandoffMetrics:
        """Handoff precision and recall over the scenarios with an expected outcome."""
        tp = fp = fn = tn = 0
        for r in self.results:
            if r.expected is None:
                continue
            needed, made = r.expected == "handoff", r.outcome == "handoff"
            tp += needed and made
            fp += made and not needed
            fn += needed and not made
            tn += not needed and not made
        return HandoffMetrics(tp, fp, fn, tn)

    def summary_line(self) -> str:
        """E.g. "120 scenarios, pass rate 95.0% (weighted 96.2%; answerable 58/60, unanswerable 30/30, …)"."""
        cats = ", ".join(f"{k} {p}/{t}" for k, (p, t) in self.by_category().items())
        return (f"{self.total} scenarios, pass rate {self.pass_rate_unweighted:.1%} "
                f"(weighted {self.pass_rate:.1%}; {cats}; {self.seconds:.1f} s)")

    def write_junit(self, path: str | Path) -> Path:
        """JUnit XML: one testcase per scenario (classname = category), failures with the Japanese reasons."""
        path = Path(path)
        suite = ET.Element("testsuite", name=self.suite, tests=str(self.total),
                           failures=str(sum(1 for r in self.failed if r.error is None)),
                           errors=str(sum(1 for r in self.failed if r.error is not None)), time=f"{self.seconds:.3f}")
        for r in self.results:
            case = ET.SubElement(suite, "testcase", classname=f"{self.suite}.{r.category}", name=r.id, time=f"{r.seconds:.3f}")
            if r.error is not None:
                ET.SubElement(case, "error", message=r.error).text = r.error
            elif not r.passed:
                ET.SubElement(case, "failure", message=r.failures[0]).text = "\n".join(r.failures)
            out = ET.SubElement(case, "system-out")
            out.text = f"質問: {r.question}\n回答: {r.answer}"
        root = ET.Element("testsuites", name=self.suite, tests=str(self.total), failures=suite.get("failures"),
                          errors=suite.get("errors"), time=suite.get("time"))
        root.append(suite)
        ET.indent(root)
        atomic_write_bytes(path, ET.tostring(root, encoding="utf-8", xml_declaration=True))
        return path

    def write_csv(self, path: str | Path) -> Path:
        """One row per scenario, UTF-8 with BOM so Excel opens the Japanese text correctly."""
        path = Path(path)
        buf = io.StringIO(newline="")
        w = csv.writer(buf)
        w.writerow(["ID", "カテゴリ", "重み", "結果", "失敗した確認", "質問", "回答", "引き継ぎ", "出典", "秒",
                    "応答の種類", "検索スコア"])
        for r in self.results:
            w.writerow([r.id, r.category, f"{r.weight:g}", "合格" if r.passed else "不合格",
                        " / ".join(r.failures), r.question, r.answer, "あり" if r.handoff else "なし",
                        " / ".join(r.citations), f"{r.seconds:.3f}", OUTCOME_JA[r.outcome],
                        "" if r.score is None else f"{r.score:.3f}"])
        atomic_write_bytes(path, buf.getvalue().encode("utf-8-sig"))
        return path
