"""The contract every event store honours: the in-memory twin, Redis and a Redis Cluster run
the same suite."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import msgspec
import pytest
from redis.cluster import RedisCluster

from service.application.runner import Idempotency, Reply, WorkshopService, fingerprint
from service.clock import SystemClock
from service.domain.events import Person, PersonErased, SessionOpened, SignupRecorded
from service.ratelimit import Limit, MemoryRateLimiter, RateLimiter, RedisRateLimiter
from service.store import keys
from service.store.base import (
    ERASED_REPLY,
    Counter,
    EventStore,
    Guard,
    IdempotencyKeyTaken,
    IdempotencyRecord,
    LogRewound,
    Refused,
    SyncEventLog,
    VersionConflict,
)
from service.store.codec import EventCodec
from service.store.job_spec import JobSpec
from service.store.jobs import enqueue_onto, queue
from service.store.memory import MemoryEventStore
from service.store.redis import RedisEventStore
from service.store.vault import KeyWrapper
from tests.unit.test_rules import created, planned

AT = datetime(2026, 5, 9, 10, 0, tzinfo=UTC)


URL_FIXTURES = {"redis": "redis_url", "cluster": "cluster_url"}


@pytest.fixture(params=["memory", "redis", "cluster"])
async def store(request: pytest.FixtureRequest) -> AsyncIterator[EventStore]:
    codec = EventCodec()
    if request.param == "memory":
        yield MemoryEventStore(codec)
        return
    url = request.getfixturevalue(URL_FIXTURES[request.param])
    redis_store = RedisEventStore.from_url(url, codec, KeyWrapper("k" * 40))
    yield redis_store
    await redis_store.close()


def opened(n: int) -> SessionOpened:
    return SessionOpened(at=AT, session_id=f"s{n}")


async def test_appends_get_consecutive_positions_from_one(store: EventStore) -> None:
    first = await store.append("w1", [opened(1), opened(2)], expected_version=0)
    second = await store.append("w1", [opened(3)], expected_version=2)
    assert [r.position for r in first + second] == [1, 2, 3]
    assert [(r.position, r.event) for r in await store.read("w1")] == [(1, opened(1)), (2, opened(2)), (3, opened(3))]


async def test_read_after_a_position_returns_only_later_events(store: EventStore) -> None:
    await store.append("w1", [opened(n) for n in range(1, 6)], expected_version=0)
    assert [r.position for r in await store.read("w1", after=3)] == [4, 5]
    assert await store.read("w1", after=5) == []
    assert await store.read("unknown") == []


async def test_a_stale_expected_version_is_refused_and_writes_nothing(store: EventStore) -> None:
    await store.append("w1", [opened(1)], expected_version=0)
    with pytest.raises(VersionConflict):
        await store.append("w1", [opened(2)], expected_version=0)
    assert [r.event for r in await store.read("w1")] == [opened(1)]


async def test_a_used_idempotency_key_returns_the_first_record_and_writes_nothing(store: EventStore) -> None:
    record = IdempotencyRecord("fp", 201, b'{"id":"x"}')
    await store.append("w1", [opened(1)], expected_version=0, idempotency=("k1", record))
    with pytest.raises(IdempotencyKeyTaken) as taken:
        await store.append("w1", [opened(2)], expected_version=1, idempotency=("k1", IdempotencyRecord("o", 201, b"")))
    assert taken.value.record == record
    assert await store.recall("w1", "k1") == record
    assert len(await store.read("w1")) == 1


async def test_idempotency_keys_belong_to_one_workshop(store: EventStore) -> None:
    await store.append("w1", [opened(1)], expected_version=0, idempotency=("k", IdempotencyRecord("a", 201, b"")))
    assert await store.recall("w2", "k") is None


async def test_of_many_concurrent_appends_at_one_version_exactly_one_wins(store: EventStore) -> None:
    results = await asyncio.gather(
        *(store.append("w1", [opened(n)], expected_version=0) for n in range(20)), return_exceptions=True
    )
    assert sum(1 for r in results if isinstance(r, list)) == 1
    assert all(isinstance(r, VersionConflict) for r in results if not isinstance(r, list))
    assert len(await store.read("w1")) == 1


async def test_remember_keeps_the_first_record(store: EventStore) -> None:
    first = IdempotencyRecord("a", 200, b"1")
    assert await store.remember("w1", "k", first) == first
    assert await store.remember("w1", "k", IdempotencyRecord("b", 200, b"2")) == first


async def test_a_record_about_a_person_opens_until_they_are_erased(store: EventStore) -> None:
    record = IdempotencyRecord("fp", 201, b'{"name":"Anna Beispiel"}', ("p",))
    await store.append("w1", [anna("a")], expected_version=0, idempotency=("k1", record))
    assert await store.recall("w1", "k1") == record
    kept = await store.remember("w1", "k2", IdempotencyRecord("fp2", 200, b'{"name":"Anna"}', ("p",)))
    assert kept.body == b'{"name":"Anna"}'

    await store.append("w1", [PersonErased(at=AT, subject="p")], expected_version=1)

    erased = IdempotencyRecord("", 201, ERASED_REPLY, erased=True)
    assert await store.recall("w1", "k1") == erased
    assert await store.recall("w1", "k2") == IdempotencyRecord("", 200, ERASED_REPLY, erased=True)
    with pytest.raises(IdempotencyKeyTaken) as taken:
        await store.append("w1", [opened(1)], expected_version=2, idempotency=("k1", IdempotencyRecord("o", 201, b"")))
    assert taken.value.record == erased
    assert len(await store.read("w1")) == 2


async def test_a_record_about_people_without_keys_is_kept_whole(store: EventStore) -> None:
    """A subject the log never named (or named and erased before) holds nothing the reply could show."""
    record = IdempotencyRecord("fp", 200, b"{}", ("nobody",))
    await store.append("w1", [opened(1)], expected_version=0, idempotency=("k", record))
    assert await store.recall("w1", "k") == IdempotencyRecord("fp", 200, b"{}")


async def test_tail_gives_the_past_then_each_new_event_once(store: EventStore) -> None:
    await store.append("w1", [opened(1), opened(2)], expected_version=0)
    seen: list[int] = []

    past_seen = asyncio.Event()

    async def follow() -> None:
        async for recorded in store.tail("w1", after=1):
            seen.append(recorded.position)
            past_seen.set()
            if recorded.position == 4:
                return

    follower = asyncio.create_task(follow())
    await asyncio.wait_for(past_seen.wait(), 5)  # the tail is past the log: what comes now comes live
    await store.append("w1", [opened(3)], expected_version=2)
    await store.append("w1", [opened(4)], expected_version=3)
    await asyncio.wait_for(follower, 5)
    assert seen == [2, 3, 4]


async def test_personal_fields_survive_the_round_trip(store: EventStore) -> None:
    signup = SignupRecorded(
        at=AT,
        signup_id="a",
        session_id="s",
        participant_id="p",
        person=Person("p", "Anna Beispiel", "anna@example.org", "AWO"),
        newcomer=True,
        status="confirmed",
    )
    await store.append("w1", [signup], expected_version=0)
    (recorded,) = await store.read("w1")
    assert isinstance(recorded.event, SignupRecorded)
    assert recorded.event.person == Person("p", "Anna Beispiel", "anna@example.org", "AWO")


async def test_signed_up_emails_are_seen_across_workshops(store: EventStore) -> None:
    assert not await store.seen_before("h1")
    signup = msgspec.structs.replace(anna("a"), email_hash="h1")
    await store.append("w1", [signup, opened(1)], expected_version=0)
    assert await store.seen_before("h1")
    assert not await store.seen_before("h2")


async def test_a_planned_sessions_short_code_finds_it_from_any_workshop_first_come(store: EventStore) -> None:
    assert await store.short_link("ABC234") is None
    first = msgspec.structs.replace(planned("t"), short_code="ABC234")
    await store.append("w1", [first], expected_version=0)
    await store.append("w2", [msgspec.structs.replace(first, session_id="u")], expected_version=0)
    await store.append("w3", [planned("v")], expected_version=0)
    assert await store.short_link("ABC234") == ("w1", "t")
    assert await store.short_link("XYZ234") is None


async def test_indexes_written_again_for_old_data_keep_what_is_there(store: EventStore) -> None:
    assert isinstance(store, SyncEventLog) and not store.indexes_backfilled()
    await store.append("w1", [msgspec.structs.replace(planned("t"), short_code="ABC234")], expected_version=0)
    store.index_sync("w2", {"ABC234": "w2/u", "DEF234": "w2/v"}, ["h1"])
    store.index_sync("w2", {"DEF234": "w2/v"}, ["h1"])  # again: nothing changes
    assert await store.short_link("ABC234") == ("w1", "t")  # a code taken stays
    assert await store.short_link("DEF234") == ("w2", "v")
    assert await store.workshops_of("h1") == ["w2"]
    store.note_indexes_backfilled()
    assert store.indexes_backfilled()


async def test_an_erasure_makes_the_persons_email_unseen(store: EventStore) -> None:
    signup = msgspec.structs.replace(anna("a"), person=anna("a").person.with_email_hash("h1"))
    await store.append("w1", [signup], expected_version=0)
    assert await store.seen_before("h1")
    await store.append("w1", [PersonErased(at=AT, subject="p")], expected_version=1, forget_emails=["h1"])
    assert not await store.seen_before("h1")
    (first, _) = await store.read("w1")
    assert isinstance(first.event, SignupRecorded) and first.event.person.email_hash is None


async def test_an_email_finds_the_workshops_it_signed_up_in_until_it_is_erased_there(store: EventStore) -> None:
    signup = msgspec.structs.replace(anna("a"), person=anna("a").person.with_email_hash("h1"))
    await store.append("w1", [signup], expected_version=0)
    await store.append("w2", [signup], expected_version=0)
    assert await store.workshops_of("h1") == ["w1", "w2"]
    assert await store.workshops_of("h2") == []
    await store.append("w1", [PersonErased(at=AT, subject="p")], expected_version=1, forget_emails=["h1"])
    assert await store.workshops_of("h1") == ["w2"]


@pytest.mark.parametrize("kind", ["redis", "cluster"])
async def test_forgetting_history_rewrites_the_append_only_file_of_the_seen_set_once(
    kind: str, request: pytest.FixtureRequest
) -> None:
    store = RedisEventStore.from_url(request.getfixturevalue(URL_FIXTURES[kind]), EventCodec(), KeyWrapper("k" * 40))
    try:
        signup = msgspec.structs.replace(anna("a"), person=anna("a").person.with_email_hash("h1"))
        await store.append("w1", [signup], expected_version=0)
        await store.append("w1", [PersonErased(at=AT, subject="p")], expected_version=1, forget_emails=["h1"])
        node = store.sync_client
        if isinstance(node, RedisCluster):
            node = node.get_redis_connection(node.get_node_from_key(keys.seen_emails_key()))
        rewrites = int(node.info("persistence")["aof_rewrites"])
        assert node.exists(keys.forgotten_key())

        store.forget_history()

        assert not node.exists(keys.forgotten_key())  # a rewrite is under way: later erasures need no other
        persistence = node.info("persistence")
        started = persistence["aof_rewrite_in_progress"] or persistence["aof_rewrite_scheduled"]
        assert started or int(persistence["aof_rewrites"]) > rewrites
    finally:
        await store.close()


async def test_an_erased_person_reads_back_without_personal_fields(store: EventStore) -> None:
    person = Person("p", "Anna Beispiel", "anna@example.org", "AWO")
    signup = SignupRecorded(
        at=AT, signup_id="a", session_id="s", participant_id="p", person=person, newcomer=True, status="confirmed"
    )
    await store.append("w1", [signup], expected_version=0)
    await store.append("w1", [PersonErased(at=AT, subject="p")], expected_version=1)
    (first, _) = await store.read("w1")
    assert isinstance(first.event, SignupRecorded)
    assert first.event.person == Person("p", None)


@pytest.mark.parametrize("kind", ["redis", "cluster"])
async def test_personal_fields_are_sealed_in_redis(kind: str, request: pytest.FixtureRequest) -> None:
    redis_url = request.getfixturevalue(URL_FIXTURES[kind])
    store = RedisEventStore.from_url(redis_url, EventCodec(), KeyWrapper("k" * 40))
    try:
        signup = SignupRecorded(
            at=AT,
            signup_id="a",
            session_id="s",
            participant_id="p",
            person=Person("p", "Anna Beispiel", "anna@example.org", "AWO Region Hannover", "f00dcafe"),
            newcomer=True,
            status="confirmed",
        )
        await store.append("w1", [signup], expected_version=0)
        # a cluster client's KEYS asks one node only: on a cluster, ask every node itself
        clients = request.getfixturevalue("redis_cluster").clients() if kind == "cluster" else [store.sync_client]
        found = [(client, key) for client in clients for key in client.keys("*")]
        assert b"knoten:{w1}:log" in {key for _, key in found}
        dump = b"".join(client.dump(key) or b"" for client, key in found)
        assert b"Anna Beispiel" not in dump and b"anna@example.org" not in dump and b"AWO Region" not in dump
        entries = await store.async_client.xrange("knoten:{w1}:log")
        assert b"f00dcafe" not in b"".join(v for _, fields in entries for v in fields.values())  # sealed too
        fresh = RedisEventStore.from_url(redis_url, EventCodec(), KeyWrapper("k" * 40))
        assert (await fresh.read("w1"))[0].event.person == signup.person  # type: ignore[attr-defined]
        await fresh.close()
    finally:
        await store.close()


def anna(signup_id: str) -> SignupRecorded:
    person = Person("p", "Anna Beispiel", "anna@example.org", "AWO")
    return SignupRecorded(
        at=AT, signup_id=signup_id, session_id="s", participant_id="p", person=person, newcomer=True, status="confirmed"
    )


@pytest.mark.parametrize("kind", ["redis", "cluster"])
async def test_an_append_sent_again_after_its_reply_was_lost_lands_once(
    kind: str, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    """redis-py sends a command again when the connection broke before its reply came, and on
    a cluster the append is re-routed and sent again. Here the append's script runs, someone
    else appends, then the same script arrives again: it must find its own entry and write
    nothing, not a second sign-up at the next position."""
    url = request.getfixturevalue(URL_FIXTURES[kind])
    store = RedisEventStore.from_url(url, EventCodec(), KeyWrapper("k" * 40))
    rival = RedisEventStore.from_url(url, EventCodec(), KeyWrapper("k" * 40))
    sync_script, async_script, replies = store._sync_script, store._async_script, []

    def sent_twice(keys: list[str], arguments: list[object], client: object = None) -> object:
        replies.append(sync_script(keys, arguments, client=client))
        rival.append_sync("w1", [opened(9)], expected_version=1)
        replies.append(sync_script(keys, arguments, client=client))
        return replies[-1]

    async def sent_twice_async(keys: list[str], arguments: list[object]) -> object:
        replies.append(await async_script(keys, arguments))
        await rival.append("w1", [opened(9)], expected_version=1)
        replies.append(await async_script(keys, arguments))
        return replies[-1]

    monkeypatch.setattr(store, "_sync_script", sent_twice)
    monkeypatch.setattr(store, "_async_script", sent_twice_async)
    try:
        record = IdempotencyRecord("fp", 201, b"ours")
        await store.append("w1", [anna("a")], expected_version=0, idempotency=("k", record))
        assert replies == [[b"ok", 0], [b"landed"]]
        fresh = RedisEventStore.from_url(url, EventCodec(), KeyWrapper("k" * 40))
        assert [r.event for r in await fresh.read("w1")] == [anna("a"), opened(9)]
        assert await fresh.recall("w1", "k") == record
        await fresh.close()
    finally:
        await store.close()
        await rival.close()


@pytest.mark.parametrize("kind", ["redis", "cluster"])
async def test_a_reply_stored_before_replies_were_sealed_per_person_is_given_again(
    kind: str, request: pytest.FixtureRequest
) -> None:
    """A tablet retries across a deploy: the record the old code stored (a plain struct under the
    deployment key, an unkeyed fingerprint) still answers the retry."""
    store = RedisEventStore.from_url(request.getfixturevalue(URL_FIXTURES[kind]), EventCodec(), KeyWrapper("k" * 40))
    try:
        request_fingerprint = fingerprint("POST", "/api/workshops/w/sessions", {"title": "Tisch"})

        class OldRecord(msgspec.Struct):
            fingerprint: str
            status: int
            body: bytes

        redis_key = keys.idempotency_key("w", "old")
        old = msgspec.msgpack.encode(OldRecord(request_fingerprint, 201, b'{"id":"s1"}'))
        await store.async_client.set(redis_key, KeyWrapper("k" * 40).seal_blob(redis_key, old))
        await store.append("w", [created()], expected_version=0)

        service = WorkshopService(store, SystemClock(), "k" * 40)
        reply = await service.execute("w", lambda _: pytest.fail("ran twice"), Idempotency("old", request_fingerprint))
        assert reply == Reply(201, b'{"id":"s1"}')
    finally:
        await store.close()


@pytest.mark.parametrize("kind", ["redis", "cluster"])
async def test_a_person_whose_key_another_writer_made_is_sealed_with_that_key(
    kind: str, request: pytest.FixtureRequest
) -> None:
    """A process that has not read the log yet appends about someone who already has a key:
    it must use that key (not make a second one), or one of the two events becomes unreadable."""
    url = request.getfixturevalue(URL_FIXTURES[kind])
    first = RedisEventStore.from_url(url, EventCodec(), KeyWrapper("k" * 40))
    second = RedisEventStore.from_url(url, EventCodec(), KeyWrapper("k" * 40))
    try:
        await first.append("w1", [anna("a")], expected_version=0)
        second.append_sync("w1", [anna("b")], expected_version=1)
        reader = RedisEventStore.from_url(url, EventCodec(), KeyWrapper("k" * 40))
        assert [r.event for r in await reader.read("w1")] == [anna("a"), anna("b")]
        await reader.close()
    finally:
        await first.close()
        await second.close()


@pytest.mark.parametrize("kind", ["redis", "cluster"])
async def test_a_process_whose_log_lost_its_newest_entry_folds_again(kind: str, request: pytest.FixtureRequest) -> None:
    """A failover to a replica that lacked the newest entry leaves the log shorter than what a
    process has folded: it must fold again, not decide (or answer "already signed up") from an
    entry that is gone."""
    store = RedisEventStore.from_url(request.getfixturevalue(URL_FIXTURES[kind]), EventCodec(), KeyWrapper("k" * 40))
    service = WorkshopService(store, SystemClock(), "k" * 40)
    try:
        await store.append("w1", [created(), planned("s1"), planned("s2")], expected_version=0)
        assert set((await service.state("w1")).sessions) == {"s1", "s2"}
        store.sync_client.xdel(keys.log_key("w1"), "3-0")  # what the promoted replica holds
        with pytest.raises(LogRewound):
            await store.read_and_recall("w1", 3, None)
        with pytest.raises(LogRewound):  # what the workers' cached states catch up with
            store.read_sync("w1", after=3)
        state = await service.state("w1")
        assert state.version == 2 and set(state.sessions) == {"s1"}
    finally:
        await store.close()


async def test_a_job_command_that_fails_leaves_the_events_standing_for_reconcile(
    redis_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    """A script is not rolled back: a job command that fails (here RQ's queue key has the wrong
    type) must not leave the append half-done and unanswered. The events and the reply stand,
    the failure is logged, and reconcile re-derives the job from the log."""
    store = RedisEventStore.from_url(redis_url, EventCodec(), KeyWrapper("k" * 40))
    store.enqueue_with(enqueue_onto(queue(store.jobs_client)))
    store.jobs_client.set("rq:queue:knoten", "not a list")
    job = JobSpec("w1-1-send_signup_confirmation", "workers.mail_jobs.send_signup_confirmation", ("w1", "a"))
    try:
        record = IdempotencyRecord("fp", 201, b"{}")
        await store.append("w1", [anna("a")], expected_version=0, idempotency=("k", record), jobs=[job])
        assert [r.event for r in await store.read("w1")] == [anna("a")]
        assert await store.recall("w1", "k") == record
        assert "1 job commands failed after the commit; reconcile will queue the jobs" in caplog.text
    finally:
        await store.close()


GUARDED = (Counter("signup:s1:client", 2), Counter("signup:s1", 3))
HOUR = 3600  # the guards' window: it does not roll over during a test


def guard(client: str = "client", unseen: str | None = None) -> Guard:
    counters = (Counter(f"signup:s1:{client}", 2), Counter("signup:s1", 3))
    return Guard(counters, int(time.time() // HOUR), HOUR, unseen)


async def test_an_append_counts_its_guards_and_refuses_those_over_a_limit_writing_nothing(store: EventStore) -> None:
    with pytest.raises(Refused) as refused:  # the client's third sign-up is one too many
        await store.append("w1", [opened(1), opened(2), opened(3)], expected_version=0, guards=[guard()] * 3)
    assert (refused.value.limited, refused.value.seen) == ((2,), ())
    assert await store.read("w1") == []
    await store.append("w1", [opened(1), opened(2)], expected_version=0, guards=[guard(), guard()])
    # the client's share is used up, and a refused guard counts nowhere: the session has room for one
    with pytest.raises(Refused) as refused:
        await store.append("w1", [opened(3), opened(4)], expected_version=2, guards=[guard(), guard("other")])
    assert refused.value.limited == (0,)
    await store.append("w1", [opened(3)], expected_version=2, guards=[guard("other")])
    with pytest.raises(Refused):  # the session's three are counted
        await store.append("w1", [opened(4)], expected_version=3, guards=[guard("third")])
    assert [r.position for r in await store.read("w1")] == [1, 2, 3]


async def test_an_append_refuses_a_guard_whose_address_was_seen_meanwhile(store: EventStore) -> None:
    signup = msgspec.structs.replace(anna("a"), email_hash="hash-of-anna-guarded")
    await store.append("w1", [signup], expected_version=0, guards=[guard(unseen="hash-of-anna-guarded")])
    with pytest.raises(Refused) as refused:  # another sign-up with the address, decided as unseen
        await store.append(
            "w2", [opened(1), opened(2)], expected_version=0, guards=[guard(), guard(unseen="hash-of-anna-guarded")]
        )
    assert (refused.value.limited, refused.value.seen) == ((), (1,))
    assert await store.read("w2") == []
    await store.append("w2", [opened(1)], expected_version=0, guards=[guard("another", unseen="hash-of-someone-new")])


async def test_the_rate_limiter_and_the_guards_of_appends_count_the_same_hits(store: EventStore) -> None:
    if isinstance(store, MemoryEventStore):
        limiter: RateLimiter = MemoryRateLimiter(store.rate_counts)
    else:
        assert isinstance(store, RedisEventStore)
        limiter = RedisRateLimiter(store.async_client)
    await store.append("w1", [opened(1), opened(2)], expected_version=0, guards=[guard(), guard()])
    assert await limiter.hit("w1", [Limit(*counter) for counter in GUARDED], HOUR) is not None  # the client's third
    assert await limiter.hit("w1", [Limit("signup:s1:other", 2), Limit("signup:s1", 3)], HOUR) is None
    with pytest.raises(Refused):  # the session's three: two appended, one counted by the limiter
        await store.append("w1", [opened(3)], expected_version=2, guards=[guard("third")])
