"""Hub accounts from the imported roster (current staff), trainers from the settings.

The roster is HR's (``aidojo roster import``); the hub never keeps its own list of people. A hub user name is
the staff id exactly as :func:`aidojo.text.staff_id.normalize_staff_id` gives it, so the hub login, nbgrader's
student id, the gradebook and HR's records all name a person the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from aidojo.hub.settings import HubSettings
from aidojo.records.roster import load_roster
from aidojo.text.staff_id import StaffIdError, normalize_staff_id

TRAINER_LABEL = "研修担当"


class AccountsError(ValueError):
    """No usable accounts (Japanese message saying what to do)."""


@dataclass(frozen=True)
class Account:
    """One hub user: a staff member on the roster, or a trainer."""

    staff_id: str
    name: str
    department: str
    trainer: bool = False


def roster_file(settings: HubSettings) -> Path:
    """The records store holding the roster (``<course data>/records.db``)."""
    return Path(settings.course_dir) / "records.db"


def hub_accounts(settings: HubSettings) -> list[Account]:
    """Trainers first, then every active staff member on the roster (staff ids normalised), sorted by id."""
    roster = load_roster(roster_file(settings))
    people = {}
    for person in roster.active():
        try:
            sid = normalize_staff_id(person.staff_id)
        except StaffIdError:
            continue  # the roster importer already refuses these; never let one break the hub
        people[sid] = person
    trainers = set(settings.trainers)
    accounts = [Account(sid, people[sid].name if sid in people else TRAINER_LABEL,
                        people[sid].department if sid in people else "", True) for sid in sorted(trainers)]
    accounts += [Account(sid, p.name, p.department) for sid, p in sorted(people.items()) if sid not in trainers]
    return accounts


def require_accounts(settings: HubSettings) -> list[Account]:
    """:func:`hub_accounts`, or AccountsError when nobody could log in."""
    accounts = hub_accounts(settings)
    if not any(not a.trainer for a in accounts) and settings.auth == "passwords":
        raise AccountsError("名簿が取り込まれていないため、ログインできる受講者がいません。"
                            f"先に「aidojo roster import 職員名簿.csv」を実行してください（採点データフォルダ: {settings.course_dir}）。")
    if not settings.trainers:
        raise AccountsError("研修担当（管理者）が決まっていません。hub.toml の trainers に職員番号を書くか、"
                            "「aidojo hub --trainer 職員番号」で指定してください。")
    return accounts
