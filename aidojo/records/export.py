"""HR exports: the completion list (一覧), the per-課 summary with 部・局 subtotals (課別集計), the 役職 breakdown
(役職別集計), the not-yet-completed list (未修了者) and the long-format training history (研修履歴), as xlsx,
CSV or JSON.

One xlsx holds 一覧, 課別集計, 役職別集計 and 未修了者, each sheet captioned with the 年度 and the date it stands at.
CSV is "Excel-safe": UTF-8 with BOM (or cp932 for systems that need Shift_JIS, characters it lacks become 〓 and
are reported), CRLF, and text cells starting with = + - @ (or a tab/CR) prefixed with ' so Excel never runs them
as formulas. ``columns`` leaves groups of columns out (e.g. scores or names). Every file is written owner-only
and atomically (nothing half-written), and each export is recorded in the audit log.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime
from pathlib import Path
from typing import Any

from aidojo.fileio import atomic_write_bytes
from aidojo.records.audit import log_action, owner_only
from aidojo.records.completion import Records
from aidojo.records.fiscal import fiscal_year, fy_label, today_jst
from aidojo.records.xlsx import Column, Table, write_xlsx

FORMATS = ("xlsx", "csv", "json")
TABLES = ("people", "summary", "roles", "not_completed", "history")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
GROUPS = {
    "id": "職員番号", "name": "氏名", "org": "所属（局・部・課）", "role": "役職・役職区分", "status": "在籍状況",
    "scores": "得点", "results": "判定", "dates": "合格日・提出日", "attempts": "提出回数", "tracks": "コースの修了",
    "certificates": "修了証番号",
}
ENCODINGS = {"utf-8": "utf-8-sig", "utf8": "utf-8-sig", "utf-8-sig": "utf-8-sig", "cp932": "cp932",
             "shift_jis": "cp932", "sjis": "cp932", "shift-jis": "cp932"}
# Characters whose Unicode form differs between JIS and Windows (the 〜 problem), mapped to what cp932 has.
_CP932_FIX = str.maketrans({"〜": "～", "−": "－", "‖": "∥", "¢": "￠", "£": "￡", "¬": "￢", "—": "―"})
GETA = "〓"


class ExportError(ValueError):
    """A request that cannot be exported (Japanese message)."""


def parse_columns(spec: str | None) -> set[str] | None:
    """``"-scores,-name"`` (leave out) or ``"id,org,tracks"`` (only these) → the groups to keep; None: all."""
    if not spec:
        return None
    parts = [p.strip() for p in spec.split(",") if p.strip()]
    unknown = [p for p in parts if p.lstrip("-") not in GROUPS]
    if unknown:
        choices = "、".join(f"{k}（{v}）" for k, v in GROUPS.items())
        raise ExportError(f"--columns の「{'、'.join(unknown)}」はありません。使えるのは: {choices}。外すときは -scores のように - を付けます。")
    drop = {p[1:] for p in parts if p.startswith("-")}
    keep = {p for p in parts if not p.startswith("-")}
    if keep and drop:
        raise ExportError("--columns は「残す列」（id,org）か「外す列」（-scores,-name）のどちらかで指定してください。")
    groups = (keep | {"id"}) if keep else set(GROUPS) - drop
    if "id" not in groups:
        raise ExportError("職員番号（id）は外せません（名簿や他のシステムと突き合わせるための番号です）。")
    return groups


def _pick(columns: list[Column], groups: set[str] | None) -> list[Column]:
    return [c for c in columns if groups is None or not c.group or c.group in groups]


def _day(when: datetime | None) -> date | None:
    return when.date() if when else None


def _basis(records: Records) -> str:
    day = records.as_of or today_jst()
    kind = f"基準日 {day.isoformat()}" if records.as_of else f"{day.isoformat()} 現在"
    return f"{fy_label(fiscal_year(day))} ／ {kind} ／ 名簿の基準日 {records.roster_date or '（未登録）'}"


def _person_columns() -> list[Column]:
    return [Column("staff_id", "職員番号", 12, group="id"), Column("name", "氏名", 16, group="name"),
            Column("bureau", "所属局", 16, group="org"), Column("division", "所属部", 16, group="org"),
            Column("section", "所属課", 18, group="org"), Column("title", "役職", 12, group="role"),
            Column("role", "役職区分", 9, group="role")]


def _person_values(p) -> dict[str, Any]:
    return {"staff_id": p.staff_id, "name": p.name, "bureau": p.bureau, "division": p.division, "section": p.section,
            "title": p.title or p.role, "role": p.role, "status": p.status}


def people_table(records: Records, groups: set[str] | None = None) -> Table:
    """一覧: one row per person with each module's best score, result, first pass date and attempts, each track."""
    cols = _person_columns() + [Column("status", "在籍状況", 9, group="status")]
    for mid in records.course.modules:
        full = records.max_scores.get(mid, 0)
        cols += [Column(f"{mid}_score", f"{mid} 最高点（{full:g}点満点）", 11, "number", "scores"),
                 Column(f"{mid}_result", f"{mid} 判定", 8, group="results"),
                 Column(f"{mid}_date", f"{mid} 合格日", 11, "date", "dates"),
                 Column(f"{mid}_attempts", f"{mid} 提出回数", 8, "number", "attempts")]
    for tid, track in records.course.tracks.items():
        cols += [Column(f"{tid}_completed", f"{track.title} 修了", 12, group="tracks"),
                 Column(f"{tid}_date", f"{track.title} 修了日", 12, "date", "tracks"),
                 Column(f"{tid}_certificate", f"{track.title} 修了証番号", 22, group="certificates")]
    rows = []
    for p in records.people:
        row = _person_values(p)
        for mid, m in p.modules.items():
            row |= {f"{mid}_score": m.best_score, f"{mid}_result": m.state_ja, f"{mid}_date": _day(m.first_pass),
                    f"{mid}_attempts": m.attempts}
        for tid, t in p.tracks.items():
            row |= {f"{tid}_completed": t.state_ja, f"{tid}_date": _day(t.date), f"{tid}_certificate": t.certificate or ""}
        rows.append(row)
    return Table("一覧", _pick(cols, groups), rows, f"{records.course.title} 修了状況一覧 ／ {_basis(records)}")


def summary_table(records: Records) -> Table:
    """課別集計: per 課 with 部・局 subtotals and the total: 在籍人数, completers and rate for every track (a track for
    some role classes only — the executive track — also shows how many staff it is for, its rate's denominator),
    and the 課 covered by a completer of the coverage tracks (as on the dashboard)."""
    cols = [Column("level", "区分", 7), Column("bureau", "所属局", 16), Column("division", "所属部", 16),
            Column("section", "所属課", 18), Column("staff", "在籍人数", 10, "number")]
    limited = {t for t in records.course.tracks if records.roles.track_roles.get(t)}
    for tid, track in records.course.tracks.items():
        if tid in limited:
            who = "・".join(records.roles.track_roles[tid])
            cols.append(Column(f"{tid}_eligible", f"{track.title} 対象者数（{who}）", 14, "number"))
        cols += [Column(f"{tid}_completed", f"{track.title} 修了者数", 14, "number"),
                 Column(f"{tid}_rate", f"{track.title} 修了率", 12, "percent")]
    covering = "・".join(records.course.tracks[t].title for t in records.coverage_tracks)
    cols.append(Column("covered", f"修了者のいる課（{covering}）", 16))
    rows, bold = [], set()
    for s in records.summary():
        row = {"level": s.level, "bureau": s.bureau, "division": s.division, "section": s.section, "staff": s.staff,
               "covered": f"{s.sections_covered}/{s.sections}"}
        for tid in records.course.tracks:
            row |= {f"{tid}_completed": s.completed[tid], f"{tid}_rate": round(s.rate(tid), 4),
                    f"{tid}_eligible": s.eligible.get(tid, s.staff)}
        if s.level != "課":
            bold.add(len(rows))
        rows.append(row)
    return Table("課別集計", cols, rows, f"{records.course.title} 課別集計（在籍者） ／ {_basis(records)}", bold)


def roles_table(records: Records) -> Table:
    """役職別集計: per role class and 役職 (active staff)."""
    cols = [Column("role", "役職区分", 9), Column("title", "役職", 16), Column("staff", "在籍人数", 10, "number")]
    for tid, track in records.course.tracks.items():
        cols += [Column(f"{tid}_completed", f"{track.title} 修了者数", 14, "number"),
                 Column(f"{tid}_rate", f"{track.title} 修了率", 12, "percent")]
    rows, bold = [], set()
    by_class: dict[str, list] = {}
    for r in records.by_role():
        by_class.setdefault(r.role, []).append(r)
    def rate(done: int, base: int) -> float | None:  # None (an empty cell): the track is not for these staff
        return round(done / base, 4) if base else None

    for role, items in by_class.items():
        for r in items:
            rows.append({"role": r.role, "title": r.title, "staff": r.staff,
                         **{f"{t}_completed": r.completed[t] for t in records.course.tracks},
                         **{f"{t}_rate": rate(r.completed[t], r.eligible.get(t, r.staff)) for t in records.course.tracks}})
        staff = sum(r.staff for r in items)
        bold.add(len(rows))
        rows.append({"role": role, "title": "計", "staff": staff,
                     **{f"{t}_completed": sum(r.completed[t] for r in items) for t in records.course.tracks},
                     **{f"{t}_rate": rate(sum(r.completed[t] for r in items), sum(r.eligible.get(t, r.staff) for r in items))
                        for t in records.course.tracks}})
    return Table("役職別集計", cols, rows, f"{records.course.title} 役職別集計（在籍者） ／ {_basis(records)}", bold)


def not_completed_table(records: Records, track: str, groups: set[str] | None = None) -> Table:
    """未修了者: active staff the track is for who have not completed it, and the modules they still need."""
    if track not in records.course.tracks:
        raise ExportError(f"コース「{track}」はありません。使えるコース: {', '.join(records.course.tracks)}")
    info = records.course.tracks[track]
    cols = _person_columns() + [Column("passed", "合格済み単元", 12, group="results"),
                                Column("missing", "未修了の単元", 60, group="results")]
    rows = []
    for entry in records.not_completed(track):
        missing = []
        for m in entry.missing:
            title = records.course.modules[m.module].title
            detail = "未提出" if not m.submitted else f"不合格 最高 {m.best_score:g}/{m.max_score:g}点・{m.attempts}回提出"
            missing.append(f"{m.module} {title}（{detail}）")
        rows.append(_person_values(entry.person) | {
            "passed": f"{len(info.modules) - len(entry.missing)}/{len(info.modules)}", "missing": "、".join(missing)})
    return Table("未修了者", _pick(cols, groups), rows,
                 f"{info.title} 未修了者（在籍者） ／ {_basis(records)}")


def history_table(records: Records, fiscal: int | None = None, groups: set[str] | None = None) -> Table:
    """研修履歴 (long format for 人事給与・庶務事務 systems): one row per person × course they took part in.

    The 所属 is the one at completion (else the current one). With ``fiscal``: rows completed in that 年度, and
    rows still in progress with an attempt in it.
    """
    cols = [Column("staff_id", "職員番号", 12, group="id"), Column("name", "氏名", 16, group="name"),
            Column("bureau", "所属局", 16, group="org"), Column("division", "所属部", 16, group="org"),
            Column("section", "所属課", 18, group="org"), Column("title", "役職", 12, group="role"),
            Column("course_code", "研修コード", 12), Column("course", "研修名", 28),
            Column("started", "受講開始日", 12, "date", "dates"), Column("completed_on", "修了日", 12, "date", "tracks"),
            Column("state", "修了区分", 9, group="tracks"), Column("passed", "合格単元数", 10, group="results"),
            Column("fiscal_year", "年度", 8, "number", "tracks"),
            Column("certificate", "修了証番号", 22, group="certificates")]
    rows = []
    for p in records.people:
        for tid, info in records.course.tracks.items():
            t = p.tracks[tid]
            mods = [p.modules[m] for m in info.modules]
            tried = [m.date for m in mods if m.submitted and m.date]
            if not tried or not t.eligible:
                continue
            started = min(tried)
            last = max(m.last_attempt for m in mods if m.last_attempt)
            if fiscal is not None:
                if t.completed and fiscal_year(t.date) != fiscal:
                    continue
                if not t.completed and fiscal_year(last) != fiscal:
                    continue
            placed = t.placed
            where = placed if placed else p
            rows.append({"staff_id": p.staff_id, "name": p.name, "bureau": where.bureau, "division": where.division,
                         "section": where.section, "title": (where.title or where.role),
                         "course_code": f"{records.course.id}-{tid}", "course": f"{records.course.title} {info.title}",
                         "started": started.date(), "completed_on": _day(t.date), "state": "修了" if t.completed else "受講中",
                         "passed": f"{sum(m.passed for m in mods)}/{len(mods)}",
                         "fiscal_year": fiscal_year(t.date) if t.completed else None, "certificate": t.certificate or ""})
    label = f"{fy_label(fiscal)} " if fiscal is not None else ""
    return Table("研修履歴", _pick(cols, groups), rows, f"{records.course.title} 研修履歴 {label}／ {_basis(records)}")


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


def _encode(text: str, encoding: str, table: Table, replaced: list[str]) -> bytes:
    if encoding != "cp932":
        return text.encode(encoding)
    text = text.translate(_CP932_FIX)
    try:
        return text.encode("cp932")
    except UnicodeEncodeError:
        pass
    out = []
    for line_no, line in enumerate(text.split("\r\n"), start=1):
        try:
            out.append(line.encode("cp932"))
        except UnicodeEncodeError:
            bad = sorted({ch for ch in line if not _encodable(ch)})
            replaced.append(f"{line_no} 行目（{line.split(',', 1)[0]}）: 「{'」「'.join(bad)}」を {GETA} にしました")
            out.append("".join(ch if _encodable(ch) else GETA for ch in line).encode("cp932"))
    return b"\r\n".join(out)


def _encodable(ch: str) -> bool:
    try:
        ch.encode("cp932")
        return True
    except UnicodeEncodeError:
        return False


def _csv_bytes(table: Table, encoding: str, replaced: list[str]) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow([excel_safe(c.header) for c in table.columns])
    for row in table.rows:
        writer.writerow([_csv_value(row.get(c.key), c.kind) for c in table.columns])
    return _encode(buf.getvalue(), encoding, table, replaced)


def _json_value(value: Any) -> Any:
    return value.isoformat() if isinstance(value, (date, datetime)) else value


def _json_bytes(tables: list[Table], records: Records) -> bytes:
    docs = [{"table": t.title, "caption": t.caption, "columns": {c.key: c.header for c in t.columns},
             "rows": [{c.key: _json_value(row.get(c.key)) for c in t.columns} for row in t.rows]} for t in tables]
    doc = docs[0] if len(docs) == 1 else {"tables": docs}
    return (json.dumps(doc, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def build_tables(records: Records, table: str = "people", track: str | None = None, *, fmt: str = "csv",
                 groups: set[str] | None = None, fiscal: int | None = None) -> list[Table]:
    """The tables an export writes: xlsx ``people`` is the whole workbook; every other case one table."""
    track = track or records.basic_track
    if table == "people":
        if fmt == "xlsx":
            return [people_table(records, groups), summary_table(records), roles_table(records),
                    not_completed_table(records, track, groups)]
        return [people_table(records, groups)]
    if table == "summary":
        return [summary_table(records), roles_table(records)] if fmt == "xlsx" else [summary_table(records)]
    if table == "roles":
        return [roles_table(records)]
    if table == "not_completed":
        return [not_completed_table(records, track, groups)]
    if table == "history":
        return [history_table(records, fiscal, groups)]
    raise ExportError(f"出力の種類「{table}」はありません（{', '.join(TABLES)}）。")


def build_table(records: Records, table: str = "people", track: str | None = None) -> Table:
    return build_tables(records, table, track)[0]


def export_records(records: Records, path: str | Path, fmt: str | None = None, *, table: str = "people",
                   track: str | None = None, columns: str | set[str] | None = None, encoding: str | None = None,
                   fiscal: int | None = None, replaced: list[str] | None = None) -> Path:
    """Write an export (see the module docstring) owner-only and atomically; returns the path.

    ``replaced`` collects the rows where cp932 lacked a character (written as 〓).
    """
    path = Path(path)
    fmt = (fmt or path.suffix.lstrip(".")).lower()
    if fmt not in FORMATS:
        raise ExportError(f"形式「{fmt}」には対応していません。xlsx、csv、json のいずれかを指定してください。")
    enc = ENCODINGS.get((encoding or "utf-8").lower())
    if enc is None:
        raise ExportError(f"文字コード「{encoding}」には対応していません。utf-8 か cp932（Shift_JIS）を指定してください。")
    if enc != "utf-8-sig" and fmt != "csv":
        raise ExportError("--encoding は CSV のときだけ指定できます（xlsx と json は常に UTF-8 です）。")
    groups = parse_columns(columns) if isinstance(columns, str) or columns is None else columns
    tables = build_tables(records, table, track, fmt=fmt, groups=groups, fiscal=fiscal)
    replaced = replaced if replaced is not None else []
    with owner_only():
        if fmt == "xlsx":
            write_xlsx(tables, path, title=tables[0].caption)
        elif fmt == "csv":
            atomic_write_bytes(path, _csv_bytes(tables[0], enc, replaced))
        else:
            atomic_write_bytes(path, _json_bytes(tables, records))
        log_action("records.export", {"file": path.name, "format": fmt, "table": table, "track": track,
                                      "as_of": records.as_of.isoformat() if records.as_of else None,
                                      "fiscal_year": fiscal, "columns": sorted(groups) if groups else "all",
                                      "encoding": enc, "rows": {t.title: len(t.rows) for t in tables},
                                      "replaced": len(replaced)}, data_dir=_data_dir())
    return path


def _data_dir() -> Path:
    from aidojo.course.config import course_data_dir

    return course_data_dir()
