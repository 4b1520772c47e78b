"""The hub's parts without a running hub: settings, accounts, class passwords (PDF/CSV), login, the generated
JupyterHub configuration, the gateway's policy (masking, rate limit, class budget), Helm values against the
schema, and Unix accounts with real ``useradd`` when run as root."""

from __future__ import annotations

import asyncio
import csv
import json
import os
import pwd
import shutil
import subprocess
import tempfile
from datetime import timedelta
from pathlib import Path

import pytest
from traitlets.config import Config

from aidojo.hub.accounts import AccountsError, hub_accounts, require_accounts
from aidojo.hub.settings import HubSettings, HubSettingsError, load_settings
from tests.conftest import require

ROSTER = """職員番号,氏名,所属局,所属部,所属課,役職区分
t0001,研修 太郎,総務局,デジタル戦略部,DX・AI推進課,一般
ｋ０００１,青木 一郎,市民局,市民生活部,市民課,一般
000123,石井 花子,市民局,市民生活部,市民課,幹部
"""


@pytest.fixture
def settings(tmp_path) -> HubSettings:
    from aidojo.records import import_roster

    course = tmp_path / "course"
    (tmp_path / "roster.csv").write_text(ROSTER, encoding="utf-8")
    import_roster(tmp_path / "roster.csv", store_file=course / "records.db", db_url=f"sqlite:///{course / 'gradebook.db'}")
    return HubSettings(hub_dir=tmp_path / "hub", course_dir=course, trainers=["t0001"], port=18000)


def test_settings_from_hub_toml_and_a_clear_message_when_wrong(tmp_path):
    (tmp_path / "hub.toml").write_text('port = 9000\ntrainers = ["ｔ０００１"]\nauth = "ldap"\n[gateway]\nrequests_per_minute = 3\n',
                                       encoding="utf-8")
    s = load_settings(tmp_path / "hub.toml", ip="0.0.0.0")
    assert (s.port, s.trainers, s.auth, s.gateway.requests_per_minute, s.ip) == (9000, ["t0001"], "ldap", 3, "0.0.0.0")
    (tmp_path / "bad.toml").write_text('spawner = "docker"\n', encoding="utf-8")
    with pytest.raises(HubSettingsError, match="bad.toml の設定が正しくありません: spawner"):
        load_settings(tmp_path / "bad.toml")


def test_accounts_are_the_current_roster_with_staff_ids_normalised(settings, tmp_path):
    accounts = hub_accounts(settings)
    assert [(a.staff_id, a.trainer) for a in accounts] == [("t0001", True), ("000123", False), ("k0001", False)]
    assert accounts[2].department == "市民局 市民生活部 市民課"
    from aidojo.records import import_roster

    (tmp_path / "april.csv").write_text("\n".join(ROSTER.splitlines()[:2] + ROSTER.splitlines()[3:]) + "\n", encoding="utf-8")
    import_roster(tmp_path / "april.csv", store_file=settings.course_dir / "records.db",
                  db_url=f"sqlite:///{settings.course_dir / 'gradebook.db'}")
    assert [a.staff_id for a in hub_accounts(settings)] == ["t0001", "000123"]  # a leaver can no longer log in
    with pytest.raises(AccountsError, match="aidojo roster import"):
        require_accounts(HubSettings(hub_dir=tmp_path / "h", course_dir=tmp_path / "empty", trainers=["t0001"]))


def test_class_passwords_pdf_csv_and_login(settings, tmp_path):
    from aidojo.hub.auth import ClassPasswordAuthenticator
    from aidojo.hub.passwords import issue_passwords, verify_password, write_sheet

    accounts = hub_accounts(settings)
    issued = issue_passwords(settings.hub_dir, accounts, days=1)
    stored = (settings.hub_dir / "passwords.json").read_text(encoding="utf-8")
    assert all(p.password not in stored for p in issued) and oct(os.stat(settings.hub_dir / "passwords.json").st_mode)[-3:] == "600"
    k = next(p for p in issued if p.account.staff_id == "k0001")
    auth = ClassPasswordAuthenticator(hub_dir=str(settings.hub_dir))
    assert asyncio.run(auth.authenticate(None, {"username": "ｋ０００１", "password": k.password})) == "k0001"
    assert asyncio.run(auth.authenticate(None, {"username": "k0001", "password": "wrong-pass"})) is None
    assert not verify_password(settings.hub_dir, "k0001", k.password, now=k.expires + timedelta(seconds=1))
    issue_passwords(settings.hub_dir, accounts[2:])  # re-issued: the old one stops working
    assert not verify_password(settings.hub_dir, "k0001", k.password)

    rows = list(csv.reader(write_sheet(issued, tmp_path / "配布.csv", settings.url).read_text(encoding="utf-8-sig").splitlines()))
    assert rows[0][:4] == ["職員番号", "氏名", "所属", "パスワード"] and ["000123", "石井 花子"] == rows[2][:2]
    pdf = write_sheet(issued, tmp_path / "配布.pdf", settings.url)
    require(shutil.which("pdftotext") is not None, "pdftotext (poppler-utils)")
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "青木 一郎" in text and k.password in text and "ユーザー名（職員番号）: k0001" in text


def test_generated_jupyterhub_config(settings, monkeypatch):
    from aidojo.hub import jhconfig
    from aidojo.hub.auth import ClassPasswordAuthenticator
    from aidojo.hub.spawners import LocalSpawner

    monkeypatch.setattr(jhconfig, "proxy_command", lambda: ["/usr/bin/configurable-http-proxy"])
    c = Config()
    jhconfig.configure(c, settings)
    assert c.JupyterHub.authenticator_class is ClassPasswordAuthenticator
    assert c.ClassPasswordAuthenticator.allowed_users == {"t0001", "k0001", "000123"}
    assert c.Authenticator.admin_users == {"t0001"} and c.JupyterHub.spawner_class is LocalSpawner
    services = {s["name"]: s for s in c.JupyterHub.services}
    assert services["idle-culler"]["command"][-2:] == ["--timeout=3600", "--cull-every=300"]
    assert "OPENAI_API_KEY" not in services["ai"]["environment"]  # none in this environment: nothing passed on
    roles = {r["name"]: r for r in c.JupyterHub.load_roles}
    assert "access:services!service=ai" in roles["user"]["scopes"]
    assert c.Spawner.mem_limit == "1G" and c.Spawner.cpu_limit == 1.0
    learner = settings.hub_dir / "jupyter" / "learner"
    server = json.loads((learner / "jupyter_server_config.json").read_text())["ServerApp"]
    assert server["jpserver_extensions"]["nbgrader.server_extensions.formgrader"] is False
    assert json.loads((learner / "labconfig" / "page_config.json").read_text())["disabledExtensions"]["@jupyter/nbgrader:formgrader"]
    assert "JUPYTERHUB_USER" in (learner / "nbgrader_config.py").read_text()


def test_native_and_ldap_configurations(settings):
    from aidojo.hub.auth import RosterNativeAuthenticator, authenticator_config

    native = authenticator_config(settings.model_copy(update={"auth": "native"}), {"k0001", "t0001"})
    conf = native["RosterNativeAuthenticator"]
    assert conf["open_signup"] is False and conf["roster_ids"] == {"k0001", "t0001"} and "allowed_users" not in conf
    auth = RosterNativeAuthenticator(add_new_table=False, roster_ids={"k0001"}, admin_users={"t0001"})
    assert auth.validate_username("k0001") and auth.validate_username("t0001") and not auth.validate_username("x9999")
    with pytest.raises(ValueError, match="server_address"):
        authenticator_config(settings.model_copy(update={"auth": "ldap"}), set())


def test_gateway_policy_masks_limits_and_stops_at_the_class_budget(tmp_path):
    from aidojo.hub.policy import GatewayError, RateLimiter, check_budget, clean_request
    from aidojo.records.usage import add_use

    cleaned, n = clean_request({"messages": [{"role": "user", "content": [
        {"type": "text", "text": "山田さんのマイナンバーは？ メール taro@city.midori.lg.jp"}]}], "api_key": "x", "model": "gpt"},
        max_chars=1000)
    assert n >= 1 and "taro@city.midori.lg.jp" not in json.dumps(cleaned, ensure_ascii=False)
    assert "api_key" not in cleaned and "model" not in cleaned
    with pytest.raises(GatewayError, match="プロンプトが長すぎます"):
        clean_request({"messages": [{"role": "user", "content": "あ" * 50}]}, max_chars=10)
    now = [0.0]
    limiter = RateLimiter(2, clock=lambda: now[0])
    limiter.check("k1"), limiter.check("k1"), limiter.check("k2")
    with pytest.raises(GatewayError) as err:
        limiter.check("k1")
    assert err.value.status == 429 and err.value.body()["error"]["code"] == "rate_limit_exceeded"
    now[0] = 61.0
    limiter.check("k1")
    check_budget(tmp_path, 100)
    add_use(tmp_path, "k1", prompt_tokens=60, completion_tokens=40)
    with pytest.raises(GatewayError, match="本日のクラス全体のAI利用枠") as err:
        check_budget(tmp_path, 100)
    assert err.value.body()["error"]["type"] == "insufficient_quota"


def test_helm_values_match_the_z2jh_schema(settings, tmp_path):
    import yaml

    from aidojo.hub.helm import check_values, helm_values, write_values

    values = helm_values(settings, hub_accounts(settings))
    assert check_values(values) == []
    assert values["singleuser"]["memory"]["limit"] == "1G" and values["cull"]["timeout"] == 3600
    assert values["singleuser"]["extraEnv"]["OPENAI_BASE_URL"] == "http://hub:8181/services/ai/v1"
    assert "OPENAI_API_KEY" not in json.dumps(values["singleuser"]) and "OPENAI_API_KEY" not in json.dumps(values["hub"]["extraEnv"])
    values["singleuser"]["memroy"] = {"limit": "1G"}  # a typo Helm would ignore
    values["cull"]["timeout"] = "1h"
    problems = check_values(values)
    assert any("memroy" in p for p in problems) and any(p.startswith("cull.timeout") for p in problems)
    out = write_values(helm_values(settings, hub_accounts(settings)), tmp_path / "values.yaml")
    assert yaml.safe_load(out.read_text(encoding="utf-8"))["hub"]["services"]["ai"]["url"] == "http://hub:8181"


def test_unix_accounts_with_useradd(settings, tmp_path):
    from aidojo.hub.accounts import Account
    from aidojo.hub.spawners import unix_name
    from aidojo.hub.unix import UnixUsersError, apply, plan

    assert unix_name("K0001") == "k0001" and unix_name("000123") == "s000123"
    with pytest.raises(UnixUsersError, match="同じUnixアカウント名"):
        plan([Account("K9001", "a", ""), Account("k9001", "b", "")], settings)
    with pytest.raises(UnixUsersError, match="exchange_dir"):
        plan([], settings)  # the exchange must not sit inside the course data folder
    repo = Path(tempfile.mkdtemp(prefix="aidojo-repo-"))  # under /tmp, traversable by every account
    os.chmod(repo, 0o755)
    settings = settings.model_copy(update={"exchange_dir": tmp_path / "exchange", "repo_dir": repo})
    for sub in ("solutions", "grader", "exercises"):
        (repo / sub).mkdir(mode=0o755)
    names = [f"zz{os.getpid() % 10000:04d}{i}" for i in range(2)]
    steps = plan([Account(names[0], "研修 太郎", "", trainer=True), Account(names[1], "青木 一郎", "")], settings,
                 home_base=tmp_path / "home")
    assert [s.argv[0] for s in steps].count("useradd") == 2
    require(os.geteuid() == 0 and shutil.which("useradd") is not None, "root and useradd (creating Unix accounts)")
    new_groups = [g for g in ("aidojo-learners", "aidojo-trainers") if subprocess.run(["getent", "group", g]).returncode]
    try:
        apply(steps)
        learner = pwd.getpwnam(names[1])
        assert Path(learner.pw_dir).is_dir() and learner.pw_dir == str(tmp_path / "home" / names[1])
        assert oct((repo / "solutions").stat().st_mode)[-1] == "0" and oct(settings.course_dir.stat().st_mode)[-1] == "0"
        as_learner = lambda path: subprocess.run(["runuser", "-u", names[1], "--", "ls", str(path)],  # noqa: E731
                                                 capture_output=True).returncode
        assert as_learner(repo / "exercises") == 0  # the learner's account reads the released exercises ...
        assert as_learner(repo / "solutions") != 0 and as_learner(repo / "grader") != 0  # ... never the instructor's
    finally:
        for name in names:
            subprocess.run(["userdel", name], capture_output=True)
        for group in new_groups:
            subprocess.run(["groupdel", group], capture_output=True)
        shutil.rmtree(repo, ignore_errors=True)


def test_systemd_profile_one_unix_account_per_staff_member(settings, monkeypatch):
    from types import SimpleNamespace

    from aidojo.hub import jhconfig
    from aidojo.hub.spawners import UnixSpawner

    monkeypatch.setattr(jhconfig, "proxy_command", lambda: ["/usr/bin/configurable-http-proxy"])
    c = Config()
    jhconfig.configure(c, settings.model_copy(update={"spawner": "systemd", "mem_limit": "2G", "cpu_limit": 0.5}))
    assert c.JupyterHub.spawner_class is UnixSpawner

    def spawner(name: str, admin: bool = False) -> UnixSpawner:
        user = SimpleNamespace(name=name, id=7, url=f"/user/{name}/", admin=admin, escaped_name=name, server=None)
        sp = UnixSpawner(config=c, user=user, _deprecated_db_session=None)
        sp.api_token = f"token-of-{name}"
        return sp

    learner, trainer = spawner("000123"), spawner("t0001", admin=True)
    assert learner.unit_name == "aidojo-s000123" and learner._expand_user_vars("/home/{USERNAME}") == "/home/s000123"
    assert (learner.mem_limit, learner.cpu_limit) == (2 * 1024**3, 0.5)  # systemd: MemoryMax, CPUQuota
    assert learner.isolate_tmp and learner.disable_user_sudo
    env = learner.aidojo_env()
    assert env["OPENAI_API_KEY"] == "token-of-000123" and env["AIDOJO_PROVIDER"] == "compatible"
    assert "AIDOJO_COURSE_DIR" not in env and env["JUPYTER_CONFIG_PATH"].endswith("jupyter/learner")
    env = trainer.aidojo_env()
    assert env["AIDOJO_COURSE_DIR"] == str(settings.course_dir) and env["JUPYTER_CONFIG_PATH"].endswith("grader")
