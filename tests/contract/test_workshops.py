"""The contract of the workshop registry port: the memory twin, Redis and a Redis Cluster run
the same suite. Reconcile and retention walk the deployment only through it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest

from service.domain.events import SessionOpened
from service.store.base import EventStore
from service.store.codec import EventCodec
from service.store.memory import MemoryEventStore
from service.store.redis import RedisEventStore
from service.store.vault import KeyWrapper

AT = datetime(2026, 5, 9, 10, 0, tzinfo=UTC)


@pytest.fixture(params=["memory", "redis", "cluster"])
async def store(request: pytest.FixtureRequest) -> AsyncIterator[EventStore]:
    if request.param == "memory":
        yield MemoryEventStore(EventCodec())
        return
    url = request.getfixturevalue({"redis": "redis_url", "cluster": "cluster_url"}[request.param])
    redis_store = RedisEventStore.from_url(url, EventCodec(), KeyWrapper("k" * 40))
    yield redis_store
    await redis_store.close()


def opened(n: int) -> SessionOpened:
    return SessionOpened(at=AT, session_id=f"s{n}")


async def test_the_registry_lists_every_workshop_with_its_logs_head_and_length(store: EventStore) -> None:
    await store.append("w2", [opened(1)], expected_version=0)
    await store.append("w1", [opened(1), opened(2)], expected_version=0)
    workshops = store.workshops
    assert workshops.ids() == ["w1", "w2"]
    heads = workshops.heads(["w1", "w2", "w3"])
    assert heads["w1"].startswith("2:") and heads["w2"].startswith("1:") and heads["w3"] == ""
    assert (workshops.length("w1"), workshops.length("w3")) == (2, 0)
    await store.append("w1", [opened(3)], expected_version=2)
    assert workshops.heads(["w1"])["w1"] != heads["w1"]


async def test_what_the_passes_note_is_kept_per_workshop(store: EventStore) -> None:
    workshops = store.workshops
    assert workshops.settled() == {} and workshops.retention_notes() == {}
    workshops.settle("w1", "2:abc")
    workshops.note_retention("w1", "1778320800:2")
    workshops.settle("w1", "3:def")
    assert workshops.settled() == {"w1": "3:def"}
    assert workshops.retention_notes() == {"w1": "1778320800:2"}
