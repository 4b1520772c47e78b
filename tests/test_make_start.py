"""`make start` serves JupyterLab on the course, in Japanese, as learners see it; we request the page and stop it by its PID."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import time

import httpx
import pytest

from tests.conftest import REPO, free_port

pytestmark = [pytest.mark.slow, pytest.mark.server]


def test_make_start_serves_the_course(tmp_path):
    port, token = free_port(), "aidojo-test-token"
    env = {**os.environ, "AIDOJO_PORT": str(port), "AIDOJO_TOKEN": token, "AIDOJO_LAB_DIR": str(tmp_path / "lab")}
    proc = subprocess.Popen(["make", "start"], cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    output: list[str] = []
    try:
        deadline = time.time() + 180
        while time.time() < deadline:
            line = proc.stdout.readline()
            output.append(line)
            if f"{base}/lab?token={token}" in line:
                break
            assert proc.poll() is None, "".join(output)
        else:
            pytest.fail("no URL printed:\n" + "".join(output))
        page = None
        while time.time() < deadline:
            assert proc.poll() is None, "".join(output) + proc.stdout.read()
            try:
                page = httpx.get(f"{base}/lab?token={token}", timeout=2)
                if page.status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.5)
        assert page is not None and "JupyterLab" in page.text
        headers = {"Authorization": f"token {token}"}
        root = httpx.get(f"{base}/api/contents/", headers=headers, timeout=5).json()
        names = {item["name"] for item in root["content"]}
        assert {"notebooks", "exercises", "README.md"} <= names
        # The lab page's config lists the enabled prebuilt extensions: nbgrader's and the widgets manager.
        assert "@jupyter/nbgrader" in page.text and "@jupyter-widgets/jupyterlab-manager" in page.text
        assert "offline" in "".join(output)  # the offline model is announced by default
        # Learners' view in Japanese: the ja-JP language pack selected, nbgrader's instructor plugins disabled.
        config = json.loads(re.search(r'<script id="jupyter-config-data" type="application/json">(.*?)</script>',
                                      page.text, re.S).group(1))
        assert {"@jupyter/nbgrader:formgrader", "@jupyter/nbgrader:create-assignment"} <= set(config["disabledExtensions"])
        assert "ja_JP" in httpx.get(f"{base}/lab/api/translations", headers=headers, timeout=5).json()["data"]
        locale = httpx.get(f"{base}/lab/api/settings/@jupyterlab/translation-extension:plugin", headers=headers, timeout=5).json()
        assert locale["schema"]["properties"]["locale"]["default"] == "ja_JP"
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
    with pytest.raises(httpx.HTTPError):
        httpx.get(f"{base}/lab", timeout=2)
