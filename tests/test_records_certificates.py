"""修了証 PDFs: Japanese text extractable, numbered, byte-for-byte reproducible, rendered when poppler is there."""

from __future__ import annotations

import csv
import shutil
import subprocess
from datetime import datetime
from pathlib import Path

import pytest

from tests.conftest import require
from pypdf import PdfReader
from typer.testing import CliRunner

from aidojo.course import course_data_dir
from aidojo.records import CertificateError, compute_records, import_roster, write_certificates
from aidojo.records.certificates import japanese_date
from aidojo.records.synthetic import Result, build_gradebook, module_layout

REPO = Path(__file__).resolve().parents[1]
FIX = REPO / "tests" / "fixtures" / "roster"
LAYOUT = module_layout(["m01", "m02", "m03", "e01"])  # e01: the executive track


@pytest.fixture(scope="module")
def template_gradebook(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("gb") / "gradebook.db"
    full = {f"{m}_q{i}": 2.0 for m in LAYOUT for i in range(1, 6)}
    results = [Result(sid, m, datetime(2026, 6, day, 3, 0), {c: full[c] for c in LAYOUT[m]})
               for sid, day in (("100002", 10), ("100001", 12)) for m in LAYOUT]
    results.append(Result("100003", "m01", datetime(2026, 6, 1), {}))
    build_gradebook(f"sqlite:///{path}", LAYOUT, results)
    return path


@pytest.fixture
def records(template_gradebook):
    import_roster(FIX / "roster_cp932.csv", as_of="2026-04-01")
    course_data_dir().mkdir(parents=True, exist_ok=True)
    shutil.copy(template_gradebook, course_data_dir() / "gradebook.db")
    return compute_records()


def test_one_pdf_per_completer_with_japanese_text(records, tmp_path):
    written = write_certificates(records, "basic", tmp_path / "certs")
    assert [p.name for p in written] == ["AID-basic-2026-00001_100002.pdf", "AID-basic-2026-00002_100001.pdf"]
    text = PdfReader(written[1]).pages[0].extract_text()
    for part in ("修", "髙橋 一郎", "殿", "基礎コース", "AID-basic-2026-00002", "令和8年6月12日", "AI道場 研修事務局",
                 "総務局 デジタル戦略部 DX・AI推進課"):
        assert part in text, (part, text)
    assert "山﨑 花子" in PdfReader(written[0]).pages[0].extract_text()
    with open(tmp_path / "certs" / "修了証一覧.csv", encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    assert [(r["修了証番号"], r["氏名"], r["修了日"]) for r in rows] == [
        ("AID-basic-2026-00001", "山﨑 花子", "2026-06-10"), ("AID-basic-2026-00002", "髙橋 一郎", "2026-06-12")]


def test_same_input_gives_byte_identical_pdfs(records, tmp_path):
    first = write_certificates(records, "basic", tmp_path / "a")
    second = write_certificates(compute_records(), "basic", tmp_path / "b")
    assert [p.read_bytes() for p in first] == [p.read_bytes() for p in second]
    assert first[0].read_bytes() != first[1].read_bytes()


def test_issuer_and_fonts_need_no_files(records, tmp_path):
    pdf = write_certificates(records, "executive", tmp_path / "x", issuer="みどり市 DX・AI戦略室")[0]
    reader = PdfReader(pdf)
    assert "みどり市 DX・AI戦略室" in reader.pages[0].extract_text()
    fonts = {f["/BaseFont"] for f in reader.pages[0]["/Resources"]["/Font"].values()}
    assert any("HeiseiMin" in f for f in fonts) and any("HeiseiKakuGo" in f for f in fonts)
    assert reader.metadata.title == "修了証 AID-executive-2026-00001"


def test_renders_to_png_when_poppler_is_installed(records, tmp_path):
    """Rendered by poppler (needs poppler-utils and poppler-data for the non-embedded Japanese CID fonts)."""
    pdf = write_certificates(records, "basic", tmp_path / "certs")[0]
    require(shutil.which("pdftoppm") is not None, "pdftoppm (Debian poppler-utils) not installed")
    proc = subprocess.run(["pdftoppm", "-png", "-r", "50", "-singlefile", str(pdf), str(tmp_path / "page")],
                          capture_output=True, text=True, check=True)
    assert "Missing language pack" not in proc.stderr, "install Debian poppler-data for Japanese CID fonts"
    from matplotlib.image import imread

    image = imread(tmp_path / "page.png")[..., :3].mean(axis=2)
    height, width = image.shape
    title_band = image[int(height * 0.15):int(height * 0.35), int(width * 0.3):int(width * 0.7)]
    name_band = image[int(height * 0.38):int(height * 0.46), int(width * 0.3):int(width * 0.7)]
    assert (title_band < 0.5).mean() > 0.02 and (name_band < 0.5).mean() > 0.01  # 修了証 and the name are drawn
    assert (image[int(height * 0.5), : int(width * 0.06)] < 0.5).any()  # the border frame
    assert (image[int(height * 0.85):int(height * 0.9), int(width * 0.1):int(width * 0.9)] > 0.9).all()  # blank below


def test_errors_are_japanese_and_write_nothing(records, tmp_path):
    with pytest.raises(CertificateError, match="コース「nosuch」はありません"):
        write_certificates(records, "nosuch", tmp_path / "none")
    assert not (tmp_path / "none").exists()
    from aidojo.records.certificates import certificate_pdf

    with pytest.raises(CertificateError, match="100003 佐藤 健 はコース「basic」を修了していません"):
        certificate_pdf(records.get("100003"), records, "basic")
    assert write_certificates(records, "builder", tmp_path / "b") == []


def test_japanese_date():
    from datetime import date

    assert japanese_date(date(2026, 6, 12)) == "令和8年6月12日"
    assert japanese_date(date(2019, 5, 1)) == "令和元年5月1日"
    assert japanese_date(date(2019, 4, 30)) == "2019年4月30日"


def test_cli_certificates(records, tmp_path):
    from aidojo.cli import app

    res = CliRunner().invoke(app, ["records", "certificates", "--track", "basic", "--out", str(tmp_path / "c")])
    assert res.exit_code == 0, res.output
    assert "修了証 2 枚" in res.output and len(list((tmp_path / "c").glob("*.pdf"))) == 2
    res = CliRunner().invoke(app, ["records", "certificates", "--track", "x", "--out", str(tmp_path / "d")])
    assert res.exit_code == 1 and "コース「x」はありません" in res.output
