"""The contract of the network projection port: the memory twin, Redis and a Redis Cluster run
the same suite; on a cluster a network's records live under its own hash tag."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from service.store import keys
from service.store.connections import async_client, async_cluster_client, sync_client, sync_cluster_client
from service.store.projections import MemoryProjections, Projections, RedisProjections
from service.store.vault import KeyWrapper


@pytest.fixture(params=["memory", "redis", "cluster"])
async def projections(request: pytest.FixtureRequest) -> AsyncIterator[Projections]:
    if request.param == "memory":
        yield MemoryProjections()
        return
    if request.param == "redis":
        url = request.getfixturevalue("redis_url")
        sync, asynchronous = sync_client(url), async_client(url)
    else:
        url = request.getfixturevalue("cluster_url")
        sync, asynchronous = sync_cluster_client(url), async_cluster_client(url)  # type: ignore[assignment]
    yield RedisProjections(sync, asynchronous, KeyWrapper("a secret key of the tests, long enough"))
    sync.close()
    await asynchronous.aclose()


async def test_a_meeting_record_is_kept_replaced_and_dropped(projections: Projections) -> None:
    assert projections.records("net-a") == {} == await projections.records_async("net-a")
    assert projections.put("net-a", "w1", b"one", 3)
    assert projections.put("net-a", "w1", b"one again", 5)
    assert not projections.put("net-a", "w1", b"one, late", 4)  # a job that read the log earlier
    projections.put("net-a", "w2", b"two", 1)
    assert (
        projections.records("net-a") == {"w1": b"one again", "w2": b"two"} == await projections.records_async("net-a")
    )
    assert projections.record("net-a", "w1") == b"one again" and projections.record("net-a", "w9") is None
    projections.drop("net-a", "w1")
    assert projections.records("net-a") == {"w2": b"two"} and projections.record("net-a", "w1") is None
    assert projections.records("net-b") == {}


def test_a_workshop_remembers_its_network(projections: Projections) -> None:
    assert projections.home("w9") is None
    projections.set_home("w9", "net-h")
    assert projections.home("w9") == "net-h"
    projections.set_home("w9", None)
    assert projections.home("w9") is None


def test_the_network_projection_shares_the_network_logs_hash_tag() -> None:
    assert keys.network_meetings_key("net-x").split(":")[1] == keys.log_key("net-x").split(":")[1] == "{net-x}"
    assert keys.workshop_network_key("w1").split(":")[1] == keys.log_key("w1").split(":")[1]


def test_records_are_sealed_in_redis(redis_url: str) -> None:
    client = sync_client(redis_url)
    stored = RedisProjections(client, async_client(redis_url), KeyWrapper("a secret key of the tests, long enough"))
    stored.put("net-s", "w1", b"Person 4 hash-of-4 Sportverein", 1)
    stored.put("net-t", "w2", b"Person 5 hash-of-5", 1)
    raw = [*client.hvals(keys.network_meetings_key("net-s")), *client.hvals(keys.network_meetings_key("net-t"))]
    assert len(raw) == 2 and not any(b"Person" in value or b"hash-of" in value for value in raw)
    assert stored.records("net-s") == {"w1": b"Person 4 hash-of-4 Sportverein"}
    client.close()
