"""The JupyterHub configuration, built from :class:`HubSettings` and the roster.

``configure(c, settings)`` fills a traitlets ``Config``; ``aidojo/hub/jupyterhub_config.py`` (the file
``jupyterhub -f`` reads) calls it with the settings ``aidojo hub`` wrote for this run.
"""

from __future__ import annotations

import os
import shutil
import socket
import sys
from pathlib import Path

from aidojo.course.config import REPO_ROOT
from aidojo.hub.accounts import hub_accounts
from aidojo.hub.auth import authenticator_config
from aidojo.hub.lab import write_learner_config
from aidojo.hub.run import CLI_SERVICE, api_token
from aidojo.hub.settings import SERVICE_NAME, HubSettings
from aidojo.hub.spawners import BACKEND_VARIABLES, LocalSpawner, UnixSpawner, singleuser_cmd

PROXY_DIR = REPO_ROOT / "deploy" / "hub"
CULLER_NAME = "idle-culler"
TEMPLATES = Path(__file__).with_name("templates")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def proxy_command() -> list[str]:
    """configurable-http-proxy installed from deploy/hub/package.json (``make hub-deps``), else one on PATH."""
    local = PROXY_DIR / "node_modules" / ".bin" / "configurable-http-proxy"
    if local.exists():
        return [str(local)]
    found = shutil.which("configurable-http-proxy")
    if found:
        return [found]
    raise FileNotFoundError("configurable-http-proxy がありません。「make hub-deps」（npm ci --prefix deploy/hub）を実行してください。")


def gateway_service(settings: HubSettings, port: int) -> dict:
    """The AI gateway as a hub-managed service; the backend's settings go to it and nowhere else."""
    env = {"AIDOJO_COURSE_DIR": str(settings.course_dir), "AIDOJO_GATEWAY_SETTINGS": settings.gateway.model_dump_json(),
           "AIDOJO_GATEWAY_ENV_FILE": str(settings.gateway_env_file)}
    env.update({k: os.environ[k] for k in BACKEND_VARIABLES if os.environ.get(k)})
    return {"name": SERVICE_NAME, "url": f"http://127.0.0.1:{port}", "command": [sys.executable, "-m", "aidojo.hub.gateway"],
            "environment": env, "display": False}


def culler_service(settings: HubSettings) -> dict:
    return {"name": CULLER_NAME, "command": [sys.executable, "-m", "jupyterhub_idle_culler",
                                             f"--timeout={settings.cull_idle_minutes * 60}",
                                             f"--cull-every={settings.cull_every_seconds}"]}


def roles() -> list[dict]:
    """Every user may call the AI gateway; the culler may stop idle servers."""
    return [{"name": "user", "scopes": ["self", f"access:services!service={SERVICE_NAME}"]},
            {"name": CULLER_NAME, "services": [CULLER_NAME],
             "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"]},
            {"name": CLI_SERVICE, "services": [CLI_SERVICE],  # aidojo hub commands, tests, the benchmark
             "scopes": ["admin:users", "admin:servers", "tokens", "access:servers", "list:services", "read:services"]}]


def configure(c, settings: HubSettings) -> None:
    """Fill JupyterHub's config ``c`` from ``settings`` (roster read now: restart the hub after a roster import)."""
    hub_dir = Path(settings.hub_dir)
    hub_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(hub_dir, 0o711)  # learners' homes live below; nothing else here is theirs to list
    accounts = hub_accounts(settings)
    allowed = {a.staff_id for a in accounts}
    for klass, traits in authenticator_config(settings, allowed).items():
        for name, value in traits.items():
            setattr(c[klass], name, value)
    c.Authenticator.admin_users = set(settings.trainers)
    c.JupyterHub.template_paths = [str(TEMPLATES)]  # the login page in Japanese
    if settings.auth == "native":  # its sign-up and approval pages
        import nativeauthenticator

        c.JupyterHub.template_paths.append(str(Path(nativeauthenticator.__file__).parent / "templates"))

    c.JupyterHub.bind_url = f"http://{settings.ip}:{settings.port}"
    c.JupyterHub.hub_ip = "127.0.0.1"
    c.JupyterHub.hub_port = free_port()
    c.JupyterHub.db_url = f"sqlite:///{hub_dir / 'jupyterhub.sqlite'}"
    c.JupyterHub.cookie_secret_file = str(hub_dir / "jupyterhub_cookie_secret")
    c.JupyterHub.pid_file = str(hub_dir / "jupyterhub.pid")
    c.ConfigurableHTTPProxy.command = proxy_command()
    c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{free_port()}"
    c.ConfigurableHTTPProxy.pid_file = str(hub_dir / "proxy.pid")
    c.JupyterHub.cleanup_servers = True
    c.JupyterHub.template_vars = {"announcement_login": "職員番号と、研修担当から配られたパスワードでログインしてください。"}

    gw_port = settings.gateway.port or free_port()
    c.JupyterHub.services = [gateway_service(settings, gw_port), culler_service(settings),
                             {"name": CLI_SERVICE, "api_token": api_token(hub_dir)}]
    c.JupyterHub.load_roles = roles()

    write_learner_config(settings)
    settings.exchange.mkdir(parents=True, exist_ok=True)
    os.chmod(settings.exchange, 0o777)  # nbgrader's exchange is shared by every user by design
    spawner = {"local": LocalSpawner, "systemd": UnixSpawner}.get(settings.spawner)
    if spawner is None:
        raise ValueError("spawner = \"kubernetes\" は Helm で配置します: aidojo hub helm-values --out values.yaml")
    c.JupyterHub.spawner_class = spawner
    c.Spawner.cmd = singleuser_cmd()
    c.Spawner.default_url = "/lab"
    c.Spawner.start_timeout = settings.start_timeout
    c.Spawner.http_timeout = settings.start_timeout
    c.Spawner.mem_limit = settings.mem_limit
    c.Spawner.cpu_limit = settings.cpu_limit
    c.Spawner.server_token_scopes = ["users:activity!user", "access:servers!server",
                                     f"access:services!service={SERVICE_NAME}"]
    shared = {"trainers": set(settings.trainers), "repo_dir": str(settings.repo_dir), "course_dir": str(settings.course_dir),
              "exchange_dir": str(settings.exchange), "learner_config": str(write_learner_config(settings)),
              "gateway_url": f"http://127.0.0.1:{gw_port}/services/{SERVICE_NAME}",
              "learner_terminals": settings.learner_terminals}
    for klass in ("LocalSpawner", "UnixSpawner"):
        for name, value in shared.items():
            setattr(c[klass], name, value)
    c.LocalSpawner.home_dir_template = str(hub_dir / "home" / "{username}")
    c.UnixSpawner.isolate_tmp = True
    c.UnixSpawner.isolate_devices = True
    c.UnixSpawner.disable_user_sudo = True
    c.UnixSpawner.default_shell = "/bin/bash"
    c.UnixSpawner.unit_name_template = "aidojo-{USERNAME}"
