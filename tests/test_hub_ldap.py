"""The LDAP / Active Directory login against a real OpenLDAP server (Debian's slapd) on 127.0.0.1: a direct bind
(OpenLDAP style) and a lookup with a search account (AD style), with the roster and a group on top."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from aidojo.hub.settings import HubSettings, LdapSettings
from tests.conftest import free_port, require

pytestmark = pytest.mark.server
SLAPD = Path("/usr/sbin/slapd")
BASE = "dc=midori,dc=example"
ADMIN, ADMIN_PW = f"cn=admin,{BASE}", "admin-pass-123"
GROUP = f"cn=ai-kenshu,ou=groups,{BASE}"
PEOPLE = {"k0001": ("青木 一郎", "aoki-pass-1", True), "k0002": ("石井 花子", "ishii-pass-2", False),
          "x9999": ("部外 者", "outsider-pass", True)}

CONF = """include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/inetorgperson.schema
include /etc/ldap/schema/nis.schema
modulepath /usr/lib/ldap
moduleload back_mdb
pidfile {dir}/slapd.pid
database mdb
maxsize 10485760
suffix "{base}"
rootdn "{admin}"
rootpw {admin_pw}
directory {dir}/data
"""


@pytest.fixture(scope="module")
def ldap_server(tmp_path_factory):
    require(SLAPD.exists() and Path("/usr/lib/ldap").is_dir(), "Debian slapd (scripts/system-deps.sh installs it)")
    import ldap3

    root = tmp_path_factory.mktemp("slapd")
    (root / "data").mkdir()
    (root / "slapd.conf").write_text(CONF.format(dir=root, base=BASE, admin=ADMIN, admin_pw=ADMIN_PW), encoding="utf-8")
    port = free_port()
    proc = subprocess.Popen([str(SLAPD), "-f", str(root / "slapd.conf"), "-h", f"ldap://127.0.0.1:{port}/", "-d", "0"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        server = ldap3.Server("127.0.0.1", port=port)
        for _ in range(100):
            try:
                conn = ldap3.Connection(server, ADMIN, ADMIN_PW, auto_bind=True)
                break
            except ldap3.core.exceptions.LDAPException:
                time.sleep(0.1)
        else:
            raise RuntimeError(f"slapd did not start: {proc.stderr.read1().decode() if proc.poll() is not None else ''}")
        conn.add(BASE, ["top", "dcObject", "organization"], {"o": "みどり市", "dc": "midori"})
        conn.add(f"ou=people,{BASE}", ["organizationalUnit"], {"ou": "people"})
        conn.add(f"ou=groups,{BASE}", ["organizationalUnit"], {"ou": "groups"})
        for uid, (name, password, _) in PEOPLE.items():
            conn.add(f"uid={uid},ou=people,{BASE}", ["inetOrgPerson"],
                     {"uid": uid, "cn": name, "sn": name.split()[0], "userPassword": password})
        conn.add(GROUP, ["groupOfNames"], {"cn": "ai-kenshu",
                                           "member": [f"uid={u},ou=people,{BASE}" for u, p in PEOPLE.items() if p[2]]})
        assert conn.result["description"] == "success", conn.result
        conn.unbind()
        yield port
    finally:
        proc.terminate()
        proc.wait(10)
        shutil.rmtree(root, ignore_errors=True)


def _login(auth, username: str, password: str):
    """What JupyterHub does: authenticate, then check_allowed with the auth model."""
    async def go():
        model = await auth.authenticate(None, {"username": username, "password": password})
        if not model:
            return None
        name = auth.normalize_username(model["name"] if isinstance(model, dict) else model)
        return name if await auth.check_allowed(name, model if isinstance(model, dict) else {}) else None
    return asyncio.run(go())


def _authenticator(settings: HubSettings, roster: set[str]):
    from aidojo.hub.auth import RosterLDAPAuthenticator, authenticator_config

    conf = authenticator_config(settings, roster)
    assert conf["JupyterHub"]["authenticator_class"] is RosterLDAPAuthenticator
    return RosterLDAPAuthenticator(**conf["RosterLDAPAuthenticator"])


def test_direct_bind_with_roster_and_group(ldap_server, tmp_path):
    ldap = LdapSettings(server_address="127.0.0.1", server_port=ldap_server, tls_strategy="insecure",
                        bind_dn_template=[f"uid={{username}},ou=people,{BASE}"], allowed_groups=[GROUP])
    auth = _authenticator(HubSettings(hub_dir=tmp_path, auth="ldap", ldap=ldap, trainers=["t0001"]), {"k0001", "k0002"})
    assert _login(auth, "ｋ０００１", "aoki-pass-1") == "k0001"  # full-width id typed on a Japanese keyboard
    assert _login(auth, "k0001", "wrong-password") is None
    assert _login(auth, "k0002", "ishii-pass-2") == "k0002"  # on the roster, though not in the group
    assert _login(auth, "x9999", "outsider-pass") == "x9999"  # in the group: the directory's group admits too
    assert _login(auth, "k0001)(uid=*", "aoki-pass-1") is None  # no LDAP filter characters in a login name


def test_lookup_with_a_search_account_as_for_active_directory(ldap_server, tmp_path, monkeypatch):
    monkeypatch.setenv("AIDOJO_LDAP_PASSWORD", ADMIN_PW)
    ldap = LdapSettings(server_address="127.0.0.1", server_port=ldap_server, tls_strategy="insecure", lookup_dn=True,
                        search_bind_dn=ADMIN, user_search_base=f"ou=people,{BASE}", user_attribute="uid",
                        lookup_dn_user_dn_attribute="uid")
    auth = _authenticator(HubSettings(hub_dir=tmp_path, auth="ldap", ldap=ldap, trainers=["t0001"]), {"k0001", "k0002"})
    assert _login(auth, "k0002", "ishii-pass-2") == "k0002"
    assert _login(auth, "k0002", "aoki-pass-1") is None
    assert _login(auth, "x9999", "outsider-pass") is None  # in the directory but not on the roster, no group rule
