"""A/B of the command path: the API at another commit and at this tree, side by side.

`python -m bench.ab <commit> [rounds]` serves `service` and `workers` of <commit> (git archive
into a temporary directory) and of this tree as two API processes on one Redis, beside the
baseline, and drives sign-ups at each in alternating closed-loop rounds (20 sessions and 1
session each). It prints per system the sign-ups per second and the serving process's CPU time
per request: on a machine shared with other work the CPU per request is the steadier measure,
and only figures from the same run compare.

`python -m bench.ab <commit> [rounds] together` drives the two APIs at the same time instead (each
with its own closed loop of the same size, on the same workshops' counterparts), so that both meet
the same machine in every round: on a shared VM whose speed moves between rounds, the ratio of
their CPU per request within a round is steadier than figures from alternating rounds. It prints
that paired ratio per round and its median (below 1: this tree spends less).
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import httpx

from bench.baseline_app import baseline_process
from bench.command_path import CONCURRENCY, THROUGHPUT_SECONDS, baseline_requests, knoten_requests, process_cpu_seconds
from bench.common import median
from bench.load import MakeRequest, closed_loop
from bench.stack import bench_stack, create_workshop, open_sessions
from tests.processes import free_port


def checkout(commit: str, into: Path) -> None:
    archive = subprocess.run(["git", "archive", commit, "service", "workers"], check=True, capture_output=True)
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive.stdout, check=True)


def start_at(tree: Path, env: dict[str, str], log: Path) -> tuple[subprocess.Popen[bytes], str]:
    """`knoten api` of the code in `tree` (its `service` comes first on the path)."""
    port = free_port()
    with log.open("ab") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "service.cli", "api", "--host", "127.0.0.1", "--port", str(port)],
            env={**os.environ, **env, "PYTHONPATH": str(tree)},
            cwd=tree,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                return process, url
        except httpx.TransportError:
            pass
        if process.poll() is not None:
            break
        time.sleep(0.1)
    raise SystemExit(f"the API at the other commit did not start; see {log}")


Systems = dict[str, tuple[str, Callable[[str], MakeRequest], int]]


async def measure(systems: Systems, rounds: int) -> None:
    names = list(systems)
    rates: dict[str, list[float]] = {name: [] for name in names}
    cpu: dict[str, list[float]] = {name: [] for name in names}
    for name, (url, request, _pid) in systems.items():
        await closed_loop(url, request(f"warm{names.index(name)}"), CONCURRENCY, 1)
    for number in range(rounds):
        for name in names if number % 2 == 0 else names[::-1]:
            url, request, pid = systems[name]
            before = process_cpu_seconds(pid)
            samples = await closed_loop(url, request(f"r{number}s{names.index(name)}"), CONCURRENCY, THROUGHPUT_SECONDS)
            answered = sum(1 for sample in samples if sample.status < 300)
            rates[name].append(answered / THROUGHPUT_SECONDS)
            cpu[name].append((process_cpu_seconds(pid) - before) / max(1, len(samples)) * 1e6)
    base = median(rates["baseline"])
    for name in names:
        print(
            f"{name:20s} {median(rates[name]):7.0f} req/s (ratio {median(rates[name]) / base:.2f}), "
            f"API CPU {median(cpu[name]):4.0f} µs/request; rounds {[round(r) for r in rates[name]]}"
        )


async def measure_together(systems: Systems, commit: str, rounds: int) -> None:
    """Both APIs loaded at once, round by round; the paired ratio of their CPU per request."""
    for count in (20, 1):
        old, new = f"{commit}, {count} sess.", f"this tree, {count} sess."
        ratios: list[float] = []
        cpu: dict[str, list[float]] = {old: [], new: []}
        for number in range(rounds):
            before = {name: process_cpu_seconds(systems[name][2]) for name in (old, new)}
            runs = await asyncio.gather(
                *(
                    closed_loop(
                        systems[name][0], systems[name][1](f"t{count}r{number}{i}"), CONCURRENCY, THROUGHPUT_SECONDS
                    )
                    for i, name in enumerate((old, new))
                )
            )
            for name, samples in zip((old, new), runs, strict=True):
                cpu[name].append((process_cpu_seconds(systems[name][2]) - before[name]) / max(1, len(samples)) * 1e6)
            ratios.append(cpu[new][-1] / cpu[old][-1])
        print(
            f"{count:2d} sess.: API CPU {median(cpu[old]):4.0f} µs ({commit}) → {median(cpu[new]):4.0f} µs (this tree) "
            f"a request; paired ratio per round {[round(r, 3) for r in ratios]}, median {median(ratios):.3f}"
        )


async def systems_of(urls: dict[str, tuple[str, int]], baseline: tuple[str, int]) -> Systems:
    systems: Systems = {}
    for label, (url, pid) in urls.items():
        async with httpx.AsyncClient(base_url=url, timeout=30) as client:
            for count in (20, 1):
                workshop = await create_workshop(client)
                sessions = await open_sessions(client, workshop, count)
                systems[f"{label}, {count} sess."] = (url, knoten_requests(url, workshop["id"], sessions), pid)
    systems["baseline"] = (baseline[0], baseline_requests(baseline[0]), baseline[1])
    return systems


def main() -> None:
    commit, rounds = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 4
    together = sys.argv[3:] == ["together"]
    with tempfile.TemporaryDirectory(prefix="knoten-ab-") as directory, bench_stack() as stack:
        tree = Path(directory)
        checkout(commit, tree)
        other, other_url = start_at(tree, stack.env, stack.directory / "other.log")
        baseline = baseline_process(stack.redis.url, stack.directory / "baseline.log").start()
        try:
            assert stack.api.process is not None and baseline.process is not None
            urls = {commit[:8]: (other_url, other.pid), "this tree": (stack.url, stack.api.process.pid)}
            systems = asyncio.run(systems_of(urls, (baseline.url, baseline.process.pid)))
            if together:
                asyncio.run(measure_together(systems, commit[:8], rounds))
            else:
                asyncio.run(measure(systems, rounds))
        finally:
            other.terminate()
            other.wait(timeout=10)
            baseline.stop()


if __name__ == "__main__":
    main()
