"""Memory: resident size of redis-server, the API and a worker, idle and after the large
workshop of benchmark 3.

Idle: a fresh stack (Redis with AOF, `knoten api`, one `knoten worker` with its job modules
preloaded) that has served nothing but its health check. After: the large workshop of
benchmark 3 is written into that Redis; the API has served its report as JSON, HTML and PDF
(so it holds the folded state), and the worker has sent a confirmation for one more sign-up
there (so it holds the folded state too). Each process is counted with its children: the
worker has one, RQ's scheduler, forked from it after the job modules were loaded.

Two measures from /proc: VmRSS (resident set; pages a forked child shares with its parent count
in both) and Pss (proportional set; each shared page divided among its sharers, so the sum over
the three counts every page once: what the three occupy together).
"""

from __future__ import annotations

import asyncio
import time

import httpx

from bench import large_workshop
from bench.common import Result, Row, met
from bench.stack import ADMIN, REDIS_NOTE, BenchStack, bench_stack, pss_mib, rss_mib

TARGET_MB = 250
MB_PER_MIB = 2**20 / 10**6
SETTLE_SECONDS = 2

TITLE = f"6. Memory: resident size of Redis, the API and a worker (target: < {TARGET_MB} MB together, idle)"


def _pids(stack: BenchStack) -> dict[str, int]:
    assert stack.redis.process and stack.api.process and stack.workers[0].process
    return {
        "redis-server": stack.redis.process.pid,
        "knoten api": stack.api.process.pid,
        "knoten worker (+ its RQ scheduler)": stack.workers[0].process.pid,
    }


def resident(stack: BenchStack) -> dict[str, tuple[float, float]]:
    """Per process: (RSS, PSS) in MB (10^6 bytes)."""
    return {name: (rss_mib(pid) * MB_PER_MIB, pss_mib(pid) * MB_PER_MIB) for name, pid in _pids(stack).items()}


async def use_large_workshop(stack: BenchStack) -> None:
    """The report in every format through the API, and one more mail through the worker."""
    await large_workshop.build(stack.redis.url)
    path = f"/api/workshops/{large_workshop.WORKSHOP_ID}"
    async with httpx.AsyncClient(base_url=stack.url, timeout=300) as client:
        for suffix in ("", ".html", ".pdf"):
            (await client.get(f"{path}/report{suffix}", headers=ADMIN)).raise_for_status()
        session = large_workshop.Builder.last_open_session()
        body = {"name": "Nachzüglerin", "email": "late@example.org", "consent": True}
        (await client.post(f"{path}/sessions/{session}/signups", json=body)).raise_for_status()
    deadline = time.monotonic() + 120
    while stack.sink.first_arrival("late@example.org") is None:
        if time.monotonic() > deadline:
            raise RuntimeError(f"the worker sent no confirmation in 120 s; see {stack.directory}")
        await asyncio.sleep(0.2)


def _row(name: str, idle: tuple[float, float], after: tuple[float, float]) -> Row:
    return {
        "process": name,
        "idle RSS MB": round(idle[0], 1),
        "idle PSS MB": round(idle[1], 1),
        "after RSS MB": round(after[0], 1),
        "after PSS MB": round(after[1], 1),
    }


def _sum(measured: dict[str, tuple[float, float]]) -> tuple[float, float]:
    return sum(rss for rss, _ in measured.values()), sum(pss for _, pss in measured.values())


def run() -> Result:
    with bench_stack() as stack:
        stack.start_workers(1)
        time.sleep(SETTLE_SECONDS)
        idle = resident(stack)
        redis_idle = int(stack.redis.client().info("memory")["used_memory"]) / 10**6
        asyncio.run(use_large_workshop(stack))
        time.sleep(SETTLE_SECONDS)
        after = resident(stack)
        redis_after = int(stack.redis.client().info("memory")["used_memory"]) / 10**6
    rows = [_row(name, idle[name], after[name]) for name in idle]
    rows.append(_row("**together**", _sum(idle), _sum(after)))
    idle_rss, idle_pss = _sum(idle)
    notes = [
        f"Idle together: {idle_pss:.0f} MB proportional (PSS; target < {TARGET_MB} MB): {met(idle_pss < TARGET_MB)}. "
        f"Adding up each process's RSS gives {idle_rss:.0f} MB "
        f"({met(idle_rss < TARGET_MB).strip('*')} on that count), because the worker's scheduler, forked after "
        "the job modules were loaded, shares most of its pages with the worker and RSS counts them twice.",
        "After: the API and the worker each hold the large workshop's folded state; the API has also loaded the "
        "PDF and chart libraries, which it now imports on the first PDF or chart instead of at start "
        "(service/api/digests.py, service/reports/render.py: 60 MB less when idle).",
        f"Redis's own count of its data (INFO used_memory): {redis_idle:.1f} MB idle, {redis_after:.1f} MB with the "
        "large workshop; the AOF is on disk.",
        "MB = 10^6 bytes, from /proc/<pid>/status (VmRSS) and /proc/<pid>/smaps_rollup (Pss), children included.",
        REDIS_NOTE,
    ]
    return Result(rows, notes)
