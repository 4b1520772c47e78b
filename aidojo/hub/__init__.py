"""The workshop server: JupyterHub configured from the roster and the course, spawner profiles for three sizes
of deployment, and the AI gateway service that keeps the city's key on the server.

    aidojo hub                          # start (settings: <hub_dir>/hub.toml, see docs/trainer/hub.md)
    aidojo hub passwords --out 配布.pdf  # class passwords for today's learners
    aidojo hub helm-values --out values.yaml

Modules: ``settings`` (hub.toml), ``accounts`` (roster → users), ``passwords``, ``auth``, ``lab`` (Japanese
JupyterLab, nbgrader per role), ``spawners``, ``jhconfig`` (JupyterHub config), ``run``, ``gateway`` + ``policy``
(the AI gateway), ``exchange`` (feedback back through nbgrader), ``unix`` (accounts), ``helm`` (Kubernetes).
"""

from aidojo.hub.accounts import Account, hub_accounts
from aidojo.hub.settings import HubSettings, HubSettingsError, load_settings

__all__ = ["Account", "HubSettings", "HubSettingsError", "hub_accounts", "load_settings"]
