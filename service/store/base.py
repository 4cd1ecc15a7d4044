"""The event log port: append with optimistic concurrency and idempotency, read from a
position, tail live. `MemoryEventStore` and `RedisEventStore` both pass tests/contract."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import AsyncIterator, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, NamedTuple

import msgspec

from service.domain.events import Event, SessionPlanned, SignupRecorded
from service.domain.rules import signup_email_hash
from service.store.job_spec import JobSpec
from service.store.ledger import EffectLedger
from service.store.projections import Projections

if TYPE_CHECKING:
    from service.store.jobs import Jobs
    from service.store.photos import Photos
    from service.store.workshops import Workshops

IDEMPOTENCY_TTL_SECONDS = 8 * 24 * 3600  # API promise: at least 7 days


class Recorded(NamedTuple):
    """An event at its position in the workshop's log (1, 2, 3, ...)."""

    position: int
    event: Event


ERASED_REPLY = b'{"carried_out":true,"personal_data":"erased"}'
"""The body a stored reply gives once a person it concerns was erased: the request was carried
out, and the personal data its answer held is gone."""


class IdempotencyRecord(msgspec.Struct, frozen=True):
    """The first response to a request with an Idempotency-Key, and what it was for.

    `subjects` are the people the reply or the request concerns: stores seal the record so that
    it opens only while each of their keys exists. Once one of them is erased, `recall` gives
    the record `erased`: the first status with ERASED_REPLY, and no fingerprint to check (the
    request's fingerprint concerned that person too).
    """

    fingerprint: str
    status: int
    body: bytes
    subjects: tuple[str, ...] = ()
    erased: bool = False

    def without_personal_data(self) -> IdempotencyRecord:
        """What is left of the record once one of its subjects is erased."""
        return IdempotencyRecord("", self.status, ERASED_REPLY, erased=True)


class VersionConflict(Exception):
    """Someone appended since the caller read: re-read and decide again."""

    def __init__(self, expected: int, actual: int) -> None:
        super().__init__(f"expected version {expected}, log is at {actual}")
        self.expected = expected
        self.actual = actual


class LogRewound(Exception):
    """The log is shorter than a version the caller has folded: a failover promoted a replica
    that lacked the newest entries (possible without KNOTEN_WAIT_REPLICAS, or for entries that
    were never acknowledged). Whatever was folded from it must go: fold again from the start."""


class IdempotencyKeyTaken(Exception):
    """The key was used before; `record` is the first response. In an append of several
    records (a group commit), `key` says whose key it was."""

    def __init__(self, record: IdempotencyRecord, key: str | None = None) -> None:
        super().__init__("idempotency key used before")
        self.record = record
        self.key = key


class Counter(NamedTuple):
    """A fixed-window rate-limit counter: its name within the workshop, and its limit."""

    name: str
    limit: int


class Guard(NamedTuple):
    """What one command of an append must still find when it is written (the common case of a
    sign-up: both are checked, and the counters counted, in the append's one round trip).

    `counters`: counted by one hit each, in order, in the window `window` (seconds since the
    epoch divided by `window_seconds`); the command is refused when one would pass its limit,
    and a refused command counts nowhere (its counter is at its limit already).
    `unseen`: the e-mail hash the command was decided on as never seen before, or None.
    """

    counters: tuple[Counter, ...] = ()
    window: int = 0
    window_seconds: int = 60
    unseen: str | None = None


class Refused(Exception):
    """An append wrote nothing because some of its guards failed, by their place in the
    append's `guards`: `limited` would pass a rate limit, `seen` found their address seen."""

    def __init__(self, limited: Sequence[int] = (), seen: Sequence[int] = ()) -> None:
        super().__init__(f"guards failed: limited {list(limited)}, seen {list(seen)}")
        self.limited = tuple(limited)
        self.seen = tuple(seen)


Idempotencies = tuple[str, IdempotencyRecord] | Sequence[tuple[str, IdempotencyRecord]] | None
"""What an append stores under idempotency keys: one (key, record), several, or none."""


def idempotency_records(idempotency: Idempotencies) -> list[tuple[str, IdempotencyRecord]]:
    """The (key, record) pairs of an append, however they were given."""
    if idempotency is None:
        return []
    if len(idempotency) == 2 and isinstance(idempotency[0], str):
        return [idempotency]  # type: ignore[list-item]
    return list(idempotency)  # type: ignore[arg-type]


class SyncEventLog(ABC):
    """The event log for synchronous callers (RQ jobs): read and append, without idempotency
    keys (a job's effects are guarded by the effect ledger)."""

    @abstractmethod
    def read_sync(self, workshop_id: str, after: int = 0) -> list[Recorded]:
        """Every event after `after`. Raises LogRewound if the log has fewer than `after` entries."""

    @abstractmethod
    def append_sync(
        self,
        workshop_id: str,
        events: Sequence[Event],
        *,
        expected_version: int,
        jobs: Sequence[JobSpec] = (),
        forget_emails: Sequence[str] = (),
    ) -> list[Recorded]:
        """`EventStore.append` without an idempotency record."""

    @abstractmethod
    def index_sync(self, workshop_id: str, links: Mapping[str, str], email_hashes: Sequence[str]) -> None:
        """Write a workshop's short links (code → `<workshop>/<session>`, a code taken stays) and
        its e-mail hashes' entries of `workshops_of`, as the append does; again changes nothing.
        For data appended before the append kept these indexes."""

    @abstractmethod
    def indexes_backfilled(self) -> bool:
        """Whether every workshop's indexes were written once (`note_indexes_backfilled`)."""

    @abstractmethod
    def note_indexes_backfilled(self) -> None:
        """Note that every workshop logged before now has its indexes; later appends keep them."""

    @abstractmethod
    def forget_history(self) -> None:
        """After erasures took e-mail hashes out of the seen set, make the store's own history
        (Redis's append-only file) forget them too; once for every erasure before it."""


class EventStore(ABC):
    """One append-only log per workshop."""

    @abstractmethod
    async def append(
        self,
        workshop_id: str,
        events: Sequence[Event],
        *,
        expected_version: int,
        idempotency: Idempotencies = None,
        jobs: Sequence[JobSpec] = (),
        forget_emails: Sequence[str] = (),
        guards: Sequence[Guard] = (),
    ) -> list[Recorded]:
        """Append atomically, with the idempotency records and the jobs the events call for,
        if the log is at `expected_version` and every key is unused. `forget_emails` (the hashes
        of the people the events erase) leave what `seen_before` knows, as sign-ups join it.
        Several records (a group commit: one per command of the batch) are stored together.
        `guards` (one per command that has one) are checked, and their counters counted, in
        the same step.

        Raises VersionConflict, IdempotencyKeyTaken (for the first used key) or Refused (every
        guard that failed) and then writes nothing.
        """

    @abstractmethod
    async def read(self, workshop_id: str, after: int = 0) -> list[Recorded]:
        """Every event after position `after`, in order."""

    @abstractmethod
    def tail(self, workshop_id: str, after: int = 0) -> AsyncIterator[Recorded]:
        """Every event after `after`, then each new one as it is appended; never ends."""

    @abstractmethod
    async def recall(self, workshop_id: str, key: str) -> IdempotencyRecord | None:
        """The record stored under an idempotency key, if any."""

    async def read_and_recall(
        self, workshop_id: str, after: int, key: str | None
    ) -> tuple[list[Recorded], IdempotencyRecord | None]:
        """`read` and, with a key, `recall` together: what a command needs before it decides.
        A store may answer both in one round trip. Raises LogRewound if the log has fewer than
        `after` entries."""
        return await self.read(workshop_id, after), None if key is None else await self.recall(workshop_id, key)

    async def read_and_recall_all(
        self, workshop_id: str, after: int, keys: Sequence[str]
    ) -> tuple[list[Recorded], list[IdempotencyRecord | None]]:
        """`read_and_recall` for the keys of a batch of commands: the records in their order."""
        found = await self.read(workshop_id, after)
        return found, [await self.recall(workshop_id, key) for key in keys]

    @abstractmethod
    async def remember(self, workshop_id: str, key: str, record: IdempotencyRecord) -> IdempotencyRecord:
        """Store a record for a request that appended nothing; the first one stored wins."""

    ledger: EffectLedger
    """The effect ledger: which effects (mails, digests) of a workshop happened, and when."""
    projections: Projections
    """The network projection: per network, a record per meeting (service/store/projections.py)."""

    @property
    @abstractmethod
    def jobs(self) -> Jobs:
        """The jobs the appends enqueue, which of them finished, the dead letters."""

    @property
    @abstractmethod
    def workshops(self) -> Workshops:
        """The workshops the deployment holds, and what the periodic passes noted about them."""

    @property
    @abstractmethod
    def photos(self) -> Photos:
        """The sessions' photos, kept outside the log (service/store/photos.py)."""

    async def effects(self, workshop_id: str) -> dict[str, datetime]:
        """The effects of a workshop that happened, and when (what the pages and reports show)."""
        return await self.ledger.done_async(workshop_id)

    @abstractmethod
    async def seen_before(self, email_hash: str) -> bool:
        """Whether this deployment has seen a sign-up with this (keyed hash of an) e-mail.
        Every append of a `SignupRecorded` with an e-mail hash adds it, an append that forgets it
        removes it: with the append on one Redis, right after it on a cluster (a crash in between
        loses only the mark, or leaves it until the address signs up again)."""

    @abstractmethod
    async def short_link(self, code: str) -> tuple[str, str] | None:
        """The workshop and session of a short link's code. Every append of a `SessionPlanned`
        with a code writes it: in the append on one Redis, right after it on a cluster."""

    @abstractmethod
    async def workshops_of(self, email_hash: str) -> list[str]:
        """The workshops in which this (keyed hash of an) e-mail signed up and is not erased;
        kept by the append like `seen_before`."""

    async def ping(self) -> None:  # noqa: B027 - optional hook
        """Raise if the store cannot be reached."""

    async def close(self) -> None:  # noqa: B027 - optional hook
        """Release connections."""


def seen_emails(events: Sequence[Event]) -> list[str]:
    """The e-mail hashes these events sign up: what `seen_before` then knows."""
    hashes = (signup_email_hash(e) for e in events if isinstance(e, SignupRecorded))
    return sorted({h for h in hashes if h is not None})


def short_links(workshop_id: str, events: Sequence[Event]) -> dict[str, str]:
    """The short links these events plan: code → `<workshop id>/<session id>`."""
    return {
        e.short_code: f"{workshop_id}/{e.session_id}"
        for e in events
        if isinstance(e, SessionPlanned) and e.short_code is not None
    }


def split_short_link(target: str) -> tuple[str, str]:
    workshop_id, session_id = target.split("/", 1)
    return workshop_id, session_id
