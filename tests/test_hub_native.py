"""NativeAuthenticator on a real hub: a learner on the roster signs up, cannot log in until a trainer approves,
then can; a number that is not on the roster cannot even sign up."""

from __future__ import annotations

import re

import httpx
import pytest

from aidojo.hub.jhconfig import free_port, proxy_command
from aidojo.hub.settings import HubSettings
from tests.conftest import require
from tests.hubtest import clean_env

pytestmark = [pytest.mark.slow, pytest.mark.server]
ROSTER = "職員番号,氏名,所属局,所属部,所属課,役職区分\nt0001,研修 太郎,総務局,,DX・AI推進課,一般\nk0001,青木 一郎,市民局,,市民課,一般\n"


def _form(client: httpx.Client, path: str, data: dict) -> httpx.Response:
    page = client.get(path)
    xsrf = re.search(r'name="_xsrf" value="([^"]+)"', page.text)
    return client.post(path, data={**data, "_xsrf": xsrf.group(1) if xsrf else client.cookies.get("_xsrf", "")})


def test_sign_up_then_approval_then_login(tmp_path):
    try:
        proxy_command()
    except FileNotFoundError:
        require(False, "configurable-http-proxy (make hub-deps)")
    from aidojo.hub.run import HubProcess
    from aidojo.records import import_roster

    (tmp_path / "roster.csv").write_text(ROSTER, encoding="utf-8")
    import_roster(tmp_path / "roster.csv", store_file=tmp_path / "course" / "records.db",
                  db_url=f"sqlite:///{tmp_path / 'course' / 'gradebook.db'}")
    settings = HubSettings(port=free_port(), hub_dir=tmp_path / "hub", course_dir=tmp_path / "course", trainers=["t0001"],
                           auth="native")
    with HubProcess(settings, env=clean_env()):
        base = settings.url + "/hub"

        def attempt(username: str, password: str) -> httpx.Response:
            with httpx.Client(base_url=base) as c:
                return _form(c, "/login", {"username": username, "password": password})

        def login(username: str, password: str) -> bool:
            response = attempt(username, password)
            assert response.status_code in (200, 302), response.status_code  # a refused login is a page, not a crash
            return response.status_code == 302

        with httpx.Client(base_url=base) as c:
            signed = _form(c, "/signup", {"username": "ｋ０００１", "signup_password": "midori-kenshu-2026",
                                          "signup_password_confirmation": "midori-kenshu-2026"})
            assert signed.status_code == 200
        waiting = attempt("k0001", "midori-kenshu-2026")
        assert waiting.status_code == 200 and "not been authorized" in waiting.text  # waiting for the trainer's approval
        trainer = httpx.Client(base_url=base)  # the trainer signs up too (admins need no approval) and logs in
        _form(trainer, "/signup", {"username": "t0001", "signup_password": "trainer-pass-2026",
                                   "signup_password_confirmation": "trainer-pass-2026"})
        assert _form(trainer, "/login", {"username": "t0001", "password": "trainer-pass-2026"}).status_code == 302
        assert "k0001" in trainer.get("/authorize").text  # the approval page lists the waiting sign-up
        assert trainer.get("/authorize/k0001").status_code == 302  # the trainer's click on 承認
        assert login("k0001", "midori-kenshu-2026") and login("ｋ０００１", "midori-kenshu-2026")
        assert not login("k0001", "wrong-password-123")
        with httpx.Client(base_url=base) as c:
            _form(c, "/signup", {"username": "x9999", "signup_password": "outsider-pass-2026",
                                 "signup_password_confirmation": "outsider-pass-2026"})
        trainer.get("/authorize/x9999")
        assert not login("x9999", "outsider-pass-2026")  # not on the roster: never signed up
        assert "x9999" not in trainer.get("/authorize").text
        trainer.close()
