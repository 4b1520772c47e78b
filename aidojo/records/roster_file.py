"""Read and validate HR's staff list (CSV in UTF-8 / UTF-8 BOM / cp932, or .xlsx) into StaffRow objects.

Hand-written decoding because Excel's "CSV" is cp932 (Shift_JIS plus the IBM/NEC extension kanji such as
髙 and 﨑, which the plain ``shift_jis`` codec rejects), and HR needs errors that name the file and row.
Every problem in the file is collected first; the caller writes nothing unless the list is empty.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

MAX_SHOWN = 30

# canonical field -> (Japanese header, accepted aliases after normalisation)
FIELDS: dict[str, tuple[str, tuple[str, ...]]] = {
    "staff_id": ("職員番号", ("職員番号", "職員id", "職員コード", "staff_id", "staffid", "id")),
    "name": ("氏名", ("氏名", "名前", "name")),
    "bureau": ("所属局", ("所属局", "局", "bureau")),
    "division": ("所属部", ("所属部", "部", "division")),
    "section": ("所属課", ("所属課", "課", "section")),
    "role": ("役職区分", ("役職区分", "役職", "role")),
}
REQUIRED_VALUES = ("staff_id", "name", "bureau", "section", "role")  # 所属部 may be empty (課 directly under 局)
ROLES = {"幹部": "幹部", "一般": "一般", "executive": "幹部", "general": "一般", "staff": "一般"}
STAFF_ID_RE = re.compile(r"^[0-9A-Za-z][0-9A-Za-z_.-]{0,63}$")


@dataclass(frozen=True)
class StaffRow:
    """One person as read from the roster file (``row`` is the 1-based line/row in the file)."""

    staff_id: str
    name: str
    bureau: str
    division: str
    section: str
    role: str
    row: int = 0

    def key(self) -> tuple[str, str, str, str, str]:
        """Everything except the id and row, for change detection."""
        return (self.name, self.bureau, self.division, self.section, self.role)


class RosterError(ValueError):
    """A roster file that cannot be imported; ``problems`` lists each one in Japanese."""

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        shown = self.problems[:MAX_SHOWN]
        more = len(self.problems) - len(shown)
        lines = ["名簿を取り込めませんでした。名簿は変更していません。", *[f"- {p}" for p in shown]]
        if more > 0:
            lines.append(f"- ほか {more} 件")
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
    return str(value).strip().strip("\u3000").strip()


def _line_of(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def decode_csv_bytes(data: bytes, label: str) -> str:
    """UTF-8 (with or without BOM) or cp932, strictly; else a RosterError naming the line that fails."""
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data[3:].decode("utf-8")
        except UnicodeDecodeError as exc:
            raise RosterError([f"{label}: UTF-8（BOM付き）として {_line_of(data, exc.start + 3)} 行目に読めない文字があります。"
                               "ファイルが壊れていないか確認してください。"]) from None
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise RosterError([f"{label}: UTF-16 のファイル（Excel の「Unicode テキスト」）は読めません。"
                           "Excel で「CSV UTF-8（コンマ区切り）」または「CSV（コンマ区切り）」で保存し直してください。"])
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as utf8_exc:
        try:
            return data.decode("cp932")
        except UnicodeDecodeError as sjis_exc:
            # the encoding that read further is the file's; name the line where it breaks
            utf8_line, sjis_line = _line_of(data, utf8_exc.start), _line_of(data, sjis_exc.start)
            enc, line = ("UTF-8", utf8_line) if utf8_exc.start >= sjis_exc.start else ("Shift_JIS（cp932）", sjis_line)
            raise RosterError([
                f"{label} の {line} 行目: 文字コードが正しくありません（{enc} として読むと {line} 行目に読めない文字があります。"
                f"UTF-8 としては {utf8_line} 行目、Shift_JIS（cp932）としては {sjis_line} 行目で失敗）。"
                "文字化けしていないか確認し、Excel で「CSV UTF-8（コンマ区切り）」で保存し直してください。"]) from None


def _csv_rows(data: bytes, label: str) -> list[tuple[int, list[str]]]:
    text = decode_csv_bytes(data, label)
    if "\x00" in text:
        raise RosterError([f"{label}: CSV ではないバイナリファイルのようです。CSV か Excel（.xlsx）の名簿を指定してください。"])
    sample = text[:4096]
    delimiter = "\t" if sample.count("\t") > sample.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows = []
    try:
        for cells in reader:
            rows.append((reader.line_num, [_cell_text(c) for c in cells]))
    except csv.Error as exc:
        raise RosterError([f"{label} の {reader.line_num} 行目: CSV の形式が正しくありません（{exc}）。"]) from None
    return rows


def _xlsx_rows(path: Path, label: str) -> list[tuple[int, list[str]]]:
    from zipfile import BadZipFile

    import openpyxl

    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (BadZipFile, KeyError, OSError, ValueError) as exc:
        raise RosterError([f"{label}: Excel（.xlsx）ファイルとして開けません（{type(exc).__name__}）。"
                           "ファイルが壊れていないか、パスワード保護されていないか確認してください。"]) from None
    try:
        ws = wb.worksheets[0]
        rows = []
        for index, cells in enumerate(ws.iter_rows(values_only=True), start=1):
            rows.append((index, [_cell_text(c) for c in cells]))
        return rows
    finally:
        wb.close()


def read_roster_file(path: str | Path) -> list[StaffRow]:
    """Parse and validate a roster file; raise RosterError listing every problem (file, row, what)."""
    path = Path(path)
    label = path.name
    if not path.is_file():
        raise RosterError([f"{path}: ファイルが見つかりません。"])
    data = path.read_bytes()
    if not data.strip():
        raise RosterError([f"{label}: ファイルが空です。"])
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise RosterError([f"{label}: 古い Excel 形式（.xls）は読めません。Excel で .xlsx か CSV で保存し直してください。"])
    rows = _xlsx_rows(path, label) if data.startswith(b"PK\x03\x04") else _csv_rows(data, label)
    return validate_rows(rows, label)


def _header_map(header: list[str], row: int, label: str) -> tuple[dict[str, int], list[str]]:
    problems: list[str] = []
    found: dict[str, int] = {}
    for col, text in enumerate(header):
        norm = _norm_header(text)
        if not norm:
            continue
        for field, (ja, aliases) in FIELDS.items():
            if norm in aliases:
                if field in found:
                    problems.append(f"{label} の {row} 行目（見出し）: 「{ja}」にあたる列が2つあります（{found[field] + 1} 列目と {col + 1} 列目）。")
                else:
                    found[field] = col
    missing = [FIELDS[f][0] for f in FIELDS if f not in found]
    if missing:
        shown = "、".join(h for h in header if h) or "（空）"
        problems.append(f"{label} の {row} 行目（見出し）: 必要な列がありません: {'、'.join(missing)}。"
                        f"見出しは 職員番号, 氏名, 所属局, 所属部, 所属課, 役職区分（英語なら staff_id, name, bureau, "
                        f"division, section, role）にしてください。いまの見出し: {shown}")
    return found, problems


def validate_rows(rows: list[tuple[int, list[str]]], label: str) -> list[StaffRow]:
    """Header mapping and per-row checks (empty/duplicate/invalid ids, empty fields, role values)."""
    rows = [(n, cells) for n, cells in rows if any(cells)]
    if not rows:
        raise RosterError([f"{label}: 見出し行もデータ行もありません。"])
    # HR sheets often carry a title line above the header: take the first of the top rows naming ≥ 3 columns
    aliases = {a for _, names in FIELDS.values() for a in names}
    start = next((i for i, (_, cells) in enumerate(rows[:10])
                  if sum(_norm_header(c) in aliases for c in cells) >= 3), 0)
    rows = rows[start:]
    header_row, header = rows[0]
    columns, problems = _header_map(header, header_row, label)
    if problems:
        raise RosterError(problems)
    if len(rows) == 1:
        raise RosterError([f"{label}: 見出し行だけで、職員のデータ行がありません。"])
    seen: dict[str, int] = {}
    out: list[StaffRow] = []
    for number, cells in rows[1:]:
        where = f"{label} の {number} 行目"
        values = {f: (cells[i] if i < len(cells) else "") for f, i in columns.items()}
        staff_id = unicodedata.normalize("NFKC", values["staff_id"]).strip()
        row_problems = []
        for field in REQUIRED_VALUES:
            if not values[field]:
                row_problems.append(f"{where}: {FIELDS[field][0]}が空です。")
        if staff_id and not STAFF_ID_RE.match(staff_id):
            row_problems.append(f"{where}: 職員番号「{staff_id}」に使えない文字があります（半角英数字と - _ . のみ、64 文字まで）。")
        role = ROLES.get(_norm_header(values["role"])) if values["role"] else None
        if values["role"] and role is None:
            row_problems.append(f"{where}: 役職区分「{values['role']}」は使えません。「幹部」か「一般」にしてください。")
        if staff_id and staff_id in seen:
            row_problems.append(f"{where}: 職員番号 {staff_id} が重複しています（{seen[staff_id]} 行目と同じ）。")
        elif staff_id:
            seen[staff_id] = number
        if row_problems:
            problems.extend(row_problems)
            continue
        out.append(StaffRow(staff_id, values["name"], values["bureau"], values["division"], values["section"],
                            role or "一般", number))
    if problems:
        raise RosterError(problems)
    return out
