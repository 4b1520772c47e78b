"""Collect learners' notebooks into the course's submitted/<staff_id>/<module>/ folders, checking each one.

Sources: packages made by ``aidojo submit`` (``<staff_id>_<module>.zip`` holding manifest.json), folders laid out
as ``<staff_id>/<module>/<notebook>.ipynb``, a zip of either (also as Explorer or Finder zip a whole folder: one
top-level folder, ``__MACOSX``, cp932 names; one level of zips inside a zip), and nbgrader's exchange (JupyterHub).

Identity (:mod:`aidojo.course.identity`): a submission is stored only when every place naming its submitter names
the same staff id — for a package its file name, manifest, folders and every notebook's metadata (all required);
for a folder the ``<staff_id>`` folder and any notebook metadata; for the exchange the student folder (the hub
login) and any notebook metadata — and, when the caller passes the roster's ids (``known_ids``), that id is on the
roster; otherwise the submission is held back and listed, unless ``allow_unknown``. A refused submission is never
stored, so it can neither replace an accepted one nor make a later honest one look older.

Intake never breaks: every bad file gets one report line and the others go on; sizes are checked before and while
reading (:mod:`aidojo.course.archive`), nothing is extracted to disk, and the report is always saved.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from aidojo.course.archive import (
    OTHER_ARCHIVES,
    Budget,
    BudgetExceeded,
    Container,
    Entry,
    FolderContainer,
    IntakeProblem,
    ZipContainer,
)
from aidojo.course.identity import Claim, IdentityError, notebook_staff_id, resolve_identity, staff_id_in_name
from aidojo.course.keyscan import scan_notebook
from aidojo.course.layout import CourseLayout, resolve_layout
from aidojo.course.nbjson import NotebookError, grade_ids, parse_notebook
from aidojo.course.report import Report
from aidojo.course.submission import DEFAULT_MAX_BYTES, FORMAT
from aidojo.fileio import atomic_folder
from aidojo.text.staff_id import StaffIdError, normalize_staff_id, same_but_leading_zeros

TIMESTAMP_FORMAT = "%Y-%m-%d %H:%M:%S.%f %Z"  # nbgrader's timestamp.txt
MANIFEST = "manifest.json"
MAX_DEPTH = 2  # a zip given, or found in a folder, is depth 1; zips inside it depth 2; none deeper are opened
REFUSED = "この提出は受け付けませんでした"


def max_bytes_default() -> int:
    """Per-notebook size limit: ``AIDOJO_MAX_SUBMISSION_MB`` (default 5 MB)."""
    mb = os.environ.get("AIDOJO_MAX_SUBMISSION_MB")
    return int(float(mb) * 1024 * 1024) if mb else DEFAULT_MAX_BYTES


@dataclass(frozen=True)
class IntakeLimits:
    """Byte limits of one collect run. ``total_bytes`` bounds what one zip given or found in a folder (nested zips
    included) or one folder's loose files may produce; ``nested_zip_bytes`` bounds a zip inside a zip, both its own
    size and what it produces (charged to its parent too)."""

    notebook_bytes: int = DEFAULT_MAX_BYTES
    total_bytes: int = 1 << 30
    nested_zip_bytes: int = 4 * DEFAULT_MAX_BYTES + (1 << 20)
    manifest_bytes: int = 256 * 1024
    zip_entries: int = 20_000
    nested_entries: int = 200
    renamed_candidates: int = 5  # notebooks under other names read to recognise a renamed one

    @classmethod
    def for_notebook(cls, max_bytes: int | None = None) -> IntakeLimits:
        nb = max_bytes or max_bytes_default()
        return cls(notebook_bytes=nb, total_bytes=max(200 * nb, 1 << 30), nested_zip_bytes=4 * nb + (1 << 20))


@dataclass
class CollectReport(Report):
    """What was collected: ``accepted`` (staff_id, module) stored in submitted/, ``unchanged`` already there,
    ``held`` refused only because the staff id is not on the roster."""

    accepted: list[tuple[str, str]] = field(default_factory=list)
    unchanged: list[tuple[str, str]] = field(default_factory=list)
    held: list[tuple[str, str]] = field(default_factory=list)
    bytes_read: int = 0  # everything read from zips and files, nested zips included (what the budgets counted)

    def summary(self) -> str:
        errors = len(self.find(level="error"))
        text = (f"受け付け {len(self.accepted)} 件、変更なし {len(self.unchanged)} 件、"
                f"エラー {errors} 件、注意 {len(self.find(level='warn'))} 件")
        if self.held:
            ids = "、".join(sorted({sid for sid, _ in self.held}))
            text += (f"\n名簿にない職員番号のため保留 {len(self.held)} 件: {ids}"
                     "（名簿を取り込み直すか、本人と確かめてから --allow-unknown を付けて取り込み直してください）")
        return text


@dataclass
class _Candidate:
    """One learner's submission of one module, found in a container and not read yet."""

    kind: str  # "package", "folder" or "exchange"
    container: Container
    origin: str
    module: str = ""
    root: tuple[str, ...] = ()
    entries: list[Entry] = field(default_factory=list)  # a package's entries (manifest read by add())
    files: dict[str, Entry] = field(default_factory=dict)  # directly in the module folder, by file name
    others: list[tuple[str, Entry]] = field(default_factory=list)  # in sub-folders: (relative path, entry)
    duplicates: list[str] = field(default_factory=list)
    claims: list[Claim] = field(default_factory=list)
    names: list[tuple[str, str]] = field(default_factory=list)  # (Japanese label, a name that may give the id)
    name_required: bool = False
    timestamp: datetime = field(default_factory=lambda: datetime.now(UTC))
    sha256: dict[str, str] = field(default_factory=dict)
    owner: str | None = None  # exchange: the login owning the submission folder


def _jst(when: datetime) -> str:
    """A time as the trainer reads it: Japan time."""
    from datetime import timedelta, timezone

    return when.astimezone(timezone(timedelta(hours=9))).strftime("%Y-%m-%d %H:%M 日本時間")


def _now() -> datetime:
    return datetime.now(UTC)


def _module_key(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip().lower()


def _parse_time(text: str) -> datetime | None:
    text = text.strip().replace(" UTC", "")
    for fmt in ("%Y-%m-%d %H:%M:%S.%f", "%Y-%m-%d %H:%M:%S"):
        try:
            return datetime.strptime(text, fmt).replace(tzinfo=UTC)
        except ValueError:
            continue
    return None


def _read_timestamp(path: Path) -> datetime | None:
    try:
        return _parse_time(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError):
        return None


def _provisional(raw: str) -> str:
    try:
        return normalize_staff_id(raw)
    except StaffIdError:
        return ""


class Collector:
    """Checks submissions and stores the good ones; one instance per run (it owns the report)."""

    def __init__(self, layout: CourseLayout, report: CollectReport, modules: list[str] | None, limits: IntakeLimits,
                 known_ids: Iterable[str] | None = None, allow_unknown: bool = False):
        self.layout, self.report, self.limits = layout, report, limits
        self.modules = set(layout.modules())
        self.only = set(modules) if modules else None
        self.known_ids = None if known_ids is None else {_provisional(s) for s in known_ids} - {""}
        self.allow_unknown = allow_unknown
        self._expected: dict[str, dict[str, set[str]]] = {}
        self._released: dict[str, set[str]] = {}
        self._budgets: list[Budget] = []

    def budget(self) -> Budget:
        """A fresh budget of ``total_bytes`` for a folder or a zip given or found in one (counted in the report)."""
        self._budgets.append(Budget(self.limits.total_bytes))
        return self._budgets[-1]

    @property
    def bytes_read(self) -> int:
        return sum(b.used for b in self._budgets)

    # -- what the course expects -------------------------------------------------------------------------------
    def expected(self, module: str) -> dict[str, set[str]]:
        """{notebook file name: its grade ids} of ``module`` from the sources."""
        if module not in self._expected:
            found = {}
            for p in sorted((self.layout.source_dir / module).glob("*.ipynb")):
                found[p.name] = grade_ids(parse_notebook(p.read_bytes(), p.name))
            self._expected[module] = found
        return self._expected[module]

    def released_files(self, module: str) -> set[str]:
        """Relative paths of the files a module hands out besides notebooks (data/…): silently left out."""
        if module not in self._released:
            paths = set()
            for base in (self.layout.release_dir / module, self.layout.source_dir / module):
                if base.is_dir():
                    paths |= {p.relative_to(base).as_posix() for p in base.rglob("*") if p.is_file()}
            self._released[module] = paths
        return self._released[module]

    def module_of(self, ids: set[str]) -> str | None:
        """The module whose grade ids a notebook carries (for a notebook handed in under the wrong module)."""
        best = max(((len(ids & set().union(*self.expected(m).values())), m) for m in self.modules if self.expected(m)),
                   default=(0, None))
        return best[1] if best[0] else None

    # -- finding submissions in a zip or folder ----------------------------------------------------------------
    def scan(self, container: Container) -> None:
        """Find and check every submission in ``container``: one report line per problem, never raises (except a
        parent's exhausted budget, which its own scan reports)."""
        r = self.report
        try:
            entries, skipped = container.listing()
        except IntakeProblem as exc:
            r.add("error", exc.code, exc.message, path=container.label)
            return
        for s in skipped:
            r.add(s.level, s.code, s.message, path=s.path)
        pending: list[_Candidate | Entry] = [*self._plan(container, entries)]
        for i, item in enumerate(pending):
            try:
                if isinstance(item, _Candidate):
                    self.add(item)
                else:
                    self._scan_nested(container, item)
            except BudgetExceeded as exc:
                if exc.budget is not container.budget:
                    raise
                left = [x.origin if isinstance(x, _Candidate) else container.where(x) for x in pending[i:]]
                named = "、".join(p.removeprefix(container.label + "/") for p in left[:10]) + ("など" if len(left) > 10 else "")
                r.add("error", "zip_too_large", f"{exc.message}。ここから先の {len(left)} 件（{named}）は読んでいません"
                      "（zip爆弾のおそれ。中身を確かめてください）", path=container.label)
                return
            except Exception as exc:  # the safety net: one line, and the others go on
                where = item.origin if isinstance(item, _Candidate) else container.where(item)
                r.add("error", "internal_error", f"予期しないエラーのため確認できませんでした（{type(exc).__name__}）。{REFUSED}",
                      path=where)

    def _scan_nested(self, parent: Container, entry: Entry) -> None:
        r = self.report
        if parent.depth >= MAX_DEPTH:
            r.add("error", "nested_archive", f"zipの中のzipの中にある「{entry.name}」は読みません（zipの入れ子は1段まで）。"
                  "提出ファイルをそのまま1つのフォルダに集めてから zip にしてください", path=parent.where(entry))
            return
        try:
            if isinstance(parent, ZipContainer):
                child: Container = parent.nested(entry, self.limits.nested_zip_bytes, self.limits.nested_entries)
            else:
                child = ZipContainer(entry.ref, entry.name, parent.where(entry), parent.depth + 1,  # type: ignore[arg-type]
                                     self.budget(), self.limits.zip_entries)
        except BudgetExceeded:
            raise
        except IntakeProblem as exc:
            r.add("error", exc.code, f"{exc.message}。{REFUSED}", path=parent.where(entry))
            return
        try:
            self.scan(child)
        except BudgetExceeded as exc:
            if exc.budget is not child.budget:
                raise
            r.add("error", "zip_too_large", f"{exc.message}。{REFUSED}", path=child.label)
        finally:
            child.close()

    def _place(self, parts: tuple[str, ...]) -> tuple[tuple[str, ...], str, str, tuple[str, ...]] | None:
        """(prefix, staff id folder, module, path below the module folder) of a loose file, or None."""
        for i in range(len(parts) - 2, 0, -1):
            if _module_key(parts[i]) in self.modules:
                return parts[:i - 1], parts[i - 1], _module_key(parts[i]), parts[i + 1:]
        if len(parts) >= 3 and _provisional(parts[-3]) and parts[-1].lower().endswith(".ipynb"):
            return parts[:-3], parts[-3], parts[-2], parts[-1:]  # an unknown module: add() says so
        return None

    def _plan(self, container: Container, entries: list[Entry]) -> list[_Candidate | Entry]:
        """The submissions (packages, then <staff_id>/<module>/ folders) and zips in ``container``."""
        r = self.report
        roots: list[tuple[str, ...]] = []
        for root in sorted({e.parts[:-1] for e in entries if e.name == MANIFEST}, key=lambda x: (len(x), x)):
            if not any(root[:len(o)] == o for o in roots):
                roots.append(root)
        packages: dict[tuple[str, ...], list[Entry]] = {root: [] for root in roots}
        groups: dict[tuple[tuple[str, ...], str, str], list[tuple[tuple[str, ...], Entry]]] = {}
        nested: list[Entry] = []
        for e in entries:
            root = next((x for x in roots if e.parts[:len(x)] == x), None)
            if root is not None:
                packages[root].append(e)
                continue
            low = e.name.lower()
            if low.endswith(".zip"):
                nested.append(e)
            elif low.endswith(OTHER_ARCHIVES):
                r.add("warn", "unsupported_archive", f"「{e.name}」は zip ではないため読めません（zip で送ってもらってください）",
                      path=container.where(e))
            elif (placed := self._place(e.parts)) is None:
                r.add("warn", "misplaced", f"「{e.path}」は置き場所の決まり（職員番号/モジュール/ノートブック、または aidojo submit の zip）"
                      "と違うため無視しました", path=container.where(e))
            else:
                prefix, sid, module, below = placed
                groups.setdefault((prefix, sid, module), []).append((below, e))
        sole = container.is_archive and len(packages) + len(groups) == 1 and not nested
        out: list[_Candidate | Entry] = []
        for root, items in packages.items():
            cand = _Candidate("package", container, container.where("/".join(root)), root=root, entries=items,
                              name_required=True)
            if root:
                cand.names.append((f"フォルダ名「{root[-1]}」", root[-1]))
            if not root or sole:
                kind = "ファイル名" if container.is_archive else "フォルダ名"
                cand.names.append((f"{kind}「{container.name}」", container.name))
            out.append(cand)
        for (prefix, sid, module), items in sorted(groups.items()):
            cand = _Candidate("folder", container, container.where("/".join((*prefix, sid, module))), module=module,
                              claims=[Claim("フォルダ名", sid)])
            if sole:
                cand.names.append((f"ファイル名「{container.name}」", container.name))
            for below, e in items:
                self._file(cand, below, e)
            cand.timestamp = min(max(e.mtime for _, e in items), _now())
            out.append(cand)
        out += sorted(nested, key=lambda e: e.parts)
        # Smallest first: zipfile never inflates an entry past its declared size, so declared sizes bound the cost,
        # and a bomb sharing a zip with honest learners can only use up the budget after they are stored.
        return sorted(out, key=lambda x: x.size if isinstance(x, Entry) else sum(
            e.size for e in (x.entries or [*x.files.values(), *(e for _, e in x.others)])))

    @staticmethod
    def _file(cand: _Candidate, below: tuple[str, ...], entry: Entry) -> None:
        if len(below) == 1:
            if below[0] in cand.files:
                cand.duplicates.append(below[0])
            cand.files[below[0]] = entry
        else:
            cand.others.append(("/".join(below), entry))

    def _open_package(self, cand: _Candidate) -> bool:
        """Read a package's manifest and sort its entries; False (with one line) when the manifest is unusable."""
        r = self.report
        manifest_entry = next(e for e in cand.entries if e.parts == (*cand.root, MANIFEST))
        try:
            m = json.loads(cand.container.read(manifest_entry, self.limits.manifest_bytes).decode("utf-8"))
            if not isinstance(m, dict) or m.get("format") != FORMAT or not isinstance(m.get("notebooks"), list):
                raise ValueError("format")
            sid, module = m["staff_id"], m["module"]
            if not isinstance(sid, str) or not isinstance(module, str):
                raise TypeError("staff_id/module")
            created = datetime.fromisoformat(str(m["created"]))
            created = created if created.tzinfo else created.replace(tzinfo=UTC)
            listed = {str(n["name"]): str(n.get("sha256", "")) for n in m["notebooks"]}
        except IntakeProblem as exc:
            r.add("error", "bad_manifest", f"manifest.json を読めません（{exc.message}）。{REFUSED}", path=cand.origin)
            return False
        except (ValueError, KeyError, TypeError, AttributeError, UnicodeDecodeError, RecursionError):
            r.add("error", "bad_manifest", f"manifest.json が aidojo submit の形ではありません。{REFUSED}", path=cand.origin)
            return False
        cand.module = _module_key(module)
        cand.timestamp = min(created.astimezone(UTC), _now())
        cand.sha256 = listed
        cand.claims.append(Claim("manifest.json", sid))
        folders = []
        for e in cand.entries:
            below = e.parts[len(cand.root):]
            if below == (MANIFEST,):
                continue
            if len(below) >= 3 and _module_key(below[1]) == cand.module:
                folders.append(below[0])
                self._file(cand, below[2:], e)
            else:
                r.add("warn", "misplaced", f"提出ファイル内の「{'/'.join(below)}」は置き場所が違うため無視しました",
                      _provisional(sid), cand.module, cand.origin)
        cand.claims += [Claim("zip内のフォルダ名", f) for f in dict.fromkeys(folders)]
        for name in sorted(set(listed) - set(cand.files)):
            r.add("error", "checksum", f"manifest.json にある「{name}」が提出ファイルに入っていません。{REFUSED}",
                  _provisional(sid), cand.module, cand.origin)
            return False
        return True

    # -- checking one submission -------------------------------------------------------------------------------
    def add(self, cand: _Candidate) -> None:
        """Check ``cand`` and store it when everything holds; every problem is one report line, nothing raises."""
        r = self.report
        if cand.kind == "package" and not self._open_package(cand):
            return
        mod, origin = cand.module, cand.origin
        guess = next((s for c in cand.claims if (s := _provisional(c.raw))), "")
        if mod not in self.modules:
            r.add("error", "unknown_module", f"モジュール「{mod}」はこの研修にありません。{REFUSED}", guess, mod, origin)
            return
        if self.only is not None and mod not in self.only:
            r.add("info", "other_module", "今回の対象外のモジュールなので取り込みませんでした", guess, mod, origin)
            return
        if cand.duplicates:
            r.add("error", "duplicate_entry", f"同じ名前のファイル「{cand.duplicates[0]}」が2つ入っています。{REFUSED}", guess, mod, origin)
            return
        claims = list(cand.claims)
        for label, name in cand.names:
            if (raw := staff_id_in_name(name, mod)) is not None:
                claims.append(Claim(label, raw))
        if cand.name_required and len(claims) == len(cand.claims):
            shown = "、".join(label for label, _ in cand.names)
            r.add("error", "name_no_id", f"{shown}から職員番号が読み取れません（aidojo submit が作った「職員番号_{mod}.zip」の名前のまま"
                  f"渡してください）。{REFUSED}", guess, mod, origin)
            return
        who = guess if cand.kind == "exchange" else ""  # the hub login is authoritative; a zip's names are not
        try:
            sid = resolve_identity(claims)
        except IdentityError as exc:
            r.add("error", exc.code, str(exc), who, mod, origin)
            return
        if cand.owner is not None and self.known_ids is not None:
            from aidojo.text.staff_id import unix_account_name

            by_account = {unix_account_name(i): i for i in self.known_ids}  # one Unix account per person (hub)
            owner = by_account.get(cand.owner) or _provisional(cand.owner)
            if owner and owner != sid and owner in self.known_ids:
                r.add("error", "owner_mismatch", f"exchange の「{sid}」の提出を置いたのは別の受講者（{owner}）です。{REFUSED}", sid, mod, origin)
                return
        notebooks = self._notebooks(cand, sid)
        if notebooks is None:
            return
        unnamed = [n for n, (_, nb) in notebooks.items() if notebook_staff_id(nb) is None]
        if cand.kind == "package" and unnamed:
            r.add("error", "id_missing", f"「{unnamed[0]}」に職員番号が書かれていません（今の aidojo submit で作った提出ファイルでは"
                  f"ありません）。aidojo submit で作り直してもらってください。{REFUSED}", sid, mod, origin)
            return
        claims += [Claim(f"ノートブック「{n}」のメタデータ", raw) for n, (_, nb) in notebooks.items()
                   if (raw := notebook_staff_id(nb)) is not None]
        try:
            resolve_identity(claims)
        except IdentityError as exc:
            r.add("error", exc.code, str(exc), who, mod, origin)
            return
        if self.known_ids is not None and sid not in self.known_ids:
            near = next((k for k in sorted(self.known_ids) if same_but_leading_zeros(k, sid)), None)
            hint = f"名簿には「{near}」があります（先頭の0が落ちていませんか）。" if near else ""
            if not self.allow_unknown:
                self.report.held.append((sid, mod))
                r.add("error", "unknown_staff_id", f"職員番号「{sid}」は名簿にありません。{hint}受け付けずに保留しました",
                      sid, mod, origin)
                return
            r.add("warn", "unknown_staff_id_allowed", f"職員番号「{sid}」は名簿にありませんが、--allow-unknown のため受け付けます。{hint}",
                  sid, mod, origin)
        for name in sorted(set(self.expected(mod)) - set(notebooks)):
            r.add("warn", "missing_notebook", f"「{name}」が提出されていません（このノートブックは0点になります）", sid, mod, origin)
        self._store(sid, mod, {n: data for n, (data, _) in notebooks.items()}, cand.timestamp, origin)

    def _read(self, cand: _Candidate, name: str, entry: Entry, sid: str, *, refuse: bool) -> tuple[bytes, dict] | None:
        """Read and parse one notebook; on a problem one line (an error that refuses the submission, or a warning
        for a stray notebook) and None."""
        level, tail = ("error", REFUSED) if refuse else ("warn", "このファイルは無視しました")
        try:
            data = cand.container.read(entry, self.limits.notebook_bytes)
        except BudgetExceeded:
            raise
        except IntakeProblem as exc:
            hint = "出力を消して保存し直してもらってください。" if exc.code == "too_large" else ""
            self.report.add(level, exc.code, f"{exc.message}。{hint}{tail}", sid, cand.module, cand.origin)
            return None
        try:
            return data, parse_notebook(data, name)
        except NotebookError as exc:
            self.report.add(level, "invalid_notebook", f"{exc}。{tail}", sid, cand.module, cand.origin)
            return None

    def _trusted(self, cand: _Candidate, name: str, data: bytes, nb: dict, sid: str) -> bool:
        """Checks before storing a notebook: manifest checksum, API keys, and that it is this module's notebook."""
        r, mod = self.report, cand.module
        if cand.kind == "package" and hashlib.sha256(data).hexdigest() != cand.sha256.get(name):
            r.add("error", "checksum", f"「{name}」が提出後に壊れたか書き換えられています（manifest.json のチェックサムと不一致）。{REFUSED}",
                  sid, mod, cand.origin)
            return False
        keys = scan_notebook(nb, name)
        if keys:
            r.add("error", "api_key", f"APIキーらしき文字列があるため「{name}」を受け付けませんでした（{keys[0].message()}）。"
                  "本人に削除して再提出してもらってください", sid, mod, cand.origin)
            return False
        ids, own = grade_ids(nb), set().union(*self.expected(mod).values())
        if own and ids and not ids & own and (other := self.module_of(ids)):
            r.add("error", "wrong_module", f"「{name}」の中身は {other} の課題です（{mod} として提出されています）。{REFUSED}",
                  sid, mod, cand.origin)
            return False
        return True

    def _notebooks(self, cand: _Candidate, sid: str) -> dict[str, tuple[bytes, dict]] | None:
        """The submission's notebooks under their expected names, or None when one of them is refused."""
        r, mod = self.report, cand.module
        expected, released = self.expected(mod), self.released_files(mod)
        quiet = cand.kind == "exchange"
        good: dict[str, tuple[bytes, dict]] = {}
        strays: list[tuple[str, Entry]] = []
        errors_before = len(r.find(level="error"))
        refused = False
        for name, entry in sorted(cand.files.items()):
            if not name.lower().endswith(".ipynb"):
                if name not in released and not (quiet and name == "timestamp.txt"):
                    r.add("info" if quiet else "warn", "not_notebook", f"ノートブックではないファイル「{name}」は無視しました",
                          sid, mod, cand.origin)
                continue
            if name not in expected:
                strays.append((name, entry))
                continue
            loaded = self._read(cand, name, entry, sid, refuse=True)
            if loaded is None or not self._trusted(cand, name, *loaded, sid):
                refused = True
            else:
                good[name] = loaded
        for below, _entry in cand.others:
            if below not in released:
                r.add("info" if quiet else "warn", "misplaced", f"「{below}」は使わないため無視しました", sid, mod, cand.origin)
        for n, (name, entry) in enumerate(strays):
            missing = [x for x in expected if x not in good]
            if refused or not missing or n >= self.limits.renamed_candidates:
                r.add("warn", "unknown_notebook", f"「{name}」はこの課題のノートブックではないため無視しました", sid, mod, cand.origin)
                continue
            loaded = self._read(cand, name, entry, sid, refuse=False)
            if loaded is None:
                continue
            ids = grade_ids(loaded[1])
            matches = [x for x in missing if expected[x] and ids & expected[x]]
            if len(matches) != 1:
                other = self.module_of(ids)
                if other and other != mod:
                    r.add("error", "wrong_module", f"「{name}」は {other} の課題です（{mod} として提出されています）。無視しました",
                          sid, mod, cand.origin)
                else:
                    r.add("warn", "unknown_notebook", f"「{name}」はこの課題のノートブックではないため無視しました", sid, mod, cand.origin)
                continue
            if not self._trusted(cand, name, *loaded, sid):
                refused = True
                continue
            good[matches[0]] = loaded
            r.add("warn", "renamed", f"「{name}」は名前が変わっていましたが、中身から「{matches[0]}」と判断して受け付けました",
                  sid, mod, cand.origin)
        if refused:
            return None
        if not good:
            if len(r.find(level="error")) == errors_before:
                r.add("error", "nothing_valid", f"採点できるノートブックが1つもありません。{REFUSED}", sid, mod, cand.origin)
            return None
        return good

    # -- storing -----------------------------------------------------------------------------------------------
    def _store(self, sid: str, mod: str, files: dict[str, bytes], timestamp: datetime, origin: str) -> None:
        """Swap submitted/<staff_id>/<module>/ in atomically; an identical resubmission changes nothing."""
        target = self.layout.submitted_dir / sid / mod
        replaced = ""
        if target.is_dir():
            old = {p.name: p.read_bytes() for p in target.glob("*.ipynb")}
            if old == files:
                self.report.unchanged.append((sid, mod))
                self.report.add("info", "unchanged", "前回と同じ内容のため変更しませんでした", sid, mod, origin)
                return
            old_ts = _read_timestamp(target / "timestamp.txt")
            if old_ts and old_ts > timestamp:
                self.report.add("warn", "older", f"すでにより新しい提出（{_jst(old_ts)}）があるため、この提出は使いませんでした",
                                sid, mod, origin)
                return
            replaced = f"。前回の提出（{_jst(old_ts)}）と置き換えました" if old_ts else "。前回の提出と置き換えました"
        with atomic_folder(target) as staging:  # a private staging folder, swapped in whole: nothing half-written
            for name, data in files.items():
                (staging / name).write_bytes(data)
            (staging / "timestamp.txt").write_text(timestamp.strftime(TIMESTAMP_FORMAT), encoding="utf-8")
        self.report.accepted.append((sid, mod))
        self.report.add("ok", "accepted", f"受け付けました（{', '.join(sorted(files))}）{replaced}", sid, mod, origin)


def _run(layout: CourseLayout | None, modules, max_bytes: int | None, known_ids, allow_unknown: bool, title: str,
         body: Callable[[Collector, CollectReport, CourseLayout], None]) -> CollectReport:
    layout = resolve_layout(layout)
    report = CollectReport(title)
    collector = Collector(layout, report, list(modules) if modules else None, IntakeLimits.for_notebook(max_bytes),
                          known_ids, allow_unknown)
    if known_ids is None:
        report.add("info", "no_roster", "名簿と照合していません（職員番号が名簿にあるかは確かめていません）")
    try:
        body(collector, report, layout)
    except Exception as exc:  # never lose the lines gathered so far
        report.add("error", "internal_error", f"予期しないエラーで取り込みが途中で止まりました（{type(exc).__name__}）")
    finally:
        report.bytes_read = collector.bytes_read
        report.save(layout.reports_dir, "collect")
    return report


def collect_folder(folder: Path, *, modules: list[str] | None = None, layout: CourseLayout | None = None,
                   max_bytes: int | None = None, known_ids: set[str] | None = None,
                   allow_unknown: bool = False) -> CollectReport:
    """Collect from a folder of ``aidojo submit`` zips and/or ``<staff_id>/<module>/<notebook>.ipynb`` files.

    ``known_ids``: the roster's staff ids; a submission from another id is held back (``report.held``) unless
    ``allow_unknown``. None: not checked against a roster (the report says so)."""
    folder = Path(folder)

    def body(collector: Collector, report: CollectReport, layout: CourseLayout) -> None:
        if not folder.is_dir():
            report.add("error", "no_folder", f"フォルダ {folder} がありません")
            return
        collector.scan(FolderContainer(folder, folder.name or str(folder), collector.budget()))
    return _run(layout, modules, max_bytes, known_ids, allow_unknown, f"提出の取り込み（フォルダ {folder}）", body)


def collect_zip(zip_path: Path, *, modules: list[str] | None = None, layout: CourseLayout | None = None,
                max_bytes: int | None = None, known_ids: set[str] | None = None,
                allow_unknown: bool = False) -> CollectReport:
    """Collect from one zip: an ``aidojo submit`` package, a zip of packages, or a zip of a submissions folder
    (``known_ids`` and ``allow_unknown`` as in :func:`collect_folder`)."""
    zip_path = Path(zip_path)

    def body(collector: Collector, report: CollectReport, layout: CourseLayout) -> None:
        if not zip_path.is_file():
            report.add("error", "no_file", f"ファイル {zip_path} がありません")
            return
        limits = collector.limits
        try:
            container = ZipContainer(zip_path, zip_path.name, zip_path.name, 1, collector.budget(), limits.zip_entries)
        except IntakeProblem as exc:
            report.add("error", exc.code, exc.message, path=zip_path.name)
            return
        try:
            collector.scan(container)
        except BudgetExceeded as exc:  # scan reports its own; this is only a safeguard
            report.add("error", "zip_too_large", exc.message, path=zip_path.name)
        finally:
            container.close()
    return _run(layout, modules, max_bytes, known_ids, allow_unknown, f"提出の取り込み（zip {zip_path.name}）", body)


def release_to_exchange(modules: list[str] | None = None, *, layout: CourseLayout | None = None) -> None:
    """``nbgrader release_assignment`` for ``modules`` into the exchange (JupyterHub deployments)."""
    from aidojo.course.nbgrader_cli import run_nbgrader

    layout = resolve_layout(layout)
    layout.exchange_dir.mkdir(parents=True, exist_ok=True)
    os.chmod(layout.exchange_dir, 0o777)  # nbgrader's exchange is shared by every user by design
    with tempfile.TemporaryDirectory(prefix="aidojo-exchange-") as tmp:
        db = f"sqlite:///{Path(tmp) / 'release.db'}"
        for module in modules or layout.modules():
            run_nbgrader(["generate_assignment", module, "--force", *layout.overrides(db_url=db)], course_dir=Path(tmp))
            run_nbgrader(["release_assignment", module, "--force", *layout.overrides(db_url=db)], course_dir=Path(tmp))


def _owner(path: Path) -> str | None:
    try:
        import pwd

        return pwd.getpwuid(path.lstat().st_uid).pw_name
    except (ImportError, KeyError, OSError):
        return None


def collect_exchange(modules: list[str] | None = None, *, layout: CourseLayout | None = None,
                     max_bytes: int | None = None, known_ids: set[str] | None = None,
                     allow_unknown: bool = False) -> CollectReport:
    """Read nbgrader's exchange inbound (``<student>+<module>+<time>+<random>`` folders; the newest per student, as
    ``nbgrader collect`` picks it) in place, with sizes checked before reading, and check and store like the others.
    Identity is the student folder (the hub login); a notebook's metadata must not contradict it."""
    from aidojo.course.config import load_course

    def body(collector: Collector, report: CollectReport, layout: CourseLayout) -> None:
        inbound = layout.exchange_dir / load_course().id / "inbound"
        if not inbound.is_dir():
            report.add("error", "exchange_failed", f"exchange の提出フォルダ {inbound} がありません（まだだれも提出していないか、"
                       "exchange の場所が違います）")
            return
        for module in modules or layout.modules():
            newest: dict[str, tuple[datetime, Path]] = {}
            for path in sorted(inbound.glob(f"*+{module}+*")):
                parts = path.name.split("+")
                when = _parse_time(parts[2]) if len(parts) >= 3 else None
                if when is None or not path.is_dir() or path.is_symlink():
                    report.add("warn", "exchange_bad_record", f"exchange の「{path.name}」は nbgrader の提出の形ではないため無視しました",
                               module=module, path=f"exchange:{path.name}")
                    continue
                if parts[0] not in newest or newest[parts[0]][0] < when:
                    newest[parts[0]] = (when, path)
            for student, (when, path) in sorted(newest.items()):
                container = FolderContainer(path, f"exchange:{module}/{student}", collector.budget())
                entries, skipped = container.listing()
                for s in skipped:
                    report.add(s.level, s.code, s.message, path=s.path)
                cand = _Candidate("exchange", container, container.label, module=module, timestamp=min(when, _now()),
                                  claims=[Claim("JupyterHub のログイン名", student)], owner=_owner(path))
                for e in entries:
                    collector._file(cand, e.parts, e)
                try:
                    collector.add(cand)
                except BudgetExceeded as exc:
                    report.add("error", "zip_too_large", f"{exc.message}。{REFUSED}", path=container.label)
                except Exception as exc:  # one line, the others go on
                    report.add("error", "internal_error", f"予期しないエラーのため確認できませんでした（{type(exc).__name__}）。{REFUSED}",
                               path=container.label)
    return _run(layout, modules, max_bytes, known_ids, allow_unknown, "提出の取り込み（nbgrader exchange）", body)
