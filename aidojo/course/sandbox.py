"""Where learner code runs during grading: a bubblewrap sandbox per worker, and the grader's side of the harness.

What the sandbox guarantees (docs/trainer/grading.md says it in Japanese):

- an allow-listed environment: no variable of the trainer's survives (no keys, tokens or passwords); the
  offline model is forced; ``HOME`` is the job's own folder;
- no network (a new, empty network namespace: not even the host's 127.0.0.1);
- a private view of the file system: the system's libraries, Python and the ``aidojo`` package, read-only;
  an empty work folder holding one submission's files (a fresh tmpfs, wiped between learners); nothing of
  solutions/, grader/, the gradebook, other submissions, ``.env``, the course data folder or the trainer's home;
- its own pid, IPC and UTS namespaces, no capabilities, no new user namespaces; every process left behind by
  a learner is killed before the next learner's code is forked;
- limits: address space, CPU time, file size and open files per process; the number of processes (a pids
  cgroup when the grader runs as root and can create one, RLIMIT_NPROC otherwise); wall time per cell, per
  case and per submission; output size (characters) per cell and per submission.

It works as root (CI) and as an unprivileged user where user namespaces are allowed (Debian's default).
``--no-sandbox`` runs the same harness as a plain process with the allow-listed environment only; the run's
report says so. Hand-written around ``bwrap``: no Python library drives bubblewrap with a pre-warmed harness.
"""

from __future__ import annotations

import base64
import json
import os
import select
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

PRELOAD = ["numpy", "pandas", "matplotlib", "matplotlib.pyplot", "openai", "httpx", "pydantic", "yaml",
           "aidojo.llm", "aidojo.safety", "aidojo.retrieval", "aidojo.evals"]
SYSTEM_DIRS = ["/usr", "/lib", "/lib64", "/lib32", "/bin", "/sbin"]
SYSTEM_FILES = ["/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d", "/etc/fonts", "/etc/ssl",
                "/etc/alternatives", "/etc/localtime", "/etc/mime.types", "/etc/matplotlibrc"]


class SandboxError(RuntimeError):
    """The sandbox cannot be set up (the message is Japanese and says what to do)."""


class Backend(StrEnum):
    BWRAP = "bwrap"
    NONE = "none"


@dataclass(frozen=True)
class Limits:
    """Per-submission limits (seconds, bytes, characters)."""

    cell_seconds: float = 30.0
    case_seconds: float = 10.0
    submission_seconds: float = 300.0
    cpu_seconds: int = 120
    memory_bytes: int = 1536 * 1024 * 1024  # address space a learner process may add to the warm harness
    file_bytes: int = 64 * 1024 * 1024
    tmpfs_bytes: int = 256 * 1024 * 1024
    processes: int = 64
    output_chars: int = 20_000  # per cell (the harness keeps the first ones)

    def for_harness(self, nproc: int | None) -> dict[str, Any]:
        return {"cell_seconds": self.cell_seconds, "cpu_seconds": self.cpu_seconds, "memory_bytes": self.memory_bytes,
                "file_bytes": self.file_bytes, "nproc": nproc, "phase1_seconds": self.submission_seconds}


@dataclass
class RunResult:
    """What came back from one submission's run: untrusted data, validated line by line."""

    status: str  # "ok" | "timeout" | "crashed" | "flood"
    cells: dict[int, dict] = field(default_factory=dict)  # cell index → {"status", "outputs"}
    values: dict[str, dict] = field(default_factory=dict)  # qid → {"values": [...], "types": [...]}
    observations: dict[str, dict[str, dict]] = field(default_factory=dict)  # qid → case id → observation JSON
    cells_finished: bool = False
    wall_s: float = 0.0
    note: str = ""


def _harness_env(backend: Backend, work: Path, tmp: Path) -> dict[str, str]:
    """The allow-list: nothing of the trainer's environment, the offline model forced."""
    return {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": str(work), "USER": "learner", "LOGNAME": "learner",
            "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "PYTHONDONTWRITEBYTECODE": "1", "PYTHONIOENCODING": "utf-8",
            "PYTHONNOUSERSITE": "1", "MPLBACKEND": "Agg", "MPLCONFIGDIR": str(tmp / "mpl"), "TMPDIR": str(tmp),
            "GRADIO_ANALYTICS_ENABLED": "False", "HF_HUB_OFFLINE": "1", "AIDOJO_PROVIDER": "offline",
            "AIDOJO_SANDBOX_WORK": str(work),
            "AIDOJO_SANDBOXED": "1" if backend is Backend.BWRAP else "0"}


def _package_dirs() -> list[Path]:
    """What Python needs, read-only: the interpreter's prefix, the environment's, and the aidojo package."""
    import aidojo

    dirs = {Path(sys.base_prefix).resolve(), Path(sys.prefix).resolve(), Path(aidojo.__file__).resolve().parent}
    exe = Path(sys.executable)
    dirs.add(exe.parent)
    try:
        dirs.add(exe.resolve().parent.parent)
    except OSError:
        pass
    return sorted(dirs, key=lambda p: len(p.parts))


def bwrap_command(limits: Limits, *, python: str | None = None) -> list[str]:
    """The bubblewrap command line that starts the harness's zygote."""
    bwrap = shutil.which("bwrap")
    if not bwrap:
        raise SandboxError("採点用のサンドボックス（bubblewrap）が見つかりません。`sudo apt-get install bubblewrap` で"
                           "入れてから、もう一度実行してください（危険を承知で省くなら --no-sandbox）。")
    work, tmp = Path("/grading"), Path("/tmp")
    cmd = [bwrap, "--unshare-all", "--unshare-user", "--disable-userns", "--die-with-parent", "--new-session", "--cap-drop", "ALL",
           "--proc", "/proc", "--dev", "/dev"]
    size = str(limits.tmpfs_bytes)
    # the empty folders first, then what is bound read-only: a checkout that itself lives under /tmp stays visible
    cmd += ["--size", size, "--tmpfs", str(tmp), "--size", size, "--tmpfs", str(work)]
    for d in SYSTEM_DIRS:
        cmd += ["--ro-bind-try", d, d]
    for f in SYSTEM_FILES:
        cmd += ["--ro-bind-try", f, f]
    for d in _package_dirs():
        cmd += ["--ro-bind", str(d), str(d)]
    cmd += ["--chdir", str(work), "--clearenv"]
    for key, value in _harness_env(Backend.BWRAP, work, tmp).items():
        cmd += ["--setenv", key, value]
    return cmd + [python or sys.executable, "-I", "-m", "aidojo.course.harness"]


def probe(limits: Limits | None = None) -> str | None:
    """None when a sandbox can be started here, else the reason in Japanese."""
    limits = limits or Limits()
    try:
        cmd = bwrap_command(limits)
    except SandboxError as exc:
        return str(exc)
    test = cmd[:-4] + [sys.executable, "-I", "-c", "import socket,os; s=socket.socket(); print(s.connect_ex(('127.0.0.1', 9)))"]
    try:
        proc = subprocess.run(test, capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"採点用のサンドボックスを起動できませんでした（{exc.__class__.__name__}）。"
    if proc.returncode != 0:
        detail = (proc.stderr or proc.stdout).strip().splitlines()[-1:] or [""]
        return ("採点用のサンドボックスを起動できませんでした（bubblewrap: " + detail[0][:200] + "）。"
                "このサーバーでユーザー名前空間が使えるか確認してください（sysctl kernel.unprivileged_userns_clone など）。")
    return None


class _PidsCgroup:
    """A pids cgroup (v2 or v1) that caps the number of processes of one sandbox; only when we may create one."""

    def __init__(self, limit: int):
        self.path: Path | None = None
        for base in (Path("/sys/fs/cgroup/pids"), Path("/sys/fs/cgroup")):
            if not (base / "cgroup.procs").exists() or not os.access(base, os.W_OK):
                continue
            if base == Path("/sys/fs/cgroup") and not (base / "cgroup.controllers").exists():
                continue
            path = base / f"aidojo-grading-{os.getpid()}-{id(self)}"
            try:
                path.mkdir(exist_ok=True)
                (path / "pids.max").write_text(str(limit))
            except OSError:
                try:
                    path.rmdir()
                except OSError:
                    pass
                continue
            self.path = path
            break

    def remove(self) -> None:
        if self.path:
            for _ in range(50):  # the last processes may take a moment to leave
                try:
                    self.path.rmdir()
                    return
                except OSError:
                    time.sleep(0.02)


def _nproc_limit(budget: int) -> int | None:
    """RLIMIT_NPROC for an unprivileged grader: its processes now plus ``budget`` (None for root, where the
    kernel ignores it)."""
    uid = os.getuid()
    if uid == 0:
        return None
    count = 0
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                if os.stat(f"/proc/{entry}").st_uid == uid:
                    count += 1
            except OSError:
                pass
    return count + budget


class SandboxWorker:
    """One warm sandbox (a zygote) that grades one submission after another, each in fresh processes."""

    def __init__(self, backend: Backend = Backend.BWRAP, limits: Limits | None = None, preload: list[str] | None = None):
        self.backend, self.limits = backend, limits or Limits()
        self.preload = list(preload or [])
        self.proc: subprocess.Popen | None = None
        self.cgroup: _PidsCgroup | None = None
        self.process_limit = "none"
        self._scratch: tempfile.TemporaryDirectory | None = None
        self._buffer = b""

    # --- life cycle ---------------------------------------------------------------------------------------

    def start(self) -> None:
        self.launch()
        self.wait_ready()

    def launch(self) -> None:
        """Start the sandbox process (not waiting for it). The calling thread must outlive the sandbox:
        bubblewrap's --die-with-parent follows the thread that started it."""
        env_extra = {"AIDOJO_PRELOAD": ",".join(PRELOAD + self.preload)}
        if self.backend is Backend.BWRAP:
            cmd = bwrap_command(self.limits)
            cmd = cmd[:-4] + ["--setenv", "AIDOJO_PRELOAD", env_extra["AIDOJO_PRELOAD"]] + cmd[-4:]
            env, cwd = {"PATH": os.environ.get("PATH", "/usr/bin:/bin")}, "/"
            self.cgroup = _PidsCgroup(self.limits.processes)
            if self.cgroup.path:  # join the cgroup before bwrap starts, so every sandboxed process is counted
                cmd = ["/bin/sh", "-c", 'echo $$ > "$0" && exec "$@"', str(self.cgroup.path / "cgroup.procs"), *cmd]
                self.process_limit = "cgroup"
            elif _nproc_limit(self.limits.processes) is not None:
                self.process_limit = "rlimit"
        else:
            self._scratch = tempfile.TemporaryDirectory(prefix="aidojo-nosandbox-")
            base = Path(self._scratch.name)
            (base / "work").mkdir()
            (base / "tmp").mkdir()
            env = {**_harness_env(Backend.NONE, base / "work", base / "tmp"), **env_extra}
            cmd, cwd = [sys.executable, "-I", "-m", "aidojo.course.harness"], str(base / "work")
            if _nproc_limit(self.limits.processes) is not None:
                self.process_limit = "rlimit"
        self._stderr = tempfile.TemporaryFile()
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._stderr,
                                     env=env, cwd=cwd, close_fds=True)

    def wait_ready(self) -> None:
        ready = self._control(time.monotonic() + 120)
        if not ready or ready.get("ctl") != "ready":
            self.close()
            raise SandboxError("採点用のサンドボックスで Python を起動できませんでした。`aidojo doctor` で環境を確認してください。")

    def close(self) -> None:
        if self.proc:
            try:
                if self.proc.poll() is None:
                    self.proc.stdin.write(b"quit\n")
                    self.proc.stdin.flush()
                    self.proc.wait(2)
            except (OSError, subprocess.TimeoutExpired, ValueError):
                pass
            if self.proc.poll() is None:
                self.proc.kill()
                self.proc.wait()
            for stream in (self.proc.stdin, self.proc.stdout):
                try:
                    stream.close()
                except (OSError, ValueError):
                    pass
        self.proc = None
        self._buffer = b""
        if self.cgroup:
            self.cgroup.remove()
            self.cgroup = None
        if getattr(self, "_stderr", None):
            self._stderr.close()
            self._stderr = None
        if self._scratch:
            self._scratch.cleanup()
            self._scratch = None

    def __enter__(self) -> SandboxWorker:
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # --- the protocol -----------------------------------------------------------------------------------

    def _line(self, deadline: float) -> bytes | None:
        """One line from the harness before ``deadline`` (None on timeout or when it is gone)."""
        assert self.proc and self.proc.stdout
        fd = self.proc.stdout.fileno()
        while b"\n" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            ready, _, _ = select.select([fd], [], [], left)
            if not ready:
                continue
            chunk = os.read(fd, 1 << 16)
            if not chunk:
                return None
            self._buffer += chunk
            if len(self._buffer) > 8 * 1024 * 1024 and b"\n" not in self._buffer:
                return None
        line, self._buffer = self._buffer.split(b"\n", 1)
        return line

    def _control(self, deadline: float) -> dict | None:
        line = self._line(deadline)
        if line is None:
            return None
        try:
            message = json.loads(line)
        except ValueError:
            return None
        return message if isinstance(message, dict) else None

    def _send(self, data: bytes) -> bool:
        try:
            assert self.proc and self.proc.stdin
            self.proc.stdin.write(data)
            self.proc.stdin.flush()
            return True
        except (OSError, ValueError, AssertionError):
            return False

    def run(self, cells: list[dict], files: dict[str, bytes], cases: dict[int, list[dict]]) -> RunResult:
        """Run one submission: ``cells`` (index, kind, source, qid), the module's released ``files``, and per
        graded cell index the case inputs (given to the learner's side only after all cells have run)."""
        if self.proc is None or self.proc.poll() is not None:
            self.close()
            self.start()
        started = time.monotonic()
        result = RunResult("ok")
        limits = self.limits.for_harness(_nproc_limit(self.limits.processes) if self.process_limit == "rlimit" else None)
        for cell in cells:
            cell["code"] = cell["kind"] == "test" and cell["index"] in cases
        job = {"cells": cells, "files": {k: base64.b64encode(v).decode() for k, v in files.items()}, "limits": limits}
        if not self._send(b"job\n"):
            return self._fail(result, "crashed", started, "send job")
        hello = self._control(time.monotonic() + 30)
        if not hello or hello.get("ctl") != "leader":
            alive = self.proc.poll() if self.proc else "gone"
            return self._fail(result, "crashed", started, f"no leader: {hello} after {time.monotonic() - started:.1f}s, exit {alive}")
        if not self._send(json.dumps(job, ensure_ascii=False).encode() + b"\n"):
            return self._fail(result, "crashed", started, "send cells")
        phase = 1
        expected = {(qid, c["id"]) for index, items in cases.items() for c in items
                    for qid in [next(x["qid"] for x in cells if x["index"] == index)]}
        deadline = time.monotonic() + self.limits.submission_seconds + 30
        while True:
            message = self._control(deadline)
            if message is None:
                return self._fail(result, "timeout" if time.monotonic() >= deadline else "crashed", started,
                                  f"phase {phase}: harness stopped answering")
            if "ctl" in message:
                ctl = message["ctl"]
                if ctl == "flood":
                    result.status = "flood"
                elif ctl == "phase1_done":
                    phase = 2
                    result.cells_finished = bool(message.get("finished"))
                    n_cases = sum(len(v) for v in cases.values())
                    phase2 = n_cases * (self.limits.case_seconds + 1) + 10
                    payload = {"cases": {str(i): v for i, v in cases.items()}, "timeout": self.limits.case_seconds,
                               "expected": n_cases, "phase2_seconds": phase2}
                    if not self._send(json.dumps(payload, ensure_ascii=False).encode() + b"\n"):
                        return self._fail(result, "crashed", started, "send cases")
                    deadline = time.monotonic() + phase2 + 15
                elif ctl == "done":
                    break
                elif ctl == "clean":  # the job's leader died before finishing: the sandbox is ready again
                    result.status = "crashed"
                    result.note = "the job's leader process was killed"
                    result.wall_s = time.monotonic() - started
                    return result
                continue
            if "rel" in message:
                self._accept(result, message["rel"], phase, expected)
        clean = self._control(time.monotonic() + 30)
        if not clean or clean.get("ctl") != "clean":
            self.close()  # the next job gets a fresh sandbox
        result.wall_s = time.monotonic() - started
        return result

    def stderr_tail(self, lines: int = 5) -> str:
        """The last lines the harness wrote to stderr (for the trainer's log; learner output never goes there)."""
        try:
            self._stderr.seek(0)
            text = self._stderr.read()[-4000:].decode("utf-8", "replace")
        except (AttributeError, OSError, ValueError):
            return ""
        return " | ".join(text.strip().splitlines()[-lines:])

    def _fail(self, result: RunResult, status: str, started: float, where: str = "") -> RunResult:
        result.status = status
        tail = self.stderr_tail()
        result.note = (where or result.note) + (f" [{tail}]" if tail else "")
        result.wall_s = time.monotonic() - started
        self.close()
        return result

    @staticmethod
    def _accept(result: RunResult, raw: Any, phase: int, expected: set[tuple[str, str]]) -> None:
        """Validate one learner-side line and keep it only if its phase and shape are right."""
        if not isinstance(raw, str) or len(raw) > 4 * 1024 * 1024:
            return
        try:
            line = json.loads(raw)
        except ValueError:
            return
        if not isinstance(line, dict):
            return
        kind = line.get("type")
        if phase == 1 and kind == "cell" and isinstance(line.get("index"), int) and line["index"] not in result.cells:
            outputs = line.get("outputs") if isinstance(line.get("outputs"), list) else []
            result.cells[line["index"]] = {"status": str(line.get("status"))[:20], "outputs": outputs[:20]}
        elif phase == 1 and kind == "values" and isinstance(line.get("qid"), str) and line["qid"] not in result.values:
            values = line.get("values") if isinstance(line.get("values"), list) else []
            types = line.get("types") if isinstance(line.get("types"), list) else []
            result.values[line["qid"]] = {"values": [v if isinstance(v, str) else None for v in values][:10],
                                          "types": [str(t)[:40] for t in types][:10]}
        elif phase == 2 and kind == "obs":
            key = (line.get("qid"), line.get("case"))
            if key in expected and key[1] not in result.observations.get(key[0], {}):
                result.observations.setdefault(key[0], {})[key[1]] = line.get("obs")


class SandboxPool:
    """``workers`` warm sandboxes shared by threads: ``run(...)`` borrows one for a submission."""

    def __init__(self, workers: int, backend: Backend, limits: Limits, preload: list[str]):
        self._free: list[SandboxWorker] = [SandboxWorker(backend, limits, preload) for _ in range(max(1, workers))]
        self._lock = threading.Condition()
        self._all = list(self._free)

    def start(self) -> None:
        """Start every sandbox from this (long-lived) thread, all at once, then wait until each is ready."""
        try:
            for worker in self._all:
                worker.launch()
            for worker in self._all:
                worker.wait_ready()
        except Exception:
            self.close()
            raise

    def run(self, cells: list[dict], files: dict[str, bytes], cases: dict[int, list[dict]]) -> RunResult:
        with self._lock:
            while not self._free:
                self._lock.wait()
            worker = self._free.pop()
        try:
            return worker.run(cells, files, cases)
        finally:
            with self._lock:
                self._free.append(worker)
                self._lock.notify()

    @property
    def process_limit(self) -> str:
        return self._all[0].process_limit if self._all else "none"

    def close(self) -> None:
        for worker in self._all:
            worker.close()
