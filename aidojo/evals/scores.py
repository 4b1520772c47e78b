"""Retrieval scores per scenario, for tuning an app's threshold (``aidojo eval --show-scores``).

An app reports its best retrieval score as ``score`` in its result. Scenarios that must be answered
should score above the threshold, questions the data does not cover below it; the hint says where the
two groups separate, or which scenarios overlap.
"""

from __future__ import annotations

from dataclasses import dataclass

from aidojo.evals.report import OUTCOME_JA, Report, ScenarioResult

# Categories whose questions the data should NOT cover (a low score is right for them). Personal data and
# injection are decided before any search, so their scores say nothing about the threshold.
NOT_COVERED = ("off_topic", "unanswerable", "must_handoff")


@dataclass(frozen=True)
class ThresholdHint:
    lowest_answerable: ScenarioResult | None
    highest_uncovered: ScenarioResult | None

    @property
    def separable(self) -> bool:
        lo, hi = self.lowest_answerable, self.highest_uncovered
        return lo is not None and hi is not None and (lo.score or 0.0) > (hi.score or 0.0)

    def text(self) -> str:
        lo, hi = self.lowest_answerable, self.highest_uncovered
        if lo is None or hi is None:
            return ("しきい値の目安を出せません：検索スコアのある answerable のシナリオと、"
                    f"{' / '.join(NOT_COVERED)} のシナリオの両方が必要です。")
        span = f"answerable の最低 {lo.score:.2f}（{lo.id}）、資料にない質問の最高 {hi.score:.2f}（{hi.id}）"
        if self.separable:
            middle = (lo.score + hi.score) / 2
            return f"{span}。しきい値は {hi.score:.2f} より大きく {lo.score:.2f} 以下に（例：{middle:.2f}）。"
        return (f"{span}。スコアだけでは分けられません。重なっているシナリオの質問とデータの言い回しを見直すか、"
                "スコア以外の確認（出典が質問を覆っているか等）に任せてください。")


def scored(report: Report) -> list[ScenarioResult]:
    """The results that carry a retrieval score, highest first (ties in suite order)."""
    order = {r.id: i for i, r in enumerate(report.results)}
    return sorted((r for r in report.results if r.score is not None), key=lambda r: (-(r.score or 0.0), order[r.id]))


def hint(report: Report) -> ThresholdHint:
    """Lowest-scoring answerable scenario and highest-scoring uncovered one."""
    results = scored(report)
    answerable = [r for r in results if r.category == "answerable"]
    uncovered = [r for r in results if r.category in NOT_COVERED]
    return ThresholdHint(answerable[-1] if answerable else None, uncovered[0] if uncovered else None)


def render_scores(report: Report) -> str:
    """A plain-text table: score, id, category, what the app did, question; then the threshold hint."""
    rows = scored(report)
    lines = ["検索スコア（高い順）", "  スコア   ID          カテゴリ        応答      質問"]
    for r in rows:
        lines.append(f"  {r.score:7.2f}  {r.id:<10}  {r.category:<14}  {OUTCOME_JA[r.outcome]:<6}  {r.question}")
    if not rows:
        lines.append("  （スコアを返すシナリオがありません。アプリの answer() が結果に score を入れているか確認してください）")
    lines += ["", "しきい値の目安：" + hint(report).text()]
    return "\n".join(lines) + "\n"
