"""A throw-away PostgreSQL server for tests and trials (Debian's postgresql binaries; no system service).

    from scripts.pgtemp import temporary_postgres
    with temporary_postgres() as url:      # postgresql+psycopg://postgres@/gradebook?host=/tmp/...&port=...
        ...

or ``python scripts/pgtemp.py`` to start one, print its URL and stop it on Enter. initdb goes into a temp
folder, the server listens only on a unix socket in that folder, and runs as ``postgres`` when we are root
(initdb refuses root). Everything is removed on exit.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path


def pg_bindir() -> Path | None:
    """The newest /usr/lib/postgresql/*/bin holding initdb, or None."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parent.parent.name)
                   if p.parent.parent.name.isdigit() else 0)
    return found[-1].parent if found else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def temporary_postgres(dbname: str = "gradebook") -> Iterator[str]:
    """Start a private PostgreSQL server with one database; yield its SQLAlchemy URL; stop and delete it."""
    bindir = pg_bindir()
    if bindir is None:
        raise FileNotFoundError("PostgreSQL server binaries not found (apt-get install postgresql)")
    root = Path(tempfile.mkdtemp(prefix="aidojo-pg-", dir="/tmp"))
    prefix: list[str] = []
    if os.geteuid() == 0:
        shutil.chown(root, "postgres")
        prefix = ["runuser", "-u", "postgres", "--"]
    port, data = _free_port(), root / "data"
    run = lambda *args: subprocess.run([*prefix, *args], check=True, capture_output=True, text=True)  # noqa: E731
    try:
        run(str(bindir / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-locale")
        run(str(bindir / "pg_ctl"), "-D", str(data), "-l", str(root / "server.log"), "-w", "-o",
            f"-p {port} -k {root} -c listen_addresses=''", "start")
        try:
            run(str(bindir / "createdb"), "-h", str(root), "-p", str(port), "-U", "postgres", dbname)
            yield f"postgresql+psycopg://postgres@/{dbname}?host={root}&port={port}"
        finally:
            subprocess.run([*prefix, str(bindir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"],
                           capture_output=True)
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    with temporary_postgres() as url:
        print(url)
        input("Enter で停止します ...")
