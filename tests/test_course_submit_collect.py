"""aidojo submit (API-key scan, package format) and aidojo collect (zip / folder) with every bad input."""

from __future__ import annotations

import io
import json
import shutil
import zipfile
from pathlib import Path

import pytest

from aidojo.course import course_data_dir
from aidojo.course.collect import collect_folder, collect_zip
from aidojo.course.keyscan import find_keys_in_text
from aidojo.course.submission import SubmissionError, package_submission
from tests.fixtures.course.helpers import SOURCE, layout, variant, write_nb

FAKE_OPENAI = "sk-proj-" + "AbCdEfGhIjKlMnOpQrStUvWx0123456789"
FAKE_AZURE = "0123456789abcdef" * 2


@pytest.fixture
def lay(tmp_path):
    """Fixture layout with the released t01 faked from the source (collect needs no nbgrader run)."""
    lay = layout(tmp_path)
    (lay.release_dir / "t01").mkdir(parents=True)
    shutil.copy(SOURCE / "t01" / "t01_kadai.ipynb", lay.release_dir / "t01" / "t01_kadai.ipynb")
    return lay


def _learner_nb(lay, **kw):
    return variant(lay, "def add(a, b):\n    return a + b", None, **kw)


@pytest.mark.parametrize("text,kind", [
    (f'client = OpenAI(api_key="{FAKE_OPENAI}")', "OpenAI"),
    (f"AZURE_OPENAI_API_KEY={FAKE_AZURE}", "Azure"),
    ('api_key = "abcd1234efgh5678"', "直書き"),
])
def test_keys_are_found(text, kind):
    assert any(kind in k for k in find_keys_in_text(text))


@pytest.mark.parametrize("text", ['api_key=os.environ["OPENAI_API_KEY"]', 'api_key="your-api-key"', "sk-...", "key: sk-xxx"])
def test_placeholders_are_not_keys(text):
    assert find_keys_in_text(text) == []


def test_submit_packages_notebook_with_manifest(lay, tmp_path):
    work = tmp_path / "laptop"
    write_nb(work / "t01_kadai.ipynb", _learner_nb(lay))
    out = package_submission("t01", "k12345", work_dir=work, out=tmp_path / "out", layout=lay)
    assert out.name == "k12345_t01.zip"
    with zipfile.ZipFile(out) as zf:
        assert sorted(zf.namelist()) == ["k12345/t01/t01_kadai.ipynb", "manifest.json"]
        manifest = json.loads(zf.read("manifest.json"))
        packed = json.loads(zf.read("k12345/t01/t01_kadai.ipynb"))
    assert packed["metadata"].pop("aidojo") == {"staff_id": "k12345", "module": "t01"}  # the staff id, in the notebook
    assert packed == json.loads((work / "t01_kadai.ipynb").read_text(encoding="utf-8"))  # and nothing else changed
    assert "aidojo" not in json.loads((work / "t01_kadai.ipynb").read_text(encoding="utf-8"))["metadata"]
    assert manifest["staff_id"] == "k12345" and manifest["module"] == "t01" and manifest["version"] == 2
    assert len(manifest["notebooks"][0]["sha256"]) == 64


@pytest.mark.parametrize("where", ["source", "output"])
def test_submit_refuses_api_key_naming_file_and_cell(lay, tmp_path, where):
    nb = _learner_nb(lay)
    if where == "source":
        nb["cells"][3]["source"] = f'import os\nos.environ["OPENAI_API_KEY"] = "{FAKE_OPENAI}"'
    else:
        nb["cells"][3]["outputs"] = [{"output_type": "stream", "name": "stdout", "text": f"key={FAKE_OPENAI}\n"}]
    work = tmp_path / "laptop"
    write_nb(work / "t01_kadai.ipynb", nb)
    with pytest.raises(SubmissionError) as err:
        package_submission("t01", "k12345", work_dir=work, out=tmp_path / "out.zip", layout=lay)
    msg = str(err.value)
    assert "APIキー" in msg and "t01_kadai.ipynb" in msg and "4番目のセル" in msg
    assert ("ソース" if where == "source" else "出力") in msg
    assert FAKE_OPENAI not in msg, "the key itself is never printed"
    assert not (tmp_path / "out.zip").exists()


def test_submit_refuses_missing_notebook_and_bad_staff_id(lay, tmp_path):
    with pytest.raises(SubmissionError, match="見つかりません"):
        package_submission("t01", "k12345", work_dir=tmp_path / "empty", layout=lay)
    with pytest.raises(SubmissionError, match="職員番号"):
        package_submission("t01", "../etc", work_dir=tmp_path, layout=lay)
    with pytest.raises(SubmissionError, match="モジュール"):
        package_submission("zz99", "k12345", work_dir=tmp_path, layout=lay)


def _zip_bytes(entries: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
    return buf.getvalue()


def test_collect_folder_of_packages_and_raw_layout_reports_every_bad_file(lay, tmp_path):
    inbox = tmp_path / "inbox"
    good = json.dumps(_learner_nb(lay), ensure_ascii=False).encode()
    # 1. a good package from aidojo submit
    work = tmp_path / "laptop"
    write_nb(work / "t01_kadai.ipynb", _learner_nb(lay))
    package_submission("t01", "k10001", work_dir=work, out=inbox, layout=lay)
    # 2. raw layout, renamed notebook + a stray non-notebook file
    (inbox / "k10002" / "t01").mkdir(parents=True)
    (inbox / "k10002" / "t01" / "t01_kadai (1).ipynb").write_bytes(good)
    (inbox / "k10002" / "t01" / "memo.docx").write_bytes(b"PK\x03\x04 not a notebook")
    # 3. invalid JSON notebook
    (inbox / "k10003" / "t01").mkdir(parents=True)
    (inbox / "k10003" / "t01" / "t01_kadai.ipynb").write_text("{ this is not json", encoding="utf-8")
    # 4. too large
    (inbox / "k10004" / "t01").mkdir(parents=True)
    big = _learner_nb(lay)
    big["cells"][0]["source"] += "\n" + "あ" * 400_000
    (inbox / "k10004" / "t01" / "t01_kadai.ipynb").write_text(json.dumps(big, ensure_ascii=False), encoding="utf-8")
    # 5. unknown module
    (inbox / "k10005" / "m99").mkdir(parents=True)
    (inbox / "k10005" / "m99" / "m99_kadai.ipynb").write_bytes(good)
    # 6. a notebook of another assignment only (missing the expected one)
    (inbox / "k10006" / "t01").mkdir(parents=True)
    (inbox / "k10006" / "t01" / "other.ipynb").write_text(json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {},
                                                                      "cells": []}), encoding="utf-8")
    # 7. a package tampered with after packing
    tampered = inbox / "k10007_t01.zip"
    package_submission("t01", "k10007", work_dir=work, out=tampered, layout=lay)
    with zipfile.ZipFile(tampered) as zf:
        entries = {n: zf.read(n) for n in zf.namelist()}
    entries["k10007/t01/t01_kadai.ipynb"] = entries["k10007/t01/t01_kadai.ipynb"].replace(b"a + b", b"a - b")
    tampered.write_bytes(_zip_bytes(entries))
    # 8. an API key in a raw notebook and 9. a broken zip and 10. a file at the wrong depth
    keyed = _learner_nb(lay)
    keyed["cells"][1]["source"] = f'key = "{FAKE_OPENAI}"'
    write_nb(inbox / "k10008" / "t01" / "t01_kadai.ipynb", keyed)
    (inbox / "broken.zip").write_bytes(b"not a zip at all")
    (inbox / "readme.txt").write_text("hello", encoding="utf-8")

    report = collect_folder(inbox, layout=lay, max_bytes=1_000_000)
    text = report.text()
    assert sorted(report.accepted) == [("k10001", "t01"), ("k10002", "t01")], text
    expect = {"renamed": "k10002", "not_notebook": "k10002", "invalid_notebook": "k10003", "too_large": "k10004",
              "unknown_module": "k10005", "unknown_notebook": "k10006", "checksum": "k10007", "api_key": "k10008"}
    for code, sid in expect.items():
        lines = report.find(code=code, staff_id=sid)
        assert lines, f"no {code} line for {sid}:\n{text}"
        assert sid in lines[0].render()
    assert report.find(code="bad_zip") and report.find(code="misplaced")
    assert FAKE_OPENAI not in text
    sub = lay.submitted_dir
    assert (sub / "k10002" / "t01" / "t01_kadai.ipynb").read_bytes() == good  # renamed back
    assert (sub / "k10001" / "t01" / "timestamp.txt").read_text().endswith("UTC")
    assert sorted(p.name for p in sub.iterdir()) == ["k10001", "k10002"]
    assert list(lay.reports_dir.glob("collect-*.txt"))

    again = collect_folder(inbox, layout=lay, max_bytes=1_000_000)  # idempotent
    assert again.accepted == [] and sorted(again.unchanged) == [("k10001", "t01"), ("k10002", "t01")]


def test_collect_zip_of_packages_and_unsafe_paths(lay, tmp_path):
    work = tmp_path / "laptop"
    write_nb(work / "t01_kadai.ipynb", _learner_nb(lay))
    p1 = package_submission("t01", "k20001", work_dir=work, out=tmp_path / "a", layout=lay)
    p2 = package_submission("t01", "k20002", work_dir=work, out=tmp_path / "b", layout=lay)
    bundle = tmp_path / "all.zip"
    bundle.write_bytes(_zip_bytes({"k20001_t01.zip": p1.read_bytes(), "sub/k20002_t01.zip": p2.read_bytes(),
                                   "../evil.ipynb": b"{}", "__MACOSX/._x": b""}))
    report = collect_zip(bundle, layout=lay)
    assert sorted(report.accepted) == [("k20001", "t01"), ("k20002", "t01")], report.text()
    assert report.find(code="zip_unsafe_path")
    assert not (tmp_path / "evil.ipynb").exists()
    single = collect_zip(p1, layout=lay)  # one learner's package on its own
    assert single.unchanged == [("k20001", "t01")]


def test_cli_submit_refuses_a_key_and_collect_reports(tmp_path):
    from typer.testing import CliRunner

    from aidojo.cli import app

    repo = Path(__file__).resolve().parents[1]
    work = tmp_path / "laptop"
    nb = json.loads((repo / "exercises" / "m01" / "m01_kadai.ipynb").read_text(encoding="utf-8"))
    nb["cells"][1]["outputs"] = []
    nb["cells"].append({"cell_type": "code", "id": "mine", "metadata": {}, "execution_count": None, "outputs": [],
                        "source": f'OPENAI_API_KEY = "{FAKE_OPENAI}"'})
    write_nb(work / "m01_kadai.ipynb", nb)
    runner = CliRunner()
    res = runner.invoke(app, ["submit", "m01", "--staff-id", "k12345", "--dir", str(work), "--out", str(tmp_path / "o")])
    assert res.exit_code == 1 and "APIキー" in res.output and "m01_kadai.ipynb" in res.output
    assert FAKE_OPENAI not in res.output and not (tmp_path / "o").exists()
    nb["cells"].pop()
    write_nb(work / "m01_kadai.ipynb", nb)
    res = runner.invoke(app, ["submit", "m01", "--staff-id", "k12345", "--dir", str(work), "--out", str(tmp_path / "o")])
    assert res.exit_code == 0, res.output
    assert (tmp_path / "o" / "k12345_m01.zip").is_file()
    assert "提出したノートブック:" in res.output and str(work / "m01_kadai.ipynb") in res.output
    package = str(tmp_path / "o" / "k12345_m01.zip")
    res = runner.invoke(app, ["collect", "--zip", package])  # no roster imported yet
    assert res.exit_code == 2 and "名簿" in res.output and "--allow-unknown" in res.output
    assert not (course_data_dir() / "submitted").exists()
    res = runner.invoke(app, ["collect", "--zip", str(tmp_path / "missing.zip"), "--allow-unknown"])
    assert res.exit_code == 1 and "missing.zip がありません" in res.output
    roster = tmp_path / "職員名簿.csv"
    roster.write_bytes("職員番号,氏名,所属局,所属部,所属課,役職区分\r\nk10001,山田 太郎,総務局,,人事課,一般\r\n".encode("cp932"))
    assert runner.invoke(app, ["roster", "import", str(roster)]).exit_code == 0
    res = runner.invoke(app, ["collect", "--zip", package])  # k12345 is not on the roster: held back, listed
    assert res.exit_code == 1 and "k12345" in res.output and "保留" in res.output, res.output
    assert not (course_data_dir() / "submitted" / "k12345").exists()
    res = runner.invoke(app, ["collect", "--zip", package, "--allow-unknown"])
    assert res.exit_code == 0 and "k12345 m01: 受け付けました" in res.output, res.output
