"""Internet scale, what this machine can show: sign-ups spread over many workshops on one Redis
and on a three-primary Redis Cluster (KNOTEN_EVENTS_URL, RQ on its own Redis), the Redis CPU a
sign-up costs on each, and live streams of many workshops on the cluster.

Measured in rounds that alternate the two stacks, as in benchmark 1:
- throughput: closed loop, 16 connections, sign-ups round-robin over WORKSHOPS workshops;
- Redis CPU per sign-up: the CPU time every redis-server of the stack used during the round,
  divided by the sign-ups (on the cluster: the three primaries together, and RQ's Redis);
- live streams on the cluster: one stream open on each of STREAMS workshops while sign-ups go
  to those workshops at RATE/s; the time from the POST's reply to the event at the stream.
docs/scaling.md scales these figures up.
"""

from __future__ import annotations

import asyncio
import contextlib
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import msgspec

from bench.common import Result, Row, median, ms, percentile
from bench.load import Sample, closed_loop, json_post, open_loop, sse_events
from bench.stack import RAISED_LIMITS, REDIS_NOTE, TimedSink, create_workshop, open_sessions, start_redis
from tests.cluster import ClusterProcesses
from tests.integration.conftest import knoten_env
from tests.processes import ApiProcess, RedisProcess

WORKSHOPS, STREAMS = 200, 1000
CONCURRENCY, THROUGHPUT_SECONDS, ROUNDS = 16, 4, 2
RATE, STREAM_SECONDS, DRAIN_SECONDS = 50, 8, 10
IDLE_SECONDS = 3
ONE, CLUSTER = "one Redis", "Redis Cluster, 3 primaries"

TITLE = (
    f"6. Internet scale on this machine: sign-ups over {WORKSHOPS} workshops on one Redis and on a three-primary "
    f"cluster; {STREAMS} workshops with a live stream each on the cluster"
)


class Stack:
    """An API on its Redis (or on a cluster with RQ's own Redis), real processes."""

    def __init__(self, directory: Path, cluster: bool) -> None:
        self.rq = start_redis(directory / "rq")
        self.cluster = ClusterProcesses(directory / "cluster").start() if cluster else None
        self.sink = TimedSink().start()
        env = {**knoten_env(self.rq.url, self.sink.url), **RAISED_LIMITS}
        if self.cluster is not None:
            env["KNOTEN_EVENTS_URL"] = self.cluster.url
        self.api = ApiProcess(env, directory / "api.log").start()

    @property
    def servers(self) -> list[RedisProcess]:
        return [self.rq, *(self.cluster.nodes if self.cluster else [])]

    def redis_cpu_seconds(self) -> float:
        total = 0.0
        for server in self.servers:
            cpu: Any = server.client().info("cpu")
            total += float(cpu["used_cpu_user"]) + float(cpu["used_cpu_sys"])
        return total

    def stop(self) -> None:
        self.api.stop()
        self.sink.stop()
        if self.cluster is not None:
            self.cluster.stop()
        self.rq.stop()


@contextlib.contextmanager
def stacks() -> Iterator[dict[str, Stack]]:
    with tempfile.TemporaryDirectory(prefix="knoten-bench-") as directory:
        built: dict[str, Stack] = {}
        try:
            built[ONE] = Stack(Path(directory) / "one", cluster=False)
            built[CLUSTER] = Stack(Path(directory) / "cluster", cluster=True)
            yield built
        finally:
            for stack in built.values():
                stack.stop()


async def workshops(url: str, count: int) -> list[tuple[dict[str, Any], str]]:
    """`count` workshops with one open session each."""
    async with httpx.AsyncClient(base_url=url, timeout=60) as client:

        async def one() -> tuple[dict[str, Any], str]:
            workshop = await create_workshop(client)
            return workshop, (await open_sessions(client, workshop, 1))[0]

        made: list[tuple[dict[str, Any], str]] = []
        for start in range(0, count, 20):
            made += await asyncio.gather(*(one() for _ in range(min(20, count - start))))
        return made


def signups(url: str, spread: list[tuple[dict[str, Any], str]], tag: str) -> Callable[[int], bytes]:
    host = url.removeprefix("http://")

    def make(i: int) -> bytes:
        workshop, session = spread[i % len(spread)]
        body = {"name": f"Person {tag}-{i}", "email": f"p.{tag}.{i}@example.org", "consent": True}
        path = f"/api/workshops/{workshop['id']}/sessions/{session}/signups"
        return json_post(host, path, body, {"Idempotency-Key": f"{tag}-{i}"})

    return make


class SignupId(msgspec.Struct):
    signup_id: str


async def live_streams(stack: Stack, spread: list[tuple[dict[str, Any], str]]) -> tuple[list[float], int, list[int]]:
    """One stream on each workshop; sign-ups at RATE/s over them. Per sign-up, the time from
    its POST's reply to its event at the stream of its workshop; and how many never came."""
    arrived: dict[str, float] = {}
    connected = [asyncio.Event() for _ in spread]

    async def listen(n: int, workshop: dict[str, Any]) -> None:
        path = f"/api/workshops/{workshop['id']}/stream"
        async for event in sse_events(stack.api.url, path, workshop["auth"]):
            connected[n].set()
            if event.type == "signup_recorded":
                arrived[msgspec.json.decode(event.data, type=SignupId).signup_id] = event.arrived

    listeners = [asyncio.create_task(listen(n, workshop)) for n, (workshop, _session) in enumerate(spread)]
    await asyncio.wait_for(asyncio.gather(*(c.wait() for c in connected)), 120)
    clients = connected_clients(stack)
    samples = await open_loop(stack.api.url, signups(stack.api.url, spread, "live"), RATE, STREAM_SECONDS)
    answered = {msgspec.json.decode(s.body, type=SignupId).signup_id: s for s in samples if s.status == 201}
    deadline = time.monotonic() + DRAIN_SECONDS
    while time.monotonic() < deadline and len(arrived.keys() & answered.keys()) < len(answered):  # noqa: ASYNC110
        await asyncio.sleep(0.1)
    for listener in listeners:
        listener.cancel()
    await asyncio.gather(*listeners, return_exceptions=True)
    delays = [arrived[sid] - sample.done for sid, sample in answered.items() if sid in arrived]
    return delays, len(answered) - len(delays), clients


async def measure(built: dict[str, Stack]) -> tuple[list[Row], list[float], int, list[int]]:
    spread = {name: await workshops(stack.api.url, WORKSHOPS) for name, stack in built.items()}
    streamed = spread[CLUSTER] + await workshops(built[CLUSTER].api.url, STREAMS - WORKSHOPS)
    for name, stack in built.items():  # warm up: every workshop folded once in the API
        await open_loop(stack.api.url, signups(stack.api.url, spread[name], "warm"), 200, 2)
    idle = {}  # CPU seconds per second the servers use doing nothing (cron, the cluster bus)
    for name, stack in built.items():
        before = stack.redis_cpu_seconds()
        await asyncio.sleep(IDLE_SECONDS)
        idle[name] = (stack.redis_cpu_seconds() - before) / IDLE_SECONDS
    rates: dict[str, list[float]] = {name: [] for name in built}
    cpu: dict[str, list[float]] = {name: [] for name in built}
    errors: dict[str, int] = dict.fromkeys(built, 0)
    for number in range(ROUNDS):
        for name in list(built) if number % 2 == 0 else list(built)[::-1]:
            stack = built[name]
            before = stack.redis_cpu_seconds()
            samples: list[Sample] = await closed_loop(
                stack.api.url, signups(stack.api.url, spread[name], f"r{number}"), CONCURRENCY, THROUGHPUT_SECONDS
            )
            used = stack.redis_cpu_seconds() - before - idle[name] * THROUGHPUT_SECONDS
            cpu[name].append(used / max(1, len(samples)))
            rates[name].append(len(samples) / THROUGHPUT_SECONDS)
            errors[name] += sum(1 for s in samples if s.status != 201)
    rows: list[Row] = [
        {
            "stack": name,
            "sign-ups/s, one API process (median of rounds)": round(median(rates[name])),
            "Redis CPU µs per sign-up (all servers, less their idle use)": round(median(cpu[name]) * 1e6),
            "idle Redis CPU ms/s": round(idle[name] * 1000, 1),
            "errors": errors[name],
        }
        for name in built
    ]
    delays, missing, clients = await live_streams(built[CLUSTER], streamed)
    return rows, delays, missing, clients


def connected_clients(stack: Stack) -> list[int]:
    """Clients connected to each primary of the cluster."""
    assert stack.cluster is not None
    return [int(node.client().info("clients")["connected_clients"]) for node in stack.cluster.nodes]


def run() -> Result:
    with stacks() as built:
        rows, delays, missing, clients = asyncio.run(measure(built))
    one, cluster = (float(str(row["sign-ups/s, one API process (median of rounds)"])) for row in rows)
    notes = [
        f"Routing over the cluster costs the API {100 * (1 - cluster / one):.0f} % of its sign-ups per second "
        "(the cluster client routes every command by slot; the append runs in a thread on the synchronous "
        "client, and each commit's jobs go to RQ's Redis in a second step).",
        f"Live streams on the cluster: one stream on each of {STREAMS} workshops, {RATE} sign-ups/s over them for "
        f"{STREAM_SECONDS} s: POST reply → event at its stream p50 {ms(percentile(delays, 50))} ms, p99 "
        f"{ms(percentile(delays, 99))} ms, max {ms(max(delays, default=0))} ms; {missing} events missing. Each "
        "stream's workshop has its own feed in the API (a blocking XREAD on the primary of its slot): clients "
        f"connected to the primaries with the streams open: {' / '.join(str(c) for c in clients)}.",
        f"Sign-ups round-robin over {WORKSHOPS} workshops (one open session each), closed loop, {CONCURRENCY} "
        f"connections, {ROUNDS} rounds of {THROUGHPUT_SECONDS} s, alternating the stacks; new e-mail address and "
        "Idempotency-Key each. Everything (load generator, API, every redis-server) shares the 2 cores, so the "
        "Redis CPU figure is what a primary spends, not what it could do on a core of its own.",
        REDIS_NOTE,
    ]
    return Result(rows, notes)
