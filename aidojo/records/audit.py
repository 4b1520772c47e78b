"""The HR audit log: who imported, exported or issued what, and when (append-only, tamper-evident, owner-only).

One JSON line per action in ``<course data>/records/audit.jsonl``: ``at`` (JST), ``user`` (the hub user from
``JUPYTERHUB_USER`` when running on the workshop hub, else the OS user), ``action``, ``details`` (file names,
options, counts — never names or scores of staff) and ``prev``, the SHA-256 of the previous line, so that an
edited or deleted line breaks the chain (:func:`read_audit` reports where). Also :func:`owner_only`, the umask
under which every records file is written.
"""

from __future__ import annotations

import getpass
import hashlib
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

from aidojo.course.config import course_data_dir

AUDIT = Path("records") / "audit.jsonl"
JST = timezone(timedelta(hours=9))
GENESIS = "0" * 64


@contextmanager
def owner_only() -> Iterator[None]:
    """Files and folders created inside are readable by their owner only (umask 077): they hold staff data."""
    old = os.umask(0o077)
    try:
        yield
    finally:
        os.umask(old)


def who() -> str:
    """``hub:<user>`` on the workshop hub (``JUPYTERHUB_USER``), else the OS user name."""
    hub = os.environ.get("JUPYTERHUB_USER")
    if hub:
        return f"hub:{hub}"
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return f"uid:{os.getuid()}" if hasattr(os, "getuid") else "unknown"


def audit_path(data_dir: Path | None = None) -> Path:
    return Path(data_dir or course_data_dir()) / AUDIT


def _last_line(fh) -> bytes:
    fh.seek(0, os.SEEK_END)
    size = fh.tell()
    block = b""
    pos = size
    while pos > 0 and block.count(b"\n") < 2:
        step = min(4096, pos)
        pos -= step
        fh.seek(pos)
        block = fh.read(step) + block
    lines = [ln for ln in block.split(b"\n") if ln]
    return lines[-1] if lines else b""


def log_action(action: str, details: dict, *, data_dir: Path | None = None) -> None:
    """Append one entry (locked against a concurrent writer; fsynced)."""
    path = audit_path(data_dir)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o600)
    with os.fdopen(fd, "r+b") as fh:
        try:
            import fcntl

            fcntl.flock(fh, fcntl.LOCK_EX)
        except ImportError:  # Windows: no flock; a rare concurrent write shows as a broken chain
            pass
        last = _last_line(fh)
        entry = {"at": datetime.now(JST).isoformat(timespec="seconds"), "user": who(), "action": action,
                 "details": details, "prev": hashlib.sha256(last).hexdigest() if last else GENESIS}
        fh.seek(0, os.SEEK_END)
        fh.write((json.dumps(entry, ensure_ascii=False, sort_keys=True, default=str) + "\n").encode("utf-8"))
        fh.flush()
        os.fsync(fh.fileno())


@dataclass(frozen=True)
class AuditEntry:
    line: int
    at: str
    user: str
    action: str
    details: dict


def read_audit(data_dir: Path | None = None) -> tuple[list[AuditEntry], int | None]:
    """Every entry, oldest first, and the first line number where the chain is broken (None: intact)."""
    path = audit_path(data_dir)
    if not path.is_file():
        return [], None
    entries, broken, prev = [], None, GENESIS
    for number, raw in enumerate(path.read_bytes().split(b"\n"), start=1):
        if not raw:
            continue
        try:
            data = json.loads(raw)
            entries.append(AuditEntry(number, data["at"], data["user"], data["action"], data.get("details", {})))
        except (ValueError, KeyError, TypeError):
            broken = broken or number
            prev = hashlib.sha256(raw).hexdigest()
            continue
        if data.get("prev") != prev and broken is None:
            broken = number
        prev = hashlib.sha256(raw).hexdigest()
    return entries, broken
