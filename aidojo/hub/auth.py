"""How staff log in: class passwords (default), NativeAuthenticator sign-up with approval, or the city's LDAP / AD.

Every authenticator here names users by the one 職員番号 rule (``normalize_staff_id``: full-width ｋ１２３４５
typed on a Japanese keyboard becomes k12345, case and leading zeros are kept), and only people on the roster
(and the trainers) are let in.
"""

from __future__ import annotations

import os

from jupyterhub.auth import Authenticator
from ldapauthenticator import LDAPAuthenticator
from nativeauthenticator import NativeAuthenticator
from nativeauthenticator import handlers as native_handlers
from traitlets import Set, Unicode

from aidojo.hub.passwords import verify_password
from aidojo.hub.settings import HubSettings
from aidojo.text.staff_id import StaffIdError, normalize_staff_id


def staff_username(raw: str) -> str:
    """The hub user name for what someone typed (unchanged, stripped, when it is no staff id: login then fails)."""
    try:
        return normalize_staff_id(raw)
    except StaffIdError:
        return (raw or "").strip()


class StaffIdMixin:
    """User names follow the 職員番号 rule instead of JupyterHub's lower-casing."""

    def normalize_username(self, username: str) -> str:
        return staff_username(username)

    async def authenticate(self, handler, data):
        data = dict(data or {})
        data["username"] = staff_username(data.get("username", ""))
        return await super().authenticate(handler, data)


class ClassPasswordAuthenticator(StaffIdMixin, Authenticator):
    """Checks the class passwords the trainer printed (``aidojo hub passwords``)."""

    hub_dir = Unicode("", config=True, help="Folder holding passwords.json")

    async def authenticate(self, handler, data):  # replaces StaffIdMixin's: no parent authenticate to call
        username = staff_username((data or {}).get("username", ""))
        if verify_password(self.hub_dir, username, (data or {}).get("password", "")):
            return username
        self.log.warning("Failed class-password login for %r", username)
        return None


class _NoTimer:
    def start(self) -> _NoTimer:
        return self

    def stop(self, send: bool = True) -> None:
        return None


class _NoStatsd:
    def timer(self, name: str) -> _NoTimer:
        return _NoTimer()


class NativeLoginHandler(native_handlers.LoginHandler):
    """nativeauthenticator 1.3.0's login page made to work on JupyterHub 6 (found by tests/test_hub_native.py):
    JupyterHub 6 removed ``handler.statsd``, which it still times logins with, and renders login errors with
    more keyword arguments than its ``_render`` takes."""

    statsd = _NoStatsd()

    def _render(self, login_error=None, username=None, **_ignored):
        return super()._render(login_error=login_error, username=username)


class RosterNativeAuthenticator(StaffIdMixin, NativeAuthenticator):
    """NativeAuthenticator: staff sign up with their 職員番号, a trainer approves at /hub/authorize."""

    def get_handlers(self, app):
        return [(path, NativeLoginHandler if handler is native_handlers.LoginHandler else handler)
                for path, handler in super().get_handlers(app)]

    roster_ids = Set(Unicode(), config=True, help="Staff ids allowed to sign up (the roster and the trainers)")

    def validate_username(self, username: str) -> bool:
        # Not allowed_users: NativeAuthenticator pre-approves everyone listed there, skipping the approval.
        return super().validate_username(username) and (username in self.roster_ids or username in self.admin_users)


class RosterLDAPAuthenticator(StaffIdMixin, LDAPAuthenticator):
    """jupyterhub-ldapauthenticator, with 職員番号 user names and roster membership on top of the directory."""


def authenticator_config(settings: HubSettings, allowed: set[str]) -> dict[str, dict]:
    """``{ConfigurableName: {trait: value}}`` for the chosen login method."""
    common = {"allowed_users": set(allowed), "admin_users": set(settings.trainers)}
    if settings.auth == "passwords":
        return {"JupyterHub": {"authenticator_class": ClassPasswordAuthenticator},
                "ClassPasswordAuthenticator": {**common, "hub_dir": str(settings.hub_dir)}}
    if settings.auth == "native":
        return {"JupyterHub": {"authenticator_class": RosterNativeAuthenticator},
                "RosterNativeAuthenticator": {"admin_users": set(settings.trainers), "roster_ids": set(allowed),
                                              "allow_all": True, "open_signup": False, "enable_signup": True,
                                              "minimum_password_length": 10, "check_common_password": True,
                                              "ask_email_on_signup": False}}
    return {"JupyterHub": {"authenticator_class": RosterLDAPAuthenticator},
            "RosterLDAPAuthenticator": {**common, **ldap_config(settings)}}


def ldap_config(settings: HubSettings) -> dict:
    """LDAPAuthenticator traits from ``[ldap]`` in hub.toml; the search account's password only from the environment."""
    ldap = settings.ldap
    if not ldap.server_address:
        raise ValueError("auth = \"ldap\" には [ldap] の server_address（例: ldap.city.example）が必要です。")
    if not ldap.bind_dn_template and not ldap.lookup_dn:
        raise ValueError("[ldap] には bind_dn_template か lookup_dn = true（AD の検索用アカウント）が必要です。")
    conf = {"server_address": ldap.server_address, "tls_strategy": ldap.tls_strategy,
            "bind_dn_template": list(ldap.bind_dn_template), "user_attribute": ldap.user_attribute,
            "lookup_dn": ldap.lookup_dn, "user_search_base": ldap.user_search_base,
            "lookup_dn_user_dn_attribute": ldap.lookup_dn_user_dn_attribute,
            "allowed_groups": list(ldap.allowed_groups),
            # staff ids only: also keeps LDAP filter characters out of the login name
            "valid_username_regex": r"^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$"}
    if ldap.server_port:
        conf["server_port"] = ldap.server_port
    if ldap.lookup_dn:
        conf["lookup_dn_search_user"] = ldap.search_bind_dn
        conf["lookup_dn_search_password"] = os.environ.get("AIDOJO_LDAP_PASSWORD", "")
    return conf
