"""Running commands against a workshop: catch up on the log, decide, record, reply.

`WorkshopService` keeps the folded state of recently used workshops in memory. Before every
read or decision it reads the log from the cached position on, so a cache is never trusted
over the log. Commands for one workshop are serialised per process by a lock; across
processes the expected version of the append keeps them apart.

Replies are rendered from the state *after* the new events, before they are appended,
because the reply is stored with the events under the request's idempotency key. If the
append fails, the tentatively evolved state is dropped and rebuilt from the log.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
from collections import OrderedDict
from collections.abc import Callable, Iterable
from typing import Any, NamedTuple

import msgspec

from service.clock import Clock
from service.domain import commands as c
from service.domain.errors import Conflict, DomainError
from service.domain.events import Event
from service.domain.reactions import settle
from service.domain.rules import decide, erased_email_hashes, fold
from service.domain.state import WorkshopState
from service.security import keyed_hash
from service.store.base import (
    EventStore,
    IdempotencyKeyTaken,
    IdempotencyRecord,
    JobSpec,
    LogRewound,
    VersionConflict,
)
from service.store.codec import subjects_of

CACHED_WORKSHOPS = 256
APPEND_ATTEMPTS = 20

_json = msgspec.json.Encoder()


class Reply(NamedTuple):
    """A response as it was first given: status and JSON body."""

    status: int
    body: bytes


class Idempotency(NamedTuple):
    key: str
    fingerprint: str


class IdempotencyMismatch(Exception):
    """The key was used before for another request (422)."""


Render = Callable[[WorkshopState], tuple[int, Any]]


class Outcome(NamedTuple):
    """What a planned request does: the events to append and how to render the reply.

    `subjects`: people the reply or the request concerns beyond those the events name (a reply
    without events about someone); its stored copy is erased with them.
    """

    events: list[Event]
    render: Render
    subjects: tuple[str, ...] = ()


Plan = Callable[[WorkshopState], Outcome]
About = Callable[[WorkshopState], tuple[str, ...]]


def nobody(_state: WorkshopState) -> tuple[str, ...]:
    return ()


def fingerprint(method: str, path: str, body: Any) -> str:
    """The same request, however its JSON was spaced or ordered, has the same fingerprint.
    `WorkshopService` stores only a keyed hash of it: the body may name someone."""
    canonical = msgspec.json.encode(body, order="sorted")
    return hashlib.sha256(b"\0".join((method.encode(), path.encode(), canonical))).hexdigest()


Dispatch = Callable[[WorkshopState, list[tuple[int, Event]]], list[JobSpec]]


def no_jobs(_state: WorkshopState, _recorded: list[tuple[int, Event]]) -> list[JobSpec]:
    return []


class WorkshopService:
    def __init__(self, store: EventStore, clock: Clock, secret_key: str, dispatch: Dispatch = no_jobs) -> None:
        self.store = store
        self.clock = clock
        self.dispatch = dispatch
        self._secret_key = secret_key
        self._states: OrderedDict[str, WorkshopState] = OrderedDict()
        self._locks: dict[str, asyncio.Lock] = {}

    def _lock(self, workshop_id: str) -> asyncio.Lock:
        lock = self._locks.get(workshop_id)
        if lock is None:
            lock = self._locks[workshop_id] = asyncio.Lock()
        return lock

    async def _caught_up(self, workshop_id: str) -> WorkshopState:
        state, _ = await self._caught_up_and_recalled(workshop_id, None)
        return state

    async def _caught_up_and_recalled(
        self, workshop_id: str, idempotency: Idempotency | None
    ) -> tuple[WorkshopState, IdempotencyRecord | None]:
        """The workshop caught up on its log and, with a key, the reply stored under it."""
        # Popped while folding: a failed read or fold leaves nothing half-applied in the cache.
        state = self._states.pop(workshop_id, None) or WorkshopState(id=workshop_id)
        key = None if idempotency is None else idempotency.key
        try:
            recorded, record = await self.store.read_and_recall(workshop_id, state.version, key)
        except LogRewound:
            state = WorkshopState(id=workshop_id)
            recorded, record = await self.store.read_and_recall(workshop_id, 0, key)
        fold(state, recorded)
        self._states[workshop_id] = state
        while len(self._states) > CACHED_WORKSHOPS:
            evicted, _ = self._states.popitem(last=False)
            self._locks.pop(evicted, None)
        return state, record

    async def state(self, workshop_id: str) -> WorkshopState:
        """The workshop as its log says now. Read it without awaiting in between."""
        async with self._lock(workshop_id):
            return await self._caught_up(workshop_id)

    def command(self, command: c.Command, render: Render, about: About = nobody) -> Plan:
        """A plan that decides one command at the current time; `about` tells the `subjects` of
        its outcome from the state before the command."""
        return lambda state: Outcome(decide(state, command, self.clock.now()), render, about(state))

    def _record_of(self, idempotency: Idempotency, reply: Reply, subjects: Iterable[str]) -> IdempotencyRecord:
        """What is stored under the key: a keyed fingerprint, the reply, whom they concern."""
        keyed = keyed_hash(self._secret_key, "idempotency", idempotency.fingerprint)
        return IdempotencyRecord(keyed, *reply, tuple(sorted(set(subjects))))

    def _replay(self, record: IdempotencyRecord, idempotency: Idempotency) -> Reply:
        """The first reply again; its fingerprint is not checked once its subjects are erased.
        Records stored before fingerprints were keyed (they expire 8 days after) hold it plain."""
        keyed = keyed_hash(self._secret_key, "idempotency", idempotency.fingerprint)
        same = hmac.compare_digest(record.fingerprint, keyed) or record.fingerprint == idempotency.fingerprint
        if not record.erased and not same:
            raise IdempotencyMismatch
        return Reply(record.status, record.body)

    async def execute(self, workshop_id: str, plan: Plan, idempotency: Idempotency | None) -> Reply:
        """Run a plan once: a retried request gets its first reply, never a second effect."""
        async with self._lock(workshop_id):
            for _ in range(APPEND_ATTEMPTS):
                state, record = await self._caught_up_and_recalled(workshop_id, idempotency)
                if record is not None and idempotency is not None:
                    return self._replay(record, idempotency)
                try:
                    outcome = plan(state)
                except DomainError:
                    # Another process may have just run this very request; then its reply stands.
                    if idempotency is not None and (record := await self.store.recall(workshop_id, idempotency.key)):
                        return self._replay(record, idempotency)
                    raise
                if not outcome.events:
                    return await self._reply_without_events(workshop_id, outcome, state, idempotency)
                try:
                    return await self._record(workshop_id, state, outcome, idempotency)
                except VersionConflict:
                    # Rebuild the dropped state now, so the next attempt only catches up on what is
                    # new and its window between read and append stays short.
                    await self._caught_up(workshop_id)
                    continue
                except IdempotencyKeyTaken as taken:
                    assert idempotency is not None
                    return self._replay(taken.record, idempotency)
        raise Conflict("The workshop is changing too fast; please try again.")

    async def _record(
        self, workshop_id: str, state: WorkshopState, outcome: Outcome, idempotency: Idempotency | None
    ) -> Reply:
        version = state.version
        try:
            forgotten = erased_email_hashes(state, outcome.events)  # from the state before the erasure
            events = settle(state, outcome.events, self.clock.now())
            reply = _render(outcome.render, state)
            stored = None
            if idempotency is not None:
                subjects = [*outcome.subjects, *(s for event in events for s in subjects_of(event))]
                stored = (idempotency.key, self._record_of(idempotency, reply, subjects))
            jobs = self.dispatch(state, list(enumerate(events, start=version + 1)))
            await self.store.append(
                workshop_id, events, expected_version=version, idempotency=stored, jobs=jobs, forget_emails=forgotten
            )
        except BaseException:
            self._states.pop(workshop_id, None)  # tentative state: rebuild from the log
            raise
        return reply

    async def _reply_without_events(
        self, workshop_id: str, outcome: Outcome, state: WorkshopState, idempotency: Idempotency | None
    ) -> Reply:
        reply = _render(outcome.render, state)
        if idempotency is None:
            return reply
        record = self._record_of(idempotency, reply, outcome.subjects)
        return self._replay(await self.store.remember(workshop_id, idempotency.key, record), idempotency)


def _render(render: Render, state: WorkshopState) -> Reply:
    status, body = render(state)
    return Reply(status, _json.encode(body))
