"""Handing out learners' copies on laptops, run as docs/trainer/learner_copies.md and the README quick start say.

The trainer zips exercises/<module>/ only (`python -m zipfile -c m01.zip exercises/m01`); a learner unzips it, runs
`aidojo lab` in that folder with AI道場 installed from the learner kit (the checkout without solutions/, grader/keys/,
grader/heldback/ and tests/), sees only their notebook, then runs `aidojo submit` there. `aidojo lab --dir` and the browser are covered by
tests/test_browser_lab.py; submit's warnings and folder search by tests/test_intake_submit.py.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import httpx
import pytest

from tests.conftest import REPO, free_port

TOKEN = "aidojo-learner-copy-test"
# What the guide's `git archive` puts in the learner kit (docs/trainer/learner_copies.md).
LEARNER_KIT = ("aidojo", "exercises", "notebooks", "grader/course.toml", "grader/nbgrader_config.py", "pyproject.toml")


def _handout(module: str, out: Path) -> Path:
    """The trainer's command from the guide, run in the checkout."""
    zip_path = out / f"{module}.zip"
    subprocess.run([sys.executable, "-m", "zipfile", "-c", str(zip_path), f"exercises/{module}"], cwd=REPO, check=True)
    return zip_path


@pytest.mark.parametrize("module, files", [("m01", {"m01_kadai.ipynb"}), ("m05", {"m05_kadai.ipynb", "opinions.csv"})])
def test_the_handout_zip_holds_the_module_folder_and_nothing_else(tmp_path, module, files):
    with zipfile.ZipFile(_handout(module, tmp_path)) as zf:
        names = {n for n in zf.namelist() if not n.endswith("/")}
    assert names == {f"{module}/{f}" for f in files}


@pytest.mark.slow
@pytest.mark.server
def test_a_learner_unzips_the_handout_runs_aidojo_lab_there_and_submits_from_there(tmp_path):
    laptop = tmp_path / "laptop"
    laptop.mkdir()
    subprocess.run([sys.executable, "-m", "zipfile", "-e", str(_handout("m01", tmp_path)), "."], cwd=laptop, check=True)
    work = laptop / "m01"
    site = tmp_path / "kit"  # the learner kit of the guide: no solutions/, answer keys, held-back cases or tests
    for part in LEARNER_KIT:
        (site / part).parent.mkdir(parents=True, exist_ok=True)
        if (REPO / part).is_dir():
            shutil.copytree(REPO / part, site / part, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(REPO / part, site / part)
    assert not (site / "solutions").exists() and not (site / "grader" / "keys").exists()
    env = {**os.environ, "PYTHONPATH": str(site), "AIDOJO_LAB_DIR": str(tmp_path / ".lab"), "AIDOJO_TOKEN": TOKEN,
           "JUPYTER_RUNTIME_DIR": str(tmp_path / ".runtime"), "JUPYTERLAB_WORKSPACES_DIR": str(tmp_path / ".ws"),
           "AIDOJO_PROVIDER": "offline"}
    env.pop("JUPYTER_CONFIG_PATH", None)
    where = subprocess.run([sys.executable, "-c", "import aidojo; print(aidojo.__file__)"], cwd=work, env=env,
                           capture_output=True, text=True, check=True).stdout
    assert where.startswith(str(site)), where

    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "aidojo", "lab", "--port", str(port)], cwd=work, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 120
        while time.time() < deadline:
            assert proc.poll() is None, proc.stdout.read()
            try:
                if httpx.get(f"{base}/api/contents/", headers={"Authorization": f"token {TOKEN}"}, timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.5)
        else:
            pytest.fail("JupyterLab did not start")
        listing = httpx.get(f"{base}/api/contents/", headers={"Authorization": f"token {TOKEN}"}).json()["content"]
        assert {i["name"] for i in listing} == {"m01_kadai.ipynb"}
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            out, _ = proc.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            out, _ = proc.communicate()
    assert f"開くフォルダ: {work}" in out, out

    res = subprocess.run([sys.executable, "-m", "aidojo", "submit", "m01", "--staff-id", "k12345"], cwd=work, env=env,
                         capture_output=True, text=True)
    assert res.returncode == 0, res.stdout + res.stderr
    assert f"提出したノートブック: {work / 'm01_kadai.ipynb'}" in res.stdout
    with zipfile.ZipFile(work / "k12345_m01.zip") as zf:
        assert "k12345/m01/m01_kadai.ipynb" in zf.namelist()


def test_the_guide_and_the_readme_give_the_commands_these_tests_run():
    guide = (REPO / "docs" / "trainer" / "learner_copies.md").read_text(encoding="utf-8")
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    handout = "python -m zipfile -c m01.zip exercises/m01"
    assert handout in guide and handout in readme
    assert "aidojo lab" in guide and "aidojo submit m01 --staff-id" in guide and "aidojo submit m01 --staff-id" in readme
    archive = guide.split("git archive", 1)[1].split("```", 1)[0].replace("\\\n", " ").split()
    kit = [a for a in archive if not a.startswith("-") and a != "HEAD" and not a.endswith(".zip")]
    assert set(LEARNER_KIT) <= set(kit), kit
    assert not [k for k in kit if k.split("/")[0] in ("solutions", "tests", "benchmarks") or k.startswith(("grader/keys", "grader/heldback"))]
