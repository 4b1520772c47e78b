"""Read files into located pieces: plain text, Markdown sections, PDF pages, CSV rows."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

from aidojo.retrieval.tokenize import RetrievalError

TEXT_SUFFIXES = (".txt", ".text")
MARKDOWN_SUFFIXES = (".md", ".markdown")
PDF_SUFFIXES = (".pdf",)
DOCX_SUFFIXES = (".docx",)
CSV_SUFFIXES = (".csv",)
_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
_FENCE = re.compile(r"^\s*(```|~~~)")
# A full-width space between "列名：値" pairs: "/" or "、" would read as a list of labels to the offline model.
ROW_SEPARATOR = "\u3000"


@dataclass(frozen=True)
class Section:
    """A located piece of a file: its text, where it is ("p.3", "申請 > 必要書類") and its line offset."""

    text: str
    location: str | None
    first_line: int = 1


def read_text_file(path: Path) -> str:
    """A text file's content: UTF-8 (with or without BOM), else cp932 (Shift_JIS)."""
    data = path.read_bytes()
    for enc in ("utf-8-sig", "cp932"):
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    raise RetrievalError(f"{path}: 文字コードを判別できません（UTF-8 か Shift_JIS(cp932) で保存してください）")


def markdown_sections(text: str) -> list[Section]:
    """Markdown split at ATX headings (#, ##, …); each section's location is its heading path."""
    sections: list[Section] = []
    path: list[tuple[int, str]] = []
    buf: list[str] = []
    start_line, in_fence = 1, False

    def flush(next_line: int) -> None:
        body = "\n".join(buf).strip()
        if body:
            loc = " > ".join(title for _, title in path) or None
            sections.append(Section(body, loc, start_line))
        buf.clear()

    for n, line in enumerate(text.splitlines(), start=1):
        if _FENCE.match(line):
            in_fence = not in_fence
        m = None if in_fence else _HEADING.match(line)
        if m:
            flush(n)
            level, title = len(m.group(1)), m.group(2).strip()
            path = [(lv, t) for lv, t in path if lv < level] + [(level, title)]
            start_line = n + 1
        else:
            buf.append(line)
    flush(0)
    return sections


def pdf_pages(path: Path) -> list[Section]:
    """The text of each PDF page (pypdf), located as "p.N"."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(str(path))
        if reader.is_encrypted:
            reader.decrypt("")
        pages = [page.extract_text() or "" for page in reader.pages]
    except (PdfReadError, OSError, ValueError) as exc:
        raise RetrievalError(f"{path}: PDF を読み込めません（{exc}）") from exc
    return [Section(text, f"p.{i}") for i, text in enumerate(pages, start=1) if text.strip()]


def docx_sections(path: Path) -> list[Section]:
    """A Word file (python-docx) split at its 見出し/Heading paragraphs; located by the heading path."""
    import zipfile

    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(str(path))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise RetrievalError(f"{path}: Word ファイルを読み込めません（{exc}）") from exc
    lines = []
    for para in document.paragraphs:
        style = (para.style.name or "") if para.style is not None else ""
        level = next((int(ch) for ch in style if ch.isdigit()), 1) if style.lower().startswith(("heading", "見出し")) or style == "Title" else 0
        text = para.text.strip()
        if text:
            lines.append(("#" * min(level, 6) + " " + text) if level else text)
    for table in document.tables:
        for row in table.rows:
            cells = [c.text.strip() for c in row.cells if c.text.strip()]
            if cells:
                lines.append(ROW_SEPARATOR.join(dict.fromkeys(cells)))
    return markdown_sections("\n".join(lines))


def decode_csv(path: Path) -> str:
    """CSV text: UTF-8 (BOM or not), else cp932, as Excel in Japan writes it."""
    return read_text_file(path)


def csv_rows(path: Path, columns: list[str] | None = None) -> list[Section]:
    """One section per data row: "列名：値　列名：値" with every (or the chosen) column, located as "行 N".

    N is the spreadsheet row, the header being row 1, so it matches what Excel shows.
    """
    reader = csv.reader(io.StringIO(decode_csv(path), newline=""))
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        raise RetrievalError(f"{path}: CSV が空です（1行目に見出しが必要です）") from None
    except csv.Error as exc:
        raise RetrievalError(f"{path}: CSV を読み込めません（{exc}）") from exc
    if columns is not None:
        missing = [c for c in columns if c not in header]
        if missing:
            raise RetrievalError(f"{path}: 列 {'、'.join(missing)} がありません（見出し: {'、'.join(header)}）")
        wanted = [header.index(c) for c in columns]
    else:
        wanted = list(range(len(header)))
    out: list[Section] = []
    try:
        for row_no, row in enumerate(reader, start=2):
            parts = []
            for i in wanted:
                value = row[i].strip() if i < len(row) else ""
                if value:
                    parts.append(f"{header[i]}：{value}" if header[i] else value)
            if parts:
                out.append(Section(ROW_SEPARATOR.join(parts), f"行 {row_no}"))
    except csv.Error as exc:
        raise RetrievalError(f"{path}: 行 {reader.line_num} の CSV を読み込めません（{exc}）") from exc
    return out
