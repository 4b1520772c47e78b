"""A learner's JupyterLab, used as a learner uses it: `aidojo lab` on a copy of exercises/m01, in headless Chromium.

Japanese menus, no nbgrader instructor tools, wrapped answer lines; a right answer shows ○, a wrong one a one-line
× (no traceback); "Restart Kernel and Run All Cells" runs to the last cell. One Lab start for the whole module;
the settings themselves (learner and trainer) are checked without a server first.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from aidojo.lab import INSTRUCTOR_PLUGINS, INSTRUCTOR_SERVER_EXTENSIONS, lab_settings
from tests.conftest import REPO, free_port, require

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
TOKEN = "aidojo-browser-test"


# --- the settings, without a server -----------------------------------------------------------------------------


def test_learner_settings_select_japanese_wrap_lines_and_hide_instructor_tools(tmp_path):
    s = lab_settings(root=tmp_path)
    overrides = json.loads((s.settings_dir / "overrides.json").read_text(encoding="utf-8"))
    assert overrides["@jupyterlab/translation-extension:plugin"]["locale"] == "ja_JP"
    assert overrides["@jupyterlab/notebook-extension:tracker"]["codeCellConfig"]["lineWrap"] is True
    assert overrides["@jupyterlab/apputils-extension:notification"]["fetchNews"] == "false"
    page_config = json.loads((s.settings_dir / "page_config.json").read_text(encoding="utf-8"))
    assert set(page_config["disabledExtensions"]) == set(INSTRUCTOR_PLUGINS)
    assert f"--LabApp.app_settings_dir={s.settings_dir}" in s.args
    assert all(f"--ServerApp.jpserver_extensions={ext}=False" in s.args for ext in INSTRUCTOR_SERVER_EXTENSIONS)
    assert "nbgrader.server_extensions.assignment_list" not in " ".join(s.args)  # the student's tool stays
    assert s.env["AIDOJO_LAB_ROLE"] == "learner"


def test_trainer_settings_keep_every_nbgrader_tool_and_the_same_japanese_lab(tmp_path):
    s = lab_settings(instructor=True, root=tmp_path)
    assert json.loads((s.settings_dir / "page_config.json").read_text(encoding="utf-8"))["disabledExtensions"] == []
    assert not any("jpserver_extensions" in a for a in s.args) and s.env["AIDOJO_LAB_ROLE"] == "trainer"
    overrides = json.loads((s.settings_dir / "overrides.json").read_text(encoding="utf-8"))
    assert overrides["@jupyterlab/translation-extension:plugin"]["locale"] == "ja_JP"
    assert s.settings_dir != lab_settings(root=tmp_path).settings_dir  # learners' and trainers' files never mix


def test_the_japanese_language_pack_is_installed():
    from importlib.metadata import entry_points

    packs = {ep.name for ep in entry_points(group="jupyterlab.languagepack")}
    assert "ja_JP" in packs


def test_emoji_free_notebook_helpers():
    from aidojo.checks.notebook import Reply, mirror_html

    shown = Reply("答え")._repr_html_() + mirror_html("あなたは広報担当です。")
    assert not any(ord(ch) >= 0x1F000 or ch in "✅❌⚠" for ch in shown)


# --- the lab in a browser ------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """`aidojo lab --dir` on a learner's folder holding a copy of exercises/m01 (one server for the module)."""
    work = tmp_path_factory.mktemp("learner")
    shutil.copytree(REPO / "exercises" / "m01", work / "m01")
    port = free_port()
    env = {**os.environ, "AIDOJO_LAB_DIR": str(work / ".lab"), "AIDOJO_TOKEN": TOKEN,
           "JUPYTER_RUNTIME_DIR": str(work / ".runtime"), "JUPYTERLAB_WORKSPACES_DIR": str(work / ".workspaces"),
           "AIDOJO_PROVIDER": "offline"}
    env.pop("JUPYTER_CONFIG_PATH", None)
    proc = subprocess.Popen([sys.executable, "-m", "aidojo", "lab", "--dir", str(work), "--port", str(port)],
                            cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 120
        while time.time() < deadline:
            assert proc.poll() is None, proc.stdout.read()
            try:
                if httpx.get(f"{base}/lab?token={TOKEN}", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.5)
        else:
            pytest.fail("JupyterLab did not start")
        yield base, work
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


@pytest.mark.slow
@pytest.mark.server
def test_aidojo_lab_serves_the_learners_folder_not_the_checkout(lab):
    base, _ = lab
    names = {i["name"] for i in httpx.get(f"{base}/api/contents/", headers={"Authorization": f"token {TOKEN}"}).json()["content"]}
    assert "m01" in names and "exercises" not in names and "notebooks" not in names
    assert httpx.get(f"{base}/formgrader", headers={"Authorization": f"token {TOKEN}"}).status_code == 404


def _cell(page, index: int):
    return page.locator(".jp-Notebook .jp-Cell").nth(index)


def _type_answer(page, index: int, answer: str) -> None:
    """Type between the quotes of an answer cell (line 3), as a learner does."""
    _cell(page, index).locator(".cm-content").click()
    page.keyboard.press("Control+Home")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    page.keyboard.type(answer)


def _run_from(page, index: int, cells: int) -> None:
    _cell(page, index).locator(".cm-content").click()
    for _ in range(cells):
        page.keyboard.press("Shift+Enter")
    time.sleep(0.3)


def _output(page, index: int, timeout: float = 30) -> str:
    out = _cell(page, index).locator(".jp-OutputArea-output")
    out.first.wait_for(timeout=timeout * 1000)
    return out.first.inner_text()


@pytest.mark.slow
@pytest.mark.browser
@pytest.mark.server
def test_a_learner_does_m01_in_japanese_jupyterlab(lab):
    require(CHROMIUM.exists(), "Debian の chromium パッケージ（/usr/bin/chromium）がありません")
    sync_api = pytest.importorskip("playwright.sync_api")
    base, work = lab
    nb = json.loads((work / "m01" / "m01_kadai.ipynb").read_text(encoding="utf-8"))
    ids = [c.get("id") for c in nb["cells"]]
    q1, q2 = ids.index("m01-q1-answer"), ids.index("m01-q2-answer")
    last_code = max(i for i, c in enumerate(nb["cells"]) if c["cell_type"] == "code")
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            page = browser.new_page(locale="ja-JP", viewport={"width": 1280, "height": 1000})
            page.goto(f"{base}/lab/tree/m01/m01_kadai.ipynb?token={TOKEN}")
            page.locator(".jp-Notebook .jp-Cell").nth(last_code).wait_for(timeout=60_000)
            page.locator(".jp-Notebook-ExecutionIndicator[data-status='idle'], .jp-KernelStatus").first.wait_for(timeout=60_000)

            menus = page.locator(".lm-MenuBar-itemLabel").all_inner_texts()
            assert {"ファイル", "編集", "カーネル"} <= set(menus), menus
            assert "Nbgrader" not in menus
            html = page.content()
            for tool in ("Create Assignment", "Formgrader", "Validate", "Course List"):
                assert tool not in html, f"{tool} is visible to a learner"
            assert page.locator(".jp-Cell .cm-content.cm-lineWrapping").count() > 0  # long answer lines wrap

            _run_from(page, ids.index("m01k-setup"), 1)  # a learner runs the cells from the top
            _type_answer(page, q1, "A, C, D")
            _run_from(page, q1, 3)  # answer, check(), require()
            assert _output(page, q1 + 1).startswith("○"), _output(page, q1 + 1)
            assert _output(page, q1 + 2).startswith("○")

            _type_answer(page, q2, "A=2")
            _run_from(page, q2, 3)
            graded = _output(page, q2 + 2)
            assert graded.startswith("×") and len(graded.strip().splitlines()) == 1, graded
            assert "Traceback" not in _cell(page, q2 + 2).inner_text()
            page.screenshot(path="/tmp/aidojo_lab_m01_answers.png", full_page=False)

            page.locator(".lm-MenuBar-itemLabel", has_text="カーネル").click()
            # ja-JP: 「カーネル」→「カーネルを再起動 と すべてのセルを実行…」 (Restart Kernel and Run All Cells)
            page.locator(".lm-Menu-itemLabel", has_text=re.compile(r"カーネルを再起動.*すべてのセルを実行")).click()
            page.locator(".jp-Dialog .jp-Dialog-button.jp-mod-accept").click()  # 「再起動」
            prompt = _cell(page, last_code).locator(".jp-InputPrompt")
            deadline = time.time() + 90
            while time.time() < deadline and not prompt.inner_text().strip().strip("[]:").isdigit():
                time.sleep(0.5)
            assert prompt.inner_text().strip().strip("[]:").isdigit(), prompt.inner_text()  # the last cell ran
            # JupyterLab renders only the cells on screen: save, and read every cell's outputs from the file.
            page.keyboard.press("Control+s")
            path = work / "m01" / "m01_kadai.ipynb"
            deadline = time.time() + 30
            while time.time() < deadline and json.loads(path.read_text(encoding="utf-8"))["cells"][last_code]["execution_count"] is None:
                time.sleep(0.5)
            saved = json.loads(path.read_text(encoding="utf-8"))["cells"]
            code = [c for c in saved if c["cell_type"] == "code"]
            assert all(c["execution_count"] is not None for c in code)  # Run All reached every cell
            assert not [o for c in code for o in c["outputs"] if o["output_type"] == "error"]
            shown = {c["id"]: "".join("".join(o.get("data", {}).get("text/plain", "")) + "".join(o.get("text", ""))
                                      for o in c["outputs"]) for c in code}
            assert "○" in shown["m01-q1-test"] and "×" in shown["m01-q2-test"], shown
            text = "\n".join(shown.values())
            assert "Traceback" not in text and "✅" not in text and "❌" not in text  # marks without an emoji font
            page.screenshot(path="/tmp/aidojo_lab_m01_run_all.png", full_page=False)
        finally:
            browser.close()
