"""The grading sandbox itself, driven directly (no nbgrader): what learner code can see, reach and leave behind."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from aidojo.course.sandbox import Backend, Limits, SandboxError, SandboxWorker, bwrap_command, probe
from tests.conftest import REPO, require

SECRET = "sk-proj-sandboxPLANTED0123456789abcdefghijklmnop"


def _need_bwrap() -> None:
    require(shutil.which("bwrap") is not None, "bubblewrap (Debian package bubblewrap) is not installed")


@pytest.fixture(scope="module")
def worker():
    _need_bwrap()
    os.environ["OPENAI_API_KEY"] = SECRET  # the grader's own environment holds a key
    w = SandboxWorker(Backend.BWRAP, Limits(cell_seconds=3, case_seconds=3, submission_seconds=20, processes=40))
    w.start()
    yield w
    w.close()
    os.environ.pop("OPENAI_API_KEY", None)


def run_cells(worker: SandboxWorker, *sources: str, files: dict[str, bytes] | None = None) -> list[str]:
    """Run ``sources`` as cells; return each cell's text output (stdout and error values)."""
    cells = [{"index": i, "kind": "extra", "source": s} for i, s in enumerate(sources)]
    result = worker.run(cells, files or {}, {})
    assert result.status == "ok", result.note
    texts = []
    for i in range(len(sources)):
        outputs = result.cells.get(i, {}).get("outputs", [])
        texts.append("".join(str(o.get("text", "")) + str(o.get("ename", "")) + str(o.get("evalue", "")) for o in outputs))
    return texts


def test_environment_is_an_allow_list(worker):
    env, = run_cells(worker, "import os, json; print(json.dumps(dict(os.environ)))")
    seen = json.loads(env)
    assert SECRET not in env and "OPENAI_API_KEY" not in seen
    assert seen["AIDOJO_PROVIDER"] == "offline" and seen["HOME"].startswith("/grading")


def test_no_network_not_even_loopback(worker):
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    port = server.getsockname()[1]
    try:
        out, = run_cells(worker, f"import socket\ns = socket.socket()\nprint(s.connect_ex(('127.0.0.1', {port})))\n"
                                 "print(socket.if_nameindex())")
    finally:
        server.close()
    assert out.splitlines()[0] != "0"
    assert "eth" not in out  # only the new namespace's loopback


def test_private_file_system_view(worker):
    probe_paths = [REPO / "solutions", REPO / "grader" / "heldback", REPO / ".env", os.environ["AIDOJO_COURSE_DIR"], "/etc/shadow", "/etc/passwd", "/root/.bash_history", "/root/.cache",
                   "/home"]
    paths = [str(p) for p in probe_paths]
    out, = run_cells(worker, f"import os\nfor p in {paths!r}:\n    print(p, os.path.exists(p))\nprint(sorted(os.listdir('{REPO}')))")
    lines = out.splitlines()
    for line in lines[:-1]:
        assert line.endswith("False"), line
    assert set(eval(lines[-1])) <= {"aidojo", ".venv"}  # the repository holds only the package and the environment
    home = os.path.expanduser("~")  # the trainer's home shows at most the way to the Python install inside it
    python_part = {p.parts[len(Path(home).parts)] for p in map(Path, (sys.base_prefix, sys.prefix)) if str(p).startswith(home + "/")}
    listing, = run_cells(worker, f"import os\nprint(sorted(os.listdir({home!r})) if os.path.exists({home!r}) else [])")
    assert set(eval(listing)) <= python_part, listing


def test_released_files_are_in_the_work_folder_and_writes_stay_inside(worker, tmp_path):
    out, = run_cells(worker, "print(open('data/manual.md').read())\nopen('/tmp/x', 'w').write('x')\nopen('note', 'w').write('y')",
                     files={"data/manual.md": "手引き本文".encode()})
    assert "手引き本文" in out
    again, = run_cells(worker, "import os\nprint(os.path.exists('/tmp/x'), os.path.exists('note'), os.listdir('.'))")
    assert again.startswith("False False")  # wiped between learners


def test_own_pid_namespace_and_nothing_survives_a_job(worker):
    out, = run_cells(worker, "import os, subprocess\nprint(len(os.listdir('/proc')))\n"
                             "subprocess.Popen(['sleep', '4343'], start_new_session=True)\n"
                             "print([p for p in os.listdir('/proc') if p.isdigit()])")
    assert str(os.getpid()) not in out.splitlines()[-1]  # the grader's processes are invisible
    host = " ".join(open(f"/proc/{p}/cmdline", errors="replace").read() for p in os.listdir("/proc")
                    if p.isdigit() and os.path.exists(f"/proc/{p}/cmdline"))
    assert "4343" not in host


def test_process_count_is_limited(worker):
    out, = run_cells(worker, "import os, time\nn = 0\nfor _ in range(300):\n    try:\n        pid = os.fork()\n"
                             "    except OSError:\n        break\n    if pid == 0:\n        time.sleep(20)\n        os._exit(0)\n"
                             "    n += 1\nprint(n)")
    assert int(out.strip().splitlines()[-1]) < 60
    assert worker.process_limit in ("cgroup", "rlimit")


def test_memory_time_and_output_limits(worker):
    mem, loop, flood = run_cells(worker, "x = bytearray(6 * 1024 ** 3)", "while True:\n    pass", "print('x' * 5_000_000)")
    assert "MemoryError" in mem or "memory" in mem.lower()
    assert "秒" in loop  # interrupted at the cell's time limit
    assert len(flood) < 40_000 and "省略" in flood


def test_a_learner_killing_everything_only_loses_their_own_run(worker):
    result = worker.run([{"index": 0, "kind": "extra", "source": "import ctypes, signal\nctypes.CDLL(None).kill(-1, signal.SIGKILL)"}], {}, {})
    assert result.status in ("crashed", "ok")
    out, = run_cells(worker, "print('next learner')")  # a fresh sandbox takes over
    assert "next learner" in out


def test_sandbox_works_for_an_unprivileged_account(tmp_path):
    """A trainer account on a shared server: bubblewrap without root (user namespaces), limits applied."""
    _need_bwrap()
    if os.getuid() != 0:
        assert probe() is None
        return
    cmd = [c for c in bwrap_command(Limits(), python="/usr/bin/python3") if c]
    # keep the system part only: the unprivileged account cannot read root's Python install
    keep, skip = [], 0
    for i, arg in enumerate(cmd):
        if skip:
            skip -= 1
            continue
        if arg == "--ro-bind" and not cmd[i + 1].startswith(("/usr", "/lib", "/bin", "/etc")):
            skip = 2
            continue
        keep.append(arg)
    keep = keep[:-4] + ["/usr/bin/python3", "-I", "-c",
                        "import os, socket, resource; s = socket.socket(); print(s.connect_ex(('127.0.0.1', 9)) != 0, os.getuid())"]
    proc = subprocess.run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", *keep], capture_output=True,
                          text=True, timeout=60, cwd="/")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split()[0] == "True"


def test_missing_bubblewrap_stops_with_a_japanese_message(monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(SandboxError, match="bubblewrap"):
        bwrap_command(Limits())
    assert "bubblewrap" in probe()


def test_no_sandbox_backend_still_drops_the_environment(monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", SECRET)
    with SandboxWorker(Backend.NONE, Limits(cell_seconds=3, case_seconds=3, submission_seconds=20)) as w:
        env, = run_cells(w, "import os; print(sorted(os.environ))")
    assert "OPENAI_API_KEY" not in env and SECRET not in env
    assert sys.executable


def test_a_checkout_under_tmp_stays_visible(tmp_path, monkeypatch):
    """CI and trainers may keep the kit under /tmp: the sandbox's own empty /tmp must not hide it."""
    _need_bwrap()
    import aidojo.course.sandbox as sandbox

    package = tmp_path / "checkout" / "extra"
    package.mkdir(parents=True)
    (package / "marker.txt").write_text("見える")
    dirs = sandbox._package_dirs()
    monkeypatch.setattr(sandbox, "_package_dirs", lambda: [*dirs, package])
    with SandboxWorker(Backend.BWRAP, Limits(cell_seconds=3, case_seconds=3, submission_seconds=20)) as w:
        out, again = run_cells(w, f"print(open({str(package / 'marker.txt')!r}).read())", "print('still here')")
    assert "見える" in out and "still here" in again
