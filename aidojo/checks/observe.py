"""Observe cases: call ``question.observe`` on the learner's values in a forked child, with a time limit per case.

The same function serves the learner's self-check (in the notebook's kernel) and grading (inside the
sandbox), so both see the same observation. The child always uses the offline practice model, keeps the
learner's prints to itself, and sends back only JSON. Hand-written on ``os.fork``: the learner's functions
live in the notebook's memory, and only a fork can call them without the kernel going down with them.
"""

from __future__ import annotations

import io
import json
import os
import select
import signal
import sys
import time
import warnings
from collections.abc import Mapping
from typing import Any

from aidojo.checks.spec import Case, CodeQuestion, Observation

MAX_OBSERVATION_BYTES = 2 * 1024 * 1024
DEFAULT_CASE_TIMEOUT = float(os.environ.get("AIDOJO_CHECK_TIMEOUT") or 6)


def force_offline_model() -> None:
    """Make every ``aidojo.llm`` call in this process use the offline practice model (no key, no network)."""
    os.environ["AIDOJO_PROVIDER"] = "offline"
    for name in ("OPENAI_BASE_URL", "OPENAI_API_KEY", "AZURE_OPENAI_API_KEY", "AZURE_OPENAI_ENDPOINT"):
        os.environ.pop(name, None)


def _run_observer(question: CodeQuestion, values: Mapping[str, Any], case: Case) -> dict:
    try:
        value = question.observe(values, case)
    except NotImplementedError as exc:
        return {"error": "NotImplementedError", "message": str(exc)[:300]}
    except Exception as exc:  # the learner's code failed: the judge turns it into a hint
        return {"error": type(exc).__name__, "message": str(exc)[:300]}
    return {"value": value}


def observe_case(question: CodeQuestion, values: Mapping[str, Any], case: Case, *,
                 timeout: float = DEFAULT_CASE_TIMEOUT, isolate: bool = True) -> Observation:
    """Run ``question.observe(values, case)`` in a forked child and return what it reported."""
    if not isolate or not hasattr(os, "fork"):
        force_offline_model()
        return Observation.from_json(_run_observer(question, values, case))
    return _observe_batch(question, values, [case], timeout).get(case.id, Observation(crashed=True))


class _CaseTimeout(BaseException):
    pass


def _on_alarm(signum, frame):  # pragma: no cover - signal handler in the child
    raise _CaseTimeout()


def _encode(result: dict) -> bytes:
    try:
        data = json.dumps(result, ensure_ascii=False, allow_nan=False).encode("utf-8")
    except (TypeError, ValueError):
        data = json.dumps({"error": "UnserialisableResult", "message": "結果を記録できない形でした"}).encode()
    if len(data) > MAX_OBSERVATION_BYTES:
        data = json.dumps({"error": "ResultTooLarge", "message": "結果が大きすぎます"}).encode()
    return data


def _fresh_figures() -> None:
    """Cases share one process: close matplotlib's figures so a chart never draws onto the previous case's."""
    pyplot = sys.modules.get("matplotlib.pyplot")
    if pyplot is not None:
        try:
            pyplot.close("all")
        except Exception:
            pass


def _batch_child(write_fd: int, question: CodeQuestion, values: Mapping[str, Any], cases: list[Case],
                 limit: float) -> None:  # pragma: no cover - the forked child
    """Observe ``cases`` one after another, each under an alarm, writing one JSON line per case."""
    sys.stdout = sys.stderr = io.StringIO()
    force_offline_model()
    signal.signal(signal.SIGALRM, _on_alarm)
    try:
        for case in cases:
            _fresh_figures()
            try:
                signal.setitimer(signal.ITIMER_REAL, limit)
                result = _run_observer(question, values, case)
            except _CaseTimeout:
                result = {"timeout": True}
            finally:
                signal.setitimer(signal.ITIMER_REAL, 0)
            data = json.dumps({"case": case.id}).encode() + b"\t" + _encode(result) + b"\n"
            view = memoryview(data)
            while view:
                view = view[os.write(write_fd, view):]
            if result.get("timeout"):
                break
    except BaseException:  # SystemExit, a signal handler of the learner's…: the parent sees the rest missing
        pass
    finally:
        os._exit(0)


def _observe_batch(question: CodeQuestion, values: Mapping[str, Any], cases: list[Case], limit: float) -> dict[str, Observation]:
    """Run one forked child over ``cases``; returns what it reported (a case it died on is marked crashed,
    one it hung on timed out; cases after those are left out for the caller to retry)."""
    read_fd, write_fd = os.pipe()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        os.close(read_fd)
        try:
            os.setpgid(0, 0)
        except OSError:
            pass
        _batch_child(write_fd, question, values, cases, limit)
    os.close(write_fd)
    found: dict[str, Observation] = {}
    buffer = b""
    pending = [c.id for c in cases]
    deadline = time.monotonic() + limit + 1.0  # per case: the child's alarm, then ours
    try:
        while pending:
            left = deadline - time.monotonic()
            if left <= 0:
                found[pending[0]] = Observation(timeout=True)
                break
            ready, _, _ = select.select([read_fd], [], [], left)
            if not ready:
                continue
            chunk = os.read(read_fd, 65536)
            if not chunk:
                found[pending[0]] = Observation(crashed=True)  # died while observing this case
                break
            buffer += chunk
            if len(buffer) > MAX_OBSERVATION_BYTES + 4096 and b"\n" not in buffer:
                found[pending[0]] = Observation(crashed=True)
                break
            while b"\n" in buffer:
                line, buffer = buffer.split(b"\n", 1)
                head, _, body = line.partition(b"\t")
                try:
                    case_id = json.loads(head)["case"]
                    obs = Observation.from_json(json.loads(body.decode("utf-8")))
                except (ValueError, KeyError, TypeError, UnicodeDecodeError):
                    continue
                if case_id != pending[0]:
                    continue  # out of order or unknown: only the expected case counts
                found[case_id] = obs
                pending.pop(0)
                deadline = time.monotonic() + limit + 1.0
                if obs.timeout:
                    pending = []
                    break
    finally:
        os.close(read_fd)
        for target in (-pid, pid):
            try:
                os.kill(target, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        try:
            os.waitpid(pid, 0)
        except ChildProcessError:
            pass
    return found


def observe_all(question: CodeQuestion, values: Mapping[str, Any], cases, *, timeout: float = DEFAULT_CASE_TIMEOUT,
                isolate: bool = True):
    """Observe ``cases``, yielding (case id, Observation) in order.

    One forked child observes the cases one after another (a fork per case costs more than most cases); when a
    case crashes the child, a new child takes the remaining cases. After the first case that runs out of time
    the rest are not run (they would only wait as long again): they count as timed out too."""
    cases = list(cases)
    limit = question.timeout or timeout
    if not isolate or not hasattr(os, "fork"):
        for case in cases:
            yield case.id, observe_case(question, values, case, timeout=limit, isolate=False)
        return
    index = 0
    while index < len(cases):
        found = _observe_batch(question, values, cases[index:], limit)
        for case in cases[index:]:
            if case.id not in found:
                break
            yield case.id, found[case.id]
            index += 1
            if found[case.id].timeout:
                for rest in cases[index:]:
                    yield rest.id, Observation(timeout=True)
                return
        else:
            return
        if not found:  # the child reported nothing at all for the next case: count it as crashed and go on
            yield cases[index].id, Observation(crashed=True)
            index += 1


def plain(value: Any, depth: int = 0) -> Any:
    """``value`` as plain JSON data for an observation (tuples → lists, other objects → their type and repr)."""
    if depth > 20:
        return {"__type__": "too_deep"}
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value if value == value and value not in (float("inf"), float("-inf")) else repr(value)
    if isinstance(value, (list, tuple)):
        return [plain(v, depth + 1) for v in list(value)[:10_000]]
    if isinstance(value, dict):
        return {str(k): plain(v, depth + 1) for k, v in list(value.items())[:10_000]}
    try:
        text = repr(value)[:200]
    except Exception:
        text = "?"
    return {"__type__": type(value).__name__, "__repr__": text}


def type_name(value: Any) -> str:
    return type(value).__name__
