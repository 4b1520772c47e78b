"""Benchmark: the same N submissions graded by plain ``nbgrader autograde`` and by ``aidojo autograde --workers 2``.

Submissions are generated from the real modules (exercises/mNN with right and wrong answers from
tests/fixtures/answers/mNN.yaml, mixed per question with a fixed seed); if no real module has answer
fixtures, the fixture assignment t01 is used instead (and the output says so). Prints both wall times,
the ratio, the peak memory of each run (psutil: the whole process tree, sampled) and checks both runs
gave every learner the same score.

    python benchmarks/autograde.py            # N=40, 2 workers
    python benchmarks/autograde.py --n 60 --workers 2
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
os.environ["PATH"] = os.pathsep.join((os.path.dirname(sys.executable), os.environ.get("PATH", "")))

from aidojo.course.layout import CourseLayout  # noqa: E402


class PeakMemory:
    """Peak resident memory of this process and all its children, sampled every 0.2 s (psutil), in MiB."""

    def __init__(self) -> None:
        self.peak = 0.0
        self._stop = threading.Event()

    def __enter__(self):
        try:
            import psutil

            self._me = psutil.Process()
            self._thread = threading.Thread(target=self._run, daemon=True)
            self._thread.start()
        except ImportError:
            self._me = None
        return self

    def _run(self) -> None:
        import psutil

        while not self._stop.is_set():
            total = 0
            for proc in [self._me, *self._me.children(recursive=True)]:
                try:
                    total += proc.memory_info().rss
                except psutil.Error:
                    pass
            self.peak = max(self.peak, total / 2**20)
            self._stop.wait(0.2)

    def __exit__(self, *exc) -> None:
        self._stop.set()
        if self._me is None:
            import resource

            self.peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # largest single child
        else:
            self._thread.join()


def _real_variants(n: int, seed: int) -> tuple[list[tuple[str, str, str, dict]], str]:
    """(staff_id, module, notebook name, notebook) from exercises/ with fixture answers substituted."""
    import yaml

    rng = random.Random(seed)
    modules = []
    for fx in sorted((REPO / "tests" / "fixtures" / "answers").glob("m*.yaml")):
        data = yaml.safe_load(fx.read_text(encoding="utf-8"))
        ex = REPO / "exercises" / data["module"] / f"{data['notebook']}.ipynb"
        if ex.exists():
            modules.append((data, json.loads(ex.read_text(encoding="utf-8"))))
    if not modules:
        return [], ""
    out = []
    for i in range(n):
        data, nb = modules[i % len(modules)]
        nb = json.loads(json.dumps(nb))
        cells = {c["metadata"].get("nbgrader", {}).get("grade_id"): c for c in nb["cells"]}
        for qid, q in data["questions"].items():
            right = [x for x in (q.get("solution"), *q.get("correct", [])) if x]
            pool = right if rng.random() < 0.6 or not q.get("wrong") else q["wrong"]
            cell = cells.get(qid.replace(".", "-") + "-answer")
            if cell is None or not pool or rng.random() < 0.1:
                continue  # left untouched: NotImplementedError
            text = str(rng.choice(pool)).strip()
            src = cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])
            if "variable" in q:  # no-code modules: the prompt text between triple quotes
                cell["source"] = f'{src.splitlines()[0]}\n{q["variable"]} = """\n{text}\n"""'
            else:  # code modules: the answer cell is the learner's code
                cell["source"] = text
        out.append((f"k{10000 + i}", data["module"], data["notebook"], nb))
    return out, "real modules " + ", ".join(sorted({m for _, m, _, _ in out}))


def _fixture_variants(n: int, seed: int, tmp: Path) -> tuple[list, CourseLayout]:
    from aidojo.course.release import release
    from tests.fixtures.course.helpers import GOOD_Q1, GOOD_Q2, layout, variant

    lay = layout(tmp / "fixture")
    release(["t01"], layout=lay)
    rng = random.Random(seed)
    wrong = ("def add(a, b):\n    return 3", "def greet(n):\n    return n")
    return [(f"k{10000 + i}", "t01", "t01_kadai", variant(lay, GOOD_Q1 if rng.random() < .6 else wrong[0],
                                                         GOOD_Q2 if rng.random() < .6 else wrong[1])) for i in range(n)], lay


def _place(subs, data_dir: Path) -> None:
    for sid, module, name, nb in subs:
        folder = data_dir / "submitted" / sid / module
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{name}.ipynb").write_text(json.dumps(nb, ensure_ascii=False), encoding="utf-8")
        (folder / "timestamp.txt").write_text("2026-11-23 10:00:00.000000 UTC", encoding="utf-8")


def _scores(db_url: str, modules) -> dict:
    from nbgrader.api import Gradebook

    with Gradebook(db_url, course_id="aidojo") as gb:
        return {(d["student"], m): d["score"] for m in modules for d in gb.submission_dicts(m)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=40, help="number of submissions (default 40)")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()

    from aidojo.course import autograde
    from aidojo.course.nbgrader_cli import run_nbgrader

    with tempfile.TemporaryDirectory(prefix="aidojo-bench-") as tmpname:
        tmp = Path(tmpname)
        subs, what = _real_variants(args.n, args.seed)
        base = CourseLayout(data_dir=tmp / "plain")
        if not subs:
            subs, base = _fixture_variants(args.n, args.seed, tmp)
            what = "FIXTURE assignment t01 (no real module with answer fixtures found)"
        modules = sorted({m for _, m, _, _ in subs})
        assert len(modules) == 1 or modules == base.modules(), "plain run grades every module of the source folder"
        print(f"{len(subs)} submissions from {what}; {os.cpu_count()} CPU cores; workers={args.workers}")

        plain = base.with_(data_dir=tmp / "plain", db_url=f"sqlite:///{tmp / 'plain' / 'gradebook.db'}")
        _place(subs, plain.data_dir)
        with PeakMemory() as mem_plain:
            t0 = time.perf_counter()
            # nbgrader alone, at its best: one generate_assignment and one autograde over every module ("*")
            which = modules[0] if len(modules) == 1 else "*"
            run_nbgrader(["generate_assignment", which, "--force",
                          *plain.overrides(release_dir=tmp / "plain" / "release")], course_dir=plain.data_dir)
            run_nbgrader(["autograde", which, "--force", *plain.overrides()], course_dir=plain.data_dir, check=False)
            t_plain = time.perf_counter() - t0

        ours = base.with_(data_dir=tmp / "ours", db_url=f"sqlite:///{tmp / 'ours' / 'gradebook.db'}")
        _place(subs, ours.data_dir)
        with PeakMemory() as mem_ours:
            t0 = time.perf_counter()
            report = autograde(modules, workers=args.workers, layout=ours, progress=False)
            t_ours = time.perf_counter() - t0

        a, b = _scores(plain.db_url, modules), _scores(ours.db_url, modules)
        same = a == b
        print(f"plain nbgrader autograde : {t_plain:7.1f} s   peak memory {mem_plain.peak:7.0f} MiB")
        print(f"aidojo autograde -j {args.workers}   : {t_ours:7.1f} s   peak memory {mem_ours.peak:7.0f} MiB")
        print(f"speed-up                 : {t_plain / t_ours:7.2f} x   ({len(subs) / t_ours * 60:.0f} submissions/min)")
        print(f"same scores for all {len(a)} learners: {same}; failures: {len(report.failures)}")
        if not same:
            diff = {k: (a.get(k), b.get(k)) for k in set(a) | set(b) if a.get(k) != b.get(k)}
            print(f"differences: {dict(list(diff.items())[:10])}")
            sys.exit(1)


if __name__ == "__main__":
    main()
