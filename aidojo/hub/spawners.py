"""Spawner profiles: what a trainer's and a learner's server get, on local processes or one Unix account each.

- ``LocalSpawner``: every server a process of the hub's own OS user, each learner in their own folder. For tests
  and a trial on one PC: the file browser shows only the learner's folder, but learners are NOT isolated from
  each other at the OS level (their code runs as the same user).
- ``UnixSpawner``: SystemdSpawner, one Unix account per staff member (``aidojo hub unix-users``): files isolated
  by the OS, memory and CPU limits enforced by systemd (MemoryMax, CPUQuota).
- Kubernetes: KubeSpawner through Zero to JupyterHub (``aidojo.hub.helm``), configured from the same settings.

Both roles get the AI gateway as their OpenAI-compatible endpoint and their own hub token as the key; the
city's key is never in a user's environment.
"""

from __future__ import annotations

import os
import pwd
import sys
from pathlib import Path

from jupyterhub.spawner import SimpleLocalProcessSpawner
from systemdspawner import SystemdSpawner
from traitlets import Bool, Dict, Set, Unicode
from traitlets.config import Configurable

from aidojo.hub.lab import learner_config_dir, pedagogy_settings, select_japanese
from aidojo.hub.settings import SERVICE_NAME

BACKEND_VARIABLES = ("AIDOJO_PROVIDER", "AIDOJO_MODEL", "OPENAI_API_KEY", "OPENAI_BASE_URL", "AZURE_OPENAI_ENDPOINT",
                     "AZURE_OPENAI_API_KEY", "OPENAI_API_VERSION", "AIDOJO_TIMEOUT", "AIDOJO_MAX_RETRIES")


def unix_name(staff_id: str) -> str:
    """The Unix account of a staff member (the one rule, in aidojo.text.staff_id)."""
    from aidojo.text.staff_id import unix_account_name

    return unix_account_name(staff_id)


def gateway_env(gateway_url: str, token: str) -> dict[str, str]:
    """What a user's server needs to use the AI gateway with ``aidojo.llm`` or the ``openai`` SDK."""
    return {"AIDOJO_PROVIDER": "compatible", "OPENAI_BASE_URL": gateway_url.rstrip("/") + "/v1", "OPENAI_API_KEY": token}


class AidojoSpawnerMixin(Configurable):
    """Role-dependent folders, environment and Jupyter configuration."""

    trainers = Set(Unicode(), config=True, help="Staff ids of trainers (nbgrader instructors)")
    repo_dir = Unicode("", config=True, help="The course repository (trainers' file browser root)")
    course_dir = Unicode("", config=True, help="Course data folder (gradebook, submissions): trainers only")
    exchange_dir = Unicode("", config=True, help="nbgrader's exchange")
    learner_config = Unicode("", config=True, help="Learners' Jupyter config folder")
    gateway_url = Unicode("", config=True, help="The AI gateway as users' servers reach it (…/services/ai)")
    learner_terminals = Bool(False, config=True, help="Give learners a terminal")
    extra_env = Dict(config=True, help="More environment variables for every user's server")

    @property
    def is_trainer(self) -> bool:
        return self.user.name in self.trainers or bool(getattr(self.user, "admin", False))

    def aidojo_env(self) -> dict[str, str]:
        """Variables this user's server gets (besides JupyterHub's own)."""
        env = {**gateway_env(self.gateway_url, self.api_token), "GRADIO_ANALYTICS_ENABLED": "False",
               "PYTHONNOUSERSITE": "1", **self.extra_env}
        extra, _ = pedagogy_settings(self.is_trainer, self._lab_root())
        env.update(extra)
        if self.is_trainer:
            env.update({"AIDOJO_COURSE_DIR": self.course_dir, "AIDOJO_EXCHANGE": self.exchange_dir,
                        "AIDOJO_REPO": self.repo_dir, "JUPYTER_CONFIG_PATH": str(Path(self.repo_dir) / "grader")})
        else:
            env["JUPYTER_CONFIG_PATH"] = self.learner_config
        return env

    def _lab_root(self) -> Path | None:
        """Where the lab settings live: beside the learners' Jupyter config (readable by every user's server)."""
        return Path(self.learner_config).parent / "lab" if self.learner_config else None

    def get_env(self):
        env = super().get_env()
        for name in BACKEND_VARIABLES:  # whatever the hub's own environment holds, never the city's key
            env.pop(name, None)
        env.update(self.aidojo_env())
        return env

    def get_args(self):
        args = super().get_args()
        _, extra = pedagogy_settings(self.is_trainer, self._lab_root())
        args += extra
        if self.is_trainer:
            args.append(f"--ServerApp.root_dir={self.repo_dir}")
        elif not self.learner_terminals:
            args.append("--ServerApp.terminals_enabled=False")
        return args


class LocalSpawner(AidojoSpawnerMixin, SimpleLocalProcessSpawner):
    """A process of the hub's OS user per hub user, in ``<hub_dir>/home/<staff_id>`` (tests, a trial on one PC)."""

    async def start(self):
        home = Path(self.home_dir)
        home.mkdir(parents=True, exist_ok=True, mode=0o700)
        select_japanese(home)
        if os.geteuid() == 0 and "--allow-root" not in self.args:
            self.args = [*self.args, "--allow-root"]  # containers and CI run as root; real servers use UnixSpawner
        return await super().start()


class UnixSpawner(AidojoSpawnerMixin, SystemdSpawner):
    """SystemdSpawner with 職員番号 → Unix account mapping and the Japanese JupyterLab prepared in the home folder."""

    def _expand_user_vars(self, string):
        return string.format(USERNAME=unix_name(self.user.name), USERID=self.user.id)

    async def start(self):
        account = pwd.getpwnam(unix_name(self.user.name))
        select_japanese(Path(account.pw_dir), (account.pw_uid, account.pw_gid))
        return await super().start()


def singleuser_cmd() -> list[str]:
    """``jupyterhub-singleuser`` of this environment (not whatever PATH finds)."""
    return [str(Path(sys.executable).with_name("jupyterhub-singleuser"))]


__all__ = ["AidojoSpawnerMixin", "BACKEND_VARIABLES", "LocalSpawner", "SERVICE_NAME", "UnixSpawner", "gateway_env",
           "learner_config_dir", "singleuser_cmd", "unix_name"]
