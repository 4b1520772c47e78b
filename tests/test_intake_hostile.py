"""Intake that never breaks: broken notebooks, bombs, nested zips, odd names, links and devices among honest
submissions. Every bad file gets exactly one report line, every honest learner is stored, sizes are checked before
anything is read whole, and nothing is extracted to disk."""

from __future__ import annotations

import json
import os
import shutil
import stat
import tempfile
import tracemalloc
import zipfile

import pytest

from aidojo.course.collect import collect_folder, collect_zip
from aidojo.course.layout import CourseLayout
from tests.fixtures.course.helpers import GOOD_Q1, GOOD_Q2, SOURCE, layout, variant
from tests.fixtures.intake.builders import (
    MB,
    Raw,
    bomb_entry,
    finder_zip,
    nb_bytes,
    package,
    raw_zip,
    stamped,
    stored,
    windows_zip,
    zip_of,
)


@pytest.fixture
def lay(tmp_path):
    lay = layout(tmp_path)
    (lay.release_dir / "t01").mkdir(parents=True)
    shutil.copy(SOURCE / "t01" / "t01_kadai.ipynb", lay.release_dir / "t01" / "t01_kadai.ipynb")
    return lay


@pytest.fixture
def good(lay):
    return variant(lay, GOOD_Q1, GOOD_Q2)


@pytest.fixture
def private_tmp(tmp_path, monkeypatch):
    """tempfile's folder, watched: intake must leave nothing there (it extracts nothing)."""
    folder = tmp_path / "tmpdir"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


def _one_line_each(report, bad: dict[str, str]) -> None:
    """Each bad staff id has exactly one problem line, with the expected code; no one else has any."""
    for sid, code in bad.items():
        lines = [ln for ln in report.problems if ln.staff_id == sid]
        assert [ln.code for ln in lines] == [code], f"{sid}:\n{report.text()}"
    others = [ln for ln in report.problems if ln.staff_id not in bad]
    assert not others, report.text()


BAD_NOTEBOOKS = {  # staff id → (bytes, the code its one line must have)
    "k21001": (b'{"nbformat":4,"metadata":{},"cells":[1]}', "invalid_notebook"),
    "k21002": (None, "invalid_notebook"),  # a cell whose source is 123 (filled in below)
    "k21003": (b"{ this is not json", "invalid_notebook"),
    "k21004": (b"", "invalid_notebook"),
    "k21005": (None, "invalid_notebook"),  # UTF-16, as some editors save
    "k21006": (b"[]", "invalid_notebook"),
    "k21007": (b'{"nbformat": 3, "worksheets": []}', "invalid_notebook"),
    "k21008": (b"[" * 200_000 + b"]" * 200_000, "invalid_notebook"),  # deep enough to break a recursive parser
    "k21009": (b'{"nbformat":4,"metadata":{},"cells":[{"cell_type":"code","source":"x","metadata":{"nbgrader":7}}]}',
               "invalid_notebook"),
    "k21010": (b"\x00" * 1000, "invalid_notebook"),
}


def _bad_notebooks(good: dict) -> dict[str, tuple[bytes, str]]:
    bad = dict(BAD_NOTEBOOKS)
    numeric = json.loads(json.dumps(good))
    numeric["cells"][1]["source"] = 123
    bad["k21002"] = (nb_bytes(numeric), "invalid_notebook")
    bad["k21005"] = (json.dumps(good, ensure_ascii=False).encode("utf-16"), "invalid_notebook")
    return bad


@pytest.mark.parametrize("source", ["folder", "zip"])
def test_malformed_notebooks_among_good_ones(lay, good, tmp_path, source, private_tmp):
    bad = _bad_notebooks(good)
    files = {}
    for i in range(8):  # honest learners sort before, between and after the broken ones
        for sid in (f"k2000{i}", f"k2200{i}"):
            files[f"{sid}/t01/t01_kadai.ipynb"] = nb_bytes(good)
    odd_outputs = json.loads(json.dumps(good))
    odd_outputs["cells"][1]["outputs"] = [1, None, {"text": 5}]  # valid for nbjson; the key scan must cope
    files["k20009/t01/t01_kadai.ipynb"] = nb_bytes(odd_outputs)
    for sid, (data, _) in bad.items():
        files[f"{sid}/t01/t01_kadai.ipynb"] = data
    if source == "folder":
        inbox = tmp_path / "inbox"
        for name, data in files.items():
            (inbox / name).parent.mkdir(parents=True, exist_ok=True)
            (inbox / name).write_bytes(data)
        report = collect_folder(inbox, layout=lay)
    else:
        bundle = tmp_path / "all.zip"
        bundle.write_bytes(zip_of({f"提出/{n}": d for n, d in files.items()}))
        report = collect_zip(bundle, layout=lay)
    honest = sorted({(n.split("/")[0], "t01") for n in files} - {(sid, "t01") for sid in bad})
    assert sorted(report.accepted) == honest, report.text()
    _one_line_each(report, {sid: code for sid, (_, code) in bad.items()})
    assert "123" not in report.find(staff_id="k21002")[0].message or "source" in report.find(staff_id="k21002")[0].message
    assert list(lay.reports_dir.glob("collect-*.txt")), "the report is always saved"
    assert not list(private_tmp.iterdir())


def test_a_900_mb_notebook_in_a_zip_is_refused_without_being_inflated(lay, good, tmp_path, private_tmp):
    honest = package(good, "k30001")
    bundle = tmp_path / "提出まとめ.zip"
    bundle.write_bytes(raw_zip([
        stored("k30001_t01.zip", honest, flags=0x800),
        bomb_entry("k30002/t01/t01_kadai.ipynb", 900),  # declares its 900 MB
        bomb_entry("k30003/t01/t01_kadai.ipynb", 900, declared=4 * MB),  # lies: says 4 MB, inflates to 900 MB
        bomb_entry("k30004/t01/t01_kadai.ipynb", 900, declared=1000),  # lies more
    ]))
    assert bundle.stat().st_size < 3 * MB
    tracemalloc.start()
    report = collect_zip(bundle, layout=lay)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert report.accepted == [("k30001", "t01")], report.text()
    _one_line_each(report, {"k30002": "too_large", "k30003": "bad_zip_entry", "k30004": "bad_zip_entry"})
    assert "900.0 MB" in report.find(staff_id="k30002")[0].message
    assert report.bytes_read < 6 * MB  # the honest package and two short reads, not 2.7 GB
    assert peak < 40 * MB, f"peak Python memory {peak / MB:.1f} MB"
    assert not list(private_tmp.iterdir())


def test_nested_zip_bombs_stay_within_one_budget(lay, good, tmp_path, private_tmp):
    inner_bomb = raw_zip([bomb_entry(f"k3100{i}/t01/t01_kadai.ipynb", 200) for i in range(4)])  # 800 MB inflated
    inner_liars = raw_zip([bomb_entry(f"k3200{i}/t01/t01_kadai.ipynb", 4) for i in range(8)])  # 8 × 4 MB of zeros
    deeper = zip_of({"k33001_t01.zip": zip_of({"again.zip": inner_bomb})})
    outer_entries = [stored("k30001_t01.zip", package(good, "k30001"), flags=0x800),
                     stored("bomb1.zip", inner_bomb), stored("bomb2.zip", inner_bomb),
                     stored("liars.zip", inner_liars), stored("deeper.zip", deeper),
                     stored("k30002_t01.zip", package(good, "k30002"), flags=0x800)]
    bundle = tmp_path / "all.zip"
    bundle.write_bytes(raw_zip(outer_entries))
    assert bundle.stat().st_size < 2 * MB  # under 2 MB that would inflate to 1.6 GB
    report = collect_zip(bundle, layout=lay)
    assert sorted(report.accepted) == [("k30001", "t01"), ("k30002", "t01")], report.text()
    too_large = report.find(code="too_large")
    assert {ln.staff_id for ln in too_large} == {f"k3100{i}" for i in range(4)} and len(too_large) == 8
    budget_lines = report.find(code="zip_too_large")  # the liars' zip: its 21 MB budget runs out, the rest go on
    assert len(budget_lines) == 1 and budget_lines[0].path.endswith("liars.zip"), report.text()
    assert [ln.path for ln in report.find(code="nested_archive")] == ["all.zip/deeper.zip/k33001_t01.zip"]
    assert report.bytes_read < 40 * MB, report.bytes_read
    assert not list(private_tmp.iterdir())


def test_one_zip_may_not_read_more_than_its_total_budget(lay, good, tmp_path, monkeypatch):
    import aidojo.course.collect as collect

    small = collect.IntakeLimits(notebook_bytes=5 * MB, total_bytes=10 * MB)  # the 1 GB default, scaled down
    monkeypatch.setattr(collect.IntakeLimits, "for_notebook", classmethod(lambda cls, max_bytes=None: small))
    entries = [stored("k90001_t01.zip", package(good, "k90001"), flags=0x800)]
    entries += [bomb_entry(f"k9100{i}/t01/t01_kadai.ipynb", 4) for i in range(5)]  # 4 MB each: under the per-file limit
    bundle = tmp_path / "all.zip"
    bundle.write_bytes(raw_zip(entries))
    report = collect_zip(bundle, layout=lay)
    assert report.accepted == [("k90001", "t01")]
    assert report.bytes_read <= 10 * MB + 64 * 1024
    stop = report.find(code="zip_too_large")
    assert len(stop) == 1 and "k91002/t01" in stop[0].message and "k91004/t01" in stop[0].message, report.text()
    assert [ln.staff_id for ln in report.find(code="invalid_notebook")] == ["k91000", "k91001"]


def test_explorer_zip_of_the_submissions_folder_with_cp932_names(lay, good, tmp_path):
    top = "提出物_第1回（健康福祉局）"
    bundle = tmp_path / "提出物.zip"
    bundle.write_bytes(windows_zip({
        f"{top}/k40001_t01.zip": package(good, "k40001"),
        f"{top}/k40002_t01 (1).zip": package(good, "k40002"),
        f"{top}/k40003/t01/t01_kadai（保健師 佐藤）.ipynb": nb_bytes(good),  # renamed, with Japanese in the name
        f"{top}/受講者への連絡メモ.txt": "提出状況を確認".encode("cp932"),
    }))
    with zipfile.ZipFile(bundle) as zf:  # as Explorer writes it: no UTF-8 flag, FAT, directory entries
        infos = zf.infolist()
    assert all(i.flag_bits & 0x800 == 0 and i.create_system == 0 for i in infos) and infos[0].filename.endswith("/")
    report = collect_zip(bundle, layout=lay)
    assert sorted(report.accepted) == [("k40001", "t01"), ("k40002", "t01"), ("k40003", "t01")], report.text()
    assert "t01_kadai（保健師 佐藤）.ipynb" in report.find(code="renamed")[0].message
    memo = report.find(code="misplaced")
    assert len(memo) == 1 and memo[0].path == f"提出物.zip/{top}/受講者への連絡メモ.txt"
    assert len(report.problems) == 2  # the renamed notebook and the memo; nothing else


def test_finder_zip_of_the_submissions_folder(lay, good, tmp_path):
    bundle = tmp_path / "提出フォルダ.zip"
    bundle.write_bytes(finder_zip({
        "提出フォルダ/k41001_t01.zip": package(good, "k41001"),
        "提出フォルダ/k41002/t01/t01_kadai.ipynb": nb_bytes(stamped(good, "k41002")),
    }))
    report = collect_zip(bundle, layout=lay)
    assert sorted(report.accepted) == [("k41001", "t01"), ("k41002", "t01")], report.text()
    assert not report.problems, report.text()  # __MACOSX, ._ twins and .DS_Store are litter, not problems


def test_unsafe_and_odd_entries_get_one_line_each(lay, good, tmp_path):
    data = nb_bytes(good)
    link = Raw(b"k50008/t01/t01_kadai.ipynb", b"/etc/passwd", 11, method=0, create_system=3,
               external_attr=(stat.S_IFLNK | 0o777) << 16)
    link.crc = __import__("zlib").crc32(link.data)
    entries = [
        stored("../../evil.ipynb", data),
        stored("/abs/k50001/t01/t01_kadai.ipynb", data),
        stored("C:\\Users\\k50002\\t01\\t01_kadai.ipynb", data),
        stored("k50003/t01/t01_\x07kadai.ipynb", data),
        stored("k50004/t01/" + "あ" * 120 + ".ipynb", data, flags=0x800),
        Raw(b"k50005/t01/t01_kadai.ipynb", b"\x00" * 32, 32, 0, method=0, flags=0x1),  # encrypted
        Raw(b"k50006/t01/t01_kadai.ipynb", data, len(data), 0, method=99),  # a compression nobody knows
        stored("k50007/t01/t01_kadai.ipynb", data), stored("k50007/t01/t01_kadai.ipynb", nb_bytes(variant(lay))),
        link,
        stored("k50009_t01.7z", b"7z\xbc\xaf\x27\x1c" + bytes(20)),
        stored("k50010/t01/t01_kadai.ipynb", data),
        stored("k50011\\t01\\t01_kadai.ipynb", data),  # backslashes, as old Windows tools wrote
    ]
    bundle = tmp_path / "odd.zip"
    bundle.write_bytes(raw_zip(entries))
    report = collect_zip(bundle, layout=lay)
    assert sorted(report.accepted) == [("k50010", "t01"), ("k50011", "t01")], report.text()
    codes = sorted(ln.code for ln in report.problems)
    assert codes == sorted(["zip_unsafe_path", "zip_unsafe_path", "zip_unsafe_path", "odd_name", "odd_name", "encrypted",
                            "bad_zip_entry", "duplicate_entry", "not_regular", "unsupported_archive"]), report.text()
    assert not (tmp_path / "evil.ipynb").exists() and not (lay.data_dir.parent / "evil.ipynb").exists()


def test_folder_with_a_sparse_giant_a_link_and_a_pipe(lay, good, tmp_path, private_tmp):
    inbox = tmp_path / "inbox"
    for sid in ("k60001", "k60002", "k60003", "k60004"):
        (inbox / sid / "t01").mkdir(parents=True)
    (inbox / "k60001" / "t01" / "t01_kadai.ipynb").write_bytes(nb_bytes(good))
    with open(inbox / "k60002" / "t01" / "t01_kadai.ipynb", "wb") as fh:
        fh.truncate(900 * MB)  # sparse: 900 MB by its size, nothing on disk
    (inbox / "k60003" / "t01" / "t01_kadai.ipynb").symlink_to("/etc/passwd")
    os.mkfifo(inbox / "k60004" / "t01" / "t01_kadai.ipynb")  # reading it would block for ever
    (inbox / "k60001" / "t01" / os.fsdecode(b"\xff\xfe.ipynb")).write_bytes(b"{}")  # not valid UTF-8 on disk
    report = collect_folder(inbox, layout=lay)
    assert report.accepted == [("k60001", "t01")], report.text()
    assert report.bytes_read == len(nb_bytes(good))  # the giant was refused by its size, unread
    codes = sorted(ln.code for ln in report.problems)
    assert codes == ["not_regular", "not_regular", "odd_name", "too_large"], report.text()
    assert report.find(code="too_large")[0].staff_id == "k60002"


@pytest.fixture
def two_modules(tmp_path):
    """A course of t01 and a look-alike t02 (its own grade ids), to hand in one module's notebook as the other."""
    src = tmp_path / "src"
    (src / "t01").mkdir(parents=True)
    shutil.copy(SOURCE / "t01" / "t01_kadai.ipynb", src / "t01")
    nb = json.loads((SOURCE / "t01" / "t01_kadai.ipynb").read_text(encoding="utf-8"))
    for cell in nb["cells"]:
        meta = cell["metadata"].get("nbgrader")
        if meta:
            meta["grade_id"] = meta["grade_id"].replace("t01", "t02")
    (src / "t02").mkdir()
    (src / "t02" / "t02_kadai.ipynb").write_text(json.dumps(nb, ensure_ascii=False), encoding="utf-8")
    return CourseLayout(source_dir=src, release_dir=src, data_dir=tmp_path / "course"), nb


def test_another_modules_notebook_is_named_as_such(two_modules, tmp_path):
    lay, t02 = two_modules
    inbox = tmp_path / "inbox"
    for sid, name in (("k70001", "t02_kadai.ipynb"), ("k70002", "t01_kadai.ipynb")):
        (inbox / sid / "t01").mkdir(parents=True)
        (inbox / sid / "t01" / name).write_bytes(nb_bytes(t02))
    (inbox / "k70003" / "t02").mkdir(parents=True)
    (inbox / "k70003" / "t02" / "t02_kadai.ipynb").write_bytes(nb_bytes(t02))
    report = collect_folder(inbox, layout=lay)
    assert report.accepted == [("k70003", "t02")], report.text()
    _one_line_each(report, {"k70001": "wrong_module", "k70002": "wrong_module"})
    assert "t02 の課題" in report.find(staff_id="k70002")[0].message


def test_an_unexpected_failure_is_one_line_and_the_others_go_on(lay, good, tmp_path, monkeypatch):
    import aidojo.course.collect as collect

    real = collect.scan_notebook

    def flaky(nb, name):
        if nb["cells"][1]["source"] == "boom":
            raise MemoryError("simulated")
        return real(nb, name)

    monkeypatch.setattr(collect, "scan_notebook", flaky)
    boom = json.loads(json.dumps(good))
    boom["cells"][1]["source"] = "boom"
    inbox = tmp_path / "inbox"
    for sid, nb in (("k80001", good), ("k80002", boom), ("k80003", good)):
        (inbox / sid / "t01").mkdir(parents=True)
        (inbox / sid / "t01" / "t01_kadai.ipynb").write_bytes(nb_bytes(nb))
    report = collect_folder(inbox, layout=lay)
    assert sorted(report.accepted) == [("k80001", "t01"), ("k80003", "t01")]
    assert [ln.code for ln in report.problems] == ["internal_error"] and "MemoryError" in report.problems[0].message
