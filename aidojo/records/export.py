"""HR exports: the completion list, the per-課 summary and the not-yet-completed list as xlsx, CSV or JSON.

CSV is "Excel-safe": UTF-8 with BOM, CRLF, and text cells starting with = + - @ (or a tab/CR) prefixed with '
so Excel never runs them as formulas. In xlsx such text is stored as a string cell (never a formula).
Every file is written to a temporary file and moved into place (nothing half-written).
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from aidojo.fileio import atomic_path
from aidojo.records.completion import Records

FORMATS = ("xlsx", "csv", "json")
TABLES = ("people", "summary", "not_completed")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class ExportError(ValueError):
    """A request that cannot be exported (Japanese message)."""


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    width: float = 12
    kind: str = "text"  # text | number | percent | date


@dataclass
class Table:
    title: str  # sheet name
    columns: list[Column]
    rows: list[dict[str, Any]]


def _day(when: datetime | None) -> date | None:
    return when.date() if when else None


def people_table(records: Records) -> Table:
    """One row per person: id, name, 局/部/課, each module's best score, result and date, each track, certificate."""
    cols = [Column("staff_id", "職員番号", 12), Column("name", "氏名", 16), Column("bureau", "所属局", 16),
            Column("division", "所属部", 16), Column("section", "所属課", 18), Column("role", "役職区分", 9),
            Column("status", "在籍状況", 9)]
    for mid, module in records.course.modules.items():
        full = records.max_scores.get(mid, 0)
        cols += [Column(f"{mid}_score", f"{mid} 得点（{full:g}点満点）", 11, "number"),
                 Column(f"{mid}_result", f"{mid} 判定", 8), Column(f"{mid}_date", f"{mid} 日付", 11, "date")]
    for tid, track in records.course.tracks.items():
        cols += [Column(f"{tid}_completed", f"{track.title} 修了", 12), Column(f"{tid}_date", f"{track.title} 修了日", 12, "date"),
                 Column(f"{tid}_certificate", f"{track.title} 修了証番号", 22)]
    rows = []
    for p in records.people:
        row: dict[str, Any] = {"staff_id": p.staff_id, "name": p.name, "bureau": p.bureau, "division": p.division,
                               "section": p.section, "role": p.role, "status": p.status}
        for mid, m in p.modules.items():
            row |= {f"{mid}_score": m.best_score, f"{mid}_result": m.state_ja, f"{mid}_date": _day(m.date)}
        for tid, t in p.tracks.items():
            row |= {f"{tid}_completed": "修了" if t.completed else "未修了", f"{tid}_date": _day(t.date),
                    f"{tid}_certificate": t.certificate or ""}
        rows.append(row)
    return Table("修了状況", cols, rows)


def summary_table(records: Records) -> Table:
    """Per 課: 在籍人数, basic-track completers and rate, builder-track completers, and a total row."""
    basic = records.course.tracks[records.basic_track].title
    builder = records.course.tracks[records.builder_track].title
    cols = [Column("bureau", "所属局", 16), Column("division", "所属部", 16), Column("section", "所属課", 18),
            Column("staff", "在籍人数", 10, "number"), Column("basic_completed", f"{basic} 修了者数", 14, "number"),
            Column("basic_rate", f"{basic} 修了率", 12, "percent"),
            Column("builder_completed", f"{builder} 修了者数", 18, "number")]
    summary = records.summary()
    rows = [{"bureau": s.bureau, "division": s.division, "section": s.section, "staff": s.staff,
             "basic_completed": s.basic_completed, "basic_rate": round(s.basic_rate, 4),
             "builder_completed": s.builder_completed} for s in summary]
    staff = sum(s.staff for s in summary)
    done = sum(s.basic_completed for s in summary)
    rows.append({"bureau": "合計", "division": "", "section": f"{len(summary)} 課", "staff": staff,
                 "basic_completed": done, "basic_rate": round(done / staff, 4) if staff else 0.0,
                 "builder_completed": sum(s.builder_completed for s in summary)})
    return Table("課別集計", cols, rows)


def not_completed_table(records: Records, track: str) -> Table:
    """Active staff who have not completed ``track`` and which modules they still need (for reminders)."""
    if track not in records.course.tracks:
        raise ExportError(f"コース「{track}」はありません。使えるコース: {', '.join(records.course.tracks)}")
    modules = records.course.tracks[track].modules
    cols = [Column("staff_id", "職員番号", 12), Column("name", "氏名", 16), Column("bureau", "所属局", 16),
            Column("division", "所属部", 16), Column("section", "所属課", 18), Column("role", "役職区分", 9),
            Column("passed", "合格済み単元", 12), Column("missing", "未修了の単元", 60)]
    rows = []
    for entry in records.not_completed(track):
        p = entry.person
        missing = []
        for m in entry.missing:
            title = records.course.modules[m.module].title
            detail = "未提出" if not m.submitted else f"不合格 {m.best_score:g}/{m.max_score:g}点"
            missing.append(f"{m.module} {title}（{detail}）")
        rows.append({"staff_id": p.staff_id, "name": p.name, "bureau": p.bureau, "division": p.division,
                     "section": p.section, "role": p.role,
                     "passed": f"{len(modules) - len(entry.missing)}/{len(modules)}", "missing": "、".join(missing)})
    return Table(f"未修了者_{track}"[:31], cols, rows)


def excel_safe(value: Any) -> Any:
    """Prefix text that Excel would treat as a formula with an apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def _csv_value(value: Any, kind: str) -> str:
    if value is None:
        return ""
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if kind == "percent" and isinstance(value, (int, float)):
        return f"{value * 100:.1f}%"
    if isinstance(value, float):
        return f"{value:g}"
    return excel_safe(str(value))


def _write_csv(table: Table, path: Path) -> None:
    with atomic_path(path) as tmp:
        with open(tmp, "w", encoding="utf-8-sig", newline="") as f:
            writer = csv.writer(f, lineterminator="\r\n")
            writer.writerow([excel_safe(c.header) for c in table.columns])
            for row in table.rows:
                writer.writerow([_csv_value(row.get(c.key), c.kind) for c in table.columns])


def _json_value(value: Any) -> Any:
    return value.isoformat() if isinstance(value, (date, datetime)) else value


def _write_json(table: Table, path: Path) -> None:
    doc = {"table": table.title, "columns": {c.key: c.header for c in table.columns},
           "rows": [{c.key: _json_value(row.get(c.key)) for c in table.columns} for row in table.rows]}
    with atomic_path(path) as tmp:
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump(doc, f, ensure_ascii=False, indent=1)
            f.write("\n")


def _write_xlsx(tables: list[Table], path: Path) -> None:
    """openpyxl write-only mode (fast, low memory for 10,000 rows): bold frozen header, widths, autofilter."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    wb = Workbook(write_only=True)
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")
    wrap = Alignment(wrap_text=True, vertical="center")
    for table in tables:
        ws = wb.create_sheet(table.title)
        for i, col in enumerate(table.columns, start=1):
            ws.column_dimensions[get_column_letter(i)].width = col.width
        ws.freeze_panes = "C2" if table.columns[0].key == "staff_id" else "A2"
        last = get_column_letter(len(table.columns))
        ws.auto_filter.ref = f"A1:{last}{len(table.rows) + 1}"
        header = []
        for col in table.columns:
            cell = WriteOnlyCell(ws, value=col.header)
            cell.font, cell.fill, cell.alignment = bold, fill, wrap
            header.append(cell)
        ws.append(header)
        for row in table.rows:
            out = []
            for col in table.columns:
                value = row.get(col.key)
                if isinstance(value, str) and value.startswith("="):
                    cell = WriteOnlyCell(ws, value=value)
                    cell.data_type = "s"  # text that looks like a formula stays text
                    out.append(cell)
                elif col.kind == "percent" and value is not None:
                    cell = WriteOnlyCell(ws, value=value)
                    cell.number_format = "0.0%"
                    out.append(cell)
                else:
                    out.append(value)
            ws.append(out)
    with atomic_path(path, suffix=".xlsx") as tmp:
        wb.save(tmp)


def build_table(records: Records, table: str = "people", track: str | None = None) -> Table:
    if table == "people":
        return people_table(records)
    if table == "summary":
        return summary_table(records)
    if table == "not_completed":
        return not_completed_table(records, track or records.basic_track)
    raise ExportError(f"出力の種類「{table}」はありません（{', '.join(TABLES)}）。")


def export_records(records: Records, path: str | Path, fmt: str | None = None, *, table: str = "people",
                   track: str | None = None) -> Path:
    """Write one table (people | summary | not_completed for ``track``) as xlsx, csv or json; returns the path."""
    path = Path(path)
    fmt = (fmt or path.suffix.lstrip(".")).lower()
    if fmt not in FORMATS:
        raise ExportError(f"形式「{fmt}」には対応していません。xlsx、csv、json のいずれかを指定してください。")
    data = build_table(records, table, track)
    if fmt == "xlsx":
        _write_xlsx([data], path)
    elif fmt == "csv":
        _write_csv(data, path)
    else:
        _write_json(data, path)
    return path
