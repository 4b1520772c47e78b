"""Import HR's roster into the records store (with history) and into nbgrader's students table; undo; the
roster as it stood on any date."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

from aidojo.records import store
from aidojo.records.audit import log_action, owner_only, who
from aidojo.records.fiscal import JST, fiscal_year, fy_end, fy_label, parse_day, today_jst
from aidojo.records.gradebook import gradebook_url, upsert_students
from aidojo.records.roster_file import Problem, RosterError, StaffRow, read_roster
from aidojo.text.staff_id import leading_zero_clashes

ACTIVE = "在籍"
LEFT = "退職"
EVENTS = ("新規", "異動", "変更", "退職", "再登録")
MASS_LEAVE_MIN = 10
MASS_LEAVE_SHARE = 0.2
EARLIEST = date(2000, 4, 1)
_COLUMNS = "staff_id, name, bureau, division, section, role, status, valid_from, title"


@dataclass(frozen=True)
class Person:
    """A person's state in the roster (``status`` 在籍 or 退職; ``since`` = start of this state)."""

    staff_id: str
    name: str
    bureau: str
    division: str
    section: str
    role: str  # role class (幹部 / 一般)
    status: str
    since: str
    title: str = ""  # 役職 as HR wrote it

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
    title: str = ""

    @property
    def department(self) -> str:
        return " ".join(p for p in (self.bureau, self.division, self.section) if p)


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
    read_as: str = ""
    dry_run: bool = False
    before: dict[str, Person] = field(default_factory=dict)  # the changed people as they were
    after: dict[str, StaffRow] = field(default_factory=dict)  # … and as the file has them
    notes: list[str] = field(default_factory=list)  # how the file was read, for HR to check (Japanese)

    def summary_ja(self) -> str:
        gb = ("成績DBなし（採点前）" if self.gradebook_students is None
              else f"成績DBの受講者 {self.gradebook_students} 人を登録・更新")
        head = "【確認のみ・何も変更していません】" if self.dry_run else ""
        if self.dry_run:
            gb = "成績DBは変更しません"
        read = f"、{self.read_as}" if self.read_as else ""
        return (f"{head}{self.file}（{self.rows} 人, 基準日 {self.effective_date}{read}）: 新規 {len(self.added)}、"
                f"異動 {len(self.transferred)}、氏名・役職の変更 {len(self.changed)}、退職 {len(self.left)}、"
                f"再登録 {len(self.returned)}、変更なし {self.unchanged}。{gb}")

    def lists_ja(self, limit: int = 0) -> str:
        """The people in each list (新規/異動/変更/退職/再登録), one per line, for a dry run."""
        out = []
        for title, ids in (("新規", self.added), ("異動", self.transferred), ("変更", self.changed),
                           ("退職", self.left), ("再登録", self.returned)):
            if not ids:
                continue
            out.append(f"■ {title} {len(ids)} 人")
            shown = ids if not limit else ids[:limit]
            for sid in shown:
                old, new = self.before.get(sid), self.after.get(sid)
                if title == "新規":
                    out.append(f"  {sid} {new.name} {_dept(new)} {_title(new)}")
                elif title == "退職":
                    out.append(f"  {sid} {old.name} {old.department}")
                elif title == "異動":
                    out.append(f"  {sid} {new.name} {old.department} → {_dept(new)}")
                elif title == "変更":
                    parts = []
                    if old.name != new.name:
                        parts.append(f"氏名 {old.name} → {new.name}")
                    if (old.title or old.role) != new.title or old.role != new.role:
                        parts.append(f"役職 {old.title or old.role}（{old.role}） → {new.title}（{new.role}）")
                    out.append(f"  {sid} {new.name} {'、'.join(parts)}")
                else:
                    out.append(f"  {sid} {new.name} {_dept(new)}")
            if len(shown) < len(ids):
                out.append(f"  …ほか {len(ids) - len(shown)} 人")
        return "\n".join(out) if out else "変更はありません。"


def _title(row: StaffRow) -> str:
    """役職 with its class (課長（幹部）), so that a dry run shows how each title was classed."""
    return row.role if row.title in ("", row.role) else f"{row.title}（{row.role}）"


def _dept(row: StaffRow) -> str:
    return " ".join(p for p in (row.bureau, row.division, row.section) if p)


@dataclass
class Roster:
    """The roster at one date (everyone ever imported up to then, leavers with status 退職)."""

    people: dict[str, Person]
    last_import: str | None = None

    def active(self) -> list[Person]:
        return [p for p in self.people.values() if p.status == ACTIVE]

    def __len__(self) -> int:
        return len(self.people)


def check_effective_date(effective: date, last: str | None, today: date, label: str) -> None:
    """An import's 基準日 must be plausible: not before the last import, not beyond the next 年度, not before 2000."""
    limit = fy_end(fiscal_year(today) + 1)
    if last and effective.isoformat() < last:
        raise RosterError([f"{label}: 基準日 {effective} が前回の取り込みの基準日 {last} より前です。履歴が前後するため"
                           "取り込めません（--as-of で基準日を指定できます。前回の取り込みが誤りなら aidojo roster undo）。"])
    if effective > limit:
        raise RosterError([f"{label}: 基準日 {effective} は先すぎます。基準日は来年度末（{fy_label(fiscal_year(today) + 1)}、"
                           f"{limit}）までにしてください（入力の誤りではありませんか？）。"])
    if effective < EARLIEST:
        raise RosterError([f"{label}: 基準日 {effective} は古すぎます（{EARLIEST} 以降にしてください）。"])


def _clash_problems(label: str, rows: list[StaffRow], current: dict[str, tuple]) -> list[Problem]:
    """New ids that equal a known id (or another id in the file) except for leading zeros: one person split in two."""
    problems = []
    row_of = {r.staff_id: r.row for r in rows}
    new_ids = [r.staff_id for r in rows if r.staff_id not in current]
    for new, old in leading_zero_clashes(new_ids, current):
        who_ = current[old]
        problems.append(Problem(label, row_of[new], "職員番号",
                                f"職員番号「{new}」は登録済みの「{old}」（{who_[1]}）と先頭の0だけが違います。"
                                "Excel で先頭の0が消えていませんか（セルの表示形式を「文字列」にして入力し直してください）。"
                                "同じ人なら登録済みの番号に直してください。"))
    seen = set()
    for a, b in leading_zero_clashes(list(row_of), list(row_of)):
        if (b, a) in seen:
            continue
        seen.add((a, b))
        problems.append(Problem(label, row_of[a], "職員番号",
                                f"職員番号「{a}」と「{b}」（{row_of[b]} 行目）は先頭の0だけが違います。同じ人が2行になっていないか、"
                                "先頭の0が消えていないか確認してください。"))
    return problems


def import_roster(path: str | Path, *, as_of: date | str | None = None, allow_many_leavers: bool = False,
                  dry_run: bool = False, db_url: str | None = None, store_file: Path | None = None,
                  today: date | None = None) -> ImportResult:
    """Validate the whole file, then apply it in one transaction (roster store + nbgrader students).

    People missing from the file are marked 退職 as of ``as_of`` (default today, JST); a changed 局/部/課 is a
    異動, a changed name or 役職 a 変更. Raises RosterError (Japanese) and changes nothing on any problem.
    ``dry_run``: check and plan only; nothing is written anywhere.
    """
    path = Path(path)
    notes: list[str] = []
    rows, read_as = read_roster(path, notes=notes)
    today = today or today_jst()
    try:
        effective_day = parse_day(as_of, "基準日") or today
    except ValueError as exc:
        raise RosterError([str(exc)]) from None
    effective = effective_day.isoformat()
    data = path.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    db_url = db_url or gradebook_url()
    with owner_only(), store.connect(store_file) as conn, store.transaction(conn):
        last = _last_import(conn)
        check_effective_date(effective_day, last[1] if last else None, today, path.name)
        current = {r[0]: r for r in conn.execute(
            "SELECT staff_id, name, bureau, division, section, role, status, id, title, valid_from"
            " FROM staff_history WHERE valid_to IS NULL")}
        clashes = _clash_problems(path.name, rows, current)
        if clashes:
            raise RosterError(clashes)
        result = _plan(path.name, effective, rows, current)
        result.read_as, result.dry_run, result.notes = read_as, dry_run, notes
        active_before = sum(1 for r in current.values() if r[6] == ACTIVE)
        if (not allow_many_leavers and len(result.left) > MASS_LEAVE_MIN
                and len(result.left) > MASS_LEAVE_SHARE * active_before):
            raise RosterError([f"{path.name}: この名簿で {len(result.left)} 人（在籍者 {active_before} 人の "
                               f"{len(result.left) / active_before:.0%}）が退職扱いになります。一部の局だけの名簿ではありませんか？"
                               "--dry-run で一覧を確認し、全職員の名簿で間違いなければ --allow-many-leavers を付けて取り込んでください。"])
        if dry_run:
            return result
        import_id = conn.execute(
            "INSERT INTO imports (file, sha256, effective_date, imported_at, rows, added, transferred, changed,"
            " left_count, returned, user, tracked) VALUES (?,?,?,?,?,?,?,?,?,?,?,1)",
            (path.name, digest, effective, datetime.now(UTC).isoformat(timespec="seconds"), len(rows),
             len(result.added), len(result.transferred), len(result.changed), len(result.left),
             len(result.returned), who())).lastrowid
        _apply(conn, rows, current, result, effective, import_id)
        try:
            result.gradebook_students = upsert_students(db_url, [(r.staff_id, r.name) for r in rows])
        except Exception as exc:  # the roster transaction rolls back with it
            raise RosterError([f"成績データベース（nbgrader）に受講者を登録できませんでした: {type(exc).__name__}: {exc}"]) from exc
        log_action("roster.import", {"file": path.name, "sha256": digest, "effective_date": effective, "read_as": read_as,
                                     "rows": len(rows), "added": len(result.added),
                                     "transferred": len(result.transferred), "changed": len(result.changed),
                                     "left": len(result.left), "returned": len(result.returned),
                                     "notes": len(notes)},
                   data_dir=(store_file or store.store_path()).parent)
    return result


def _last_import(conn) -> tuple | None:
    return conn.execute("SELECT id, effective_date, file, imported_at, tracked FROM imports WHERE undone_at IS NULL"
                        " ORDER BY id DESC LIMIT 1").fetchone()


def _person(r: tuple) -> Person:
    return Person(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[9] if len(r) > 9 else "", r[8] if len(r) > 8 else "")


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
        elif (old[1], old[5], old[8] or old[5]) != (row.name, row.role, row.title):
            result.changed.append(row.staff_id)
        else:
            result.unchanged += 1
            continue
        result.after[row.staff_id] = row
        if old is not None:
            result.before[row.staff_id] = _person(old)
    result.left = sorted(sid for sid, r in current.items() if r[6] == ACTIVE and sid not in in_file)
    result.before |= {sid: _person(current[sid]) for sid in result.left}
    return result


def _apply(conn, rows: list[StaffRow], current: dict[str, tuple], result: ImportResult, effective: str,
           import_id: int) -> None:
    events = {**{s: "新規" for s in result.added}, **{s: "異動" for s in result.transferred},
              **{s: "変更" for s in result.changed}, **{s: "再登録" for s in result.returned}}
    close = [(effective, import_id, current[s][7])
             for s in (*result.transferred, *result.changed, *result.returned, *result.left)]
    conn.executemany("UPDATE staff_history SET valid_to = ?, closed_by = ? WHERE id = ?", close)
    insert = ("INSERT INTO staff_history (staff_id, name, bureau, division, section, role, status, event, valid_from,"
              " valid_to, import_id, title) VALUES (?,?,?,?,?,?,?,?,?,NULL,?,?)")
    conn.executemany(insert, [(r.staff_id, r.name, r.bureau, r.division, r.section, r.role, ACTIVE, events[r.staff_id],
                               effective, import_id, r.title) for r in rows if r.staff_id in events])
    conn.executemany(insert, [(*current[s][:6], LEFT, "退職", effective, import_id, current[s][8])
                              for s in result.left])


@dataclass
class UndoResult:
    file: str
    effective_date: str
    imported_at: str
    removed: int  # history rows the import had opened
    reopened: int  # history rows it had closed, open again
    previous: str | None  # the 基準日 now in force
    gradebook_students: int | None = None

    def summary_ja(self) -> str:
        back = f"名簿は基準日 {self.previous} の状態に戻りました。" if self.previous else "名簿は空に戻りました。"
        return (f"{self.file}（基準日 {self.effective_date}、{self.imported_at[:16].replace('T', ' ')} UTC に取り込み）を"
                f"取り消しました: 追加・変更された記録 {self.removed} 件を削除し、{self.reopened} 件を元に戻しました。{back}")


def undo_last_import(*, dry_run: bool = False, db_url: str | None = None,
                     store_file: Path | None = None) -> UndoResult:
    """Revert the latest import not yet undone: its new history rows go, the rows it closed reopen.

    The import stays listed (marked undone) and the undo is audited. nbgrader students it created are kept (they
    may have submissions); names it changed are put back. RosterError when there is nothing to undo.
    """
    with owner_only(), store.connect(store_file) as conn, store.transaction(conn):
        last = _last_import(conn)
        if last is None:
            raise RosterError(["取り消せる取り込みがありません。"])
        import_id, effective, file, imported_at, tracked = last
        if not tracked:
            raise RosterError([f"{file}（基準日 {effective}）は以前の版で取り込まれたため、自動では取り消せません。"
                               "正しい名簿を取り込み直してください。"])
        removed = conn.execute("SELECT COUNT(*) FROM staff_history WHERE import_id = ?", (import_id,)).fetchone()[0]
        reopened = conn.execute("SELECT COUNT(*) FROM staff_history WHERE closed_by = ?", (import_id,)).fetchone()[0]
        prev = conn.execute("SELECT effective_date FROM imports WHERE undone_at IS NULL AND id < ? ORDER BY id DESC"
                            " LIMIT 1", (import_id,)).fetchone()
        result = UndoResult(file, effective, imported_at, removed, reopened, prev[0] if prev else None)
        if dry_run:
            return result
        conn.execute("DELETE FROM staff_history WHERE import_id = ?", (import_id,))
        conn.execute("UPDATE staff_history SET valid_to = NULL, closed_by = NULL WHERE closed_by = ?", (import_id,))
        conn.execute("UPDATE imports SET undone_at = ? WHERE id = ?",
                     (datetime.now(UTC).isoformat(timespec="seconds"), import_id))
        people = [(r[0], r[1]) for r in conn.execute(
            "SELECT staff_id, name FROM staff_history WHERE valid_to IS NULL AND status = ?", (ACTIVE,))]
        try:
            result.gradebook_students = upsert_students(db_url or gradebook_url(), people)
        except Exception as exc:
            raise RosterError([f"成績データベース（nbgrader）の受講者名を戻せませんでした: {type(exc).__name__}: {exc}"]) from exc
        log_action("roster.undo", {"file": file, "effective_date": effective, "removed": removed, "reopened": reopened},
                   data_dir=(store_file or store.store_path()).parent)
    return result


def sync_students(db_url: str | None = None, *, create: bool = False, store_file: Path | None = None) -> int | None:
    """Put the current roster's active staff (id, name) into nbgrader's students table.

    For a gradebook created after the roster was imported (e.g. before ``--Autograde.create_student=False``).
    ``create=True`` creates a missing gradebook with nbgrader's own Gradebook API first. None: no gradebook.
    """
    from aidojo.records.gradebook import gradebook_exists

    db_url = db_url or gradebook_url()
    if create and not gradebook_exists(db_url):
        from nbgrader.api import Gradebook

        from aidojo.course.config import load_course
        from aidojo.records.synthetic import _alembic_on_path

        if db_url.startswith("sqlite:///"):
            Path(db_url[len("sqlite:///"):]).parent.mkdir(parents=True, exist_ok=True)
        with _alembic_on_path(), Gradebook(db_url, course_id=load_course().id):
            pass
    return upsert_students(db_url, [(p.staff_id, p.name) for p in load_roster(store_file).active()])


def sync_student_names(db_url: str | None = None, *, store_file: Path | None = None) -> int | None:
    """Give the gradebook's students their roster names, for ids on both (no student is created or removed).

    Students that ``aidojo autograde`` (nbgrader) creates for a roster imported before the gradebook existed have
    empty names, so formgrader shows ids only. Leavers keep the name of their last period. Returns the number of
    students renamed; None when there is no roster or no gradebook.
    """
    roster = load_roster(store_file)
    if not roster.people:
        return None
    people = [(p.staff_id, p.name) for p in roster.people.values()]
    return upsert_students(db_url or gradebook_url(), people, create=False)


def load_roster(store_file: Path | None = None, *, as_of: date | str | None = None) -> Roster:
    """The roster now, or as it stood on ``as_of`` (people who joined later are left out)."""
    day = parse_day(as_of, "基準日")
    with store.connect(store_file, create=False) as conn:
        if conn is None:
            return Roster({})
        if day is None:
            rows = conn.execute(f"SELECT {_COLUMNS} FROM staff_history WHERE valid_to IS NULL ORDER BY staff_id")
            last = conn.execute("SELECT MAX(effective_date) FROM imports WHERE undone_at IS NULL").fetchone()[0]
        else:
            d = day.isoformat()
            rows = conn.execute(f"SELECT {_COLUMNS} FROM staff_history WHERE valid_from <= ? AND (valid_to IS NULL"
                                " OR valid_to > ?) ORDER BY staff_id", (d, d))
            last = conn.execute("SELECT MAX(effective_date) FROM imports WHERE undone_at IS NULL AND effective_date <= ?",
                                (d,)).fetchone()[0]
        people = {r[0]: Person(*r) for r in rows}
    return Roster(people, last)


def roster_history(staff_id: str | None = None, store_file: Path | None = None) -> list[HistoryEntry]:
    """Every period of every person (or of one person), oldest first."""
    with store.connect(store_file, create=False) as conn:
        if conn is None:
            return []
        sql = ("SELECT staff_id, name, bureau, division, section, role, status, event, valid_from, valid_to, title"
               " FROM staff_history")
        args: tuple = ()
        if staff_id is not None:
            sql += " WHERE staff_id = ?"
            args = (staff_id,)
        return [HistoryEntry(*r) for r in conn.execute(sql + " ORDER BY staff_id, valid_from, id", args)]


class History:
    """Everyone's periods, to ask where someone was on a date (所属 at completion) and who was on the roster."""

    def __init__(self, entries: list[HistoryEntry]):
        self.by_id: dict[str, list[HistoryEntry]] = defaultdict(list)
        for e in entries:
            self.by_id[e.staff_id].append(e)

    def at(self, staff_id: str, day: date | datetime) -> HistoryEntry | None:
        """The period covering ``day`` (a datetime is taken in JST); before the first one, the first one."""
        periods = self.by_id.get(staff_id)
        if not periods:
            return None
        if isinstance(day, datetime):
            day = day.astimezone(JST).date() if day.tzinfo else day.date()
        d = day.isoformat()
        for e in reversed(periods):
            if e.valid_from <= d:
                return e if e.status == ACTIVE else (self._last_active(periods, e) or e)
        return periods[0]

    @staticmethod
    def _last_active(periods: list[HistoryEntry], left: HistoryEntry) -> HistoryEntry | None:
        earlier = [e for e in periods if e.valid_from <= left.valid_from and e.status == ACTIVE]
        return earlier[-1] if earlier else None

    def headcount(self, day: date) -> dict[str, HistoryEntry]:
        """Active staff on ``day`` → their period."""
        d = day.isoformat()
        out = {}
        for sid, periods in self.by_id.items():
            for e in periods:
                if e.valid_from <= d and (e.valid_to is None or e.valid_to > d):
                    if e.status == ACTIVE:
                        out[sid] = e
                    break
        return out


def load_history(store_file: Path | None = None) -> History:
    return History(roster_history(store_file=store_file))
