"""Collect learners' notebooks into the course's submitted/<staff_id>/<module>/ folders, validating each file.

Sources: packages made by ``aidojo submit`` (``<staff_id>_<module>.zip`` with manifest.json), folders laid
out as ``<staff_id>/<module>/<notebook>.ipynb``, a zip of either, and nbgrader's exchange (JupyterHub).
Every problem — a non-notebook file, a broken or oversized notebook, a renamed or missing notebook, an
unknown module or staff id, an API key — becomes one line of the report; the run always goes on.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import zipfile
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path, PurePosixPath

from aidojo.course.keyscan import scan_notebook
from aidojo.course.layout import CourseLayout, resolve_layout
from aidojo.course.report import Report
from aidojo.fileio import atomic_write_text
from aidojo.course.submission import DEFAULT_MAX_BYTES, FORMAT, STAFF_ID

TIMESTAMP_FORMAT = "%Y-%m-%d %H:%M:%S.%f %Z"  # nbgrader's timestamp.txt
IGNORED = ("__MACOSX", ".DS_Store", ".ipynb_checkpoints", "Thumbs.db", "desktop.ini")


def max_bytes_default() -> int:
    """Per-file size limit: ``AIDOJO_MAX_SUBMISSION_MB`` (default 5 MB)."""
    mb = os.environ.get("AIDOJO_MAX_SUBMISSION_MB")
    return int(float(mb) * 1024 * 1024) if mb else DEFAULT_MAX_BYTES


@dataclass
class CollectReport(Report):
    """What was collected: ``accepted`` lists (staff_id, module) stored in submitted/."""

    accepted: list[tuple[str, str]] = field(default_factory=list)
    unchanged: list[tuple[str, str]] = field(default_factory=list)

    def summary(self) -> str:
        errors = len(self.find(level="error"))
        return (f"受け付け {len(self.accepted)} 件、変更なし {len(self.unchanged)} 件、"
                f"エラー {errors} 件、注意 {len(self.find(level='warn'))} 件")


@dataclass
class _Candidate:
    staff_id: str
    module: str
    files: dict[str, Path]  # file name → path on disk
    timestamp: datetime
    origin: str
    sha256: dict[str, str] = field(default_factory=dict)  # from a manifest


def _grade_ids(nb: dict) -> set[str]:
    return {c.get("metadata", {}).get("nbgrader", {}).get("grade_id") for c in nb.get("cells", [])} - {None}


def _read_nb(path: Path) -> dict | None:
    try:
        nb = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None
    return nb if isinstance(nb, dict) and nb.get("nbformat") == 4 and isinstance(nb.get("cells"), list) else None


class Collector:
    """Validates candidates and stores them; one instance per run (it owns the report)."""

    def __init__(self, layout: CourseLayout, report: CollectReport, modules: list[str] | None, max_bytes: int):
        self.layout, self.report, self.max_bytes = layout, report, max_bytes
        self.known = set(layout.modules())
        self.only = set(modules) if modules else None
        self._expected: dict[str, dict[str, set[str]]] = {}

    def expected(self, module: str) -> dict[str, set[str]]:
        """{notebook file name: its grade ids} of ``module`` from the sources."""
        if module not in self._expected:
            self._expected[module] = {p.name: _grade_ids(json.loads(p.read_text(encoding="utf-8")))
                                      for p in sorted((self.layout.source_dir / module).glob("*.ipynb"))}
        return self._expected[module]

    def add(self, cand: _Candidate) -> None:
        """Validate ``cand`` and store it; every problem is a report line, nothing raises."""
        r, sid, mod = self.report, cand.staff_id, cand.module
        if not STAFF_ID.match(sid):
            r.add("error", "bad_staff_id", f"職員番号「{sid}」の形が正しくないため受け付けませんでした（例: k12345）", path=cand.origin)
            return
        if mod not in self.known:
            r.add("error", "unknown_module", f"モジュール「{mod}」はこの研修にありません。受け付けませんでした", sid, mod, cand.origin)
            return
        if self.only is not None and mod not in self.only:
            r.add("info", "other_module", f"今回の対象外のモジュールなので取り込みませんでした", sid, mod, cand.origin)
            return
        expected = self.expected(mod)
        good: dict[str, Path] = {}
        strays: list[tuple[str, Path, dict]] = []
        for name, path in sorted(cand.files.items()):
            if not name.lower().endswith(".ipynb"):
                r.add("warn", "not_notebook", f"ノートブックではないファイル「{name}」は無視しました", sid, mod, cand.origin)
                continue
            size = path.stat().st_size
            if size > self.max_bytes:
                r.add("error", "too_large", f"「{name}」が大きすぎるため受け付けませんでした（{size / 1e6:.1f} MB、上限 "
                      f"{self.max_bytes / 1e6:.1f} MB）。出力を消して保存し直してもらってください", sid, mod, cand.origin)
                continue
            if cand.sha256.get(name) and hashlib.sha256(path.read_bytes()).hexdigest() != cand.sha256[name]:
                r.add("error", "checksum", f"「{name}」が提出後に壊れたか書き換えられています（manifest.json のチェックサムと不一致）",
                      sid, mod, cand.origin)
                continue
            nb = _read_nb(path)
            if nb is None:
                r.add("error", "invalid_notebook", f"「{name}」はノートブックとして読めません（壊れているか、JSONではありません）",
                      sid, mod, cand.origin)
                continue
            keys = scan_notebook(path, name)
            if keys:
                r.add("error", "api_key", f"APIキーらしき文字列があるため「{name}」を受け付けませんでした（{keys[0].message()}）。"
                      "本人に削除して再提出してもらってください", sid, mod, cand.origin)
                continue
            if name in expected:
                good[name] = path
            else:
                strays.append((name, path, nb))
        for name, path, nb in strays:  # renamed: match by the grade cells it carries
            ids = _grade_ids(nb)
            matches = [exp for exp, exp_ids in expected.items() if exp_ids and ids & exp_ids and exp not in good]
            if len(matches) == 1:
                good[matches[0]] = path
                r.add("warn", "renamed", f"「{name}」は名前が変わっていましたが、中身から「{matches[0]}」と判断して受け付けました",
                      sid, mod, cand.origin)
            else:
                r.add("warn", "unknown_notebook", f"「{name}」はこの課題のノートブックではないため無視しました", sid, mod, cand.origin)
        if not good:
            r.add("error", "nothing_valid", "採点できるノートブックが1つもないため、この提出は受け付けませんでした", sid, mod, cand.origin)
            return
        for name in sorted(set(expected) - set(good)):
            r.add("warn", "missing_notebook", f"「{name}」が提出されていません（このノートブックは0点になります）", sid, mod, cand.origin)
        self._store(cand, good)

    def _store(self, cand: _Candidate, files: dict[str, Path]) -> None:
        """Swap submitted/<staff_id>/<module>/ in atomically; an identical resubmission changes nothing."""
        sid, mod = cand.staff_id, cand.module
        target = self.layout.submitted_dir / sid / mod
        if target.is_dir():
            old = {p.name: p.read_bytes() for p in target.glob("*.ipynb")}
            if old == {n: p.read_bytes() for n, p in files.items()}:
                self.report.unchanged.append((sid, mod))
                self.report.add("info", "unchanged", "前回と同じ内容のため変更しませんでした", sid, mod, cand.origin)
                return
            old_ts = _read_timestamp(target / "timestamp.txt")
            if old_ts and old_ts > cand.timestamp:
                self.report.add("warn", "older", f"すでにより新しい提出（{old_ts:%Y-%m-%d %H:%M}）があるため、この提出は使いませんでした",
                                sid, mod, cand.origin)
                return
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{mod}-", dir=target.parent))
        try:
            for name, path in files.items():
                shutil.copyfile(path, staging / name)
            atomic_write_text(staging / "timestamp.txt", cand.timestamp.strftime(TIMESTAMP_FORMAT).replace("UTC", "UTC"))
            if target.exists():
                trash = target.with_name(f".{mod}-old-{os.getpid()}")
                target.rename(trash)
                staging.rename(target)
                shutil.rmtree(trash, ignore_errors=True)
            else:
                staging.rename(target)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        self.report.accepted.append((sid, mod))
        self.report.add("ok", "accepted", f"受け付けました（{', '.join(sorted(files))}）", sid, mod, cand.origin)


def _read_timestamp(path: Path) -> datetime | None:
    try:
        text = path.read_text(encoding="utf-8").strip()
    except OSError:
        return None
    for fmt in (TIMESTAMP_FORMAT, "%Y-%m-%d %H:%M:%S.%f", "%Y-%m-%d %H:%M:%S"):
        try:
            return datetime.strptime(text.replace(" UTC", ""), fmt.replace(" %Z", "")).replace(tzinfo=timezone.utc)
        except ValueError:
            continue
    return None


def _mtime(path: Path) -> datetime:
    return datetime.fromtimestamp(path.stat().st_mtime, tz=timezone.utc)


def _from_package(folder: Path, origin: str, report: CollectReport) -> _Candidate | None:
    """A folder holding an extracted ``aidojo submit`` package (manifest.json at its root)."""
    try:
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        if manifest.get("format") != FORMAT:
            raise ValueError("format")
        sid, mod = str(manifest["staff_id"]), str(manifest["module"])
        created = datetime.fromisoformat(manifest["created"]).astimezone(timezone.utc)
        listed = {n["name"]: n for n in manifest["notebooks"]}
    except (OSError, ValueError, KeyError, TypeError):
        report.add("error", "bad_manifest", "manifest.json が読めないため、この提出ファイルは受け付けませんでした", path=origin)
        return None
    files: dict[str, Path] = {}
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and p.name != "manifest.json"):
        rel = path.relative_to(folder).parts
        if len(rel) == 3 and rel[0] == sid and rel[1] == mod:
            files[rel[2]] = path
        elif not any(part in IGNORED or part.startswith(".") for part in rel):
            report.add("warn", "misplaced", f"提出ファイル内の「{'/'.join(rel)}」は置き場所が違うため無視しました", sid, mod, origin)
    for name in set(listed) - set(files):
        report.add("error", "checksum", f"manifest.json にある「{name}」が提出ファイルに入っていません", sid, mod, origin)
    return _Candidate(sid, mod, files, min(created, datetime.now(timezone.utc)), origin,
                      {n: str(v.get("sha256", "")) for n, v in listed.items()})


def _extract(zip_path: Path, dest: Path, report: CollectReport, max_bytes: int) -> bool:
    """Extract safely (no absolute paths or '..', bounded total size); False when the zip is unusable."""
    try:
        with zipfile.ZipFile(zip_path) as zf:
            infos = zf.infolist()
            if sum(i.file_size for i in infos) > max(200 * max_bytes, 1 << 30):
                report.add("error", "zip_too_large", "zipを展開すると大きすぎるため受け付けませんでした", path=str(zip_path))
                return False
            for info in infos:
                name = PurePosixPath(info.filename.replace("\\", "/"))
                if info.is_dir() or not name.parts:
                    continue
                if name.is_absolute() or ".." in name.parts:
                    report.add("error", "zip_unsafe_path", f"zip内の危険なパス「{info.filename}」は無視しました", path=str(zip_path))
                    continue
                if any(part in IGNORED for part in name.parts):
                    continue
                target = dest.joinpath(*name.parts)
                target.parent.mkdir(parents=True, exist_ok=True)
                with zf.open(info) as src, open(target, "wb") as out:
                    shutil.copyfileobj(src, out)
                ts = datetime(*info.date_time, tzinfo=timezone.utc).timestamp()
                os.utime(target, (ts, ts))
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        report.add("error", "bad_zip", f"zipファイルとして読めません（{exc.__class__.__name__}）", path=str(zip_path))
        return False
    return True


def _scan_folder(folder: Path, collector: Collector, report: CollectReport, tmp: Path, depth: int = 0) -> None:
    """Walk a folder of packages (*.zip) and/or <staff_id>/<module>/<file> trees."""
    if (folder / "manifest.json").is_file():
        cand = _from_package(folder, str(folder), report)
        if cand:
            collector.add(cand)
        return
    groups: dict[tuple[str, str], dict[str, Path]] = {}
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        rel = path.relative_to(folder).parts
        if any(part in IGNORED or part.startswith(".") for part in rel):
            continue
        if path.suffix.lower() == ".zip" and depth < 2:
            sub = Path(tempfile.mkdtemp(dir=tmp))
            if _extract(path, sub, report, collector.max_bytes):
                before = len(report.lines)
                _scan_folder(sub, collector, report, tmp, depth + 1)
                for i in range(before, len(report.lines)):  # name the zip, not the temp folder
                    ln = report.lines[i]
                    if ln.path.startswith(str(sub)):
                        report.lines[i] = type(ln)(ln.level, ln.code, ln.message, ln.staff_id, ln.module,
                                                   str(path.relative_to(folder)) + ln.path[len(str(sub)):])
            continue
        if len(rel) == 3:
            groups.setdefault((rel[0], rel[1]), {})[rel[2]] = path
        else:
            report.add("warn", "misplaced", f"「{'/'.join(rel)}」は置き場所の決まり（職員番号/モジュール/ノートブック）と違うため無視しました",
                       path=str(path))
    for (sid, mod), files in sorted(groups.items()):
        newest = max(_mtime(p) for p in files.values())
        collector.add(_Candidate(sid, mod, files, min(newest, datetime.now(timezone.utc)), str(folder / sid / mod)))


def _run(layout: CourseLayout | None, modules, max_bytes, title: str, body) -> CollectReport:
    layout = resolve_layout(layout)
    report = CollectReport(title)
    collector = Collector(layout, report, list(modules) if modules else None, max_bytes or max_bytes_default())
    with tempfile.TemporaryDirectory(prefix="aidojo-collect-") as tmp:
        body(collector, report, Path(tmp))
    report.save(layout.reports_dir, "collect")
    return report


def collect_folder(folder: Path, *, modules: list[str] | None = None, layout: CourseLayout | None = None,
                   max_bytes: int | None = None) -> CollectReport:
    """Collect from a folder of ``aidojo submit`` zips and/or ``<staff_id>/<module>/<notebook>.ipynb`` files."""
    folder = Path(folder)

    def body(collector, report, tmp):
        if not folder.is_dir():
            report.add("error", "no_folder", f"フォルダ {folder} がありません")
            return
        _scan_folder(folder, collector, report, tmp)
    return _run(layout, modules, max_bytes, f"提出の取り込み（フォルダ {folder}）", body)


def collect_zip(zip_path: Path, *, modules: list[str] | None = None, layout: CourseLayout | None = None,
                max_bytes: int | None = None) -> CollectReport:
    """Collect from one zip: an ``aidojo submit`` package, a zip of packages, or a zip of a submissions folder."""
    zip_path = Path(zip_path)

    def body(collector, report, tmp):
        if not zip_path.is_file():
            report.add("error", "no_file", f"ファイル {zip_path} がありません")
            return
        dest = tmp / "zip"
        if _extract(zip_path, dest, report, collector.max_bytes):
            before = len(report.lines)
            _scan_folder(dest, collector, report, tmp)
            for i in range(before, len(report.lines)):
                ln = report.lines[i]
                if ln.path.startswith(str(dest)):
                    report.lines[i] = type(ln)(ln.level, ln.code, ln.message, ln.staff_id, ln.module,
                                               zip_path.name + ln.path[len(str(dest)):])
    return _run(layout, modules, max_bytes, f"提出の取り込み（zip {zip_path.name}）", body)


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


def collect_exchange(modules: list[str] | None = None, *, layout: CourseLayout | None = None,
                     max_bytes: int | None = None) -> CollectReport:
    """``nbgrader collect`` from the exchange into a scratch folder, then validate and store like the others."""
    from aidojo.course.nbgrader_cli import run_nbgrader

    layout = resolve_layout(layout)

    def body(collector, report, tmp):
        for module in modules or layout.modules():
            scratch = tmp / module
            proc = run_nbgrader(["collect", module, "--update", *layout.overrides(data_dir=scratch)],
                                course_dir=scratch, check=False)
            if proc.returncode != 0:
                report.add("error", "exchange_failed", f"nbgrader collect が失敗しました: {proc.stderr.strip()[-300:]}",
                           module=module)
                continue
            for student_dir in sorted((scratch / "submitted").glob(f"*/{module}")):
                files = {p.name: p for p in student_dir.iterdir() if p.is_file() and p.name != "timestamp.txt"}
                ts = _read_timestamp(student_dir / "timestamp.txt") or datetime.now(timezone.utc)
                collector.add(_Candidate(student_dir.parent.name, module, files, ts, f"exchange:{module}"))
    return _run(layout, modules, max_bytes, "提出の取り込み（nbgrader exchange）", body)
