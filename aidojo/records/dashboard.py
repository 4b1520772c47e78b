"""The KPI dashboard: one self-contained HTML page (inline SVG charts, no external files, scripts or CDN).

The charts are drawn as plain SVG here rather than with matplotlib: they are a few bars and lines, and matplotlib
would add about 1.3 s of start-up to every ``aidojo records dashboard`` (the CLI must finish in under 3 s at
10,000 staff). Text in the charts is real text, readable by screen readers and searchable.
"""

from __future__ import annotations

import json
from html import escape
from pathlib import Path

from aidojo.fileio import atomic_write_bytes
from aidojo.records.audit import log_action, owner_only
from aidojo.records.completion import Records
from aidojo.records.fiscal import fy_label
from aidojo.records.kpi import Kpis, compute_kpis

TEMPLATE = Path(__file__).with_name("templates") / "dashboard.html.j2"
BLUE, GREEN, ORANGE, GREY, RED = "#2f6fb3", "#3a9a5b", "#d9822b", "#b0b7c3", "#c0392b"
FONT = 'font-family="Hiragino Kaku Gothic ProN, Yu Gothic, Meiryo, IPAexGothic, sans-serif"'


def _svg(width: int, height: int, body: list[str], label: str) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
            f'role="img" aria-label="{escape(label)}" {FONT} font-size="11">{"".join(body)}</svg>')


def bar_chart(title: str, rows: list[tuple[str, list[float], str]], series: list[tuple[str, str]], goal: float | None,
              *, percent: bool = True) -> str:
    """Horizontal bars: one group per row (label, values, note), one bar per series (name, colour); a goal line."""
    left, right, bar, gap = 150, 90, 11, 8
    width = 760
    group = bar * len(series) + gap
    height = 50 + group * max(1, len(rows)) + 20
    plot = width - left - right
    top = max([goal or 0] + [v for _, vs, _ in rows for v in vs] + [1 if percent else 0]) or 1
    scale = plot / (1.0 if percent else top)
    body = [f'<text x="{width / 2}" y="16" text-anchor="middle" font-size="13" font-weight="bold">{escape(title)}</text>']
    for i, (name, colour) in enumerate(series):
        body.append(f'<rect x="{left + i * 150}" y="26" width="10" height="10" fill="{colour}"/>'
                    f'<text x="{left + i * 150 + 14}" y="35">{escape(name)}</text>')
    for r, (label, values, note) in enumerate(rows):
        y = 46 + r * group
        body.append(f'<text x="{left - 6}" y="{y + group / 2}" text-anchor="end">{escape(label)}</text>')
        for i, v in enumerate(values):
            w = max(0.0, min(v, 1.0 if percent else top)) * scale
            body.append(f'<rect x="{left}" y="{y + i * bar}" width="{w:.1f}" height="{bar - 2}" fill="{series[i][1]}"/>')
            text = f"{v * 100:.1f}%" if percent else f"{v:g}"
            body.append(f'<text x="{left + w + 4:.1f}" y="{y + i * bar + bar - 3}" font-size="10">{text}</text>')
        if note:
            body.append(f'<text x="{width - 4}" y="{y + group / 2}" text-anchor="end" font-size="10" fill="#52606d">{escape(note)}</text>')
    if goal is not None:
        x = left + goal * scale
        body.append(f'<line x1="{x:.1f}" y1="42" x2="{x:.1f}" y2="{height - 16}" stroke="{RED}" stroke-dasharray="4 3"/>'
                    f'<text x="{x:.1f}" y="{height - 4}" text-anchor="middle" fill="{RED}">目標 '
                    f'{goal * 100:.0f}{"%" if percent else ""}</text>')
    return _svg(width, height, body, title)


def trend_chart(kpis: Kpis, basic_title: str) -> str:
    """Month by month against that month's headcount: basic completion rate and AI use rate, goals dotted, 年度
    boundaries marked."""
    months = kpis.months
    width, height, left, right, top, bottom = 760, 300, 50, 20, 40, 60
    plot_w, plot_h = width - left - right, height - top - bottom
    step = plot_w / max(1, len(months) - 1) if len(months) > 1 else 0
    x = [left + (i * step if len(months) > 1 else plot_w / 2) for i in range(len(months))]

    def y(v: float) -> float:
        return top + plot_h * (1 - min(max(v, 0.0), 1.0))

    body = [f'<text x="{width / 2}" y="16" text-anchor="middle" font-size="13" font-weight="bold">'
            f'月別推移（その月の在籍者に対する割合。点線は目標、縦線は年度の区切り）</text>']
    for v in (0, 0.25, 0.5, 0.75, 1.0):
        body.append(f'<line x1="{left}" y1="{y(v):.1f}" x2="{width - right}" y2="{y(v):.1f}" stroke="#e4e7eb"/>'
                    f'<text x="{left - 6}" y="{y(v) + 4:.1f}" text-anchor="end">{v * 100:.0f}%</text>')
    for i, m in enumerate(months):
        if m.month.endswith("-04") or i == 0:
            bx = x[i] - (step / 2 if i else 0)
            if i:
                body.append(f'<line class="fy-boundary" x1="{bx:.1f}" y1="{top - 4}" x2="{bx:.1f}" y2="{top + plot_h}" '
                            f'stroke="#52606d" stroke-dasharray="2 2"/>')
            body.append(f'<text x="{bx + 4:.1f}" y="{top + 10}" fill="#52606d">{escape(fy_label(m.fiscal_year))}</text>')
        body.append(f'<text x="{x[i]:.1f}" y="{top + plot_h + 14}" text-anchor="end" font-size="9" '
                    f'transform="rotate(-45 {x[i]:.1f} {top + plot_h + 14})">{m.month}</text>')
    for goal, colour in ((kpis.config.basic_completion_goal, BLUE), (kpis.config.use_goal, ORANGE)):
        body.append(f'<line x1="{left}" y1="{y(goal):.1f}" x2="{width - right}" y2="{y(goal):.1f}" stroke="{colour}" '
                    f'stroke-dasharray="1 3" stroke-width="1.5"/>')
    lines = [(f"{basic_title} 修了率", BLUE, [m.basic_rate for m in months])]
    if kpis.usage_known:
        lines.append(("AI利用率（その月に1回以上）", ORANGE, [m.use_rate for m in months]))
    for n, (name, colour, values) in enumerate(lines):
        points = " ".join(f"{x[i]:.1f},{y(v):.1f}" for i, v in enumerate(values))
        body.append(f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="2"/>')
        body += [f'<circle cx="{x[i]:.1f}" cy="{y(v):.1f}" r="2.5" fill="{colour}"/>' for i, v in enumerate(values)]
        body.append(f'<rect x="{left + n * 240}" y="24" width="10" height="10" fill="{colour}"/>'
                    f'<text x="{left + n * 240 + 14}" y="33">{escape(name)}</text>')
    return _svg(width, height, body, "月別推移")


def render_dashboard(records: Records, kpis: Kpis | None = None) -> str:
    """The dashboard HTML as a string."""
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    kpis = kpis or compute_kpis(records)
    env = Environment(loader=FileSystemLoader(TEMPLATE.parent), autoescape=select_autoescape(["html", "j2"]))
    latest = records.latest_submission()
    covered = {p.section_key for p in records.active() if records.covers(p)}
    uncovered = [s for s in records.summary(subtotals=False) if (s.bureau, s.division, s.section) not in covered]
    data = json.dumps(kpis.as_dict(), ensure_ascii=False).replace("</", "<\\/")
    basic_title = records.course.tracks[kpis.config.basic_track].title
    series = [(f"{basic_title} 修了率", BLUE)] + ([("AI利用率（年度内）", ORANGE)] if kpis.usage_known else [])
    bureau_rows = [(b.bureau, [b.basic_rate] + ([b.use_rate] if kpis.usage_known else []), f"{b.staff}人")
                   for b in kpis.bureaus]
    cover_series = [("修了者のいる課", GREEN)] + ([("AIを使った課", ORANGE)] if kpis.usage_known else [])
    cover_rows = [(b.bureau, [b.sections_covered / b.sections if b.sections else 0.0]
                   + ([b.sections_using / b.sections if b.sections else 0.0] if kpis.usage_known else []),
                   f"{b.sections_covered}/{b.sections}課") for b in kpis.bureaus]
    return env.get_template(TEMPLATE.name).render(
        course=records.course, k=kpis, cfg=kpis.config, fy=fy_label(kpis.fiscal_year),
        basic_title=basic_title, builder_title=records.course.tracks[kpis.config.builder_track].title,
        roster_date=records.roster_date or "（名簿未登録）", as_of=records.as_of,
        latest=latest.date().isoformat() if latest else "（提出なし）",
        charts={"trend": trend_chart(kpis, basic_title) if kpis.months else "",
                "bureau": bar_chart("局別 修了率・AI利用率", bureau_rows, series, kpis.config.basic_completion_goal),
                "coverage": bar_chart("局別 課のカバー率", cover_rows, cover_series, kpis.config.section_coverage_goal)},
        uncovered=uncovered, data_json=data,
        coverage_titles="・".join(records.course.tracks[t].title for t in records.coverage_tracks),
        track_roles=records.roles.track_roles)


def write_dashboard(records: Records, path: str | Path, kpis: Kpis | None = None) -> Path:
    """Write the dashboard atomically and owner-only (audited); returns the path."""
    kpis = kpis or compute_kpis(records)
    with owner_only():
        out = atomic_write_bytes(path, render_dashboard(records, kpis).encode("utf-8"))
        from aidojo.course.config import course_data_dir

        log_action("records.dashboard", {"file": Path(path).name, "as_of": kpis.day.isoformat(),
                                         "staff": kpis.staff, "basic_completed": kpis.basic_completed,
                                         "users": kpis.users}, data_dir=course_data_dir())
    return out
