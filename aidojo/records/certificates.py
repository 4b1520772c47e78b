"""修了証 PDFs: embedded Japanese font, the 所属 at completion, a verification code, a combined PDF per 課.

- The font (IPAexGothic, shipped by the matplotlib-fontja package) is embedded as a subset, so every PDF viewer
  and printer shows the same glyphs; ``pdffonts`` lists it as embedded.
- A certificate shows the person's 所属 on the completion date (the roster as it stood then), not today's.
- Its verification code (照合コード) is an HMAC of the record (number, staff id, name, course, date, 所属) under a
  key kept in the course data folder, so ``aidojo records verify NUMBER_OR_PDF`` can confirm offline that a
  certificate (or a number read off paper) is one this office issued, unchanged.
- Once issued, a certificate's number, name, 所属 and code are stored and never change: writing it again
  reproduces the same bytes.
- 6,600 certificates render in parallel processes (one font parse per process); nothing is half-written.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import hmac
import importlib.util
import io
import os
import re
import secrets
import shutil
import tempfile
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from aidojo.fileio import atomic_path
from aidojo.records import store
from aidojo.records.audit import log_action, owner_only
from aidojo.records.completion import PersonRecord, Records
from aidojo.records.fiscal import fiscal_year

FONT = "IPAexGothic"
DEFAULT_ISSUER = "AI道場 研修事務局"
KEY_FILE = Path("records") / "certificate.key"
NUMBER_RE = re.compile(r"AID-[A-Za-z0-9_]+-\d{4}-\d{5}")
CODE_RE = re.compile(r"\b[A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4}\b")
PARALLEL_FROM = 200  # certificates; fewer render in this process


class CertificateError(ValueError):
    """A certificate request that cannot be served (Japanese message)."""


def font_path() -> Path:
    """IPAexGothic from the matplotlib-fontja package, found without importing matplotlib."""
    spec = importlib.util.find_spec("matplotlib_fontja")
    if spec is None or not spec.submodule_search_locations:
        raise CertificateError("日本語フォント（matplotlib-fontja パッケージ）が見つかりません。pip install matplotlib-fontja")
    return Path(list(spec.submodule_search_locations)[0]) / "fonts" / "ipaexg.ttf"


def _fonts() -> None:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(FONT, str(font_path())))


def japanese_date(day: date) -> str:
    """2026-06-15 -> '令和8年6月15日'（2019-05-01 以降は令和、それ以前は西暦）."""
    if day >= date(2019, 5, 1):
        era_year = day.year - 2018
        return f"令和{'元' if era_year == 1 else era_year}年{day.month}月{day.day}日"
    return f"{day.year}年{day.month}月{day.day}日"


@dataclass(frozen=True)
class Certificate:
    """What a certificate says (stored when issued; the code is derived from the rest)."""

    number: str
    track: str
    track_title: str
    staff_id: str
    name: str
    bureau: str
    division: str
    section: str
    completed_on: str  # YYYY-MM-DD (JST)
    code: str = ""

    @property
    def department(self) -> str:
        return " ".join(p for p in (self.bureau, self.division, self.section) if p)

    def payload(self) -> bytes:
        return "\x1f".join((self.number, self.staff_id, self.name, self.track, self.completed_on, self.bureau,
                            self.division, self.section)).encode("utf-8")


def _key(data_dir: Path, *, create: bool) -> bytes | None:
    path = data_dir / KEY_FILE
    if path.is_file():
        return bytes.fromhex(path.read_text(encoding="ascii").strip())
    if not create:
        return None
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(secrets.token_hex(32) + "\n")
    return bytes.fromhex(path.read_text(encoding="ascii").strip())


def verification_code(cert: Certificate, key: bytes) -> str:
    """12 characters in three groups (base32, no 0/1/8/9 to misread): HMAC-SHA256 of the record."""
    digest = hmac.new(key, cert.payload(), hashlib.sha256).digest()
    text = base64.b32encode(digest).decode("ascii")[:12]
    return f"{text[:4]}-{text[4:8]}-{text[8:]}"


def _data_dir(store_file: Path | None) -> Path:
    from aidojo.course.config import course_data_dir

    return Path(store_file).parent if store_file else course_data_dir()


def _issued(store_file: Path | None) -> dict[tuple[str, str], Certificate]:
    with store.connect(store_file, create=False) as conn:
        if conn is None:
            return {}
        return {(r[1], r[3]): Certificate(*r) for r in conn.execute(
            "SELECT number, track, track_title, staff_id, name, bureau, division, section, completed_on, code"
            " FROM certificates")}


def _certificate_for(person: PersonRecord, records: Records, track: str) -> Certificate:
    result = person.tracks[track]
    if not (result.completed and result.certificate and result.date):
        raise CertificateError(f"{person.staff_id} {person.name} はコース「{track}」を修了していません。")
    placed = result.placed
    where = placed if placed else person
    return Certificate(result.certificate, track, records.course.tracks[track].title, person.staff_id,
                       placed.name if placed else person.name, where.bureau, where.division, where.section,
                       result.date.date().isoformat())


def _draw(c, cert: Certificate, course_title: str, modules: int, issuer: str) -> None:
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.pdfbase.pdfmetrics import stringWidth

    width, height = landscape(A4)

    def centred(text: str, y: float, size: float, max_width: float = width - 160) -> None:
        w = stringWidth(text, FONT, size)
        c.setFont(FONT, size * min(1.0, max_width / w) if w else size)
        c.drawCentredString(width / 2, y, text)

    c.setLineWidth(3)
    c.rect(28, 28, width - 56, height - 56)
    c.setLineWidth(1)
    c.rect(36, 36, width - 72, height - 72)
    c.setFont(FONT, 11)
    c.drawRightString(width - 60, height - 70, f"第 {cert.number} 号")
    centred("修　了　証", height - 150, 46)
    centred(f"{cert.name}　殿", height - 235, 30)
    if cert.department:
        centred(cert.department, height - 262, 13)
    body = [f"あなたは {course_title} の", f"「{cert.track_title}」全 {modules} 単元を修了したことを", "ここに証します。"]
    for i, line in enumerate(body):
        centred(line, height - 315 - 28 * i, 17)
    centred(japanese_date(date.fromisoformat(cert.completed_on)), height - 425, 15)
    centred(issuer, height - 465, 18)
    c.setFont(FONT, 8)
    c.drawString(60, 50, f"照合コード {cert.code}　（確認: aidojo records verify {cert.number}）")
    c.showPage()


def _canvas(buf, cert: Certificate | None, title: str, issuer: str, course_title: str):
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(buf, pagesize=landscape(A4), invariant=1, initialFontName=FONT, pageCompression=0)  # no unembedded Helvetica
    c.setTitle(title)
    c.setAuthor(issuer)
    c.setSubject(course_title)
    c.setCreator("aidojo records certificates")
    if cert is not None:
        c.setKeywords(f"{cert.number} {cert.code}")
    return c


def certificate_pdf(person: PersonRecord, records: Records, track: str, issuer: str = DEFAULT_ISSUER,
                    code: str = "") -> bytes:
    """One A4-landscape 修了証 as PDF bytes (reportlab invariant mode: same input, same bytes)."""
    cert = _certificate_for(person, records, track)
    cert = Certificate(**{**cert.__dict__, "code": code or cert.code})
    return _render([cert], records.course.title, len(records.course.tracks[track].modules), issuer)


def _render(certs: list[Certificate], course_title: str, modules: int, issuer: str, title: str = "") -> bytes:
    _fonts()
    buf = io.BytesIO()
    c = _canvas(buf, certs[0] if len(certs) == 1 else None, title or f"修了証 {certs[0].number}", issuer, course_title)
    for cert in certs:
        _draw(c, cert, course_title, modules, issuer)
    from reportlab import rl_config

    a85, rl_config.useA85 = rl_config.useA85, 0  # binary streams: smaller and faster than ASCII85 text
    try:
        c.save()
    finally:
        rl_config.useA85 = a85
    return buf.getvalue()


def _safe(text: str) -> str:
    return re.sub(r'[\\/:*?"<>|\s]+', "_", text).strip("_") or "_"


@dataclass(frozen=True)
class _Job:
    staging: str
    files: list[tuple[str, Certificate]]  # (file name, certificate): individual PDFs
    combined: tuple[str, list[Certificate]] | None  # (file name, certificates): one PDF for a 課
    course_title: str
    modules: int
    issuer: str


def _run_job(job: _Job) -> int:
    for name, cert in job.files:
        with open(os.path.join(job.staging, name), "wb") as fh:
            fh.write(_render([cert], job.course_title, job.modules, job.issuer))
    if job.combined:
        name, certs = job.combined
        with open(os.path.join(job.staging, name), "wb") as fh:
            fh.write(_render(certs, job.course_title, job.modules, job.issuer, f"修了証 {name[:-4]}"))
    return len(job.files)


def _pool_size(n: int) -> int:
    if n < PARALLEL_FROM:
        return 1
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:
        cpus = os.cpu_count() or 1
    return max(1, min(8, cpus))


def write_certificates(records: Records, track: str, out_dir: str | Path, *, issuer: str = DEFAULT_ISSUER,
                       store_file: Path | None = None, combined: bool = True) -> list[Path]:
    """A PDF per completer of ``track`` (``<number>_<staff id>.pdf``), 修了証一覧.csv, and with ``combined`` one
    PDF per current 課 in ``課別/`` for printing; numbers, names, 所属 and codes become issued (stored)."""
    if track not in records.course.tracks:
        raise CertificateError(f"コース「{track}」はありません。使えるコース: {', '.join(records.course.tracks)}")
    out = Path(out_dir)
    data_dir = _data_dir(store_file)
    issued = _issued(store_file)
    people = [p for p in records.completers(track) if p.tracks[track].certificate and p.tracks[track].date]
    with owner_only():
        key = _key(data_dir, create=bool(people))
        certs: list[tuple[PersonRecord, Certificate]] = []
        for p in people:
            old = issued.get((track, p.staff_id))
            cert = old if old is not None and old.name else _certificate_for(p, records, track)
            if not cert.code:
                cert = Certificate(**{**cert.__dict__, "code": verification_code(cert, key)})
            certs.append((p, cert))
        groups: dict[str, list[Certificate]] = {}
        for p, cert in certs:
            label = ("退職者" if p.status == "退職" else "名簿外" if not p.section else
                     _safe("_".join(x for x in (p.bureau, p.division, p.section) if x)))
            groups.setdefault(label, []).append(cert)
        modules = len(records.course.tracks[track].modules)
        out.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".certificates-", dir=out))
        try:
            (staging / "課別").mkdir()
            jobs = []
            for label, items in groups.items():
                files = [(f"{c.number}_{c.staff_id}.pdf", c) for c in items]
                for i in range(0, len(files), 60):
                    chunk = files[i:i + 60]
                    jobs.append(_Job(str(staging), chunk, (f"課別/{label}.pdf", items) if combined and i == 0 else None,
                                     records.course.title, modules, issuer))
            workers = _pool_size(len(certs))
            if workers > 1:
                import multiprocessing

                ctx = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn")
                with ctx.Pool(workers) as pool:
                    list(pool.imap_unordered(_run_job, jobs))
            else:
                for job in jobs:
                    _run_job(job)
            written = []
            for _, cert in certs:
                target = out / f"{cert.number}_{cert.staff_id}.pdf"
                os.replace(staging / target.name, target)
                written.append(target)
            if combined and groups:
                (out / "課別").mkdir(exist_ok=True)
                for label in groups:
                    os.replace(staging / "課別" / f"{label}.pdf", out / "課別" / f"{label}.pdf")
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        with atomic_path(out / "修了証一覧.csv") as tmp:
            with open(tmp, "w", encoding="utf-8-sig", newline="") as f:
                w = csv.writer(f, lineterminator="\r\n")
                w.writerow(["修了証番号", "職員番号", "氏名", "所属（修了時）", "コース", "修了日", "照合コード", "ファイル"])
                from aidojo.records.export import excel_safe

                for (_, c), path in zip(certs, written):
                    w.writerow([excel_safe(v) for v in (c.number, c.staff_id, c.name, c.department, c.track_title,
                                                        c.completed_on, c.code, path.name)])
        _store_issued([c for _, c in certs], store_file)
        log_action("records.certificates", {"track": track, "out": str(out.name), "certificates": len(certs),
                                            "newly_issued": sum((track, p.staff_id) not in issued for p, _ in certs),
                                            "combined": len(groups) if combined else 0}, data_dir=data_dir)
    return written


def _store_issued(certs: list[Certificate], store_file: Path | None) -> None:
    now = datetime.now(UTC).isoformat(timespec="seconds")
    rows = [(c.number, c.track, c.staff_id, fiscal_year(date.fromisoformat(c.completed_on)),
             int(c.number.rsplit("-", 1)[1]), c.completed_on, now, c.name, c.bureau, c.division, c.section,
             c.track_title, c.code) for c in certs]
    with store.connect(store_file) as conn, store.transaction(conn):
        conn.executemany("INSERT OR IGNORE INTO certificates (number, track, staff_id, fiscal_year, sequence,"
                         " completed_on, issued_at, name, bureau, division, section, track_title, code)"
                         " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)", rows)
        # certificates issued by an earlier version: complete their record once
        conn.executemany("UPDATE certificates SET name = ?, bureau = ?, division = ?, section = ?, track_title = ?,"
                         " code = ? WHERE number = ? AND code = ''",
                         [(c.name, c.bureau, c.division, c.section, c.track_title, c.code, c.number) for c in certs])


def mark_issued(records: Records, track: str, staff_ids: list[str], store_file: Path | None = None) -> None:
    """Remember certificate numbers as issued (without writing PDFs), so they never change afterwards."""
    key = _key(_data_dir(store_file), create=True)
    certs = []
    for sid in staff_ids:
        cert = _certificate_for(records.get(sid), records, track)
        certs.append(Certificate(**{**cert.__dict__, "code": verification_code(cert, key)}))
    _store_issued(certs, store_file)


@dataclass
class Verification:
    ok: bool
    number: str
    certificate: Certificate | None
    problems: list[str]
    issued_at: str = ""

    def text(self) -> str:
        c = self.certificate
        lines = []
        if c is not None:
            lines.append(f"修了証番号 {c.number}: {c.name}（職員番号 {c.staff_id}）{c.department} ／ {c.track_title} ／ "
                         f"修了日 {c.completed_on} ／ 照合コード {c.code} ／ 発行 {self.issued_at[:10]}")
        if self.ok:
            lines.insert(0, "本物です: 記録と一致しました。")
        else:
            lines.insert(0, "確認できません:")
            lines[1:1] = [f"- {p}" for p in self.problems]
        return "\n".join(lines)


def verify_certificate(number_or_pdf: str | Path, *, code: str | None = None,
                       store_file: Path | None = None) -> Verification:
    """Check a certificate number (optionally with the code read off paper) or a certificate PDF against the
    issued record, offline."""
    text, pdf = "", None
    candidate = Path(str(number_or_pdf))
    if candidate.suffix.lower() == ".pdf" or candidate.is_file():
        if not candidate.is_file():
            return Verification(False, "", None, [f"{candidate} が見つかりません。"])
        from pypdf import PdfReader
        from pypdf.errors import PdfReadError

        try:
            reader = PdfReader(candidate)
            text = "\n".join(page.extract_text() or "" for page in reader.pages[:1])
            meta = reader.metadata or {}
            text += "\n" + str(meta.get("/Keywords", ""))
        except (PdfReadError, OSError, ValueError) as exc:
            return Verification(False, "", None, [f"{candidate.name} を PDF として読めません（{type(exc).__name__}）。"])
        pdf = candidate
        numbers = NUMBER_RE.findall(text)
        if not numbers:
            return Verification(False, "", None, [f"{candidate.name} に修了証番号が見つかりません。"])
        number = numbers[0]
        codes = CODE_RE.findall(text)
        code = code or (codes[0] if codes else None)
    else:
        number = str(number_or_pdf).strip()
    with store.connect(store_file, create=False) as conn:
        row = None if conn is None else conn.execute(
            "SELECT number, track, track_title, staff_id, name, bureau, division, section, completed_on, code, issued_at"
            " FROM certificates WHERE number = ?", (number,)).fetchone()
    if row is None:
        return Verification(False, number, None, [f"修了証番号 {number} は発行の記録にありません。"])
    cert, issued_at = Certificate(*row[:10]), row[10]
    problems = []
    key = _key(_data_dir(store_file), create=False)
    if key is None:
        problems.append("照合用の鍵（records/certificate.key）がありません。バックアップから戻してください。")
    elif not cert.code or not hmac.compare_digest(verification_code(cert, key), cert.code):
        problems.append("発行記録の内容が照合コードと合いません（記録が書き換えられた可能性があります）。")
    if code is not None and code.strip().upper() != cert.code:
        problems.append(f"照合コード {code} は発行記録（{cert.code}）と違います。")
    if pdf is not None:
        flat = re.sub(r"\s+", "", text)
        if re.sub(r"\s+", "", cert.name) not in flat:
            problems.append(f"PDF の氏名が発行記録の氏名（{cert.name}）と違います。")
        if cert.department and re.sub(r"\s+", "", cert.department) not in flat:
            problems.append(f"PDF の所属が発行記録の所属（{cert.department}）と違います。")
        if code is None:
            problems.append("PDF に照合コードが見つかりません。")
    return Verification(not problems, number, cert, problems, issued_at)
