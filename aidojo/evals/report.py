"""Run results: pass rates (weighted, unweighted, per category), JUnit XML and an Excel-friendly CSV."""

from __future__ import annotations

import csv
import io
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

from aidojo.fileio import atomic_write_bytes


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




@dataclass
class Report:
    """All scenario results of one suite run."""

    suite: str
    target: str
    results: list[ScenarioResult]
    seconds: float = 0.0

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
        w.writerow(["ID", "カテゴリ", "重み", "結果", "失敗した確認", "質問", "回答", "引き継ぎ", "出典", "秒"])
        for r in self.results:
            w.writerow([r.id, r.category, f"{r.weight:g}", "合格" if r.passed else "不合格",
                        " / ".join(r.failures), r.question, r.answer, "あり" if r.handoff else "なし",
                        " / ".join(r.citations), f"{r.seconds:.3f}"])
        atomic_write_bytes(path, buf.getvalue().encode("utf-8-sig"))
        return path
