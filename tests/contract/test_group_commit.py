"""Group commit: commands that queue behind an append in flight for their workshop are decided in
order and appended together, in one append with one expected version; each keeps its own reply,
idempotency record and jobs, and one the rules refuse fails alone. On one Redis, on a cluster,
and in memory alike."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

import msgspec
import pytest

from service.application.outcomes import Admission, Outcome, Plan, RateLimited
from service.application.runner import Idempotency, Reply, WorkshopService
from service.clock import SystemClock
from service.domain.errors import Conflict
from service.domain.state import WorkshopState
from service.store.base import Counter, EventStore, VersionConflict
from service.store.codec import EventCodec
from service.store.memory import MemoryEventStore
from service.store.redis import RedisEventStore
from service.store.vault import KeyWrapper
from tests.unit.test_rules import created, planned, signup

URL_FIXTURES = {"redis": "redis_url", "cluster": "cluster_url"}
SECRET = "k" * 40


@pytest.fixture(params=["memory", "redis", "cluster"])
async def stores(request: pytest.FixtureRequest) -> AsyncIterator[Callable[[], EventStore]]:
    """A way to open the store as another process would (memory: the same store)."""
    codec = EventCodec()
    if request.param == "memory":
        memory = MemoryEventStore(codec)
        yield lambda: memory
        return
    url = request.getfixturevalue(URL_FIXTURES[request.param])
    opened: list[RedisEventStore] = []

    def open_store() -> EventStore:
        opened.append(RedisEventStore.from_url(url, codec, KeyWrapper(SECRET)))
        return opened[-1]

    yield open_store
    for store in opened:
        await store.close()


class Appends:
    """Counts the appends a store is asked for, and the ones refused for a moved version."""

    def __init__(self, store: EventStore) -> None:
        self.sizes: list[int] = []
        self.conflicts = 0
        append = store.append

        async def counted(workshop_id: str, events: Any, **options: Any) -> Any:
            try:
                found = await append(workshop_id, events, **options)
            except VersionConflict:
                self.conflicts += 1
                raise
            self.sizes.append(len(events))
            return found

        store.append = counted  # type: ignore[method-assign]


def planning(session_id: str, calls: list[str] | None = None) -> Plan:
    """Plans a session; the reply says at which version of the workshop it landed."""

    def plan(state: WorkshopState) -> Outcome:
        if calls is not None:
            calls.append(session_id)
        if session_id in state.sessions:
            raise Conflict(f"{session_id} is planned already")
        return Outcome([planned(session_id)], lambda s: (201, {"id": session_id, "version": s.version}))

    return plan


def key(name: str) -> Idempotency:
    return Idempotency(name, f"fingerprint of {name}")


def body(reply: Reply | BaseException) -> bytes:
    assert isinstance(reply, Reply), reply
    return reply.body


async def started(store: EventStore) -> WorkshopService:
    await store.append("w", [created()], expected_version=0)
    return WorkshopService(store, SystemClock(), SECRET)


async def test_commands_queued_behind_an_append_land_in_one_append_each_with_its_own_reply(
    stores: Callable[[], EventStore],
) -> None:
    store = stores()
    service = await started(store)
    appends = Appends(store)

    replies = await asyncio.gather(*(service.execute("w", planning(f"s{n}"), key(f"k{n}")) for n in range(6)))

    assert appends.sizes == [6]  # one append for the six
    assert [body(reply) for reply in replies] == [f'{{"id":"s{n}","version":{n + 2}}}'.encode() for n in range(6)]
    assert [r.event for r in await stores().read("w")] == [created(), *(planned(f"s{n}") for n in range(6))]
    for n in range(6):  # each request has its own record
        record = await store.recall("w", f"k{n}")
        assert record is not None and record.body == body(replies[n])


async def test_a_command_the_rules_refuse_fails_alone_in_the_middle_of_a_batch(
    stores: Callable[[], EventStore],
) -> None:
    store = stores()
    service = await started(store)
    await service.execute("w", planning("taken"), None)
    appends = Appends(store)

    first, refused, last = await asyncio.gather(
        service.execute("w", planning("a"), key("a")),
        service.execute("w", planning("taken"), key("again")),
        service.execute("w", planning("b"), key("b")),
        return_exceptions=True,
    )

    assert isinstance(refused, Conflict)
    assert (body(first), body(last)) == (b'{"id":"a","version":3}', b'{"id":"b","version":4}')
    assert appends.sizes == [2]  # the refusal did not split the batch
    assert [r.event for r in await store.read("w", after=2)] == [planned("a"), planned("b")]
    assert await store.recall("w", "again") is None  # nothing stored for the refused request


async def test_a_conflict_with_another_process_decides_the_batch_again_on_the_caught_up_state(
    stores: Callable[[], EventStore],
) -> None:
    store = stores()
    service = await started(store)
    await service.execute("w", planning("s0"), None)  # this process's state is cached at version 2
    other = WorkshopService(stores(), SystemClock(), SECRET)
    await other.execute("w", planning("x"), None)  # another process appends: the log is at 3
    appends = Appends(store)
    calls: list[str] = []

    results = await asyncio.gather(
        service.execute("w", planning("a", calls), key("a")),
        service.execute("w", planning("x", calls), key("x")),  # planned by the other process meanwhile
        service.execute("w", planning("b", calls), key("b")),
        return_exceptions=True,
    )

    assert appends.conflicts == 1 and appends.sizes == [2]  # refused once, then appended together
    assert calls == ["a", "x", "b", "a", "x", "b"]  # decided twice: on the cache, then on the log's state
    assert body(results[0]) == b'{"id":"a","version":4}' and body(results[2]) == b'{"id":"b","version":5}'
    assert isinstance(results[1], Conflict)
    assert [r.event for r in await store.read("w", after=2)] == [planned("x"), planned("a"), planned("b")]


async def test_a_retried_request_of_a_batch_gets_its_first_reply_and_appends_nothing(
    stores: Callable[[], EventStore],
) -> None:
    store = stores()
    service = await started(store)
    first = await asyncio.gather(*(service.execute("w", planning(f"s{n}"), key(f"k{n}")) for n in range(3)))

    def never(_state: WorkshopState) -> Outcome:
        raise AssertionError("a retry must not be decided again")

    again = await service.execute("w", never, key("k1"))  # the same process
    elsewhere = await WorkshopService(stores(), SystemClock(), SECRET).execute("w", never, key("k1"))
    twice = await asyncio.gather(  # the same key twice in one queue: the second waits for the first
        service.execute("w", planning("t"), key("t")), service.execute("w", planning("t"), key("t"))
    )

    assert again == elsewhere == first[1]
    assert twice[0] == twice[1] == Reply(201, b'{"id":"t","version":5}')
    assert [r.event for r in await store.read("w")] == [created(), *(planned(f"s{n}") for n in range(3)), planned("t")]


async def test_a_request_that_goes_away_does_not_take_the_others_of_its_batch_with_it(
    stores: Callable[[], EventStore],
) -> None:
    store = stores()
    service = await started(store)
    leaving = asyncio.create_task(service.execute("w", planning("a"), key("a")))
    staying = asyncio.create_task(service.execute("w", planning("b"), key("b")))
    await asyncio.sleep(0)
    leaving.cancel()

    assert body(await staying) == b'{"id":"b","version":3}'
    assert [r.event for r in await store.read("w", after=1)] == [planned("a"), planned("b")]  # the append stands


async def test_a_workshop_another_process_appends_to_reads_the_log_first_for_a_while(
    stores: Callable[[], EventStore],
) -> None:
    """Deciding on the cache ends in a conflict (and a fold from the start) when another process
    appends too; once that happened, the next rounds read the log before they decide."""
    store = stores()
    service = await started(store)
    await service.execute("w", planning("s0"), None)
    appends = Appends(store)

    def other() -> WorkshopService:  # another process, new each time: it reads before it decides
        return WorkshopService(stores(), SystemClock(), SECRET)

    await other().execute("w", planning("x"), None)
    await service.execute("w", planning("a"), key("a"))  # decided on the cache: refused once
    await other().execute("w", planning("y"), None)
    reply = await service.execute("w", planning("b"), key("b"))  # read first: no conflict

    assert appends.conflicts == 1
    assert reply == Reply(201, b'{"id":"b","version":6}')


def admitted(client: str, email_hash: str | None = None) -> Admission:
    """A sign-up's admission: one place a client, three a session, in an hour's window."""
    return Admission((Counter(f"s:{client}", 1), Counter("s", 3)), 3600, time.time(), email_hash)


async def test_a_command_over_its_rate_limit_fails_alone_and_the_batch_lands_without_it(
    stores: Callable[[], EventStore],
) -> None:
    store = stores()
    service = await started(store)
    await service.execute("w", planning("first"), None, admitted("x"))  # client x has had its one
    appends = Appends(store)

    results = await asyncio.gather(
        service.execute("w", planning("a"), key("a"), admitted("a")),
        service.execute("w", planning("x"), key("x"), admitted("x")),
        service.execute("w", planning("b"), key("b"), admitted("b")),
        return_exceptions=True,
    )

    assert isinstance(results[1], RateLimited) and 0 < results[1].retry_after <= 3600
    assert (body(results[0]), body(results[2])) == (b'{"id":"a","version":3}', b'{"id":"b","version":4}')
    assert appends.sizes == [2]  # refused once, written once
    assert [r.event for r in await store.read("w", after=2)] == [planned("a"), planned("b")]
    assert await store.recall("w", "x") is None  # nothing stored for the refused request: a retry may pass later
    with pytest.raises(RateLimited):  # the session's three are used: first, a, b
        await service.execute("w", planning("c"), key("c"), admitted("c"))


async def test_a_command_decided_on_an_address_as_unseen_is_decided_again_when_it_was_seen(
    stores: Callable[[], EventStore],
) -> None:
    store = stores()
    service = await started(store)
    seen_elsewhere = msgspec.structs.replace(signup(1), email_hash=f"hash-seen-{time.time_ns()}")
    await stores().append("other", [created(), planned(), seen_elsewhere], expected_version=0)
    admissions = [admitted("a", f"hash-new-{time.time_ns()}"), admitted("b", seen_elsewhere.email_hash)]

    def planning_seen(session_id: str, admission: Admission) -> Plan:
        def plan(state: WorkshopState) -> Outcome:
            return Outcome([planned(session_id)], lambda s: (201, {"id": session_id, "seen": admission.seen}))

        return plan

    results = await asyncio.gather(
        service.execute("w", planning_seen("a", admissions[0]), key("a"), admissions[0]),
        service.execute("w", planning_seen("b", admissions[1]), key("b"), admissions[1]),
    )

    assert [body(result) for result in results] == [b'{"id":"a","seen":false}', b'{"id":"b","seen":true}']
    assert [r.event for r in await store.read("w", after=1)] == [planned("a"), planned("b")]
    assert all(admission.counted for admission in admissions)
