"""Read and validate HR's staff list (CSV in UTF-8 / UTF-8 BOM / cp932 / EUC-JP, or .xlsx) into StaffRow objects.

The kind of file comes from its bytes, not its name (an .xlsx saved as ``名簿.csv`` is read as Excel); the text
encoding is detected honestly (:mod:`aidojo.records.textfile`); ids follow the one 職員番号 rule
(:mod:`aidojo.text.staff_id`), numbers in Excel cells read through their number format; half-width kana become
full-width; real 役職 titles map to role classes (:mod:`aidojo.records.roles`). Every problem in the file is
collected first (with its row and column); the caller writes nothing unless the list is empty.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from aidojo.records.roles import RoleMap, load_roles
from aidojo.records.textfile import FileKindError, decode_text, file_kind, fullwidth_kana
from aidojo.text.staff_id import StaffIdError, staff_id_from_cell

MAX_SHOWN = 30

# canonical field -> (Japanese header, accepted aliases after normalisation)
FIELDS: dict[str, tuple[str, tuple[str, ...]]] = {
    "staff_id": ("職員番号", ("職員番号", "職員id", "職員コード", "職員no", "staff_id", "staffid", "id")),
    "name": ("氏名", ("氏名", "名前", "職員氏名", "name")),
    "bureau": ("所属局", ("所属局", "局", "局名", "bureau")),
    "division": ("所属部", ("所属部", "部", "部名", "division")),
    "section": ("所属課", ("所属課", "課", "課名", "所属", "section")),
    "title": ("役職", ("役職", "職名", "役職名", "職", "title")),
    "role": ("役職区分", ("役職区分", "区分", "role")),
}
REQUIRED_COLUMNS = ("staff_id", "name", "bureau", "section")  # and 役職 or 役職区分; 所属部 may be absent or empty
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


def _norm_header(text: object) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(text or ""))).lower()


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


_ALIASES = {a for _, names in FIELDS.values() for a in names}


def _header_index(rows: list[tuple[int, list[Cell]]]) -> int | None:
    """Index of the first of the top non-empty rows naming ≥ 3 known columns (title lines above are skipped)."""
    seen = 0
    for i, (_, cells) in enumerate(rows):
        if not any(_cell_text(v) for v, _ in cells):
            continue
        if sum(_norm_header(_cell_text(v)) in _ALIASES for v, _ in cells) >= 3:
            return i
        seen += 1
        if seen >= 10:
            break
    return None


def read_roster_file(path: str | Path, roles: RoleMap | None = None) -> list[StaffRow]:
    """Parse and validate a roster file; raise RosterError listing every problem (file, row, column, what)."""
    return read_roster(path, roles)[0]


def read_roster(path: str | Path, roles: RoleMap | None = None) -> tuple[list[StaffRow], str]:
    """(rows, what the file was read as) — see :func:`read_roster_file`."""
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
    return validate_rows(rows, label, roles or load_roles()), read_as


def _header_map(header: list[str], row: int, label: str) -> tuple[dict[str, int], list[Problem]]:
    problems: list[Problem] = []
    found: dict[str, int] = {}
    for col, text in enumerate(header):
        norm = _norm_header(text)
        if not norm:
            continue
        for field, (ja, aliases) in FIELDS.items():
            if norm in aliases:
                if field in found:
                    problems.append(Problem(label, row, "見出し", f"「{ja}」にあたる列が2つあります（{found[field] + 1} 列目と {col + 1} 列目）。"))
                else:
                    found[field] = col
    missing = [FIELDS[f][0] for f in REQUIRED_COLUMNS if f not in found]
    if "title" not in found and "role" not in found:
        missing.append("役職（または役職区分）")
    if missing:
        shown = "、".join(h for h in header if h) or "（空）"
        problems.append(Problem(label, row, "見出し",
                                f"必要な列がありません: {'、'.join(missing)}。見出しは 職員番号, 氏名, 所属局, 所属部, 所属課, "
                                f"役職（または役職区分）にしてください（英語なら staff_id, name, bureau, division, section, "
                                f"title / role）。いまの見出し: {shown}"))
    return found, problems


def validate_rows(rows: list[tuple[int, list[Cell]]], label: str, roles: RoleMap | None = None) -> list[StaffRow]:
    """Header mapping and per-row checks (ids, empty fields, duplicates, titles that map to no role class)."""
    roles = roles or load_roles()
    rows = [(n, cells) for n, cells in rows if any(_cell_text(v) for v, _ in cells)]
    if not rows:
        raise RosterError([f"{label}: 見出し行もデータ行もありません。"])
    start = _header_index(rows) or 0
    rows = rows[start:]
    header_row, header_cells = rows[0]
    columns, problems = _header_map([_cell_text(v) for v, _ in header_cells], header_row, label)
    if problems:
        raise RosterError(problems)
    if len(rows) == 1:
        raise RosterError([f"{label}: 見出し行だけで、職員のデータ行がありません。"])
    seen: dict[str, int] = {}
    unknown_titles: dict[str, list[int]] = {}
    out: list[StaffRow] = []
    for number, cells in rows[1:]:
        raw = {f: (cells[i] if i < len(cells) else (None, None)) for f, i in columns.items()}
        values = {f: _cell_text(v) for f, (v, _) in raw.items()}
        row_problems: list[Problem] = []
        for field in REQUIRED_VALUES:
            if not values.get(field):
                row_problems.append(Problem(label, number, FIELDS[field][0], f"{FIELDS[field][0]}が空です。"))
        staff_id = ""
        if values.get("staff_id"):
            value, number_format = raw["staff_id"]
            try:
                staff_id = staff_id_from_cell(value if not isinstance(value, str) else value, number_format)
            except StaffIdError as exc:
                row_problems.append(Problem(label, number, "職員番号", str(exc)))
        title = clean_label(values.get("title", ""))
        given = clean_label(values.get("role", ""))  # a class (幹部/一般), or a title put in the 役職区分 column
        role = None
        if given or title:
            role = roles.classify(given or title)
            if role is None:
                unknown_titles.setdefault(given or title, []).append(number)
            elif not title and roles.classify(given) != given:
                title = given
        else:
            row_problems.append(Problem(label, number, "役職", "役職が空です。"))
        if staff_id and staff_id in seen:
            row_problems.append(Problem(label, number, "職員番号", f"職員番号 {staff_id} が重複しています（{seen[staff_id]} 行目と同じ）。"))
        elif staff_id:
            seen[staff_id] = number
        if row_problems:
            problems.extend(row_problems)
            continue
        if role is None:
            continue  # an unknown title: reported once for all rows below
        out.append(StaffRow(staff_id, clean_name(values["name"]), clean_label(values["bureau"]),
                            clean_label(values.get("division", "")), clean_label(values["section"]), role, number,
                            title or role))
    if unknown_titles:
        listed = "、".join(f"「{t}」（{len(rs)} 人: {', '.join(map(str, rs[:5]))}{' …' if len(rs) > 5 else ''} 行目）"
                          for t, rs in sorted(unknown_titles.items(), key=lambda kv: (-len(kv[1]), kv[0])))
        problems.insert(0, Problem(label, 0, "役職",
                                   f"役職区分（{'・'.join(roles.classes)}）が決まらない役職が {len(unknown_titles)} 種類"
                                   f"（{sum(map(len, unknown_titles.values()))} 人）あります: {listed}。"
                                   "grader/course.toml の [roles.titles] に追加するか、役職区分の列を加えてください。"))
    if problems:
        raise RosterError(problems)
    return out

