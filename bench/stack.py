"""Real processes for the benchmarks, started the way the tests start them (tests/processes.py):
a redis-server with AOF, `knoten api`, `knoten worker`s and an SMTP sink that notes when each
mail arrives. Plus the few HTTP calls that set up a workshop, and resident memory from /proc.

Redis runs with `appendfsync everysec`, as in docker-compose.yml (the tests use `always`).
The sign-up rate limits are raised so that the load generator, one client, is not refused.
"""

from __future__ import annotations

import contextlib
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
from rq import Worker

from tests.integration.conftest import ADMIN_TOKEN, knoten_env
from tests.mail_sink import MailSink
from tests.processes import ApiProcess, RedisProcess, WorkerProcess, descendants

RAISED_LIMITS = {
    "KNOTEN_SIGNUPS_PER_CLIENT_MINUTE": "10000000",
    "KNOTEN_SIGNUPS_PER_SESSION_MINUTE": "10000000",
}
LIMITS_NOTE = (
    "Sign-up rate limits raised for the load generator (KNOTEN_SIGNUPS_PER_CLIENT_MINUTE and "
    "KNOTEN_SIGNUPS_PER_SESSION_MINUTE = 10,000,000; defaults 60 and 600)."
)
REDIS_NOTE = "redis-server with AOF, appendfsync everysec (as docker-compose.yml), on this machine."
ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}


def start_redis(directory: Path) -> RedisProcess:
    """A redis-server as the tests start it, then fsync once a second like production."""
    server = RedisProcess(directory).start()
    server.client().config_set("appendfsync", "everysec")
    return server


class TimedSink(MailSink):
    """An SMTP sink that keeps only when each mail arrived, by recipient (no parsing)."""

    def __init__(self) -> None:
        super().__init__()
        self.arrivals: dict[str, list[float]] = {}
        self._count_lock = threading.Lock()

    async def handle_DATA(self, _server: Any, _session: Any, envelope: Any) -> str:
        arrived = time.monotonic()
        with self._count_lock:
            for recipient in envelope.rcpt_tos:
                self.arrivals.setdefault(recipient, []).append(arrived)
        return "250 OK"

    def first_arrival(self, recipient: str) -> float | None:
        with self._count_lock:
            times = self.arrivals.get(recipient)
            return times[0] if times else None


class BenchStack:
    """Redis, an SMTP sink and the API, each real; workers on demand."""

    def __init__(self, directory: Path, extra_env: dict[str, str] | None = None) -> None:
        self.directory = directory
        self.redis = start_redis(directory / "redis")
        self.sink = TimedSink().start()
        self.env = {**knoten_env(self.redis.url, self.sink.url), **RAISED_LIMITS, **(extra_env or {})}
        self.api = ApiProcess(self.env, directory / "api.log").start()
        self.workers: list[WorkerProcess] = []

    @property
    def url(self) -> str:
        return self.api.url

    def start_workers(self, count: int, timeout: float = 30) -> None:
        """Start `count` more workers and wait until RQ lists them all (modules preloaded)."""
        for _ in range(count):
            log = self.directory / f"worker-{len(self.workers)}.log"
            self.workers.append(WorkerProcess(self.env, log).start())
        deadline = time.monotonic() + timeout
        while Worker.count(connection=self.redis.client()) < len(self.workers):
            if time.monotonic() > deadline:
                raise RuntimeError(f"workers did not register; see {self.directory}")
            time.sleep(0.1)

    def stop_workers(self) -> None:
        for worker in self.workers:
            worker.stop()
        self.workers = []

    def stop(self) -> None:
        self.stop_workers()
        self.api.stop()
        self.sink.stop()
        self.redis.stop()


@contextlib.contextmanager
def bench_stack(extra_env: dict[str, str] | None = None) -> Iterator[BenchStack]:
    with tempfile.TemporaryDirectory(prefix="knoten-bench-") as directory:
        stack = BenchStack(Path(directory), extra_env)
        try:
            yield stack
        finally:
            stack.stop()


# ---------------------------------------------------------------------------- setting up a workshop


async def create_workshop(client: httpx.AsyncClient, **fields: Any) -> dict[str, Any]:
    """A workshop through the API (organiser token); adds `auth`, the facilitator's header."""
    body = {
        "title": "Benchmark Barcamp",
        "starts_at": "2026-05-09T10:00:00+02:00",
        "ends_at": "2026-05-09T18:00:00+02:00",
        **fields,
    }
    response = await client.post("/api/workshops", json=body, headers=ADMIN)
    response.raise_for_status()
    workshop: dict[str, Any] = response.json()
    workshop["auth"] = {"Authorization": f"Bearer {workshop['facilitator_token']}"}
    return workshop


async def open_sessions(client: httpx.AsyncClient, workshop: dict[str, Any], count: int, **fields: Any) -> list[str]:
    """`count` planned and opened sessions; their ids."""
    ids = []
    for i in range(count):
        body = {"title": f"Thementisch {i + 1}", "format": "thementisch", **fields}
        path = f"/api/workshops/{workshop['id']}/sessions"
        response = await client.post(path, json=body, headers=workshop["auth"])
        response.raise_for_status()
        session_id = response.json()["id"]
        opened = await client.post(f"{path}/{session_id}/open", headers=workshop["auth"])
        opened.raise_for_status()
        ids.append(session_id)
    return ids


# ---------------------------------------------------------------------------- memory


def _memory_kib(path: str, field: str) -> int:
    with contextlib.suppress(OSError):
        for line in Path(path).read_text().splitlines():
            if line.startswith(field):
                return int(line.split()[1])
    return 0


def rss_mib(pid: int) -> float:
    """Resident set size (VmRSS) of a process, and of its children, in MiB. Pages that a forked
    child shares with its parent count in both."""
    pids = [pid, *descendants(pid)]
    return sum(_memory_kib(f"/proc/{each}/status", "VmRSS:") for each in pids) / 1024


def pss_mib(pid: int) -> float:
    """Proportional set size of a process and its children, in MiB: each resident page divided
    among the processes that share it, so that a group's sum counts every page once."""
    pids = [pid, *descendants(pid)]
    return sum(_memory_kib(f"/proc/{each}/smaps_rollup", "Pss:") for each in pids) / 1024
