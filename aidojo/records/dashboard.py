"""The KPI dashboard: one self-contained HTML page (inline SVG charts, no external files or CDN)."""

from __future__ import annotations

import io
import json
from pathlib import Path

from aidojo.fileio import atomic_write_bytes
from aidojo.records.completion import Records
from aidojo.records.kpi import Kpis, compute_kpis

TEMPLATE = Path(__file__).with_name("templates") / "dashboard.html.j2"
BLUE, GREEN, GREY, RED = "#2f6fb3", "#3a9a5b", "#b0b7c3", "#c0392b"


def _svg(fig) -> str:
    """An inline SVG (text as paths: no font needed in the browser; fixed ids and no date: reproducible)."""
    import matplotlib

    buf = io.StringIO()
    with matplotlib.rc_context({"svg.hashsalt": "aidojo", "svg.fonttype": "path"}):
        fig.savefig(buf, format="svg", metadata={"Date": None}, bbox_inches="tight")
    text = buf.getvalue()
    return text[text.index("<svg"):]


def _figure(width: float, height: float):
    import matplotlib_fontja  # noqa: F401  (registers IPAexGothic for Japanese labels)
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), dpi=96)


def bureau_rate_chart(kpis: Kpis) -> str:
    """Basic-track completion rate by 局 against the goal."""
    rows = list(reversed(kpis.bureaus))
    fig = _figure(7.5, max(2.2, 0.42 * len(rows) + 1.2))
    ax = fig.add_subplot()
    goal = kpis.config.basic_completion_goal * 100
    values = [b.basic_rate * 100 for b in rows]
    ax.barh([b.bureau for b in rows], values, color=[GREEN if v >= goal else BLUE for v in values])
    ax.axvline(goal, color=RED, linestyle="--", label=f"目標 {goal:.0f}%")
    for y, v in enumerate(values):
        ax.text(min(v, 100) + 1, y, f"{v:.1f}%", va="center", fontsize=8)
    ax.set_xlim(0, 110)
    ax.set_xlabel("基礎コース修了率（%）")
    ax.set_title("局別 基礎コース修了率")
    ax.legend(loc="lower right", fontsize=8)
    return _svg(fig)


def trend_chart(kpis: Kpis) -> str:
    """Cumulative basic-track rate (left) and builder completers (right) by month, with both goals."""
    fig = _figure(7.5, 3.6)
    ax = fig.add_subplot()
    months = [m.month for m in kpis.months]
    x = list(range(len(months)))
    ax.plot(x, [m.basic_rate * 100 for m in kpis.months], marker="o", color=BLUE, label="基礎コース修了率（累計, %）")
    ax.axhline(kpis.config.basic_completion_goal * 100, color=BLUE, linestyle=":", linewidth=1)
    ax.set_ylim(0, 105)
    ax.set_ylabel("修了率（%）")
    ax2 = ax.twinx()
    ax2.bar(x, [m.builder_total for m in kpis.months], color=GREEN, alpha=0.35, label="AI人材 修了者（累計, 人）")
    ax2.axhline(kpis.config.builder_goal, color=GREEN, linestyle=":", linewidth=1)
    ax2.set_ylim(0, max(kpis.config.builder_goal, max((m.builder_total for m in kpis.months), default=0)) * 1.1)
    ax2.set_ylabel("AI人材 修了者（人）")
    ax.set_xticks(x, months, rotation=45, fontsize=8)
    ax.set_title("月別推移（点線は目標）")
    lines = ax.get_legend_handles_labels()
    bars = ax2.get_legend_handles_labels()
    ax.legend(lines[0] + bars[0], lines[1] + bars[1], loc="upper left", fontsize=8)
    return _svg(fig)


def coverage_chart(kpis: Kpis) -> str:
    """Share of 課 with at least one completer, by 局, against the goal."""
    rows = list(reversed(kpis.bureaus))
    fig = _figure(7.5, max(2.2, 0.42 * len(rows) + 1.2))
    ax = fig.add_subplot()
    goal = kpis.config.section_coverage_goal * 100
    values = [(b.sections_covered / b.sections * 100) if b.sections else 0 for b in rows]
    ax.barh([b.bureau for b in rows], values, color=[GREEN if v >= goal else BLUE for v in values])
    ax.axvline(goal, color=RED, linestyle="--", label=f"目標 {goal:.0f}%")
    for y, (v, b) in enumerate(zip(values, rows)):
        ax.text(min(v, 100) + 1, y, f"{b.sections_covered}/{b.sections}課", va="center", fontsize=8)
    ax.set_xlim(0, 115)
    ax.set_xlabel("修了者が1人以上いる課の割合（%）")
    ax.set_title("局別 課のカバー率")
    ax.legend(loc="lower right", fontsize=8)
    return _svg(fig)


def render_dashboard(records: Records, kpis: Kpis | None = None) -> str:
    """The dashboard HTML as a string."""
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    kpis = kpis or compute_kpis(records)
    env = Environment(loader=FileSystemLoader(TEMPLATE.parent), autoescape=select_autoescape(["html", "j2"]))
    latest = records.latest_submission()
    covered = {p.section_key for p in records.active() if any(t.completed for t in p.tracks.values())}
    uncovered = [s for s in records.summary() if (s.bureau, s.division, s.section) not in covered]
    data = json.dumps(kpis.as_dict(), ensure_ascii=False).replace("</", "<\\/")
    return env.get_template(TEMPLATE.name).render(
        course=records.course, k=kpis, cfg=kpis.config,
        basic_title=records.course.tracks[kpis.config.basic_track].title,
        builder_title=records.course.tracks[kpis.config.builder_track].title,
        roster_date=records.roster_date or "（名簿未登録）",
        latest=latest.date().isoformat() if latest else "（提出なし）",
        charts={"bureau": bureau_rate_chart(kpis), "trend": trend_chart(kpis) if kpis.months else "",
                "coverage": coverage_chart(kpis)},
        uncovered=uncovered, data_json=data)


def write_dashboard(records: Records, path: str | Path) -> Path:
    """Write the dashboard atomically; returns the path."""
    return atomic_write_bytes(path, render_dashboard(records).encode("utf-8"))
