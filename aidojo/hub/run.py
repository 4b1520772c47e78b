"""Start JupyterHub (with configurable-http-proxy, the AI gateway and the idle culler) for the given settings.

``aidojo hub`` runs it in the foreground; tests and the benchmark use :class:`HubProcess`, which also knows
the hub's admin API token (``<hub_dir>/api-token``, mode 0600) for the REST API.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import time
from pathlib import Path

import httpx

from aidojo.fileio import atomic_write_text
from aidojo.hub.settings import HubSettings

CONFIG_FILE = Path(__file__).with_name("jupyterhub_config.py")
API_TOKEN_FILE = "api-token"
CLI_SERVICE = "aidojo-cli"


def api_token(hub_dir: Path) -> str:
    """The admin token of ``aidojo hub`` commands and tests (created once, mode 0600)."""
    path = Path(hub_dir) / API_TOKEN_FILE
    if not path.exists():
        Path(hub_dir).mkdir(parents=True, exist_ok=True, mode=0o700)
        atomic_write_text(path, secrets.token_hex(32))
        os.chmod(path, 0o600)
    return path.read_text(encoding="utf-8").strip()


def hub_command(settings: HubSettings, base_env: dict[str, str] | None = None) -> tuple[list[str], dict[str, str]]:
    """The command line and environment (``base_env``, default this process's) that start the hub for ``settings``."""
    hub_dir = Path(settings.hub_dir)
    hub_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    settings_file = atomic_write_text(hub_dir / "hub-settings.json", settings.model_dump_json(indent=1))
    os.chmod(settings_file, 0o600)
    env = dict(os.environ if base_env is None else base_env)
    env["AIDOJO_HUB_SETTINGS"] = str(settings_file)
    env["AIDOJO_HUB_API_TOKEN_FILE"] = str(hub_dir / API_TOKEN_FILE)
    api_token(hub_dir)
    env["PATH"] = os.pathsep.join((str(Path(sys.executable).parent), env.get("PATH", "")))
    return [sys.executable, "-m", "jupyterhub", "-f", str(CONFIG_FILE)], env


class HubProcess:
    """A running hub (``with HubProcess(settings) as hub:``), stopped with its servers on exit."""

    def __init__(self, settings: HubSettings, *, log: Path | None = None, env: dict[str, str] | None = None):
        self.settings, self.env = settings, env
        self.log_path = Path(log or Path(settings.hub_dir) / "jupyterhub.log")
        self.proc: subprocess.Popen | None = None
        self.token = api_token(settings.hub_dir)
        self.api = httpx.Client(base_url=settings.url + "/hub/api", headers={"Authorization": f"token {self.token}"},
                                timeout=60)

    def start(self, timeout: float = 60) -> HubProcess:
        cmd, env = hub_command(self.settings, self.env)
        self._log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(cmd, cwd=self.settings.hub_dir, env=env, stdout=self._log, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"JupyterHub stopped at start (exit {self.proc.returncode}):\n{self.log_tail()}")
            try:
                if self.api.get("/user").status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.3)
        self.stop()
        raise TimeoutError(f"JupyterHub did not answer within {timeout:.0f}s:\n{self.log_tail()}")

    def log_tail(self, chars: int = 4000) -> str:
        try:
            return self.log_path.read_text(encoding="utf-8", errors="replace")[-chars:]
        except OSError:
            return ""

    def start_server(self, name: str, timeout: float = 120) -> float:
        """Start ``name``'s server through the REST API and wait until it is ready; returns the seconds it took."""
        started = time.monotonic()
        r = self.api.post(f"/users/{name}/server")
        if r.status_code not in (201, 202, 400):  # 400: already running
            raise RuntimeError(f"start of {name} failed: {r.status_code} {r.text}")
        while time.monotonic() - started < timeout:
            model = self.api.get(f"/users/{name}").json()
            server = (model.get("servers") or {}).get("")
            if server and server.get("ready"):
                return time.monotonic() - started
            time.sleep(0.2)
        raise TimeoutError(f"{name}'s server was not ready within {timeout:.0f}s:\n{self.log_tail()}")

    def user_token(self, name: str, note: str = "aidojo") -> str:
        r = self.api.post(f"/users/{name}/tokens", json={"note": note, "expires_in": 3600})
        r.raise_for_status()
        return r.json()["token"]

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()  # JupyterHub stops the servers it spawned (cleanup_servers) and its services
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, 9)
                self.proc.wait(10)
        if getattr(self, "_log", None):
            self._log.close()
        self.api.close()

    def __enter__(self) -> HubProcess:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def run_hub(settings: HubSettings) -> int:
    """Run the hub in the foreground until Ctrl+C; returns its exit status."""
    cmd, env = hub_command(settings)
    return subprocess.call(cmd, cwd=settings.hub_dir, env=env)
