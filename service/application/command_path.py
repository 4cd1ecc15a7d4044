"""The one command path: catch up on the log, decide, settle the reactions, render the reply,
dispatch the jobs, append, and try again when another process appended first.

The API (async) and the workers (sync) both run it. It does no I/O itself: each path is a
generator that yields the store operations it needs (`Read`, `Recall`, `Append`, `Remember`)
and is sent their results, or thrown their errors. `run_async` drives it with the event store,
`run_sync` with its synchronous side, so the sync/async difference stays at that edge.

Replies are rendered from the state *after* the new events, before they are appended, because
the reply is stored with the events under the request's idempotency key. If the append fails,
the tentatively evolved state is dropped and rebuilt from the log.

Group commit: `execute_batch` runs the commands that queued for one workshop in order against
the state, each on the state the ones before it left, and appends all their events in one
append with one expected version; each keeps its own reply, idempotency record and jobs. A
command that fails its rules fails alone. When the cached state is the log's (this process
made the last append), the batch decides without reading first: the append's version check
says whether the log moved, and only then is it read and the batch decided again.

Guards: a command may carry an `Admission` (a sign-up's rate limits, and the address it was
decided on as never seen). The append checks and counts them in the same script; when one
fails it writes nothing, the command over its limit is answered alone (RateLimited) and one
whose address was seen is decided again as seen, with the rest of the batch.
"""

from __future__ import annotations

import hmac
from collections import OrderedDict
from collections.abc import Callable, Generator, Iterable
from typing import Any, NamedTuple, TypeVar

import msgspec

from service import metrics
from service.application.outcomes import (
    Admission,
    Dispatch,
    Idempotency,
    IdempotencyMismatch,
    Outcome,
    Plan,
    RateLimited,
    Render,
    Reply,
)
from service.clock import Clock
from service.domain.errors import Conflict, DomainError
from service.domain.events import Event
from service.domain.reactions import settle
from service.domain.rules import erased_email_hashes, fold
from service.domain.state import WorkshopState
from service.security import keyed_hash
from service.store.base import (
    EventStore,
    Guard,
    IdempotencyKeyTaken,
    IdempotencyRecord,
    LogRewound,
    Refused,
    SyncEventLog,
    VersionConflict,
)
from service.store.codec import subjects_of
from service.store.job_spec import JobSpec

APPEND_ATTEMPTS = 20
READ_FIRST_ROUNDS = 64  # after the cache proved stale: rounds that read the log before they decide
T = TypeVar("T")
_json = msgspec.json.Encoder()


class Read(NamedTuple):
    """Events after `after` and the records stored under the keys (may raise LogRewound)."""

    workshop_id: str
    after: int
    keys: tuple[str, ...]


class Recall(NamedTuple):
    workshop_id: str
    key: str


class Append(NamedTuple):
    """One atomic append (may raise VersionConflict or IdempotencyKeyTaken)."""

    workshop_id: str
    events: list[Event]
    expected_version: int
    idempotency: list[tuple[str, IdempotencyRecord]]
    jobs: list[JobSpec]
    forget_emails: list[str]
    guards: list[Guard]  # of the commands that have one, in their order (may raise Refused)


class Remember(NamedTuple):
    workshop_id: str
    key: str
    record: IdempotencyRecord


Step = Read | Recall | Append | Remember
Path = Generator[Step, Any, T]


class Command(NamedTuple):
    """One request of a batch: its plan, its Idempotency-Key, and what its append must still
    find (a sign-up's rate limits and unseen address)."""

    plan: Plan
    idempotency: Idempotency | None
    admission: Admission | None = None


Result = Reply | Exception
"""What one command of a batch comes to: its reply, or the error it fails with alone."""


class Prepared(NamedTuple):
    """What an append carries: the settled events, the reply, the jobs, the forgotten e-mails,
    and the version they follow."""

    events: list[Event]
    reply: Reply
    jobs: list[JobSpec]
    forget_emails: list[str]
    version: int


class _Decided(NamedTuple):
    """A command of a batch, decided: its index, what it appends, its idempotency record."""

    at: int  # the command's place in the batch
    prepared: Prepared
    stored: tuple[str, IdempotencyRecord] | None


def prepare(state: WorkshopState, outcome: Outcome, clock: Clock, dispatch: Dispatch) -> Prepared:
    """Evolve `state` tentatively by the outcome's events and the reactions they call for,
    render the reply from it, and dispatch the jobs of all those events."""
    version = state.version
    forgotten = erased_email_hashes(state, outcome.events)  # from the state before the erasure
    events = settle(state, outcome.events, clock.now())
    reply = render(outcome.render, state)
    jobs = dispatch(state, list(enumerate(events, start=version + 1)))
    return Prepared(events, reply, jobs, forgotten, version)


def render(how: Render, state: WorkshopState) -> Reply:
    status, body = how(state)
    return Reply(status, _json.encode(body))


class CommandPath:
    """Runs commands against workshops, keeping the folded state of recent ones.

    Before every read, and every decision that appends nothing, the cached state catches up on
    the log; a decision that appends may use the cache, as the append's version check refuses
    it if the log moved, so a cache is never trusted over the log. `evicted` hears of each
    workshop that leaves the cache.
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
        # Workshops another process appends to as well: deciding on the cache there mostly ends
        # in a conflict and a fold from the start, so for a while they read the log first.
        self._read_first: dict[str, int] = {}

    def drop(self, workshop_id: str) -> None:
        """Forget the cached state: the next read folds the log from the start."""
        self._states.pop(workshop_id, None)

    def _trusts_cache(self, workshop_id: str) -> bool:
        """Whether to decide on the cached state without reading the log first."""
        rounds = self._read_first.pop(workshop_id, 0)
        if rounds > 1:
            self._read_first[workshop_id] = rounds - 1
        return not rounds

    def caught_up(
        self, workshop_id: str, idempotency: Idempotency | None = None
    ) -> Path[tuple[WorkshopState, IdempotencyRecord | None]]:
        """The workshop caught up on its log and, with a key, the record stored under it."""
        state, records = yield from self._caught_up(workshop_id, () if idempotency is None else (idempotency.key,))
        return state, records[0] if records else None

    def _caught_up(
        self, workshop_id: str, keys: tuple[str, ...]
    ) -> Path[tuple[WorkshopState, list[IdempotencyRecord | None]]]:
        """The workshop caught up on its log and the records stored under the keys. A log
        shorter than the cached state (a failover lost entries) is folded again from the start."""
        # Popped while folding: a failed read or fold leaves nothing half-applied in the cache.
        state = self._states.pop(workshop_id, None) or WorkshopState(id=workshop_id)
        try:
            recorded, records = yield Read(workshop_id, state.version, keys)
        except LogRewound:
            state = WorkshopState(id=workshop_id)
            recorded, records = yield Read(workshop_id, 0, keys)
        fold(state, recorded)
        self._keep(state)
        return state, records

    def _keep(self, state: WorkshopState) -> None:
        self._states[state.id] = state
        self._states.move_to_end(state.id)
        while len(self._states) > self._cached:
            evicted = self._states.popitem(last=False)[0]
            self._read_first.pop(evicted, None)
            self._evicted(evicted)

    def state(self, workshop_id: str) -> Path[WorkshopState]:
        state, _ = yield from self.caught_up(workshop_id)
        return state

    def execute(self, workshop_id: str, plan: Plan, idempotency: Idempotency | None) -> Path[Reply]:
        """Run a plan once: a retried request gets its first reply, never a second effect."""
        (result,) = yield from self.execute_batch(workshop_id, [Command(plan, idempotency)])
        if isinstance(result, Exception):
            raise result
        return result

    def execute_batch(self, workshop_id: str, commands: list[Command]) -> Path[list[Result]]:
        """Run the commands in order, appending the events of as many as possible together.

        Each command is decided on the state the commands before it left, and fails alone when
        the rules refuse it; its refusal stands once that state proves to be the log's (the
        append of the others passed its version check, or it was read). One that appends
        nothing is answered on the log's state (after the ones before it are appended), so that
        its reply never rests on events that may not land. A conflict with another process
        decides the commands again on the caught-up state. An error of the store fails every
        command not yet answered (raised).
        """
        results: list[Result | None] = [None] * len(commands)
        keys = [None if command.idempotency is None else command.idempotency.key for command in commands]
        named = [key for key in keys if key is not None]
        if len(set(named)) < len(named):
            raise ValueError("a batch holds each Idempotency-Key once")  # the caller queues repeats for later
        conflicts = 0
        verified = False  # the cached state is the log's as read, or as appended, during this call
        must_read = False
        while None in results:
            pending = [i for i, result in enumerate(results) if result is None]
            cached = self._states.get(workshop_id)
            records: dict[int, IdempotencyRecord] = {}
            if cached is not None and not must_read and (verified or self._trusts_cache(workshop_id)):
                state = cached
                self._keep(state)
            else:
                wanted = [(i, key) for i in pending if (key := keys[i]) is not None]
                state, found = yield from self._caught_up(workshop_id, tuple(key for _i, key in wanted))
                records = {i: record for (i, _key), record in zip(wanted, found, strict=True) if record is not None}
                verified, must_read = True, False
            decided = yield from self._decide(workshop_id, state, commands, pending, records, results, verified)
            if decided is None:  # a command must see the log's state: read it, then decide again
                must_read = True
                continue
            batch, refused = decided
            if batch:
                committed = yield from self._commit(workshop_id, batch, commands, results)
                if committed is None:  # another process appended first: decide again on the log's state
                    if not verified:
                        self._read_first[workshop_id] = READ_FIRST_ROUNDS
                    conflicts += 1
                    if conflicts >= APPEND_ATTEMPTS:
                        for i in (i for i in pending if results[i] is None):
                            results[i] = Conflict("The workshop is changing too fast; please try again.")
                    must_read = True
                    continue
                if not committed:  # a key was used meanwhile: that command is answered, the others go again
                    continue
                verified = True  # the version check passed: the state is the log's as of this append
            # The refusals stand: decided on the log's state, as read or as this append left it.
            for i, error in refused:
                results[i] = yield from self._answer_alone(workshop_id, state, error, commands[i].idempotency)
        return [result for result in results if result is not None]

    def _commit(
        self, workshop_id: str, batch: list[_Decided], commands: list[Command], results: list[Result | None]
    ) -> Path[bool | None]:
        """Append the batch and answer its commands: True. False when one of their keys was
        used meanwhile (that command is answered with the first reply) or guards failed (a
        command over its rate limit is answered alone, one whose address was seen is decided
        again as seen), None on a conflict."""
        try:
            yield self._append_of(workshop_id, batch, commands)
        except VersionConflict:
            self.drop(workshop_id)  # tentative state: rebuild from the log
            return None
        except IdempotencyKeyTaken as taken:
            self.drop(workshop_id)
            keys = {command.idempotency.key: i for i, command in enumerate(commands) if command.idempotency}
            i = keys.get(taken.key or "", batch[0].at)
            results[i] = self._replayed(taken.record, commands[i].idempotency)
            return False
        except Refused as refused:  # over a limit: answered alone; an address seen: decided again as seen
            self.drop(workshop_id)
            # the guards in the append's order, each with its command's place in the batch
            guarded = [(i, admission) for i, *_rest in batch if (admission := commands[i].admission) is not None]
            for n in refused.limited:
                i, admission = guarded[n]
                results[i] = RateLimited(admission.retry_after)
            for n in refused.seen:
                guarded[n][1].seen = True
            return False
        except BaseException:
            self.drop(workshop_id)  # tentative state: rebuild from the log
            raise
        for i, prepared, _stored in batch:
            results[i] = prepared.reply
            if (admission := commands[i].admission) is not None:
                admission.counted = True
        return True

    @staticmethod
    def _append_of(workshop_id: str, batch: list[_Decided], commands: list[Command]) -> Append:
        """One append for the whole batch, at the version before its first command."""
        _i, first, _stored = batch[0]
        return Append(
            workshop_id,
            [event for _i, prepared, _stored in batch for event in prepared.events],
            first.version,
            [stored for *_rest, stored in batch if stored is not None],
            [job for _i, prepared, _stored in batch for job in prepared.jobs],
            [email for _i, prepared, _stored in batch for email in prepared.forget_emails],
            [admission.guard() for i, *_rest in batch if (admission := commands[i].admission) is not None],
        )

    def _decide(
        self,
        workshop_id: str,
        state: WorkshopState,
        commands: list[Command],
        pending: list[int],
        records: dict[int, IdempotencyRecord],
        results: list[Result | None],
        verified: bool,
    ) -> Path[tuple[list[_Decided], list[tuple[int, Exception]]] | None]:
        """Decide the pending commands in order on `state`, evolving it tentatively: the ones to
        append, and the ones refused (they stand once the state they were decided on proves to
        be the log's). Answers those that append nothing at once, on the log's state; stops
        before one while others wait to be appended. None: read the log first."""
        batch: list[_Decided] = []
        refused: list[tuple[int, Exception]] = []
        for i in pending:
            idempotency = commands[i].idempotency
            if (record := records.get(i)) is not None:
                results[i] = self._replayed(record, idempotency)
                continue
            try:
                outcome = commands[i].plan(state)
            except Exception as error:  # noqa: BLE001 - the command fails alone
                refused.append((i, error))
                continue
            if not outcome.events:
                if batch:
                    break  # decided again once the ones before it are in the log
                if not verified:
                    return None
                results[i] = yield from self._answer_alone(workshop_id, state, outcome, idempotency)
                continue
            try:
                prepared = prepare(state, outcome, self.clock, self.dispatch)
            except BaseException:
                self.drop(workshop_id)  # tentative state: rebuild from the log
                raise
            stored = None
            if idempotency is not None:
                subjects = [*outcome.subjects, *(s for event in prepared.events for s in subjects_of(event))]
                stored = (idempotency.key, self._record_of(idempotency, prepared.reply, subjects))
            batch.append(_Decided(i, prepared, stored))
        if refused and not batch and not verified:
            return None
        return batch, refused

    def _answer_alone(
        self, workshop_id: str, state: WorkshopState, outcome: Outcome | Exception, idempotency: Idempotency | None
    ) -> Path[Result]:
        """A command that appends nothing, on the log's state: its reply, or its refusal."""
        if not isinstance(outcome, Exception):
            try:
                return (yield from self._reply_without_events(workshop_id, outcome, state, idempotency))
            except IdempotencyMismatch as mismatch:
                return mismatch
        # Another process may have just run this very request; then its reply stands.
        recalled = None
        if isinstance(outcome, DomainError) and idempotency is not None:
            recalled = yield Recall(workshop_id, idempotency.key)
        return outcome if recalled is None else self._replayed(recalled, idempotency)

    def _replayed(self, record: IdempotencyRecord, idempotency: Idempotency | None) -> Result:
        assert idempotency is not None
        try:
            return self._replay(record, idempotency)
        except IdempotencyMismatch as mismatch:
            return mismatch

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
        case Read(workshop_id, after, keys):
            return await store.read_and_recall_all(workshop_id, after, keys)
        case Recall(workshop_id, key):
            return await store.recall(workshop_id, key)
        case Append(workshop_id, events, version, idempotency, jobs, forget_emails, guards):
            recorded = await store.append(
                workshop_id,
                events,
                expected_version=version,
                idempotency=idempotency,
                jobs=jobs,
                forget_emails=forget_emails,
                guards=guards,
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
        case Read(workshop_id, after, ()):
            return log.read_sync(workshop_id, after), []
        case Append(workshop_id, events, version, [], jobs, forget_emails, []):
            recorded = log.append_sync(
                workshop_id, events, expected_version=version, jobs=jobs, forget_emails=forget_emails
            )
            metrics.appended(events)
            return recorded
    raise TypeError(f"the synchronous path runs without idempotency keys: {step!r}")
