"""One Unix account per staff member for the 庁内 Linux server (UnixSpawner / SystemdSpawner).

Accounts are created with Debian's ``useradd`` (no password: login only through the hub), in the group
``aidojo-learners`` or ``aidojo-trainers``. The course's instructor material (solutions/, grader/) and the course
data folder are then made readable by trainers only. Run as root; ``plan`` shows the commands first.
"""

from __future__ import annotations

import grp
import os
import pwd
import subprocess
from dataclasses import dataclass
from pathlib import Path

from aidojo.hub.accounts import Account
from aidojo.hub.settings import HubSettings
from aidojo.hub.spawners import unix_name

LEARNERS_GROUP = "aidojo-learners"
TRAINERS_GROUP = "aidojo-trainers"
PRIVATE = ("solutions", "grader")  # instructor material in the repository


class UnixUsersError(RuntimeError):
    """A Unix account cannot be created (Japanese message naming the account)."""


@dataclass(frozen=True)
class Step:
    """One command and why (shown by ``aidojo hub unix-users`` before ``--apply``)."""

    argv: tuple[str, ...]
    why: str

    def __str__(self) -> str:
        return " ".join(self.argv) + f"    # {self.why}"


def _exists(kind, name: str) -> bool:
    try:
        kind(name)
        return True
    except KeyError:
        return False


def plan(accounts: list[Account], settings: HubSettings, *, home_base: Path = Path("/home")) -> list[Step]:
    """The commands that create missing groups and accounts and protect the instructor material."""
    steps = [Step(("groupadd", "--system", g), "グループを作成") for g in (LEARNERS_GROUP, TRAINERS_GROUP)
             if not _exists(grp.getgrnam, g)]
    names: dict[str, str] = {}
    for account in accounts:
        name = unix_name(account.staff_id)
        if name in names and names[name] != account.staff_id:
            raise UnixUsersError(f"職員番号 {names[name]} と {account.staff_id} が同じUnixアカウント名「{name}」になります"
                                 "（大文字・小文字だけの違い）。名簿を確認してください。")
        names[name] = account.staff_id
        group = TRAINERS_GROUP if account.trainer else LEARNERS_GROUP
        if _exists(pwd.getpwnam, name):
            steps.append(Step(("usermod", "--append", "--groups", group, name), f"{account.staff_id} を {group} に追加"))
            continue
        steps.append(Step(("useradd", "--create-home", "--home-dir", str(home_base / name), "--shell", "/bin/bash",
                           "--gid", group, "--comment", f"aidojo {account.staff_id}", name),
                          f"{account.staff_id} のアカウント"))
    for sub in PRIVATE:
        path = Path(settings.repo_dir) / sub
        steps += [Step(("chgrp", "-R", TRAINERS_GROUP, str(path)), f"{sub}/ は研修担当のグループ"),
                  Step(("chmod", "-R", "o-rwx", str(path)), f"{sub}/ は受講者から読めない")]
    if settings.exchange.is_relative_to(settings.course_dir):
        raise UnixUsersError(f"exchange（{settings.exchange}）が採点データフォルダの中にあります。受講者から採点データを隠すため、"
                             "hub.toml の exchange_dir を別の場所（例: /srv/aidojo/exchange）にしてください。")
    steps += [Step(("mkdir", "-p", str(settings.course_dir), str(settings.exchange)), "フォルダを用意"),
              Step(("chgrp", "-R", TRAINERS_GROUP, str(settings.course_dir)), "採点データ（成績・提出）は研修担当のグループ"),
              Step(("chmod", "-R", "o-rwx", str(settings.course_dir)), "採点データは受講者から読めない"),
              Step(("chmod", "1777", str(settings.exchange)), "nbgrader の exchange は全員が使う（nbgrader の設計）")]
    return steps


def apply(steps: list[Step]) -> None:
    """Run ``steps`` (root only); stops at the first failure with its message."""
    if os.geteuid() != 0:
        raise UnixUsersError("Unixアカウントの作成には root 権限が必要です（sudo aidojo hub unix-users --apply）。")
    for step in steps:
        proc = subprocess.run(list(step.argv), capture_output=True, text=True)
        if proc.returncode != 0:
            raise UnixUsersError(f"「{' '.join(step.argv)}」が失敗しました: {proc.stderr.strip()[:300]}")
