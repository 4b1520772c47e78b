"""Where the runs happen: warm sandboxes on this machine (one per worker), or on the workers of a Dask cluster.

A :class:`RunJob` carries everything a run needs as data — the cells, the module's released files and the case
inputs — so a Dask worker needs the ``aidojo`` package but no checkout of the course. Expectations and the judge
never travel: the results come back to the grader, which judges them.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass

from aidojo.course.sandbox import Backend, Limits, RunResult, SandboxPool, SandboxWorker


@dataclass
class RunJob:
    cells: list[dict]
    files: dict[str, bytes]
    cases: dict[int, list[dict]]


class LocalRunner:
    """``workers`` threads, each driving one warm sandbox."""

    def __init__(self, workers: int, backend: Backend, limits: Limits, preload: list[str]):
        self.pool = SandboxPool(workers, backend, limits, preload)
        self.pool.start()
        self.executor = ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="aidojo-grade")
        self.slots = max(1, workers)

    def submit(self, job: RunJob) -> Future:
        return self.executor.submit(self.pool.run, [dict(c) for c in job.cells], job.files, job.cases)

    def as_completed_keys(self, futures: dict) -> Iterator:
        """Keys of ``futures`` (key → (…, …, {name: (merged, future)})) as all their runs finish."""
        waiting = {key: [f for _, f in jobs.values()] for key, (_, _, jobs) in futures.items()}
        while waiting:
            all_futures = [f for fs in waiting.values() for f in fs if not f.done()]
            if all_futures:
                wait(all_futures, return_when=FIRST_COMPLETED)
            for key in [k for k, fs in waiting.items() if all(f.done() for f in fs)]:
                del waiting[key]
                yield key

    @property
    def process_limit(self) -> str:
        return self.pool.process_limit

    def close(self) -> None:
        self.executor.shutdown(wait=False, cancel_futures=True)
        self.pool.close()
        self.executor.shutdown(wait=True)


_WORKER_SANDBOXES: dict[tuple, SandboxWorker] = {}
_WORKER_LOCK = threading.Lock()


def run_on_worker(job: RunJob, backend: str, limits: Limits, preload: list[str]) -> RunResult:
    """A Dask task: run ``job`` in this worker process's warm sandbox (started on first use)."""
    key = (backend, limits, tuple(preload))
    with _WORKER_LOCK:
        sandbox = _WORKER_SANDBOXES.get(key)
        if sandbox is None:
            sandbox = _WORKER_SANDBOXES[key] = SandboxWorker(Backend(backend), limits, preload)
            sandbox.start()
        return sandbox.run([dict(c) for c in job.cells], job.files, job.cases)


class DaskRunner:
    """Runs on a Dask cluster: each submission and the module's material travel with the task."""

    def __init__(self, address: str, backend: Backend, limits: Limits, preload: list[str]):
        from distributed import Client

        self.client = Client(address, timeout="30s")
        self.backend, self.limits, self.preload = backend, limits, preload
        self.slots = max(1, sum(self.client.nthreads().values()))
        self.process_limit = "worker"

    def submit(self, job: RunJob):
        return self.client.submit(run_on_worker, job, self.backend.value, self.limits, self.preload, pure=False)

    def as_completed_keys(self, futures: dict) -> Iterator:
        from distributed import wait as dwait

        waiting = {key: [f for _, f in jobs.values()] for key, (_, _, jobs) in futures.items()}
        while waiting:
            pending = [f for fs in waiting.values() for f in fs if not f.done()]
            if pending:
                dwait(pending, return_when="FIRST_COMPLETED")
            for key in [k for k, fs in waiting.items() if all(f.done() for f in fs)]:
                del waiting[key]
                yield key

    def close(self) -> None:
        self.client.close()


def make_runner(workers: int, backend: Backend, limits: Limits, preload: list[str], dask_scheduler: str | None):
    if dask_scheduler:
        return DaskRunner(dask_scheduler, backend, limits, preload)
    return LocalRunner(workers, backend, limits, preload)
