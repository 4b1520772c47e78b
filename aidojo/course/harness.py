"""The grading harness: runs INSIDE the sandbox (``python -m aidojo.course.harness``), never in the grader.

Three kinds of process, all inside one sandbox per worker:

- the **zygote** imports the heavy libraries once, then for every job forks a *leader* and, when the leader is
  gone, kills every other process in the sandbox and wipes the work folders. It never reads job data, so
  nothing of one learner is in memory when the next learner's processes are forked.
- the **leader** (one per submission) reads the job from the grader, writes the module's released files into
  a fresh work folder, forks the *cells* process, relays what it reports, then (phase 2) hands each question's
  case inputs to that question's snapshot. Learner code never runs in the leader or the zygote.
- the **cells** process runs the notebook's cells in order (IPython, so magics work); at each graded cell it
  forks a *snapshot* that waits, holding the learner's functions as they were at that point. Only after every
  cell has run (phase 1 over, so no output of the learner's can reach a feedback page any more) do the
  snapshots receive their case inputs — held-back ones included — and observe them (one fork per case).

Everything learner-side writes JSON lines to one pipe; the leader relays them wrapped (``{"rel": line}``), so
only the leader's own control lines (``{"ctl": ...}``) speak for the harness. The grader applies the phase
rules and validates every line; nothing here decides points. Hand-written on ``os.fork`` and pipes: no
library runs notebooks cell by cell in a forked, pre-warmed process with this split of phases.
"""

from __future__ import annotations

import base64
import ctypes
import io
import json
import os
import resource
import select
import shutil
import signal
import sys
import time
from pathlib import Path

WORK = Path(os.environ.get("AIDOJO_SANDBOX_WORK") or "/grading")
MAX_LINE = 4 * 1024 * 1024
CELL_OUTPUT_CHARS = 20_000


# --- small helpers -----------------------------------------------------------------------------------


def _send(stream, obj: dict) -> None:
    stream.write(json.dumps(obj, ensure_ascii=False) + "\n")
    stream.flush()


def _write_line(fd: int, obj: dict) -> None:
    data = (json.dumps(obj, ensure_ascii=False, default=str) + "\n").encode("utf-8")
    view = memoryview(data)
    try:
        while view:
            view = view[os.write(fd, view):]
    except OSError:
        pass


def _not_dumpable() -> None:
    """No process of this sandbox may ptrace or read the memory of this one (PR_SET_DUMPABLE = 0)."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(4, 0, 0, 0, 0)
    except (OSError, AttributeError):
        pass


def _set_limits(limits: dict) -> None:
    def cap(which: int, value: int | None) -> None:
        if value is None:
            return
        try:
            soft, hard = resource.getrlimit(which)
            value = value if hard == resource.RLIM_INFINITY else min(value, hard)
            resource.setrlimit(which, (value, value))
        except (ValueError, OSError):
            pass

    vm = _vm_bytes()
    if limits.get("memory_bytes"):
        cap(resource.RLIMIT_AS, vm + int(limits["memory_bytes"]))
    cap(resource.RLIMIT_CPU, int(limits.get("cpu_seconds") or 120))
    cap(resource.RLIMIT_FSIZE, int(limits.get("file_bytes") or 64 * 1024 * 1024))
    cap(resource.RLIMIT_NOFILE, 256)
    cap(resource.RLIMIT_CORE, 0)
    if limits.get("nproc"):
        cap(resource.RLIMIT_NPROC, int(limits["nproc"]))


def _vm_bytes() -> int:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def _read_line(fd: int = 0) -> bytes:
    """One line from ``fd``, read a byte at a time: nothing after the newline is taken from the pipe, so no
    process forked later holds data that was meant for another."""
    out = bytearray()
    while True:
        byte = os.read(fd, 1)
        if not byte or byte == b"\n":
            return bytes(out)
        out += byte


def _read_message(fd: int = 0) -> dict:
    """A JSON line from ``fd`` (the leader's, read in chunks: the leader is disposable)."""
    buffer = bytearray()
    while not buffer.endswith(b"\n"):
        chunk = os.read(fd, 1)
        if not chunk:
            break
        buffer += chunk
    return json.loads(buffer.decode("utf-8"))


def in_own_pid_namespace() -> bool:
    """True inside the sandbox's pid namespace (where sweeping /proc only reaches the sandbox's processes)."""
    return os.environ.get("AIDOJO_SANDBOXED") == "1" and os.getpid() < 16


def _kill_until_gone(victims) -> int:
    """SIGKILL whatever ``victims()`` lists, again and again until it lists nothing (a process forking as fast as
    it can is still caught), reaping our own children on the way."""
    killed = 0
    for _ in range(200):
        pids = victims()
        if not pids:
            break
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
                killed += 1
            except (ProcessLookupError, PermissionError):
                pass
        while True:
            try:
                if os.waitpid(-1, os.WNOHANG)[0] == 0:
                    break
            except ChildProcessError:
                break
        time.sleep(0.005)
    return killed


def _kill_all_but(keep: set[int]) -> int:
    """Every process visible in /proc (the sandbox's own pid namespace) except ``keep``."""
    return _kill_until_gone(lambda: [int(p) for p in os.listdir("/proc") if p.isdigit() and int(p) not in keep])


def _children_of(parent: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
            if int(stat[stat.rindex(")") + 2:].split()[1]) == parent:
                found.append(int(entry))
        except (OSError, ValueError, IndexError):
            continue
    return found


def _kill_orphans() -> int:
    """Without a pid namespace (--no-sandbox): the zygote is a child subreaper, so every process a job left
    behind ends up as its child; kill them until none is left."""
    return _kill_until_gone(lambda: _children_of(os.getpid()))


def _wipe(folder: Path) -> None:
    """Empty ``folder`` (read-only binds inside it, such as a checkout under /tmp, stay: they cannot be removed)."""
    if folder.is_dir():
        for entry in list(folder.iterdir()):
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry, ignore_errors=True)
            else:
                try:
                    entry.unlink()
                except OSError:
                    pass


# --- the cells process (learner code runs here) -------------------------------------------------------


class _CappedText(io.TextIOBase):
    """A stdout/stderr that keeps the first ``limit`` characters and counts the rest."""

    def __init__(self, limit: int):
        self.limit, self.parts, self.size, self.dropped = limit, [], 0, 0

    def writable(self) -> bool:
        return True

    def write(self, text) -> int:
        text = str(text)
        room = self.limit - self.size
        if room > 0:
            self.parts.append(text[:room])
            self.size += min(len(text), room)
        self.dropped += max(0, len(text) - max(room, 0))
        return len(text)

    def value(self) -> str:
        text = "".join(self.parts)
        if self.dropped:
            text += f"\n…（出力が多すぎるため、残り {self.dropped:,} 文字を省略しました）\n"
        return text


class _CellTimeout(BaseException):
    pass


def _on_alarm(signum, frame):  # pragma: no cover - signal handler
    raise _CellTimeout()


def _display_outputs(captured: list, budget: int) -> list[dict]:
    outputs = []
    for item in captured:
        data = {k: v for k, v in (getattr(item, "data", None) or {}).items()
                if k in ("text/plain", "text/html", "text/markdown", "image/png") and isinstance(v, str)}
        data = {k: v for k, v in data.items() if len(v) <= budget}
        if data:
            outputs.append({"output_type": "display_data", "data": data, "metadata": {}})
    return outputs


def _run_cell(shell, source: str, timeout: float) -> tuple[list[dict], str]:
    """Run one cell; return its nbformat outputs (capped) and a status: ok | error | timeout."""
    from IPython.utils.capture import capture_output

    out, err = _CappedText(CELL_OUTPUT_CHARS), _CappedText(CELL_OUTPUT_CHARS // 2)
    status, error = "ok", None

    def traceback_to_err(etype, evalue, stb) -> None:  # IPython prints tracebacks to stdout; keep them apart
        if etype is not _CellTimeout:
            err.write(shell.InteractiveTB.stb2text(stb))

    shell._showtraceback = traceback_to_err
    signal.signal(signal.SIGALRM, _on_alarm)
    try:
        with capture_output(stdout=False, stderr=False, display=True) as cap:
            saved = sys.stdout, sys.stderr
            sys.stdout, sys.stderr = out, err
            try:
                signal.setitimer(signal.ITIMER_REAL, timeout)
                result = shell.run_cell(source, store_history=False)
                signal.setitimer(signal.ITIMER_REAL, 0)
                exc = result.error_before_exec or result.error_in_exec
                if exc is not None:
                    status = "timeout" if isinstance(exc, _CellTimeout) else "error"
                    error = (type(exc).__name__, str(exc)[:500])
                    if status == "timeout":
                        error = ("CellTimeoutError", f"{timeout:g}秒を超えたため中断しました（終わらない処理がないか確認してください）")
            finally:
                signal.setitimer(signal.ITIMER_REAL, 0)
                sys.stdout, sys.stderr = saved
    except _CellTimeout:
        status, error = "timeout", ("CellTimeoutError", f"{timeout:g}秒を超えたため中断しました（終わらない処理がないか確認してください）")
    except BaseException as exc:  # SystemExit and friends raised outside IPython's own handling
        status, error = "error", (type(exc).__name__, str(exc)[:500])
    outputs: list[dict] = []
    text = out.value()
    if text:
        outputs.append({"output_type": "stream", "name": "stdout", "text": text})
    outputs += _display_outputs(getattr(cap, "outputs", []) or [], CELL_OUTPUT_CHARS * 10)
    if error:
        ename, evalue = error
        if status == "timeout":
            ename = "CellTimeoutError"
        outputs.append({"output_type": "error", "ename": ename, "evalue": evalue,
                        "traceback": [line for line in err.value().splitlines()[-30:]] or [f"{ename}: {evalue}"]})
    return outputs, status


def _snapshot(cases_fd: int, res_fd: int, qid: str, shell) -> None:  # pragma: no cover - forked child
    """Wait for this question's case inputs (phase 2), observe each in its own fork, report, exit."""
    from aidojo.checks.observe import observe_all
    from aidojo.checks.registry import get_question
    from aidojo.checks.spec import Case

    try:
        chunks = []
        while True:
            chunk = os.read(cases_fd, 65536)
            if not chunk:
                break
            chunks.append(chunk)
        message = json.loads(b"".join(chunks).decode("utf-8"))
        question = get_question(qid)
        values = {name: shell.user_ns[name] for name in question.reads if name in shell.user_ns}
        cases = [Case(spec["id"], spec["kind"], spec.get("args") or {}) for spec in message["cases"]]
        if len(values) < len(question.reads):
            missing = [n for n in question.reads if n not in values]
            for case in cases:
                _write_line(res_fd, {"type": "obs", "qid": qid, "case": case.id,
                                     "obs": {"error": "NameError", "message": "、".join(missing) + " が定義されていません"}})
        else:
            for case_id, obs in observe_all(question, values, cases, timeout=float(message.get("timeout") or 6)):
                _write_line(res_fd, {"type": "obs", "qid": qid, "case": case_id, "obs": obs.to_json()})
    finally:
        os._exit(0)


def _cells_process(job: dict, res_fd: int, case_fds: dict[int, int], shell) -> None:  # pragma: no cover
    """Run the cells in order; fork a waiting snapshot at each graded cell. Never returns."""
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    try:
        os.setsid()
    except OSError:
        pass
    _set_limits(job.get("limits") or {})
    cell_timeout = float((job.get("limits") or {}).get("cell_seconds") or 30)
    from aidojo.checks.registry import get_question
    from aidojo.checks.spec import TextQuestion

    for cell in job["cells"]:
        index, kind = cell["index"], cell["kind"]
        if kind == "test":
            qid = cell["qid"]
            try:
                question = get_question(qid)
            except KeyError:
                continue
            if isinstance(question, TextQuestion):
                values = [shell.user_ns.get(name) for name in question.reads]
                _write_line(res_fd, {"type": "values", "qid": qid,
                                     "values": [v if isinstance(v, str) else None for v in values],
                                     "types": [type(v).__name__ for v in values]})
                continue
            if index not in case_fds:
                continue
            pid = os.fork()
            if pid == 0:
                for other, fd in case_fds.items():
                    if other != index:
                        os.close(fd)
                _snapshot(case_fds[index], res_fd, qid, shell)
            os.close(case_fds.pop(index))
            continue
        outputs, status = _run_cell(shell, cell["source"], cell_timeout)
        _write_line(res_fd, {"type": "cell", "index": index, "status": status, "outputs": outputs})
    _write_line(res_fd, {"type": "cells_done"})
    os._exit(0)


# --- the leader (one per job) --------------------------------------------------------------------------


def _relay(res_fd: int, deadline: float, stop_when=None) -> bool:
    """Relay learner-side lines to stdout (wrapped) until EOF, the deadline, or ``stop_when(line)``."""
    buffer = b""
    relayed = 0
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return False
        ready, _, _ = select.select([res_fd], [], [], left)
        if not ready:
            continue
        chunk = os.read(res_fd, 65536)
        if not chunk:
            return True
        buffer += chunk
        while b"\n" in buffer:
            line, buffer = buffer.split(b"\n", 1)
            relayed += len(line)
            if len(line) > MAX_LINE or relayed > 64 * MAX_LINE:
                _send(sys.stdout, {"ctl": "flood"})
                return False
            text = line.decode("utf-8", "replace")
            _send(sys.stdout, {"rel": text})
            if stop_when and stop_when(text):
                return True
        if len(buffer) > MAX_LINE:
            _send(sys.stdout, {"ctl": "flood"})
            return False


def _leader(shell) -> None:  # pragma: no cover - forked child
    _send(sys.stdout, {"ctl": "leader"})
    job = _read_message(0)
    job_dir = WORK / "job"
    _wipe(WORK)
    job_dir.mkdir(parents=True)
    for rel, data in (job.get("files") or {}).items():
        path = (job_dir / rel).resolve()
        if job_dir.resolve() not in path.parents:
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(data))
    os.chdir(job_dir)
    os.environ["HOME"] = str(job_dir)
    res_r, res_w = os.pipe()
    case_fds: dict[int, int] = {}
    case_writers: dict[int, int] = {}
    for cell in job["cells"]:
        if cell["kind"] == "test" and cell.get("code"):
            r, w = os.pipe()
            case_fds[cell["index"]], case_writers[cell["index"]] = r, w
    limits = job.get("limits") or {}
    pid = os.fork()
    if pid == 0:
        os.close(res_r)
        for w in case_writers.values():
            os.close(w)
        _cells_process(job, res_w, case_fds, shell)
    os.close(res_w)
    for r in case_fds.values():
        os.close(r)
    phase1 = float(limits.get("phase1_seconds") or 300)
    finished = _relay(res_r, time.monotonic() + phase1, stop_when=lambda t: '"cells_done"' in t and t.startswith('{"type": "cells_done"'))
    try:  # phase 1 is over whatever the learner's code does: the cells process goes (snapshots stay)
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    except (ProcessLookupError, ChildProcessError):
        pass
    _send(sys.stdout, {"ctl": "phase1_done", "finished": finished})
    # phase 2: the grader sends the case inputs now (never before the cells have all run)
    message = _read_message(0)
    for index, w in case_writers.items():
        payload = json.dumps({"cases": message["cases"].get(str(index), []), "timeout": message.get("timeout", 6)},
                             ensure_ascii=False).encode("utf-8")
        try:
            view = memoryview(payload)
            while view:
                view = view[os.write(w, view):]
        except OSError:
            pass  # the snapshot is gone: its cases stay unobserved
        os.close(w)
    expected = int(message.get("expected") or 0)
    seen = [0]

    def enough(text: str) -> bool:
        if text.startswith('{"type": "obs"'):
            seen[0] += 1
        return seen[0] >= expected

    if expected:
        _relay(res_r, time.monotonic() + float(message.get("phase2_seconds") or 120), stop_when=enough)
    _send(sys.stdout, {"ctl": "done"})
    os._exit(0)


# --- the zygote ------------------------------------------------------------------------------------------


def _preload(modules: list[str]):
    import importlib

    for name in modules:
        try:
            importlib.import_module(name)
        except Exception:  # a missing optional library only costs its import later
            pass
    from IPython.core.interactiveshell import InteractiveShell
    from traitlets.config import Config

    config = Config()
    config.HistoryManager.enabled = False
    shell = InteractiveShell.instance(config=config)
    shell.colors = "NoColor"
    # `%matplotlib inline` needs a kernel to display into; in the sandbox charts use the Agg backend instead
    shell.register_magic_function(lambda line="": None, magic_kind="line", magic_name="matplotlib")
    return shell


def main() -> None:  # pragma: no cover - runs inside the sandbox
    preload = [m for m in os.environ.get("AIDOJO_PRELOAD", "").split(",") if m]
    shell = _preload(["aidojo.checks", *preload])
    _not_dumpable()
    me = os.getpid()
    WORK.mkdir(parents=True, exist_ok=True)
    _send(sys.stdout, {"ctl": "ready", "vm": _vm_bytes()})
    sandboxed = in_own_pid_namespace()
    if not sandboxed:
        try:  # PR_SET_CHILD_SUBREAPER: what a job leaves behind is reparented to us, so we can end it
            ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0)
        except (OSError, AttributeError):
            pass
    while True:
        line = _read_line(0)
        if not line or line.strip() == b"quit":
            return
        if line.strip() != b"job":
            continue
        pid = os.fork()
        if pid == 0:
            try:
                _leader(shell)
            except BaseException:
                import traceback

                traceback.print_exc()
            finally:
                os._exit(1)
        try:
            os.waitpid(pid, 0)
        except ChildProcessError:
            pass
        killed = _kill_all_but({1, me}) if sandboxed else _kill_orphans()
        _wipe(WORK)
        if sandboxed:
            _wipe(Path("/tmp"))
        _send(sys.stdout, {"ctl": "clean", "killed": killed})


if __name__ == "__main__":
    main()
