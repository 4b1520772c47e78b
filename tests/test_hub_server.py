"""A real JupyterHub on 127.0.0.1 (configurable-http-proxy from deploy/hub, the AI gateway, the idle culler):
a trainer and three learners from a roster, servers started through the REST API, the whole class flow
(fetch, answer, submit, collect, autograde, feedback back through the exchange), the gateway with the city's
key, and a learner's Japanese JupyterLab in headless Chromium. One hub for the whole module.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import nbformat
import pytest

from aidojo.course.collect import release_to_exchange
from aidojo.course.layout import CourseLayout
from aidojo.hub.jhconfig import free_port, proxy_command
from aidojo.hub.settings import GatewaySettings, HubSettings
from tests.conftest import REPO, require
from tests.hubtest import CITY_KEY, FakeBackend, clean_env, files_containing, process_environ, user_processes

pytestmark = [pytest.mark.slow, pytest.mark.server]

TRAINER, LEARNERS = "t0001", ("k0001", "k0002", "k0003")
ROSTER = """職員番号,氏名,所属局,所属部,所属課,役職区分
t0001,研修 太郎,総務局,デジタル戦略部,DX・AI推進課,一般
ｋ０００１,青木 一郎,市民局,市民生活部,市民課,一般
k0002,石井 花子,市民局,市民生活部,市民課,一般
k0003,上田 健,環境局,,ごみ減量推進課,一般
"""
CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    try:
        proxy_command()
    except FileNotFoundError:
        require(False, "configurable-http-proxy (make hub-deps: npm ci --prefix deploy/hub)")
    from aidojo.hub.accounts import hub_accounts
    from aidojo.hub.passwords import issue_passwords
    from aidojo.hub.run import HubProcess
    from aidojo.records import import_roster

    root = tmp_path_factory.mktemp("hub")
    course, hub_dir = root / "course", root / "hub"
    (root / "roster.csv").write_text(ROSTER, encoding="utf-8")
    import_roster(root / "roster.csv", store_file=course / "records.db", db_url=f"sqlite:///{course / 'gradebook.db'}")
    backend = FakeBackend()
    hub_dir.mkdir()
    (hub_dir / "gateway.env").write_text(f"AIDOJO_PROVIDER=compatible\nOPENAI_BASE_URL={backend.base_url}\n"
                                         f"OPENAI_API_KEY={CITY_KEY}\nAIDOJO_MODEL=city-model\n", encoding="utf-8")
    settings = HubSettings(port=free_port(), hub_dir=hub_dir, course_dir=course, trainers=[TRAINER],
                           gateway=GatewaySettings(requests_per_minute=8))
    layout = CourseLayout(data_dir=course, exchange_dir=settings.exchange)
    passwords = {p.account.staff_id: p.password for p in issue_passwords(hub_dir, hub_accounts(settings))}
    settings.exchange.mkdir(parents=True)
    pool = ThreadPoolExecutor(4)
    # the exchange half of `aidojo release --exchange m01`, while the hub starts
    released = pool.submit(release_to_exchange, ["m01"], layout=layout)
    proc = HubProcess(settings, env=clean_env()).start()
    try:
        names = (TRAINER, *LEARNERS)  # servers through the REST API, all at once as a class logs in
        started = dict(zip(names, pool.map(proc.start_server, names)))
        released.result()
        pool.shutdown()
        yield type("Hub", (), {"proc": proc, "settings": settings, "layout": layout, "backend": backend,
                               "passwords": passwords, "started": started, "root": root})
    finally:
        proc.stop()
        backend.close()


def _as(hub, user: str) -> httpx.Client:
    token = hub.proc.user_token(user)
    return httpx.Client(base_url=f"{hub.settings.url}/user/{user}", headers={"Authorization": f"token {token}"}, timeout=120)


def _server_env(user: str) -> dict[str, str]:
    pids = user_processes(user)
    assert pids, f"no running server for {user}"
    return process_environ(min(pids))


def test_accounts_come_from_the_roster_and_the_trainer_is_admin(hub):
    users = {u["name"]: u for u in hub.proc.api.get("/users").json()}
    assert set(users) == {TRAINER, *LEARNERS}  # ｋ０００１ typed full-width in the roster is k0001 on the hub
    assert users[TRAINER]["admin"] and not any(users[u]["admin"] for u in LEARNERS)
    assert all(users[u]["servers"][""]["ready"] for u in users)
    services = hub.proc.api.get("/services").json()
    assert services["ai"]["pid"] and services["idle-culler"]["pid"]  # gateway and culler run as managed services


def test_learners_see_only_their_own_files_and_no_instructor_tools(hub):
    with _as(hub, "k0002") as me:
        names = {item["name"] for item in me.get("/api/contents/").json()["content"]}
        assert not names & {"solutions", "grader", "exercises", "k0001", "k0003", "gradebook.db"}
        assert me.get("/api/contents/../solutions").status_code in (400, 403, 404)
        assert me.get("/formgrader").status_code == 404  # nbgrader's formgrader is not loaded for learners
        assert me.get("/api/terminals").status_code == 404  # nor terminals
        assert me.get("/assignments", params={"course_id": "aidojo"}).json()["success"]
        env = _server_env("k0002")
        assert "AIDOJO_COURSE_DIR" not in env and str(hub.settings.course_dir) not in env.get("JUPYTER_CONFIG_PATH", "")
    with httpx.Client(base_url=hub.settings.url, headers={"Authorization": f"token {hub.proc.user_token('k0002')}"}) as c:
        assert c.get("/user/k0001/api/contents/").status_code == 403  # another learner's server
    with _as(hub, TRAINER) as trainer:
        assert trainer.get("/formgrader/api/assignments").status_code == 200  # the trainer grades in the browser
        assert "solutions" in {i["name"] for i in trainer.get("/api/contents/").json()["content"]}


def _answer(nb_json: dict) -> dict:
    """k0001's answers to m01 (the course's own correct answers, typed into the answer cells)."""
    import yaml

    fixture = yaml.safe_load((REPO / "tests" / "fixtures" / "answers" / "m01.yaml").read_text(encoding="utf-8"))
    nb = nbformat.from_dict(nb_json)
    by_id = {c.metadata.get("nbgrader", {}).get("grade_id"): c for c in nb.cells}
    for qid, q in fixture["questions"].items():
        cell = by_id[qid.replace(".", "-") + "-answer"]
        cell.source = f'{cell.source.splitlines()[0]}\n{q["variable"]} = """\n{q["solution"].strip()}\n"""'
    return nbformat.from_dict(nb)


def _aidojo(hub, *args: str) -> subprocess.CompletedProcess:
    """An ``aidojo`` command as the trainer runs it in their hub terminal (their server's environment)."""
    env = {**clean_env(), "AIDOJO_COURSE_DIR": str(hub.settings.course_dir), "AIDOJO_EXCHANGE": str(hub.settings.exchange),
           "AIDOJO_HUB_DIR": str(hub.settings.hub_dir)}
    return subprocess.run([sys.executable, "-m", "aidojo", *args], env=env, capture_output=True, text=True, timeout=600)


def test_fetch_submit_collect_autograde_and_feedback_through_the_exchange(hub):
    with _as(hub, "k0001") as me:
        listed = me.get("/assignments", params={"course_id": "aidojo"}).json()
        assert [a["assignment_id"] for a in listed["value"] if a["status"] == "released"] == ["m01"]
        fetched = me.post("/assignments/fetch", data={"course_id": "aidojo", "assignment_id": "m01"}).json()
        assert any(a["status"] == "fetched" for a in fetched["value"])
        path = "/api/contents/aidojo/m01/m01_kadai.ipynb"
        nb = me.get(path).json()["content"]
        assert "BEGIN SOLUTION" not in json.dumps(nb, ensure_ascii=False)  # the released version only
        assert me.put(path, json={"type": "notebook", "format": "json", "content": _answer(nb)}).status_code == 200
        submitted = me.post("/assignments/submit", data={"course_id": "aidojo", "assignment_id": "m01"}).json()
        assert submitted["success"], submitted
    inbound = list((hub.settings.exchange / "aidojo" / "inbound").glob("k0001+m01+*"))
    assert len(inbound) == 1  # the identity is the hub login

    collected = _aidojo(hub, "collect", "--exchange", "--module", "m01")
    assert collected.returncode == 0, collected.stdout + collected.stderr
    assert (hub.settings.course_dir / "submitted" / "k0001" / "m01" / "m01_kadai.ipynb").exists()
    graded = _aidojo(hub, "autograde", "m01", "--workers", "1")
    assert graded.returncode == 0, graded.stdout + graded.stderr
    fb = _aidojo(hub, "feedback", "m01")
    assert fb.returncode == 0, fb.stdout + fb.stderr
    returned = _aidojo(hub, "hub", "return-feedback", "m01")
    assert returned.returncode == 0 and "1 人" in returned.stdout, returned.stdout + returned.stderr

    with _as(hub, "k0001") as me:
        me.post("/assignments/fetch_feedback", data={"course_id": "aidojo", "assignment_id": "m01"}).raise_for_status()
        stamps = me.get("/api/contents/aidojo/m01/feedback").json()["content"]
        assert len(stamps) == 1
        html = me.get(f"/api/contents/{stamps[0]['path']}/m01_kadai.html", params={"content": 1}).json()["content"]
        assert "職員番号：k0001" in html
        score = re.search(r"得点：<strong>([\d.]+) / ([\d.]+) 点", html)
        assert score and score.group(1) == score.group(2), "the correct answers get full marks"
    with _as(hub, "k0002") as other:  # nothing of k0001's reaches another learner
        assert other.get("/api/contents/aidojo").status_code == 404


def _learner_python(user: str, code: str) -> subprocess.CompletedProcess:
    """Run ``code`` with exactly the environment of ``user``'s server (what their notebook kernels inherit)."""
    env = {k: v for k, v in _server_env(user).items() if k != "PYTHONPATH"}
    return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120, cwd=REPO)


def test_the_gateway_injects_the_city_key_masks_counts_and_limits(hub):
    from aidojo.records.usage import load_usage

    env = _server_env("k0003")
    assert env["AIDOJO_PROVIDER"] == "compatible" and "/services/ai/v1" in env["OPENAI_BASE_URL"]
    assert env["OPENAI_API_KEY"] == env["JUPYTERHUB_API_TOKEN"] != CITY_KEY
    before = len(hub.backend.requests)
    code = ("from aidojo.llm import chat, stream_chat, client\n"
            "print(chat('住民の田中さん（電話090-1234-5678）への返信を書いて'))\n"
            "print(''.join(stream_chat('窓口の時間を教えて')))\n"
            "print([m.id for m in client().models.list()])\n")
    run = _learner_python("k0003", code)
    assert run.returncode == 0, run.stderr
    assert "みどり市の窓口は平日" in run.stdout and "city-model" in run.stdout
    new = hub.backend.requests[before:]
    assert len(new) == 2 and all(a == f"Bearer {CITY_KEY}" for a in hub.backend.auth[before:])
    first = json.dumps(new[0], ensure_ascii=False)
    assert "090-1234-5678" not in first and "［電話番号］" in first and new[0]["model"] == "city-model"
    assert new[1]["stream"] is True
    usage = [u for u in load_usage(hub.settings.course_dir) if u.staff_id == "k0003"]
    assert usage and usage[0].requests == 2 and usage[0].prompt_tokens == 80 and usage[0].completion_tokens == 40
    assert not (hub.settings.course_dir / "records" / "prompts.jsonl").exists()  # no prompt text unless turned on

    limit = ("import openai\nfrom aidojo.llm import client\nc = client()\nfor i in range(20):\n"
             "    try:\n        c.chat.completions.create(model='x', messages=[{'role': 'user', 'content': 'こんにちは'}])\n"
             "    except openai.RateLimitError as e:\n        print('LIMIT', i, e.body['message']); break\n")
    run = _learner_python("k0002", limit)
    assert "LIMIT 8 短い時間に送りすぎています（1分に8回まで）" in run.stdout, run.stdout + run.stderr

    bad = httpx.post(env["OPENAI_BASE_URL"] + "/chat/completions", headers={"Authorization": "Bearer not-a-hub-token"},
                     json={"messages": [{"role": "user", "content": "x"}]})
    assert bad.status_code == 401 and "認証に失敗" in bad.json()["error"]["message"]


def test_no_learner_environment_file_or_notebook_holds_the_city_key(hub):
    for user in (TRAINER, *LEARNERS):
        for pid in user_processes(user):
            assert CITY_KEY not in "\0".join(process_environ(pid).values()), (user, pid)
    assert files_containing(hub.settings.hub_dir / "home", CITY_KEY) == []
    assert files_containing(hub.settings.exchange, CITY_KEY) == []
    assert files_containing(hub.settings.course_dir, CITY_KEY) == []
    assert files_containing(hub.settings.hub_dir / "jupyter", CITY_KEY) == []


def test_a_learner_logs_in_and_sees_japanese_menus_and_only_their_files(hub):
    require(CHROMIUM.exists(), "Debian の chromium パッケージ（/usr/bin/chromium）がありません")
    from playwright import sync_api

    args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
    with _as(hub, "k0002") as me:  # one file of her own to see
        me.put("/api/contents/メモ.txt", json={"type": "file", "format": "text", "content": "研修メモ"}).raise_for_status()
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=args)
        try:
            page = browser.new_page(locale="ja-JP")
            page.goto(f"{hub.settings.url}/hub/login")
            page.get_by_text("職員番号", exact=True).wait_for()
            assert page.locator("#login_submit").get_attribute("value") == "ログイン"
            page.fill("input[name=username]", "ｋ０００２")  # typed on a Japanese keyboard
            page.fill("input[name=password]", hub.passwords["k0002"])
            page.click("input[type=submit], button[type=submit]")
            page.wait_for_url("**/user/k0002/lab**", timeout=90_000)
            menubar = page.locator("#jp-MainMenu")
            menubar.get_by_text("ファイル", exact=True).wait_for(timeout=90_000)
            assert menubar.get_by_text("編集", exact=True).count() == 1
            assert page.get_by_text("Formgrader").count() == 0
            page.locator(".jp-DirListing-item").first.wait_for(timeout=30_000)
            listing = page.locator(".jp-DirListing-item .jp-DirListing-itemText").all_inner_texts()
            assert listing == ["メモ.txt"]  # her own folder: no course material, no other learner
            page.screenshot(path=str(hub.root / "learner-lab.png"))
            menubar.get_by_text("Nbgrader", exact=True).click()  # the learner's way to the released exercises
            page.get_by_text("Assignment List", exact=True).click()
            page.locator("#nbgrader-assignment-list").get_by_text("m01", exact=True).first.wait_for(timeout=60_000)
            page.screenshot(path=str(hub.root / "learner-assignments.png"))
            assert page.get_by_text("公式ニュース").count() == 0  # no "fetch Jupyter news?" prompt (closed network)
        finally:
            browser.close()


def test_zz_idle_servers_are_culled(hub):
    """Last: jupyterhub-idle-culler (the same command the hub runs, with a 1 s timeout) stops idle servers."""
    env = {**clean_env(), "JUPYTERHUB_API_TOKEN": hub.proc.token, "JUPYTERHUB_API_URL": f"{hub.settings.url}/hub/api"}
    culler = subprocess.Popen([sys.executable, "-m", "jupyterhub_idle_culler", "--timeout=1", "--cull-every=2"], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            running = [u["name"] for u in hub.proc.api.get("/users").json() if u["servers"]]
            if not running:
                break
            time.sleep(1)
        assert running == []
    finally:
        culler.terminate()
        culler.wait(10)
