"""Import HR's roster into the records store (with history) and into nbgrader's students table."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from aidojo.records import store
from aidojo.records.gradebook import gradebook_url, upsert_students
from aidojo.records.roster_file import RosterError, StaffRow, read_roster_file

JST = timezone(timedelta(hours=9))
ACTIVE = "在籍"
LEFT = "退職"
EVENTS = ("新規", "異動", "変更", "退職", "再登録")
MASS_LEAVE_MIN = 10
MASS_LEAVE_SHARE = 0.2


@dataclass(frozen=True)
class Person:
    """A person's current state in the roster (``status`` 在籍 or 退職; ``since`` = start of this state)."""

    staff_id: str
    name: str
    bureau: str
    division: str
    section: str
    role: str
    status: str
    since: str

    @property
    def department(self) -> str:
        """局 / 部 / 課 as one label (部 left out when empty)."""
        return " ".join(p for p in (self.bureau, self.division, self.section) if p)

    @property
    def section_key(self) -> tuple[str, str, str]:
        """(局, 部, 課): a 課 is identified by its full path (two bureaus may both have a 総務課)."""
        return (self.bureau, self.division, self.section)


@dataclass(frozen=True)
class HistoryEntry:
    staff_id: str
    name: str
    bureau: str
    division: str
    section: str
    role: str
    status: str
    event: str
    valid_from: str
    valid_to: str | None


@dataclass
class ImportResult:
    """What an import changed (lists of staff ids), and how many nbgrader students were created/renamed."""

    file: str
    effective_date: str
    rows: int
    added: list[str] = field(default_factory=list)
    transferred: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    left: list[str] = field(default_factory=list)
    returned: list[str] = field(default_factory=list)
    unchanged: int = 0
    gradebook_students: int | None = None

    def summary_ja(self) -> str:
        gb = ("成績DBなし（採点前）" if self.gradebook_students is None
              else f"成績DBの受講者 {self.gradebook_students} 人を登録・更新")
        return (f"{self.file}（{self.rows} 人, 基準日 {self.effective_date}）: 新規 {len(self.added)}、"
                f"異動 {len(self.transferred)}、氏名・役職の変更 {len(self.changed)}、退職 {len(self.left)}、"
                f"再登録 {len(self.returned)}、変更なし {self.unchanged}。{gb}")


@dataclass
class Roster:
    """The current roster (everyone ever imported, leavers with status 退職)."""

    people: dict[str, Person]
    last_import: str | None = None

    def active(self) -> list[Person]:
        return [p for p in self.people.values() if p.status == ACTIVE]

    def __len__(self) -> int:
        return len(self.people)


def _today_jst() -> date:
    return datetime.now(JST).date()


def import_roster(path: str | Path, *, as_of: date | str | None = None, allow_many_leavers: bool = False,
                  db_url: str | None = None, store_file: Path | None = None) -> ImportResult:
    """Validate the whole file, then apply it in one transaction (roster store + nbgrader students).

    People missing from the file are marked 退職 as of ``as_of`` (default today, JST); a changed 局/部/課
    is a 異動, a changed name or 役職区分 a 変更. Raises RosterError (Japanese) and changes nothing on any problem.
    """
    path = Path(path)
    rows = read_roster_file(path)
    try:
        effective = (date.fromisoformat(as_of) if isinstance(as_of, str) else as_of or _today_jst()).isoformat()
    except ValueError:
        raise RosterError([f"基準日「{as_of}」は YYYY-MM-DD（例: 2026-04-01）の形で指定してください。"]) from None
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    db_url = db_url or gradebook_url()
    with store.connect(store_file) as conn, store.transaction(conn):
        last = conn.execute("SELECT MAX(effective_date) FROM imports").fetchone()[0]
        if last and effective < last:
            raise RosterError([f"{path.name}: 基準日 {effective} が前回の取り込みの基準日 {last} より前です。"
                               "履歴が前後するため取り込めません（--as-of で基準日を指定できます）。"])
        current = {r[0]: r for r in conn.execute(
            "SELECT staff_id, name, bureau, division, section, role, status, id FROM staff_history WHERE valid_to IS NULL")}
        result = _plan(path.name, effective, rows, current)
        active_before = sum(1 for r in current.values() if r[6] == ACTIVE)
        if (not allow_many_leavers and len(result.left) > MASS_LEAVE_MIN
                and len(result.left) > MASS_LEAVE_SHARE * active_before):
            raise RosterError([f"{path.name}: この名簿で {len(result.left)} 人（在籍者 {active_before} 人の "
                               f"{len(result.left) / active_before:.0%}）が退職扱いになります。一部の局だけの名簿ではありませんか？"
                               "全職員の名簿で間違いなければ --allow-many-leavers を付けて取り込んでください。"])
        import_id = conn.execute(
            "INSERT INTO imports (file, sha256, effective_date, imported_at, rows, added, transferred, changed,"
            " left_count, returned) VALUES (?,?,?,?,?,?,?,?,?,?)",
            (path.name, digest, effective, datetime.now(timezone.utc).isoformat(timespec="seconds"), len(rows),
             len(result.added), len(result.transferred), len(result.changed), len(result.left),
             len(result.returned))).lastrowid
        _apply(conn, rows, current, result, effective, import_id)
        try:
            result.gradebook_students = upsert_students(db_url, [(r.staff_id, r.name) for r in rows])
        except Exception as exc:  # the roster transaction rolls back with it
            raise RosterError([f"成績データベース（nbgrader）に受講者を登録できませんでした: {type(exc).__name__}: {exc}"]) from exc
    return result


def _plan(label: str, effective: str, rows: list[StaffRow], current: dict[str, tuple]) -> ImportResult:
    result = ImportResult(label, effective, len(rows))
    in_file = set()
    for row in rows:
        in_file.add(row.staff_id)
        old = current.get(row.staff_id)
        if old is None:
            result.added.append(row.staff_id)
        elif old[6] != ACTIVE:
            result.returned.append(row.staff_id)
        elif (old[2], old[3], old[4]) != (row.bureau, row.division, row.section):
            result.transferred.append(row.staff_id)
        elif (old[1], old[5]) != (row.name, row.role):
            result.changed.append(row.staff_id)
        else:
            result.unchanged += 1
    result.left = sorted(sid for sid, r in current.items() if r[6] == ACTIVE and sid not in in_file)
    return result


def _apply(conn, rows: list[StaffRow], current: dict[str, tuple], result: ImportResult, effective: str,
           import_id: int) -> None:
    events = {**{s: "新規" for s in result.added}, **{s: "異動" for s in result.transferred},
              **{s: "変更" for s in result.changed}, **{s: "再登録" for s in result.returned}}
    close = [(effective, current[s][7]) for s in (*result.transferred, *result.changed, *result.returned, *result.left)]
    conn.executemany("UPDATE staff_history SET valid_to = ? WHERE id = ?", close)
    insert = ("INSERT INTO staff_history (staff_id, name, bureau, division, section, role, status, event, valid_from,"
              " valid_to, import_id) VALUES (?,?,?,?,?,?,?,?,?,NULL,?)")
    conn.executemany(insert, [(r.staff_id, r.name, r.bureau, r.division, r.section, r.role, ACTIVE, events[r.staff_id],
                               effective, import_id) for r in rows if r.staff_id in events])
    conn.executemany(insert, [(*current[s][:6], LEFT, "退職", effective, import_id) for s in result.left])


def sync_students(db_url: str | None = None, *, create: bool = False, store_file: Path | None = None) -> int | None:
    """Put the current roster's active staff (id, name) into nbgrader's students table.

    For a gradebook created after the roster was imported (e.g. before ``--Autograde.create_student=False``).
    ``create=True`` creates a missing gradebook with nbgrader's own Gradebook API first. None: no gradebook.
    """
    from aidojo.records.gradebook import gradebook_exists

    db_url = db_url or gradebook_url()
    if create and not gradebook_exists(db_url):
        from aidojo.course import load_course
        from aidojo.records.synthetic import _alembic_on_path
        from nbgrader.api import Gradebook

        if db_url.startswith("sqlite:///"):
            Path(db_url[len("sqlite:///"):]).parent.mkdir(parents=True, exist_ok=True)
        with _alembic_on_path(), Gradebook(db_url, course_id=load_course().id):
            pass
    return upsert_students(db_url, [(p.staff_id, p.name) for p in load_roster(store_file).active()])


def load_roster(store_file: Path | None = None) -> Roster:
    """The current roster (empty when nothing was imported yet)."""
    with store.connect(store_file, create=False) as conn:
        if conn is None:
            return Roster({})
        people = {r[0]: Person(*r) for r in conn.execute(
            "SELECT staff_id, name, bureau, division, section, role, status, valid_from FROM staff_history"
            " WHERE valid_to IS NULL ORDER BY staff_id")}
        last = conn.execute("SELECT MAX(effective_date) FROM imports").fetchone()[0]
    return Roster(people, last)


def roster_history(staff_id: str | None = None, store_file: Path | None = None) -> list[HistoryEntry]:
    """Every period of every person (or of one person), oldest first."""
    with store.connect(store_file, create=False) as conn:
        if conn is None:
            return []
        sql = ("SELECT staff_id, name, bureau, division, section, role, status, event, valid_from, valid_to"
               " FROM staff_history")
        args: tuple = ()
        if staff_id is not None:
            sql += " WHERE staff_id = ?"
            args = (staff_id,)
        return [HistoryEntry(*r) for r in conn.execute(sql + " ORDER BY staff_id, id", args)]
