"""Benchmark the grading desk, figures side by side in one run:

1. text modules (m01–m03) graded without a kernel: a class of 70 × 3 modules (target: under 60 s);
2. code modules: the same 40 submissions by plain ``nbgrader autograde`` and by ``aidojo autograde --workers 2``
   (target: at least 3×), with peak memory;
3. feedback for 40 learners: one ``nbgrader generate_feedback`` per learner (the old way) against
   ``aidojo feedback --workers 2`` (target: under a tenth of the time).

Submissions are generated from the real modules with the answers in tests/fixtures/answers/ (right, wrong and
untouched answers mixed per question with a fixed seed). Plain nbgrader grades the public checks only (held-back
cases exist only in aidojo's judge), so the score agreement line counts learners, not a pass/fail gate.

    python benchmarks/autograde.py                # all three
    python benchmarks/autograde.py --quick        # fewer learners for the slow baselines (extrapolated, labelled)
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
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

from aidojo.course.layout import CourseLayout  # noqa: E402

TEXT_MODULES = ["m01", "m02", "m03"]


class PeakMemory:
    """Peak memory of this process and all its children, sampled every 0.2 s (psutil), in MiB: the proportional
    set size (PSS, shared pages split between the processes sharing them — the forked sandbox processes share
    most of theirs), or the resident size where PSS cannot be read."""

    def __init__(self) -> None:
        self.peak = 0.0
        self._stop = threading.Event()

    def __enter__(self):
        import psutil

        self._me = psutil.Process()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def _run(self) -> None:
        import psutil

        while not self._stop.is_set():
            total = 0
            for proc in [self._me, *self._me.children(recursive=True)]:
                try:
                    info = proc.memory_full_info()
                    total += getattr(info, "pss", info.rss)
                except psutil.Error:
                    pass
            self.peak = max(self.peak, total / 2**20)
            self._stop.wait(0.2)

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


def _fixtures() -> dict[str, dict]:
    import yaml

    out = {}
    for fx in sorted((REPO / "tests" / "fixtures" / "answers").glob("m*.yaml")):
        data = yaml.safe_load(fx.read_text(encoding="utf-8"))
        if (REPO / "exercises" / data["module"] / f"{data['notebook']}.ipynb").exists():
            out[data["module"]] = data
    return out


def _learner(data: dict, rng: random.Random) -> dict:
    """One learner's notebook: each question right (60%), wrong (30%) or untouched (10%)."""
    nb = json.loads((REPO / "exercises" / data["module"] / f"{data['notebook']}.ipynb").read_text(encoding="utf-8"))
    cells = {c["metadata"].get("nbgrader", {}).get("grade_id"): c for c in nb["cells"]}
    for qid, q in data["questions"].items():
        roll = rng.random()
        pool = q.get("correct") if roll < 0.6 else q.get("wrong") if roll < 0.9 else None
        cell = cells.get(qid.replace(".", "-") + "-answer")
        if cell is None or not pool:
            continue
        text = str(rng.choice(pool)).strip()
        src = cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])
        head = src.splitlines()[0]
        cell["source"] = f'{head}\n{q["variable"]} = """\n{text}\n"""' if q.get("variable") else f"{head}\n{text}\n"
    return nb


def _place(subs: list[tuple[str, str, str, dict]], data_dir: Path) -> None:
    for sid, module, name, nb in subs:
        folder = data_dir / "submitted" / sid / module
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{name}.ipynb").write_text(json.dumps(nb, ensure_ascii=False), encoding="utf-8")
        (folder / "timestamp.txt").write_text("2026-11-30 10:00:00.000000 UTC", encoding="utf-8")


def _scores(db_url: str, modules) -> dict:
    from nbgrader.api import Gradebook

    with Gradebook(db_url, course_id="aidojo") as gb:
        return {(d["student"], m): d["score"] for m in modules for d in gb.submission_dicts(m)}


def _plain_autograde(subs, tmp: Path, modules: list[str]) -> float:
    """nbgrader alone, at its best: one generate_assignment and one autograde over every module."""
    from aidojo.course.nbgrader_cli import run_nbgrader

    plain = CourseLayout(data_dir=tmp, db_url=f"sqlite:///{tmp / 'gradebook.db'}")
    _place(subs, tmp)
    source = tmp / "source"
    import shutil

    for m in modules:
        shutil.copytree(REPO / "solutions" / m, source / m)
    which = modules[0] if len(modules) == 1 else "*"
    t0 = time.perf_counter()
    run_nbgrader(["generate_assignment", which, "--force", *plain.overrides(release_dir=tmp / "release", source_dir=source)],
                 course_dir=tmp)
    run_nbgrader(["autograde", which, "--force", *plain.overrides(source_dir=source)], course_dir=tmp, check=False,
                 extra_env={"AIDOJO_PLAIN_NBGRADER": "1", "NBGRADER_EXECUTION": "autograde"})
    return time.perf_counter() - t0


def text_modules(tmp: Path, fixtures: dict, learners: int, seed: int) -> None:
    from aidojo.course import autograde

    rng = random.Random(seed)
    subs = [(f"k{20000 + i}", m, fixtures[m]["notebook"], _learner(fixtures[m], rng))
            for i in range(learners) for m in TEXT_MODULES if m in fixtures]
    layout = CourseLayout(data_dir=tmp / "text")
    _place(subs, layout.data_dir)
    t0 = time.perf_counter()
    report = autograde(TEXT_MODULES, layout=layout, workers=2, progress=False)
    took = time.perf_counter() - t0
    prep = report.timings.get("prepare_s", 0.0)
    print(f"[1] text modules, {learners} learners x {len(TEXT_MODULES)} modules = {len(subs)} submissions, no kernel")
    print(f"    aidojo autograde           : {took:7.1f} s  (of which {prep:.1f} s preparing the gradebook"
          f"; {len(subs) / took:.1f} submissions/s)   target < 60 s: {'OK' if took < 60 else 'MISSED'}")


def code_modules(tmp: Path, fixtures: dict, n: int, workers: int, seed: int) -> list[tuple[str, str, str, dict]]:
    from aidojo.course import autograde
    from aidojo.course.material import load_material

    rng = random.Random(seed)
    code = [m for m in fixtures if m not in TEXT_MODULES and load_material(CourseLayout(), m).needs_sandbox]
    subs = [(f"k{10000 + i}", code[i % len(code)], fixtures[code[i % len(code)]]["notebook"],
             _learner(fixtures[code[i % len(code)]], rng)) for i in range(n)]
    modules = sorted({m for _, m, _, _ in subs})
    with PeakMemory() as mem_plain:
        t_plain = _plain_autograde(subs, tmp / "plain", modules)
    ours = CourseLayout(data_dir=tmp / "ours")
    _place(subs, ours.data_dir)
    with PeakMemory() as mem_ours:
        t0 = time.perf_counter()
        report = autograde(modules, workers=workers, layout=ours, progress=False)
        t_ours = time.perf_counter() - t0
    a, b = _scores(f"sqlite:///{tmp / 'plain' / 'gradebook.db'}", modules), _scores(ours.db_url, modules)
    agree = sum(a.get(k) == b.get(k) for k in b)
    print(f"[2] code modules ({', '.join(modules)}), {len(subs)} submissions, {os.cpu_count()} CPU cores")
    print(f"    plain nbgrader autograde   : {t_plain:7.1f} s   peak memory {mem_plain.peak:6.0f} MiB")
    print(f"    aidojo autograde -j {workers}      : {t_ours:7.1f} s   peak memory {mem_ours.peak:6.0f} MiB"
          f"   (sandboxed; of which {report.timings.get('prepare_s', 0):.1f} s preparing the gradebook)")
    ratio = t_plain / t_ours
    print(f"    speed-up                   : {ratio:7.2f} x   target >= 3x: {'OK' if ratio >= 3 else 'MISSED'}"
          f"   ({len(subs) / t_ours * 60:.0f} submissions/min; failures {len(report.failures)})")
    print(f"    same score as plain nbgrader (public checks only) for {agree} of {len(b)} learners")
    differ = [(k, a.get(k), b.get(k)) for k in sorted(b) if a.get(k) != b.get(k)][:5]
    if differ:
        print("    e.g. (learner, module): plain nbgrader → aidojo: " + "; ".join(f"{k[0]} {k[1]}: {x} → {y}" for k, x, y in differ))
    return subs


def feedback(tmp: Path, learners: int, baseline_sample: int) -> None:
    from aidojo.course import generate_feedback
    from aidojo.course.nbgrader_cli import run_nbgrader

    ours = CourseLayout(data_dir=tmp / "ours")
    graded = sorted({(p.parent.name, p.name) for p in ours.autograded_dir.glob("*/*") if p.is_dir()})[:learners]
    t0 = time.perf_counter()
    report = generate_feedback(sorted({m for _, m in graded}), students=sorted({s for s, _ in graded}), layout=ours, workers=2)
    t_ours = time.perf_counter() - t0
    sample = graded[:baseline_sample]
    t0 = time.perf_counter()
    for sid, module in sample:  # the old way: one nbgrader process per learner, one after another
        run_nbgrader(["generate_feedback", module, f"--student={sid}", "--force", *ours.overrides()],
                     course_dir=ours.data_dir, check=False)
    per = (time.perf_counter() - t0) / max(1, len(sample))
    t_old = per * len(graded)
    label = "measured" if len(sample) == len(graded) else f"{per:.1f} s each, measured on {len(sample)}, x{len(graded)}"
    print(f"[3] feedback for {len(graded)} learners")
    print(f"    nbgrader generate_feedback per learner : {t_old:7.1f} s  ({label})")
    print(f"    aidojo feedback -j 2                   : {t_ours:7.1f} s  ({len(report.files)} pages)")
    print(f"    share of the old time                  : {t_ours / t_old:7.2f}   target < 0.10: "
          f"{'OK' if t_ours / t_old < 0.1 else 'MISSED'}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=40, help="code-module submissions (default 40)")
    ap.add_argument("--class-size", type=int, default=70, help="learners for the text modules (default 70)")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--quick", action="store_true", help="measure the feedback baseline on 8 learners and extrapolate")
    args = ap.parse_args()
    fixtures = _fixtures()
    with tempfile.TemporaryDirectory(prefix="aidojo-bench-") as tmpname:
        tmp = Path(tmpname)
        os.environ["AIDOJO_COURSE_DIR"] = str(tmp / "course")
        text_modules(tmp, fixtures, args.class_size, args.seed)
        code_modules(tmp, fixtures, args.n, args.workers, args.seed)
        feedback(tmp, args.n, 8 if args.quick else args.n)


if __name__ == "__main__":
    main()
