"""Read and validate HR's staff list (CSV in UTF-8 / UTF-8 BOM / cp932 / EUC-JP, or .xlsx) into StaffRow objects.

The kind of file comes from its bytes, not its name (an .xlsx saved as ``名簿.csv`` is read as Excel); the text
encoding is detected honestly (:mod:`aidojo.records.textfile`); ids follow the one 職員番号 rule
(:mod:`aidojo.text.staff_id`), numbers in Excel cells read through their number format; half-width kana become
full-width. Columns are found by their headers (:mod:`aidojo.records.roster_columns`). The 役職 column holds the
title (課長, 主事 …), mapped to the role class through grader/course.toml ``[roles]`` (:mod:`aidojo.records.roles`);
a 役職区分 column, when there is one, is the class. Every problem in the file is collected first (with its row and
column); the caller writes nothing unless the list is empty. What was read in a way HR should know about (a column
left unused, a 役職区分 that differs from the mapping) is returned as notes.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from aidojo.records.roles import RoleMap, load_roles
from aidojo.records.roster_columns import ALIASES, BY_KEY, ColumnMap, map_columns, norm_header
from aidojo.records.textfile import FileKindError, decode_text, file_kind, fullwidth_kana
from aidojo.text.staff_id import StaffIdError, staff_id_from_cell

MAX_SHOWN = 30
REQUIRED_VALUES = ("staff_id", "name", "bureau", "section")


@dataclass(frozen=True)
class StaffRow:
    """One person as read from the roster file (``row`` is the 1-based line/row in the file)."""

    staff_id: str
    name: str
    bureau: str
    division: str
    section: str
    role: str  # role class (幹部 / 一般)
    row: int = 0
    title: str = ""  # the real 役職 (課長, 主事 …); the class itself when the file had only 役職区分

    def key(self) -> tuple[str, str, str, str, str]:
        """Everything except the id, row and title, for change detection (title compared separately)."""
        return (self.name, self.bureau, self.division, self.section, self.role)


@dataclass(frozen=True)
class Problem:
    """One problem in a roster file: where (row, column; 0/"" when the whole file) and what, in Japanese."""

    file: str
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file} の {self.row} 行目" if self.row else self.file
        if self.column and self.row:
            where += f"（{self.column}）"
        return f"{where}: {self.message}"


class RosterError(ValueError):
    """A roster file that cannot be imported; ``problems`` lists each one in Japanese (``details``: structured)."""

    def __init__(self, problems: list[str | Problem]):
        self.details = [p if isinstance(p, Problem) else Problem("", 0, "", p) for p in problems]
        self.problems = [str(p) if isinstance(p, Problem) else p for p in problems]
        shown = self.problems[:MAX_SHOWN]
        more = len(self.problems) - len(shown)
        lines = ["名簿を取り込めませんでした。名簿は変更していません。", *[f"- {p}" for p in shown]]
        if more > 0:
            lines.append(f"- ほか {more} 件（全件は --errors FILE で書き出せます）")
        super().__init__("\n".join(lines))


def _cell_text(value: object) -> str:
    """A cell as text: Excel numbers without '.0', surrounding (also full-width) spaces removed."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if hasattr(value, "isoformat"):
        value = value.isoformat()
    return str(value).strip().strip("\u3000").strip()


def clean_name(text: str) -> str:
    """A person's name: half-width kana made full-width, any run of spaces one half-width space (kanji untouched)."""
    return re.sub(r"[ \t\u3000]+", " ", fullwidth_kana(text)).strip()


def clean_label(text: str) -> str:
    """An organisation label or title: NFKC (full-width letters, half-width kana), spaces collapsed."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text)).strip()


Cell = tuple[object, str | None]  # (raw value, number format) — CSV cells are (text, None)


def _csv_rows(data: bytes, label: str) -> tuple[list[tuple[int, list[Cell]]], str]:
    decoded = decode_text(data, label)
    text = decoded.text
    if "\x00" in text:
        raise RosterError([f"{label}: CSV ではないバイナリファイルのようです。CSV か Excel（.xlsx）の名簿を指定してください。"])
    sample = text[:4096]
    delimiter = "\t" if sample.count("\t") > sample.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows = []
    try:
        for cells in reader:
            rows.append((reader.line_num, [(c, None) for c in cells]))
    except csv.Error as exc:
        raise RosterError([f"{label} の {reader.line_num} 行目: CSV の形式が正しくありません（{exc}）。"]) from None
    return rows, decoded.encoding


def _xlsx_rows(data: bytes, label: str) -> tuple[list[tuple[int, list[Cell]]], str]:
    """The first sheet that has a header row (a title row above it, merged or not, is fine)."""
    from zipfile import BadZipFile

    import openpyxl

    try:  # from bytes: openpyxl refuses a path whose extension is not .xlsx
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (BadZipFile, KeyError, OSError, ValueError, TypeError) as exc:
        raise RosterError([f"{label}: Excel（.xlsx）ファイルとして開けません（{type(exc).__name__}）。"
                           "ファイルが壊れていないか、パスワード保護されていないか確認してください。"]) from None
    try:
        sheets = []
        for ws in wb.worksheets:
            rows = []
            for index, cells in enumerate(ws.iter_rows(), start=1):
                rows.append((index, [(c.value, getattr(c, "number_format", None)) for c in cells]))
            if _header_index(rows) is not None:
                return rows, f"Excel（シート「{ws.title}」）"
            sheets.append(rows)
        return (sheets[0] if sheets else []), "Excel"
    finally:
        wb.close()


def _header_index(rows: list[tuple[int, list[Cell]]]) -> int | None:
    """Index of the first of the top non-empty rows naming ≥ 3 known columns (title lines above are skipped)."""
    seen = 0
    for i, (_, cells) in enumerate(rows):
        if not any(_cell_text(v) for v, _ in cells):
            continue
        if sum(norm_header(_cell_text(v)) in ALIASES for v, _ in cells) >= 3:
            return i
        seen += 1
        if seen >= 10:
            break
    return None


def read_roster_file(path: str | Path, roles: RoleMap | None = None) -> list[StaffRow]:
    """Parse and validate a roster file; raise RosterError listing every problem (file, row, column, what)."""
    return read_roster(path, roles)[0]


def read_roster(path: str | Path, roles: RoleMap | None = None,
                notes: list[str] | None = None) -> tuple[list[StaffRow], str]:
    """(rows, what the file was read as) — see :func:`read_roster_file`; ``notes`` collects what HR should know."""
    path = Path(path)
    label = path.name
    if not path.is_file():
        raise RosterError([f"{path}: ファイルが見つかりません。"])
    data = path.read_bytes()
    if not data.strip():
        raise RosterError([f"{label}: ファイルが空です。"])
    try:
        kind = file_kind(data, label)
        rows, read_as = _xlsx_rows(data, label) if kind == "xlsx" else _csv_rows(data, label)
    except FileKindError as exc:
        raise RosterError([str(exc)]) from None
    return validate_rows(rows, label, roles or load_roles(), notes), read_as


def _rows_text(rows: list[int], limit: int = 10) -> str:
    shown = ", ".join(map(str, rows[:limit]))
    return f"{shown} 行目" + (f" ほか {len(rows) - limit} 行" if len(rows) > limit else "")


def _role_values_unused(columns: ColumnMap, body: list[tuple[int, list[Cell]]], roles: RoleMap) -> bool:
    """A column headed only 区分 / role next to a 役職 column, none of whose values is a class: not the class column
    (雇用区分 and the like); it is left alone."""
    if "role" not in columns.columns or "title" not in columns.columns:
        return False
    if norm_header(columns.header_of("role")) == norm_header(BY_KEY["role"].header):
        return False
    col = columns.columns["role"]
    values = {clean_label(_cell_text(cells[col][0])) for _, cells in body if col < len(cells)} - {""}
    return bool(values) and not any(roles.class_name(v) for v in values)


def validate_rows(rows: list[tuple[int, list[Cell]]], label: str, roles: RoleMap | None = None,
                  notes: list[str] | None = None) -> list[StaffRow]:
    """Header mapping and per-row checks (ids, empty fields, duplicates, titles and classes) — all problems at once."""
    roles = roles or load_roles()
    notes = notes if notes is not None else []
    rows = [(n, cells) for n, cells in rows if any(_cell_text(v) for v, _ in cells)]
    if not rows:
        raise RosterError([f"{label}: 見出し行もデータ行もありません。"])
    start = _header_index(rows) or 0
    rows = rows[start:]
    header_row, header_cells = rows[0]
    mapped = map_columns([_cell_text(v) for v, _ in header_cells])
    if mapped.problems:
        raise RosterError([Problem(label, header_row, "見出し", p) for p in mapped.problems])
    if len(rows) == 1:
        raise RosterError([f"{label}: 見出し行だけで、職員のデータ行がありません。"])
    notes.extend(f"{label}: {n}" for n in mapped.notes)
    if _role_values_unused(mapped, rows[1:], roles):
        notes.append(f"{label}: {mapped.describe('role')}には {'・'.join(roles.classes)} の値がないため、役職区分としては使わず、"
                     f"役職（{mapped.describe('title')}）から役職区分を決めました。")
        del mapped.columns["role"]
    columns = mapped.columns
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    unknown_titles: dict[str, list[int]] = {}  # no class given and the title maps to none
    bad_classes: dict[str, list[int]] = {}  # a 役職区分 value that is no class (next to a 役職 column)
    differ: dict[tuple[str, str, str], list[int]] = {}  # (title, class given, class by the mapping) -> rows
    out: list[StaffRow] = []
    for number, cells in rows[1:]:
        raw = {f: (cells[i] if i < len(cells) else (None, None)) for f, i in columns.items()}
        values = {f: _cell_text(v) for f, (v, _) in raw.items()}
        row_problems: list[Problem] = []
        for field in REQUIRED_VALUES:
            if not values.get(field):
                header = BY_KEY[field].header
                row_problems.append(Problem(label, number, header, f"{header}が空です。"))
        staff_id = ""
        if values.get("staff_id"):
            value, number_format = raw["staff_id"]
            try:
                staff_id = staff_id_from_cell(value, number_format)
            except StaffIdError as exc:
                row_problems.append(Problem(label, number, "職員番号", str(exc)))
        title = clean_label(values.get("title", ""))
        given = clean_label(values.get("role", ""))
        role = None
        if given:  # a class (幹部), or a term the mapping knows (管理職, 課長級)
            role = roles.classify(given)
            if "title" not in columns:  # the only column there is: it may hold titles (課長)
                title = "" if roles.class_name(given) else given
                if role is None:
                    unknown_titles.setdefault(given, []).append(number)
            elif role is None:
                bad_classes.setdefault(given, []).append(number)
            elif title:
                expected = roles.classify(title)
                if expected is not None and expected != role:
                    differ.setdefault((title, role, expected), []).append(number)
        elif title:
            role = roles.classify(title)
            if role is None:
                unknown_titles.setdefault(title, []).append(number)
        else:
            row_problems.append(Problem(label, number, "役職", "役職が空です。" if "title" in columns else "役職区分が空です。"))
        if staff_id and staff_id in seen:
            row_problems.append(Problem(label, number, "職員番号", f"職員番号 {staff_id} が重複しています（{seen[staff_id]} 行目と同じ）。"))
        elif staff_id:
            seen[staff_id] = number
        if row_problems:
            problems.extend(row_problems)
            continue
        if role is None:
            continue  # an unknown title or class: reported once for all rows below
        out.append(StaffRow(staff_id, clean_name(values["name"]), clean_label(values["bureau"]),
                            clean_label(values.get("division", "")), clean_label(values["section"]), role, number,
                            title or role))
    classes = "・".join(roles.classes)
    if bad_classes:
        listed = "、".join(f"「{v}」（{len(rs)} 人: {_rows_text(rs, 5)}）" for v, rs in _by_count(bad_classes))
        rename = ("" if norm_header(mapped.header_of("role")) == norm_header(BY_KEY["role"].header) else
                  f"この列が幹部・一般の区分でないなら、見出しを「{mapped.header_of('role')}」以外（例:「雇用区分」）に変えてください"
                  "（役職の列から区分を決めます）。")
        problems.insert(0, Problem(label, 0, "役職区分",
                                   f"役職区分の列（{mapped.describe('role')}）に {classes} のどれでもない値が "
                                   f"{len(bad_classes)} 種類（{sum(map(len, bad_classes.values()))} 人）あります: {listed}。"
                                   f"値を {classes} のどれかにするか、空欄にしてください（空欄の行は役職から決めます）。{rename}"))
    if unknown_titles:
        listed = "、".join(f"「{t}」（{len(rs)} 人: {_rows_text(rs, 5)}）" for t, rs in _by_count(unknown_titles))
        fix = ("役職区分の列を加えてください" if "role" not in columns else "その行の役職区分の列に幹部か一般を入れてください")
        problems.insert(0, Problem(label, 0, "役職",
                                   f"役職区分（{classes}）が決まらない役職が {len(unknown_titles)} 種類"
                                   f"（{sum(map(len, unknown_titles.values()))} 人）あります: {listed}。"
                                   f"grader/course.toml の [roles.titles] に追加するか、{fix}。"))
    if problems:
        raise RosterError(problems)
    if differ:
        listed = "、".join(f"「{t}」を{given}としている {_rows_text(rs)}（対応表では{expected}）"
                          for (t, given, expected), rs in sorted(differ.items(), key=lambda kv: kv[1][0]))
        notes.append(f"{label}: 役職区分の列と、役職から [roles] の対応表で決まる区分が違う行が {sum(map(len, differ.values()))} 行"
                     f"あります。役職区分の列のとおりに取り込みました: {listed}。役職区分の列が誤りなら名簿を直して取り込み直し、"
                     "対応表が実情と違うなら grader/course.toml の [roles.titles] を直してください。")
    return out


def _by_count(groups: dict[str, list[int]]) -> list[tuple[str, list[int]]]:
    return sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0]))
