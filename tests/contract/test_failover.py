"""A primary of the Redis Cluster is SIGKILLed and its replica takes over.

With `wait_replicas=1` (KNOTEN_WAIT_REPLICAS) the store acknowledges no write before a replica
of its primary has it, so the promoted replica holds every acknowledged append. The writer
acts like the API's clients: it retries with the same Idempotency-Key until it gets an answer.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from service.domain.events import SessionOpened
from service.store import keys
from service.store.base import IdempotencyKeyTaken, IdempotencyRecord
from service.store.codec import EventCodec
from service.store.redis import UNAVAILABLE, RedisEventStore
from service.store.vault import KeyWrapper
from tests.cluster import ClusterProcesses

AT = datetime(2026, 5, 9, 10, 0, tzinfo=UTC)
WORKSHOP = "w1"


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[ClusterProcesses]:
    """Three primaries with a replica each; a primary is declared failed after one second."""
    processes = ClusterProcesses(tmp_path / "cluster", size=3, replicas=1, node_timeout_ms=1000).start()
    yield processes
    processes.stop()


def opened(n: int) -> SessionOpened:
    return SessionOpened(at=AT, session_id=f"s{n}")


async def _until(condition: Callable[[], bool], what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.05)


@pytest.mark.slow
async def test_after_a_failover_every_acknowledged_append_is_there_once(cluster: ClusterProcesses) -> None:
    store = RedisEventStore.from_url(cluster.url, EventCodec(), KeyWrapper("k" * 40), wait_replicas=1)
    acknowledged: list[int] = []
    refused: Counter[str] = Counter()
    stop = asyncio.Event()

    async def writer() -> None:
        n = 0
        while not stop.is_set():
            record = IdempotencyRecord("fp", 201, str(n).encode())
            try:
                await store.append(WORKSHOP, [opened(n)], expected_version=n, idempotency=(f"k{n}", record))
            except IdempotencyKeyTaken:
                pass  # an earlier attempt landed: acknowledged now that a replica has it
            except UNAVAILABLE as error:  # what the API answers 503 to
                refused[type(error).__name__] += 1
                await asyncio.sleep(0.1)
                continue
            acknowledged.append(n)
            n += 1

    task = asyncio.create_task(writer())
    try:
        await _until(lambda: len(acknowledged) >= 30, "30 appends")
        victim = cluster.primary_of(keys.log_key(WORKSHOP))
        victim.kill()
        before_kill = len(acknowledged)
        await _until(lambda: cluster.primary_of(keys.log_key(WORKSHOP)) is not victim, "the replica to take over")
        # The new primary has no replica now, so its writes are refused until the old one is back as one.
        victim.start()
        await _until(lambda: len(acknowledged) >= before_kill + 30, "30 appends after the failover")
    finally:
        stop.set()
        await asyncio.wait_for(task, 30)
        await store.close()

    fresh = RedisEventStore.from_url(cluster.url, EventCodec(), KeyWrapper("k" * 40))
    events = [recorded.event for recorded in await fresh.read(WORKSHOP)]
    await fresh.close()
    assert events == [opened(n) for n in range(len(events))], "each append once, in order"
    # every acknowledged append is there; at most the one under way when the writer stopped is extra
    assert len(acknowledged) <= len(events) <= len(acknowledged) + 1
    assert refused, "the failover was noticed (503s), not skipped"
    print(f"\n{len(acknowledged)} appends acknowledged, all on the new primary; refused meanwhile: {dict(refused)}")
