"""``aidojo submit`` as learners use it: from the folder they work in, saying which file it zipped, warning about an
untouched or never-run notebook or a newer copy, and naming the submitter by the one staff-id rule."""

from __future__ import annotations

import json
import os
import shutil
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from aidojo.cli import app
from aidojo.course.layout import CourseLayout
from aidojo.course.submission import SubmissionError, hub_identity, pack_submission
from tests.fixtures.course.helpers import GOOD_Q1, SOURCE, layout, variant, write_nb
from tests.fixtures.intake.builders import stamped

REPO = Path(__file__).resolve().parents[1]
RELEASED_M01 = REPO / "exercises" / "m01" / "m01_kadai.ipynb"


def _answered_m01() -> dict:
    """m01 as a 課長 hands it in: every answer written in their own words, the notebook run top to bottom."""
    nb = json.loads(RELEASED_M01.read_text(encoding="utf-8"))
    count = 0
    for cell in nb["cells"]:
        meta = cell["metadata"].get("nbgrader", {})
        if meta.get("solution"):
            source = "".join(cell["source"])
            cell["source"] = source.replace('= """\n', '= """\nA・C（住民の氏名と住所が入っているため）\n', 1)
        if cell["cell_type"] == "code":
            count += 1
            cell["execution_count"] = count
    return nb


def _submit(args: list[str]):
    return CliRunner().invoke(app, ["submit", *args])


def test_submit_zips_the_notebook_of_the_current_folder_and_says_which(tmp_path, monkeypatch):
    work = tmp_path / "研修フォルダ"
    write_nb(work / "m01_kadai.ipynb", _answered_m01())
    monkeypatch.chdir(work)
    res = _submit(["m01", "--staff-id", "ｋ１２３４５"])  # typed in full width: the one rule makes it k12345
    assert res.exit_code == 0, res.output
    assert f"提出したノートブック: {work / 'm01_kadai.ipynb'}" in res.output
    assert "注意" not in res.output, res.output
    with zipfile.ZipFile(work / "k12345_m01.zip") as zf:
        packed = json.loads(zf.read("k12345/m01/m01_kadai.ipynb"))
        assert json.loads(zf.read("manifest.json"))["staff_id"] == "k12345"
    assert packed["metadata"]["aidojo"]["staff_id"] == "k12345"


def test_submit_warns_about_an_untouched_never_run_notebook(tmp_path, monkeypatch):
    shutil.copy(RELEASED_M01, tmp_path / "m01_kadai.ipynb")
    monkeypatch.chdir(tmp_path)
    res = _submit(["m01", "--staff-id", "k12345"])
    assert res.exit_code == 0, res.output  # a warning, not a refusal: the learner decides
    assert "1つも書き換えられていません" in res.output and "一度も実行されていません" in res.output
    assert (tmp_path / "k12345_m01.zip").is_file()


@pytest.mark.parametrize("below", ["m01", "aidojo/m01"])  # a lab opened one level up; nbgrader's fetch on JupyterHub
def test_submit_finds_the_module_folder_below_and_warns_about_a_newer_copy(tmp_path, monkeypatch, below):
    write_nb(tmp_path / below / "m01_kadai.ipynb", json.loads(RELEASED_M01.read_text(encoding="utf-8")))
    copy = write_nb(tmp_path / below / "m01_kadai-Copy1.ipynb", _answered_m01())
    later = os.stat(copy).st_mtime + 600
    os.utime(copy, (later, later))  # the learner worked in the copy
    monkeypatch.chdir(tmp_path)
    res = _submit(["m01", "--staff-id", "k12345", "--out", str(tmp_path / "out")])
    assert res.exit_code == 0, res.output
    assert str(tmp_path / below / "m01_kadai.ipynb") in res.output
    assert "m01_kadai-Copy1.ipynb」のほうが新しく保存されています" in res.output


def test_submit_never_takes_the_checkout_exercises_when_the_notebook_is_not_here(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    res = _submit(["m01", "--staff-id", "k12345"])
    assert res.exit_code == 1 and "見つかりません" in res.output and "--dir" in res.output
    assert str(tmp_path) in res.output and not list(tmp_path.iterdir())
    res = _submit(["m01"])
    assert res.exit_code == 1 and "--staff-id" in res.output


def test_submit_refuses_a_broken_or_oversized_notebook_before_writing(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "m01_kadai.ipynb").write_text('{"nbformat": 4, "metadata": {}, "cells": [1]}', encoding="utf-8")
    res = _submit(["m01", "--staff-id", "k12345"])
    assert res.exit_code == 1 and "1番目のセル" in res.output and "保存し直して" in res.output
    with open(tmp_path / "m01_kadai.ipynb", "wb") as fh:
        fh.truncate(900 * 1024 * 1024)  # sparse: refused by its size, never read
    res = _submit(["m01", "--staff-id", "k12345"])
    assert res.exit_code == 1 and "大きすぎます" in res.output and "出力を消して" in res.output
    assert not list(tmp_path.glob("*.zip"))


def test_submit_refuses_a_notebook_that_names_someone_else(tmp_path, monkeypatch):
    write_nb(tmp_path / "m01_kadai.ipynb", stamped(_answered_m01(), "k99999", "m01"))  # taken out of k99999's zip
    monkeypatch.chdir(tmp_path)
    res = _submit(["m01", "--staff-id", "k12345"])
    assert res.exit_code == 1 and "k99999" in res.output and not list(tmp_path.glob("*.zip"))
    res = _submit(["m01", "--staff-id", "K99999"])  # the one rule keeps case: K99999 is another id
    assert res.exit_code == 1


def test_partly_unanswered_cells_are_listed(tmp_path):
    lay = layout(tmp_path)
    (lay.release_dir / "t01").mkdir(parents=True)
    shutil.copy(SOURCE / "t01" / "t01_kadai.ipynb", lay.release_dir / "t01" / "t01_kadai.ipynb")
    write_nb(tmp_path / "work" / "t01_kadai.ipynb", variant(lay, GOOD_Q1, None))  # q2 as released
    packed = pack_submission("t01", "k12345", work_dir=tmp_path / "work", out=tmp_path / "out", layout=lay)
    partly = [w for w in packed.warnings if "書き換えられていない解答セル" in w]
    assert len(partly) == 1 and "問2" in partly[0]  # named as the learner sees it in the notebook


def test_untouched_is_recognised_without_the_released_folder(tmp_path):
    """On a machine without exercises/ the check falls back to the checksums nbgrader stored at release."""
    lay = CourseLayout(source_dir=REPO / "solutions", release_dir=tmp_path / "nowhere", data_dir=tmp_path / "course")
    shutil.copy(RELEASED_M01, tmp_path / "m01_kadai.ipynb")
    packed = pack_submission("m01", "k12345", work_dir=tmp_path, out=tmp_path / "out", layout=lay)
    assert any("1つも書き換えられていません" in w for w in packed.warnings)
    write_nb(tmp_path / "m01_kadai.ipynb", _answered_m01())
    assert not pack_submission("m01", "k12345", work_dir=tmp_path, out=tmp_path / "out", layout=lay).warnings


def test_on_jupyterhub_the_identity_is_the_login(monkeypatch):
    monkeypatch.delenv("JUPYTERHUB_USER", raising=False)
    with pytest.raises(SubmissionError, match="--staff-id"):
        hub_identity(None)
    assert hub_identity("ｋ２０００１") == "k20001"
    monkeypatch.setenv("JUPYTERHUB_USER", "k20001")
    assert hub_identity(None) == "k20001" and hub_identity("k20001") == "k20001"
    with pytest.raises(SubmissionError, match="k20001"):
        hub_identity("k20002")  # a learner cannot hand in as a colleague
    monkeypatch.setenv("JUPYTERHUB_USER", "trainer@example")
    with pytest.raises(SubmissionError, match="ログイン名"):
        hub_identity(None)
