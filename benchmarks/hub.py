"""The workshop server on this machine: how long a learner waits for their JupyterLab, and memory per learner.

Starts a real hub (configurable-http-proxy, the AI gateway, the idle culler) on 127.0.0.1 with a synthetic
roster, then starts learner servers through the REST API: the first few one after another (one learner logging
in), the rest all at once (the class at 9:00). Each learner then opens one notebook kernel, as in class. Prints,
per learner, time to ready and memory (RSS and PSS from /proc/<pid>/smaps_rollup, server and kernel), the hub's
own processes, and a sizing for a class of 70. No timed assertions: the figures go to docs/trainer/hub.md.

Usage: python benchmarks/hub.py [--users N] [--sequential 3]   (N default: as many as fit, at most 20)
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

MIB = 1024 * 1024


def memory(pid: int) -> tuple[float, float]:
    """(RSS, PSS) of ``pid`` in MiB."""
    values = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]:
        key, _, rest = line.partition(":")
        values[key] = int(rest.split()[0]) * 1024
    return values.get("Rss", 0) / MIB, values.get("Pss", 0) / MIB


def tree(pid: int) -> list[int]:
    """``pid`` and its descendants."""
    children = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int(Path(f"/proc/{entry.name}/stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(children.get(p, []))
    return out


def fits() -> int:
    """Learners this machine can hold with 2 GiB to spare, at a cautious 350 MiB each (server + kernel)."""
    avail = next(int(line.split()[1]) * 1024 for line in Path("/proc/meminfo").read_text().splitlines()
                 if line.startswith("MemAvailable"))
    return max(1, (avail - 2 * 1024 * MIB) // (350 * MIB))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=0)
    parser.add_argument("--sequential", type=int, default=3)
    args = parser.parse_args()
    users = args.users or min(20, fits())

    import httpx

    from aidojo.hub.jhconfig import free_port
    from aidojo.hub.run import HubProcess
    from aidojo.hub.settings import HubSettings
    from aidojo.records import import_roster
    from tests.hubtest import clean_env, user_processes

    with tempfile.TemporaryDirectory(prefix="aidojo-hub-bench-") as tmp:
        root = Path(tmp)
        names = [f"k{i:05d}" for i in range(1, users + 1)]
        rows = ["職員番号,氏名,所属局,所属部,所属課,役職区分", "t0001,研修 太郎,総務局,デジタル戦略部,DX・AI推進課,一般"]
        rows += [f"{n},職員 {i},市民局,市民生活部,市民課,一般" for i, n in enumerate(names, 1)]
        (root / "roster.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
        import_roster(root / "roster.csv", store_file=root / "course" / "records.db",
                      db_url=f"sqlite:///{root / 'course' / 'gradebook.db'}")
        settings = HubSettings(port=free_port(), hub_dir=root / "hub", course_dir=root / "course", trainers=["t0001"],
                               start_timeout=300)
        print(f"machine: {os.cpu_count()} cores, {fits()} learners fit by memory; measuring {users} learners")
        t0 = time.monotonic()
        with HubProcess(settings, env=clean_env()) as hub:
            print(f"hub up in {time.monotonic() - t0:.1f} s")
            ready: dict[str, float] = {}
            for name in names[: args.sequential]:
                ready[name] = hub.start_server(name, timeout=300)
            rest = names[args.sequential:]
            t1 = time.monotonic()
            with ThreadPoolExecutor(max_workers=len(rest) or 1) as pool:
                for name, seconds in zip(rest, pool.map(lambda n: hub.start_server(n, timeout=600), rest)):
                    ready[name] = seconds
            burst = time.monotonic() - t1
            server_mem = {n: [memory(p) for p in user_processes(n)] for n in names}
            for name in names:  # one notebook kernel each, as in class
                token = hub.user_token(name)
                r = httpx.post(f"{settings.url}/user/{name}/api/kernels", headers={"Authorization": f"token {token}"},
                               json={"name": "python3"}, timeout=120)
                r.raise_for_status()
            time.sleep(5)
            full_mem = {n: [memory(p) for p in user_processes(n)] for n in names}
            hub_mem = [memory(p) for p in tree(hub.proc.pid)]  # the hub, its proxy and services, and every user
            print("\nlearner   ready_s  server_RSS  server_PSS  +kernel_RSS  +kernel_PSS  (MiB)")
            for name in names:
                s_rss, s_pss = (sum(x) for x in zip(*server_mem[name]))
                f_rss, f_pss = (sum(x) for x in zip(*full_mem[name]))
                print(f"{name}  {ready[name]:7.1f}  {s_rss:10.0f}  {s_pss:10.0f}  {f_rss:11.0f}  {f_pss:11.0f}")
            seq = [ready[n] for n in names[: args.sequential]]
            conc = [ready[n] for n in rest]
            pss = [sum(x[1] for x in full_mem[n]) for n in names]
            rss = [sum(x[0] for x in full_mem[n]) for n in names]
            print(f"\none learner alone: ready in {statistics.median(seq):.1f} s (median of {len(seq)})")
            if conc:
                print(f"{len(conc)} learners at once: all ready in {burst:.1f} s; median {statistics.median(conc):.1f} s, "
                      f"slowest {max(conc):.1f} s")
            per_user = statistics.mean(pss)
            print(f"memory per learner (server + 1 kernel): PSS {per_user:.0f} MiB (RSS {statistics.mean(rss):.0f} MiB)")
            hub_pss = sum(x[1] for x in hub_mem) - sum(pss)
            print(f"hub + proxy + gateway + culler: PSS about {max(hub_pss, 0):.0f} MiB")
            need = 70 * per_user + max(hub_pss, 0)
            print(f"\nsizing for 70 learners: {need / 1024:.1f} GiB as measured (server + one idle kernel each); "
                  f"worst case with every learner at the 1 GiB limit: {70 + max(hub_pss, 0) / 1024:.0f} GiB")
            if conc:
                rate = len(conc) / burst
                print(f"start rate at once: {rate:.2f} servers/s on {os.cpu_count()} cores -> 70 learners at 9:00 "
                      f"wait up to about {70 / rate:.0f} s on this machine")


if __name__ == "__main__":
    main()
