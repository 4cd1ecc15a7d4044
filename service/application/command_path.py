"""The one command path: catch up on the log, decide, settle the reactions, render the reply,
dispatch the jobs, append, and try again when another process appended first.

The API (async) and the workers (sync) both run it. It does no I/O itself: each path is a
generator that yields the store operations it needs (`Read`, `Recall`, `Append`, `Remember`)
and is sent their results, or thrown their errors. `run_async` drives it with the event store,
`run_sync` with its synchronous side, so the sync/async difference stays at that edge.

Replies are rendered from the state *after* the new events, before they are appended, because
the reply is stored with the events under the request's idempotency key. If the append fails,
the tentatively evolved state is dropped and rebuilt from the log.
"""

from __future__ import annotations

import hmac
from collections import OrderedDict
from collections.abc import Callable, Generator, Iterable
from typing import Any, NamedTuple, TypeVar

import msgspec

from service import metrics
from service.application.outcomes import Dispatch, Idempotency, IdempotencyMismatch, Outcome, Plan, Render, Reply
from service.clock import Clock
from service.domain.errors import Conflict, DomainError
from service.domain.events import Event
from service.domain.reactions import settle
from service.domain.rules import erased_email_hashes, fold
from service.domain.state import WorkshopState
from service.security import keyed_hash
from service.store.base import (
    EventStore,
    IdempotencyKeyTaken,
    IdempotencyRecord,
    LogRewound,
    SyncEventLog,
    VersionConflict,
)
from service.store.codec import subjects_of
from service.store.job_spec import JobSpec

APPEND_ATTEMPTS = 20
T = TypeVar("T")
_json = msgspec.json.Encoder()


class Read(NamedTuple):
    """Events after `after` and, with a key, the record stored under it (may raise LogRewound)."""

    workshop_id: str
    after: int
    key: str | None


class Recall(NamedTuple):
    workshop_id: str
    key: str


class Append(NamedTuple):
    """One atomic append (may raise VersionConflict or IdempotencyKeyTaken)."""

    workshop_id: str
    events: list[Event]
    expected_version: int
    idempotency: tuple[str, IdempotencyRecord] | None
    jobs: list[JobSpec]
    forget_emails: list[str]


class Remember(NamedTuple):
    workshop_id: str
    key: str
    record: IdempotencyRecord


Step = Read | Recall | Append | Remember
Path = Generator[Step, Any, T]


class Prepared(NamedTuple):
    """What an append carries: the settled events, the reply, the jobs, the forgotten e-mails."""

    events: list[Event]
    reply: Reply
    jobs: list[JobSpec]
    forget_emails: list[str]


def prepare(state: WorkshopState, outcome: Outcome, clock: Clock, dispatch: Dispatch) -> Prepared:
    """Evolve `state` tentatively by the outcome's events and the reactions they call for,
    render the reply from it, and dispatch the jobs of all those events."""
    version = state.version
    forgotten = erased_email_hashes(state, outcome.events)  # from the state before the erasure
    events = settle(state, outcome.events, clock.now())
    reply = render(outcome.render, state)
    return Prepared(events, reply, dispatch(state, list(enumerate(events, start=version + 1))), forgotten)


def render(how: Render, state: WorkshopState) -> Reply:
    status, body = how(state)
    return Reply(status, _json.encode(body))


class CommandPath:
    """Runs commands against workshops, keeping the folded state of recent ones.

    Before every read or decision the cached state catches up on the log, so a cache is never
    trusted over it. `evicted` hears of each workshop that leaves the cache.
    """

    def __init__(
        self,
        clock: Clock,
        secret_key: str,
        dispatch: Dispatch,
        cached: int,
        evicted: Callable[[str], None] = lambda _workshop_id: None,
    ) -> None:
        self.clock = clock
        self.dispatch = dispatch
        self._secret_key = secret_key
        self._cached = cached
        self._evicted = evicted
        self._states: OrderedDict[str, WorkshopState] = OrderedDict()

    def drop(self, workshop_id: str) -> None:
        """Forget the cached state: the next read folds the log from the start."""
        self._states.pop(workshop_id, None)

    def caught_up(
        self, workshop_id: str, idempotency: Idempotency | None = None
    ) -> Path[tuple[WorkshopState, IdempotencyRecord | None]]:
        """The workshop caught up on its log and, with a key, the record stored under it. A log
        shorter than the cached state (a failover lost entries) is folded again from the start."""
        # Popped while folding: a failed read or fold leaves nothing half-applied in the cache.
        state = self._states.pop(workshop_id, None) or WorkshopState(id=workshop_id)
        key = None if idempotency is None else idempotency.key
        try:
            recorded, record = yield Read(workshop_id, state.version, key)
        except LogRewound:
            state = WorkshopState(id=workshop_id)
            recorded, record = yield Read(workshop_id, 0, key)
        fold(state, recorded)
        self._states[workshop_id] = state
        while len(self._states) > self._cached:
            self._evicted(self._states.popitem(last=False)[0])
        return state, record

    def state(self, workshop_id: str) -> Path[WorkshopState]:
        state, _ = yield from self.caught_up(workshop_id)
        return state

    def execute(self, workshop_id: str, plan: Plan, idempotency: Idempotency | None) -> Path[Reply]:
        """Run a plan once: a retried request gets its first reply, never a second effect."""
        for _ in range(APPEND_ATTEMPTS):
            state, record = yield from self.caught_up(workshop_id, idempotency)
            if record is not None and idempotency is not None:
                return self._replay(record, idempotency)
            try:
                outcome = plan(state)
            except DomainError:
                # Another process may have just run this very request; then its reply stands.
                if idempotency is not None and (record := (yield Recall(workshop_id, idempotency.key))):
                    return self._replay(record, idempotency)
                raise
            if not outcome.events:
                return (yield from self._reply_without_events(workshop_id, outcome, state, idempotency))
            try:
                return (yield from self._record(workshop_id, state, outcome, idempotency))
            except VersionConflict:
                # Rebuild the dropped state now, so the next attempt only catches up on what is
                # new and its window between read and append stays short.
                yield from self.caught_up(workshop_id)
            except IdempotencyKeyTaken as taken:
                assert idempotency is not None
                return self._replay(taken.record, idempotency)
        raise Conflict("The workshop is changing too fast; please try again.")

    def _record(
        self, workshop_id: str, state: WorkshopState, outcome: Outcome, idempotency: Idempotency | None
    ) -> Path[Reply]:
        version = state.version
        try:
            prepared = prepare(state, outcome, self.clock, self.dispatch)
            stored = None
            if idempotency is not None:
                subjects = [*outcome.subjects, *(s for event in prepared.events for s in subjects_of(event))]
                stored = (idempotency.key, self._record_of(idempotency, prepared.reply, subjects))
            yield Append(workshop_id, prepared.events, version, stored, prepared.jobs, prepared.forget_emails)
        except BaseException:
            self.drop(workshop_id)  # tentative state: rebuild from the log
            raise
        return prepared.reply

    def _reply_without_events(
        self, workshop_id: str, outcome: Outcome, state: WorkshopState, idempotency: Idempotency | None
    ) -> Path[Reply]:
        reply = render(outcome.render, state)
        if idempotency is None:
            return reply
        record = self._record_of(idempotency, reply, outcome.subjects)
        return self._replay((yield Remember(workshop_id, idempotency.key, record)), idempotency)

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


class _Finished(NamedTuple):
    value: Any


def _advance(path: Path[T], result: Any, error: BaseException | None) -> Step | _Finished:
    """Hand the path the result (or the error) of its last step; its next step, or its value."""
    try:
        return path.send(result) if error is None else path.throw(error)
    except StopIteration as done:
        return _Finished(done.value)


async def run_async(store: EventStore, path: Path[T]) -> T:
    """Drive a path with the event store's asyncio side (the API)."""
    step = _advance(path, None, None)
    while not isinstance(step, _Finished):
        try:
            result = await _async_step(store, step)
        except BaseException as error:  # noqa: BLE001 - handed to the path (a cancellation too: it drops its tentative state)
            step = _advance(path, None, error)
        else:
            step = _advance(path, result, None)
    return step.value  # type: ignore[no-any-return]


async def _async_step(store: EventStore, step: Step) -> Any:
    match step:
        case Read(workshop_id, after, key):
            return await store.read_and_recall(workshop_id, after, key)
        case Recall(workshop_id, key):
            return await store.recall(workshop_id, key)
        case Append(workshop_id, events, version, idempotency, jobs, forget_emails):
            recorded = await store.append(
                workshop_id,
                events,
                expected_version=version,
                idempotency=idempotency,
                jobs=jobs,
                forget_emails=forget_emails,
            )
            metrics.appended(events)
            return recorded
        case Remember(workshop_id, key, record):
            return await store.remember(workshop_id, key, record)


def run_sync(log: SyncEventLog, path: Path[T]) -> T:
    """Drive a path with the log's synchronous side (RQ jobs). Jobs record without idempotency
    keys: their effects are guarded by the ledger, and their events are decided once per run."""
    step = _advance(path, None, None)
    while not isinstance(step, _Finished):
        try:
            result = _sync_step(log, step)
        except BaseException as error:  # noqa: BLE001 - handed to the path (a cancellation too: it drops its tentative state)
            step = _advance(path, None, error)
        else:
            step = _advance(path, result, None)
    return step.value  # type: ignore[no-any-return]


def _sync_step(log: SyncEventLog, step: Step) -> Any:
    match step:
        case Read(workshop_id, after, None):
            return log.read_sync(workshop_id, after), None
        case Append(workshop_id, events, version, None, jobs, forget_emails):
            recorded = log.append_sync(
                workshop_id, events, expected_version=version, jobs=jobs, forget_emails=forget_emails
            )
            metrics.appended(events)
            return recorded
    raise TypeError(f"the synchronous path runs without idempotency keys: {step!r}")
