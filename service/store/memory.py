"""The in-memory twin of the event log, for unit tests and single-process development."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import AsyncIterator, Mapping, Sequence

import msgspec

from service.domain.events import Event, PersonErased
from service.store.base import (
    EventStore,
    Guard,
    Idempotencies,
    IdempotencyKeyTaken,
    IdempotencyRecord,
    LogRewound,
    Recorded,
    Refused,
    SyncEventLog,
    VersionConflict,
    idempotency_records,
    seen_emails,
    short_links,
    split_short_link,
)
from service.store.codec import EventCodec, subjects_of
from service.store.job_spec import JobSpec
from service.store.jobs import MemoryJobs
from service.store.ledger import MemoryEffectLedger
from service.store.photos import MemoryPhotos
from service.store.projections import MemoryProjections
from service.store.vault import KeyWrapper
from service.store.workshops import MemoryWorkshops


class MemoryEventStore(EventStore, SyncEventLog):
    """Keeps encoded events in lists, so that codec faults show here as in Redis."""

    def __init__(self, codec: EventCodec) -> None:
        self._codec = codec
        self._logs: dict[str, list[bytes]] = defaultdict(list)
        self.keys: dict[str, dict[str, bytes]] = defaultdict(dict)  # per workshop: subject → data key
        self._records: dict[tuple[str, str], IdempotencyRecord] = {}
        self._appended = asyncio.Condition()
        self._seen: set[str] = set()
        # fixed-window rate-limit counters, (scope, name, window) → hits: the guards of appends
        # count here, and the in-memory rate limiter shares them (service/ratelimit.py)
        self.rate_counts: defaultdict[tuple[str, str, int], int] = defaultdict(int)
        self._short_links: dict[str, str] = {}
        self._email_workshops: defaultdict[str, set[str]] = defaultdict(set)
        self._backfilled = False
        self._jobs = MemoryJobs()
        self._workshops = MemoryWorkshops(lambda: {w: len(log) for w, log in self._logs.items() if log})
        self.ledger = MemoryEffectLedger()
        self.projections = MemoryProjections()
        self._photos = MemoryPhotos()

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
        records = idempotency_records(idempotency)
        for key, _record in records:
            if existing := await self.recall(workshop_id, key):
                raise IdempotencyKeyTaken(existing, key)
        if len(self._logs[workshop_id]) != expected_version:
            raise VersionConflict(expected_version, len(self._logs[workshop_id]))
        counts = self._guarded(workshop_id, guards)
        recorded = self.append_sync(
            workshop_id, events, expected_version=expected_version, jobs=jobs, forget_emails=forget_emails
        )
        for key, record in records:
            self._records[(workshop_id, key)] = self._kept(workshop_id, record)
        self.rate_counts.update(counts)
        async with self._appended:
            self._appended.notify_all()
        return recorded

    def _guarded(self, workshop_id: str, guards: Sequence[Guard]) -> dict[tuple[str, str, int], int]:
        """The counts after the guards' hits, or Refused (as the append script decides)."""
        counts: dict[tuple[str, str, int], int] = {}
        limited, seen = [], []
        for n, guard in enumerate(guards):
            if guard.unseen and guard.unseen in self._seen:
                seen.append(n)
            counted: dict[tuple[str, str, int], int] = {}
            for name, limit in guard.counters:
                key = (workshop_id, name, guard.window)
                count = counted.get(key, counts.get(key, self.rate_counts[key])) + 1
                if count > limit:
                    limited.append(n)
                    break
                counted[key] = count
            else:
                counts.update(counted)
        if limited or seen:
            raise Refused(limited, seen)
        return counts

    def append_sync(
        self,
        workshop_id: str,
        events: Sequence[Event],
        *,
        expected_version: int,
        jobs: Sequence[JobSpec] = (),
        forget_emails: Sequence[str] = (),
    ) -> list[Recorded]:
        """Live tails see these events once the next async append wakes them."""
        log = self._logs[workshop_id]
        if len(log) != expected_version:
            raise VersionConflict(expected_version, len(log))
        keys = self.keys[workshop_id]
        for event in events:
            for subject in subjects_of(event):
                keys.setdefault(subject, KeyWrapper.new_key())
        log.extend(self._codec.encode(event, keys) for event in events)
        for event in events:
            if isinstance(event, PersonErased):
                keys.pop(event.subject, None)  # forgetting a person is deleting their key
        self._seen.update(seen_emails(events))
        for code, target in short_links(workshop_id, events).items():
            self._short_links.setdefault(code, target)
        self._seen.difference_update(forget_emails)
        for hashed in seen_emails(events):
            self._email_workshops[hashed].add(workshop_id)
        for hashed in forget_emails:
            self._email_workshops[hashed].discard(workshop_id)
        self._jobs.enqueue(jobs)
        return [Recorded(expected_version + i, event) for i, event in enumerate(events, start=1)]

    @property
    def jobs(self) -> MemoryJobs:
        return self._jobs

    @property
    def workshops(self) -> MemoryWorkshops:
        return self._workshops

    @property
    def photos(self) -> MemoryPhotos:
        return self._photos

    async def read(self, workshop_id: str, after: int = 0) -> list[Recorded]:
        return self._read(workshop_id, after)

    def read_sync(self, workshop_id: str, after: int = 0) -> list[Recorded]:
        if len(self._logs.get(workshop_id, [])) < after:
            raise LogRewound(f"the log of {workshop_id} is shorter than {after} entries")
        return self._read(workshop_id, after)

    def index_sync(self, workshop_id: str, links: Mapping[str, str], email_hashes: Sequence[str]) -> None:
        for code, target in links.items():
            self._short_links.setdefault(code, target)
        for hashed in email_hashes:
            self._email_workshops[hashed].add(workshop_id)

    def indexes_backfilled(self) -> bool:
        return self._backfilled

    def note_indexes_backfilled(self) -> None:
        self._backfilled = True

    def forget_history(self) -> None:
        """Memory keeps no history beyond its state."""

    def _read(self, workshop_id: str, after: int) -> list[Recorded]:
        log = self._logs.get(workshop_id, [])
        keys = self.keys.get(workshop_id, {})
        return [Recorded(i, self._codec.decode(data, keys)) for i, data in enumerate(log[after:], start=after + 1)]

    async def tail(self, workshop_id: str, after: int = 0) -> AsyncIterator[Recorded]:
        position = after
        while True:
            for recorded in await self.read(workshop_id, position):
                position = recorded.position
                yield recorded
            async with self._appended:
                if len(self._logs.get(workshop_id, [])) <= position:
                    await self._appended.wait()

    def _kept(self, workshop_id: str, record: IdempotencyRecord) -> IdempotencyRecord:
        """The record bound to those of its subjects that have a key (as Redis seals it)."""
        keys = self.keys.get(workshop_id, {})
        return msgspec.structs.replace(record, subjects=tuple(sorted({s for s in record.subjects if s in keys})))

    async def recall(self, workshop_id: str, key: str) -> IdempotencyRecord | None:
        record = self._records.get((workshop_id, key))
        if record is not None and any(s not in self.keys.get(workshop_id, {}) for s in record.subjects):
            return record.without_personal_data()
        return record

    async def remember(self, workshop_id: str, key: str, record: IdempotencyRecord) -> IdempotencyRecord:
        self._records.setdefault((workshop_id, key), self._kept(workshop_id, record))
        return await self.recall(workshop_id, key) or record

    async def seen_before(self, email_hash: str) -> bool:
        return email_hash in self._seen

    async def short_link(self, code: str) -> tuple[str, str] | None:
        target = self._short_links.get(code)
        return None if target is None else split_short_link(target)

    async def workshops_of(self, email_hash: str) -> list[str]:
        return sorted(self._email_workshops.get(email_hash, ()))
