"""Benchmark: what ``aidojo collect`` costs on zip bombs and on an honest class, printed per scenario.

Each scenario runs in its own Python process (so its peak memory is its own) with its own temporary folder,
which a thread watches every 5 ms: the figures are the bytes the bundle would inflate to, the bytes intake
actually read (its budgets' count), the peak size of the temporary folder, the peak resident memory of the
process above where it stood before collecting (sampled), the peak Python allocation (tracemalloc), and the wall time.

    python benchmarks/intake_bombs.py
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import tracemalloc
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

SCENARIOS = ("single_900mb", "nested_1_6gb", "liars_in_nested", "honest_class_70x3")


def _folder_size(path: Path) -> int:
    total = 0
    for root, _dirs, files in os.walk(path):
        for f in files:
            try:
                total += os.lstat(os.path.join(root, f)).st_blocks * 512
            except OSError:
                pass
    return total


def _rss() -> int:
    """This process's resident memory now, in bytes (Linux /proc)."""
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


class PeakFolder:
    """Peak disk use of a folder and peak resident memory of this process, sampled every 5 ms."""

    def __init__(self, path: Path):
        self.path, self.peak, self.rss, self._stop = path, 0, 0, threading.Event()

    def __enter__(self):
        def watch():
            while not self._stop.is_set():
                self.peak = max(self.peak, _folder_size(self.path))
                self.rss = max(self.rss, _rss())
                time.sleep(0.005)
        self._thread = threading.Thread(target=watch, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, _folder_size(self.path))


def _build(name: str, work: Path):
    """(bundle path, bytes it would inflate to, layout) for one scenario, in ``work``."""
    from tests.fixtures.course.helpers import GOOD_Q1, GOOD_Q2, SOURCE, layout, variant
    from tests.fixtures.intake.builders import MB, bomb_entry, package, raw_zip, stored, zip_of

    lay = layout(work)
    (lay.release_dir / "t01").mkdir(parents=True)
    shutil.copy(SOURCE / "t01" / "t01_kadai.ipynb", lay.release_dir / "t01" / "t01_kadai.ipynb")
    good = variant(lay, GOOD_Q1, GOOD_Q2)
    honest = [stored(f"k3000{i}_t01.zip", package(good, f"k3000{i}"), flags=0x800) for i in range(3)]
    bundle = work / f"{name}.zip"
    if name == "single_900mb":
        bundle.write_bytes(raw_zip([*honest, bomb_entry("k39999/t01/t01_kadai.ipynb", 900)]))
        inflated = 900 * MB
    elif name == "nested_1_6gb":
        inner = raw_zip([bomb_entry(f"k3100{i}/t01/t01_kadai.ipynb", 200) for i in range(4)])
        bundle.write_bytes(raw_zip([*honest, stored("bomb1.zip", inner), stored("bomb2.zip", inner)]))
        inflated = 1600 * MB
    elif name == "liars_in_nested":
        liars = raw_zip([bomb_entry(f"k3200{i}/t01/t01_kadai.ipynb", 200, declared=4 * MB) for i in range(50)])
        bundle.write_bytes(raw_zip([*honest, stored("liars.zip", liars)]))
        inflated = 50 * 200 * MB
    else:  # 70 learners × 3 modules' worth of packages (the t01 fixture stands in for each), zipped by a trainer
        entries = {f"提出/k{40000 + i}_t01.zip": package(good, f"k{40000 + i}") for i in range(210)}
        bundle.write_bytes(zip_of(entries))
        inflated = 0  # from the headers
    return bundle, inflated, lay


def _inflated(data: bytes, depth: int = 0) -> int:
    """Bytes a zip inflates to, the zips inside it counted by what they inflate to (from the headers)."""
    import io
    import zipfile

    total = 0
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        for info in zf.infolist():
            if info.filename.endswith(".zip") and depth == 0 and info.file_size < 64 * 1024 * 1024:
                total += _inflated(zf.read(info), 1)
            else:
                total += info.file_size
    return total


def run_one(name: str, work: Path) -> dict:
    """Collect ``work/<name>.zip`` (built by the parent) in this process, measured."""
    from aidojo.course.collect import collect_zip
    from tests.fixtures.course.helpers import layout

    bundle, lay = work / f"{name}.zip", layout(work)
    watched = work / "tmpdir"
    watched.mkdir()
    tempfile.tempdir = str(watched)
    base_rss = _rss()
    tracemalloc.start()
    t0 = time.perf_counter()
    with PeakFolder(watched) as temp_peak:
        report = collect_zip(bundle, layout=lay)
    seconds = time.perf_counter() - t0
    py_peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return {"scenario": name, "bytes_read": report.bytes_read, "temp_peak": temp_peak.peak,
            "rss_growth": max(temp_peak.rss, _rss()) - base_rss, "python_peak": py_peak, "seconds": seconds,
            "accepted": len(report.accepted), "problem_lines": len(report.problems)}


def main() -> None:
    if len(sys.argv) == 4 and sys.argv[1] == "--one":
        print(json.dumps(run_one(sys.argv[2], Path(sys.argv[3]))))
        return
    mb = 1024 * 1024
    print(f"{'scenario':<20}{'zip':>9}{'inflates to':>13}{'read':>10}{'temp peak':>11}{'RSS +':>9}{'py peak':>10}"
          f"{'time':>8}{'accepted':>10}{'lines':>7}")
    for name in SCENARIOS:
        work = Path(tempfile.mkdtemp(prefix="intake-bench-"))
        try:
            bundle, inflated, _ = _build(name, work)  # bombs: what they really inflate to, whatever headers say
            size, inflated = bundle.stat().st_size, max(inflated, _inflated(bundle.read_bytes()))
            out = subprocess.run([sys.executable, __file__, "--one", name, str(work)], capture_output=True, text=True,
                                 check=True)
        finally:
            shutil.rmtree(work, ignore_errors=True)
        r = json.loads(out.stdout.strip().splitlines()[-1])
        print(f"{name:<20}{size / mb:>7.2f}MB{inflated / mb:>11.0f}MB{r['bytes_read'] / mb:>8.2f}MB"
              f"{r['temp_peak'] / mb:>9.1f}MB{r['rss_growth'] / mb:>7.1f}MB{r['python_peak'] / mb:>8.1f}MB"
              f"{r['seconds']:>7.2f}s{r['accepted']:>10}{r['problem_lines']:>7}")


if __name__ == "__main__":
    main()
