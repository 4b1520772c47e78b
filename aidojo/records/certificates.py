"""修了証 PDFs with reportlab's built-in Japanese CID fonts (no font files), byte-for-byte reproducible."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

from aidojo.fileio import atomic_path, atomic_write_bytes
from aidojo.records.completion import PersonRecord, Records, mark_issued
from aidojo.records.export import excel_safe

MINCHO = "HeiseiMin-W3"
GOTHIC = "HeiseiKakuGo-W5"
DEFAULT_ISSUER = "AI道場 研修事務局"


class CertificateError(ValueError):
    """A certificate request that cannot be served (Japanese message)."""


def _fonts() -> None:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    for name in (MINCHO, GOTHIC):
        if name not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(UnicodeCIDFont(name))


def japanese_date(day: date) -> str:
    """2026-06-15 -> '令和8年6月15日'（2019-05-01 以降は令和、それ以前は西暦）."""
    if day >= date(2019, 5, 1):
        era_year = day.year - 2018
        return f"令和{'元' if era_year == 1 else era_year}年{day.month}月{day.day}日"
    return f"{day.year}年{day.month}月{day.day}日"


def _centred_lines(c, lines: list[str], x: float, y: float, *, max_width: float, size: float, leading: float) -> None:
    """Centred lines, shrinking the font so that the longest line fits ``max_width``."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    widest = max(stringWidth(line, MINCHO, size) for line in lines)
    size = size * min(1.0, max_width / widest) if widest else size
    c.setFont(MINCHO, size)
    for i, line in enumerate(lines):
        c.drawCentredString(x, y - i * leading, line)


def certificate_pdf(person: PersonRecord, records: Records, track: str, issuer: str = DEFAULT_ISSUER) -> bytes:
    """One A4-landscape 修了証 as PDF bytes (reportlab invariant mode: same input, same bytes)."""
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.pdfgen import canvas

    _fonts()
    result = person.tracks[track]
    if not (result.completed and result.certificate and result.date):
        raise CertificateError(f"{person.staff_id} {person.name} はコース「{track}」を修了していません。")
    course, info = records.course, records.course.tracks[track]
    buf = io.BytesIO()
    width, height = landscape(A4)
    c = canvas.Canvas(buf, pagesize=(width, height), invariant=1, pageCompression=0)
    c.setTitle(f"修了証 {result.certificate}")
    c.setAuthor(issuer)
    c.setSubject(f"{course.title} {info.title}")
    c.setCreator("aidojo records certificates")
    c.setLineWidth(3)
    c.rect(28, 28, width - 56, height - 56)
    c.setLineWidth(1)
    c.rect(36, 36, width - 72, height - 72)
    c.setFont(GOTHIC, 11)
    c.drawRightString(width - 60, height - 70, f"第 {result.certificate} 号")
    c.setFont(MINCHO, 46)
    c.drawCentredString(width / 2, height - 150, "修　了　証")
    _centred_lines(c, [f"{person.name}　殿"], width / 2, height - 235, max_width=width - 160, size=30, leading=0)
    if person.department:
        c.setFont(MINCHO, 13)
        c.drawCentredString(width / 2, height - 262, person.department)
    body = [f"あなたは {course.title} の", f"「{info.title}」全 {len(info.modules)} 単元を修了したことを", "ここに証します。"]
    _centred_lines(c, body, width / 2, height - 315, max_width=width - 160, size=17, leading=28)
    c.setFont(MINCHO, 15)
    c.drawCentredString(width / 2, height - 425, japanese_date(result.date.date()))
    c.setFont(MINCHO, 18)
    c.drawCentredString(width / 2, height - 465, issuer)
    c.showPage()
    c.save()
    return buf.getvalue()


def write_certificates(records: Records, track: str, out_dir: str | Path, *, issuer: str = DEFAULT_ISSUER,
                       store_file: Path | None = None) -> list[Path]:
    """A PDF per completer of ``track`` (``<number>_<staff id>.pdf``) plus 修了証一覧.csv; numbers become issued."""
    if track not in records.course.tracks:
        raise CertificateError(f"コース「{track}」はありません。使えるコース: {', '.join(records.course.tracks)}")
    out = Path(out_dir)
    people = [p for p in records.completers(track) if p.tracks[track].certificate and p.tracks[track].date]
    pdfs = [(p, certificate_pdf(p, records, track, issuer)) for p in people]  # render all before writing any
    out.mkdir(parents=True, exist_ok=True)
    written = [atomic_write_bytes(out / f"{p.tracks[track].certificate}_{p.staff_id}.pdf", data) for p, data in pdfs]
    with atomic_path(out / "修了証一覧.csv") as tmp:
        with open(tmp, "w", encoding="utf-8-sig", newline="") as f:
            w = csv.writer(f, lineterminator="\r\n")
            w.writerow(["修了証番号", "職員番号", "氏名", "所属", "コース", "修了日", "ファイル"])
            for p, path in zip(people, written):
                t = p.tracks[track]
                w.writerow([excel_safe(v) for v in (t.certificate, p.staff_id, p.name, p.department,
                            records.course.tracks[track].title, t.date.date().isoformat(), path.name)])
    mark_issued(records, track, [p.staff_id for p in people], store_file)
    return written
