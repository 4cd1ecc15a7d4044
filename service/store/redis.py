"""The event log on Redis Streams: one stream per workshop, positions as stream ids.

Position n is stored as stream id `n-0`, so a position is the same number in the log,
in `Last-Event-ID` and in job ids. An append is one server-side script (append.lua): it
checks version and idempotency key, then writes the events, the keys of new people, the
idempotency record and the jobs the events call for, all or nothing, in one round trip.
The jobs are RQ's own commands: RQ enqueues onto a pipeline that is never sent, and the
script runs what it recorded. A script sent again after a lost reply finds its own entries
(each append marks them with a random id) and writes nothing twice.

On a Redis Cluster (`redis+cluster://` URLs) every key of a workshop shares the workshop's
hash tag, so the append stays one transaction on the primary that owns the slot. RQ's keys
are not in that slot: the jobs go to RQ on a plain Redis right after the commit, and the
reconcile pass re-derives from the log whatever a crash in between left out
(docs/scaling.md).

The other concerns have their own modules: connections.py (clients), cluster.py (routing),
replicas.py (WAIT), jobs.py (RQ), ledger.py (effects), workshops.py (registry and heads).
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import anyio.to_thread
import redis
import redis.asyncio
from redis.asyncio.cluster import RedisCluster as AsyncRedisCluster
from redis.cluster import RedisCluster
from redis.exceptions import RedisClusterException

from service.domain.events import Event, PersonErased, event_type
from service.store import keys
from service.store.base import (
    IDEMPOTENCY_TTL_SECONDS,
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
from service.store.cluster import (
    CLUSTER_REROUTE_ON,
    after_commit,
    index_short_links,
    primary_for,
    run_on_slot_primary,
)
from service.store.codec import EventCodec, subjects_of
from service.store.connections import (
    TAIL_BLOCK_MS,
    AsyncClient,
    SyncClient,
    async_client,
    async_cluster_client,
    is_cluster_url,
    sync_client,
    sync_cluster_client,
)
from service.store.job_spec import JobSpec
from service.store.jobs import Enqueue, RedisJobs
from service.store.ledger import RedisEffectLedger
from service.store.photos import RedisPhotos
from service.store.pipelined import Pipelined
from service.store.projections import RedisProjections
from service.store.replicas import NotReplicated, Replicas
from service.store.replies import open_envelope, seal_record
from service.store.vault import KeyWrapper, forget_ciphers
from service.store.workshops import READ_BATCH, RedisWorkshops, position

APPEND_SCRIPT = Path(__file__).with_name("append.lua").read_text()
KEY_CLASHES = 5  # appends again after loading a person key another writer made meanwhile
log = logging.getLogger("knoten.store")


class RewriteRunning(redis.RedisError):
    """Redis rewrites its append-only file already: rewrite again once it is done."""


# What "the store is away for a moment" looks like once the retries are spent (the API answers 503).
UNAVAILABLE = (*CLUSTER_REROUTE_ON, RedisClusterException, NotReplicated)


@dataclass
class _Batch:
    """One append as the script gets it, kept across attempts: the append id stays the same,
    so a script sent again can tell that its entries landed."""

    workshop_id: str
    recorded: list[Recorded]
    subjects: list[list[str]]  # per entry, the people it names
    idempotency: list[
        tuple[str, str, IdempotencyRecord]
    ]  # the key as given, the Redis key, the record (sealed per attempt)
    commands: list[tuple[Any, ...]]  # RQ's, each (name, key, argument...)
    guards: Sequence[Guard] = ()
    seen_in_script: bool = True  # on a cluster the seen set lies in another slot: checked before
    append_id: str = field(default_factory=lambda: secrets.token_hex(8))
    fresh: dict[str, bytes] = field(default_factory=dict)  # keys made for people the cache did not know

    @property
    def erased(self) -> list[str]:
        return [entry.event.subject for entry in self.recorded if isinstance(entry.event, PersonErased)]


def _check_unseen(cluster: RedisCluster, guards: Sequence[Guard]) -> None:
    """On a cluster, where the seen set lies in another slot than the log: raise Refused for the
    guards whose address it holds, before the append (one round trip more, only there)."""
    asked = [(n, guard.unseen) for n, guard in enumerate(guards) if guard.unseen]
    if not asked:
        return
    found: Any = cluster.smismember(keys.seen_emails_key(), [email for _n, email in asked])
    seen = [n for (n, _email), member in zip(asked, found, strict=True) if member]
    if seen:
        raise Refused(seen=seen)


class _Taken(Exception):
    """The script found an idempotency key used: `sealed` is the record stored there, still to open."""

    def __init__(self, key: str, redis_key: str, sealed: bytes) -> None:
        super().__init__("idempotency key used before")
        self.key = key
        self.redis_key = redis_key
        self.sealed = sealed


class RedisEventStore(EventStore, SyncEventLog):
    """The event log on one Redis, or sharded by workshop on a Redis Cluster."""

    def __init__(
        self,
        sync_client: SyncClient,
        async_client: AsyncClient,
        codec: EventCodec,
        wrapper: KeyWrapper,
        enqueue: Enqueue | None = None,
        wait_replicas: int = 0,
    ) -> None:
        self._sync = sync_client
        self._replicas = Replicas(sync_client, async_client, wait_replicas)
        self._async = async_client
        self.pipelined = Pipelined(async_client)  # small commands of concurrent requests, one round trip
        self.ledger = RedisEffectLedger(sync_client, async_client)
        self.projections = RedisProjections(sync_client, async_client, wrapper)
        self._codec = codec
        self._wrapper = wrapper
        self._enqueue = enqueue
        self._jobs_client: redis.Redis | None = sync_client if isinstance(sync_client, redis.Redis) else None
        self._keys: dict[str, dict[str, bytes]] = {}  # per workshop: subject → data key (unwrapped)
        self._sync_script = sync_client.register_script(APPEND_SCRIPT)
        self._async_script = async_client.register_script(APPEND_SCRIPT)

    @classmethod
    def from_url(cls, url: str, codec: EventCodec, wrapper: KeyWrapper, wait_replicas: int = 0) -> RedisEventStore:
        """A plain `redis://` URL, or `redis+cluster://` for a node of a Redis Cluster. With
        `wait_replicas`, no write is acknowledged before that many replicas of its primary have it."""
        if is_cluster_url(url):
            return cls(sync_cluster_client(url), async_cluster_client(url), codec, wrapper, wait_replicas=wait_replicas)
        return cls(sync_client(url), async_client(url), codec, wrapper, wait_replicas=wait_replicas)

    @property
    def sync_client(self) -> SyncClient:
        """The event store's Redis (a cluster client in cluster mode); RQ is at `jobs_client`."""
        return self._sync

    @property
    def async_client(self) -> AsyncClient:
        return self._async

    @property
    def jobs_client(self) -> redis.Redis:
        """The plain Redis that holds RQ's queues: the store's own, or on a cluster a separate one."""
        if self._jobs_client is None:
            raise RuntimeError("a clustered store needs a plain Redis for jobs: call enqueue_with(..., jobs_client)")
        return self._jobs_client

    @property
    def jobs(self) -> RedisJobs:
        """The jobs port on RQ's Redis, with the finished jobs next to each log."""
        if self._enqueue is None:
            raise RuntimeError("this store cannot enqueue jobs: call enqueue_with() first")
        return RedisJobs(self.jobs_client, self._sync, self._enqueue)

    @property
    def workshops(self) -> RedisWorkshops:
        return RedisWorkshops(self._sync)

    @property
    def photos(self) -> RedisPhotos:
        return RedisPhotos(self._sync, self._async, self._wrapper)

    def enqueue_with(self, enqueue: Enqueue, jobs_client: redis.Redis | None = None) -> None:
        """Install how jobs are put onto a pipeline, and (required on a cluster) the plain Redis
        that holds RQ. On one Redis the jobs' commands run in the append script."""
        if jobs_client is not None:
            self._jobs_client = jobs_client
        self._enqueue = enqueue

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
        self._can_enqueue(jobs)
        records = idempotency_records(idempotency)
        recorded = [Recorded(expected_version + i, event) for i, event in enumerate(events, start=1)]
        if isinstance(self._async, AsyncRedisCluster):  # routed by hand, synchronously: see cluster.run_on_slot_primary
            await anyio.to_thread.run_sync(
                self._append_sync, workshop_id, recorded, records, jobs, forget_emails, guards
            )
            return recorded
        commands = (
            self._job_commands(jobs)
            + self._seen_commands(workshop_id, events, forget_emails)
            + self._short_link_commands(workshop_id, events)
        )
        batch = self._batch(workshop_id, recorded, records, commands, guards)
        if recorded[0].position == 1:
            await self._async.sadd(keys.workshops_key(), workshop_id)  # before the commit: see _register
        await self._load_keys(workshop_id, self._unknown_record_subjects(batch))
        for _ in range(KEY_CLASHES):
            try:
                reply = await self._async_script(*self._arguments(batch))
                clashed = self._settle(batch, reply)
            except _Taken as taken:
                await self._replicas.confirm(workshop_id)  # the first reply is given only once it is safe
                record = await self._open_record(workshop_id, taken.redis_key, taken.sealed)
                raise IdempotencyKeyTaken(record, taken.key) from None
            if not clashed:
                await self._replicas.confirm(workshop_id)
                return recorded
            await self._load_keys(workshop_id, clashed)
        raise VersionConflict(expected_version, expected_version)  # keys keep changing: decide again

    def _can_enqueue(self, jobs: Sequence[JobSpec]) -> None:
        """Refuse before writing anything, rather than commit events whose jobs have nowhere to go."""
        if jobs and (self._enqueue is None or self._jobs_client is None):
            raise RuntimeError("this store cannot enqueue jobs: call enqueue_with() first")

    def append_sync(
        self,
        workshop_id: str,
        events: Sequence[Event],
        *,
        expected_version: int,
        jobs: Sequence[JobSpec] = (),
        forget_emails: Sequence[str] = (),
    ) -> list[Recorded]:
        self._can_enqueue(jobs)
        recorded = [Recorded(expected_version + i, event) for i, event in enumerate(events, start=1)]
        self._append_sync(workshop_id, recorded, [], jobs, forget_emails)
        return recorded

    def read_sync(self, workshop_id: str, after: int = 0) -> list[Recorded]:
        log = keys.log_key(workshop_id)
        with self._sync.pipeline(transaction=False) as pipe:
            pipe.xlen(log)
            pipe.xrange(log, min=f"({after}-0" if after else "-", count=READ_BATCH)
            length, entries = pipe.execute()
        self._check_not_rewound(workshop_id, int(length), after)
        found: list[Recorded] = []
        while True:
            if found:
                entries = self._sync.xrange(log, min=f"({after}-0", count=READ_BATCH)
            self._load_keys_sync(workshop_id, self._unknown_subjects(workshop_id, entries))
            found.extend(self._decode(workshop_id, entries))
            if len(entries) < READ_BATCH:
                return found
            after = found[-1].position

    def _register(self, workshop_id: str) -> None:
        """Add the workshop to the registry that reconcile and retention walk.

        Before the first append's transaction, not after: a crash after the commit must not
        leave a workshop with events (and, on a cluster, jobs to re-derive) that no pass finds.
        A first append that then fails leaves an id with an empty log, which passes skip.
        """
        self._sync.sadd(keys.workshops_key(), workshop_id)

    def _load_keys_sync(self, workshop_id: str, subjects: list[str]) -> None:
        if subjects:
            wrapped: Any = self._sync.hmget(keys.person_keys_key(workshop_id), subjects)
            self._remember_keys(workshop_id, subjects, wrapped)

    async def _load_keys(self, workshop_id: str, subjects: list[str]) -> None:
        if subjects:
            wrapped: Any = await self._async.hmget(keys.person_keys_key(workshop_id), subjects)
            self._remember_keys(workshop_id, subjects, wrapped)

    def _remember_keys(self, workshop_id: str, subjects: list[str], wrapped: list[bytes | None]) -> None:
        cache = self._keys.setdefault(workshop_id, {})
        for subject, value in zip(subjects, wrapped, strict=True):
            if value is not None:  # no key: the person was erased
                cache[subject] = self._wrapper.unwrap(subject, value)

    def _unknown_subjects(self, workshop_id: str, entries: list[tuple[bytes, dict[bytes, bytes]]]) -> list[str]:
        cache = self._keys.get(workshop_id, {})
        named = {s for _, fields in entries for s in fields.get(b"subjects", b"").decode().split(",") if s}
        return sorted(s for s in named if s not in cache)

    def _append_sync(
        self,
        workshop_id: str,
        recorded: list[Recorded],
        idempotency: list[tuple[str, IdempotencyRecord]],
        jobs: Sequence[JobSpec],
        forget_emails: Sequence[str] = (),
        guards: Sequence[Guard] = (),
    ) -> None:
        cluster = self._sync if isinstance(self._sync, RedisCluster) else None
        events = [entry.event for entry in recorded]
        commands = []
        if cluster is None:
            commands = (
                self._job_commands(jobs)
                + self._seen_commands(workshop_id, events, forget_emails)
                + self._short_link_commands(workshop_id, events)
            )
        else:
            _check_unseen(cluster, guards)  # the seen set lies in another slot than the log
        batch = self._batch(workshop_id, recorded, idempotency, commands, guards)
        batch.seen_in_script = cluster is None
        if recorded[0].position == 1:
            self._register(workshop_id)
        self._load_keys_sync(workshop_id, self._unknown_record_subjects(batch))
        for _ in range(KEY_CLASHES):
            script_keys, arguments = self._arguments(batch)
            if cluster is None:
                reply = self._sync_script(script_keys, arguments)
            else:
                reply = run_on_slot_primary(cluster, self._sync_script, script_keys, arguments)
            try:
                clashed = self._settle(batch, reply)
            except _Taken as taken:
                self._replicas.confirm_sync(workshop_id)
                record = self._open_record_sync(workshop_id, taken.redis_key, taken.sealed)
                raise IdempotencyKeyTaken(record, taken.key) from None
            if not clashed:
                break
            self._load_keys_sync(workshop_id, clashed)
        else:
            raise VersionConflict(recorded[0].position - 1, recorded[0].position - 1)
        if cluster is not None:  # first: a WAIT that fails must not leave the jobs to reconcile
            enqueue = None if self._enqueue is None or self._jobs_client is None else (self._enqueue, self._jobs_client)
            index_short_links(cluster, short_links(workshop_id, events))
            after_commit(cluster, workshop_id, (seen_emails(events), forget_emails), jobs, enqueue)
        self._replicas.confirm_sync(workshop_id)

    def _batch(
        self,
        workshop_id: str,
        recorded: list[Recorded],
        idempotency: list[tuple[str, IdempotencyRecord]],
        commands: list[tuple[Any, ...]],
        guards: Sequence[Guard] = (),
    ) -> _Batch:
        records = [(key, keys.idempotency_key(workshop_id, key), record) for key, record in idempotency]
        subjects = [subjects_of(entry.event) for entry in recorded]
        return _Batch(workshop_id, recorded, subjects, records, commands, guards)

    def _unknown_record_subjects(self, batch: _Batch) -> list[str]:
        """The people a reply concerns whose keys this process has not loaded (it has, as a rule:
        it read the log before it decided)."""
        cache = self._keys.get(batch.workshop_id, {})
        named = {s for subjects in batch.subjects for s in subjects}
        subjects = {s for _key, _redis_key, record in batch.idempotency for s in record.subjects}
        return sorted(s for s in subjects - named if s not in cache)

    def _sealed_record(
        self, batch: _Batch, redis_key: str, record: IdempotencyRecord, data_keys: dict[str, bytes]
    ) -> bytes:
        """A record of the batch sealed with the keys of its subjects as they stand after the batch."""
        cache = self._keys.get(batch.workshop_id, {})
        kept = {s: key for s in record.subjects if (key := data_keys.get(s) or cache.get(s)) is not None}
        for subject in batch.erased:
            kept.pop(subject, None)
        return seal_record(self._wrapper, redis_key, record, kept)

    def _job_commands(self, jobs: Sequence[JobSpec]) -> list[tuple[Any, ...]]:
        """RQ's commands for these jobs: enqueued onto a pipeline that is never sent."""
        if not jobs or self._enqueue is None or self._jobs_client is None:
            return []
        recorder = self._jobs_client.pipeline(transaction=True)
        self._enqueue(recorder, jobs)
        return [args for args, _options in recorder.command_stack]

    @staticmethod
    def _short_link_commands(workshop_id: str, events: Sequence[Event]) -> list[tuple[Any, ...]]:
        """The codes of the sessions planned, each to its workshop and session (a code taken stays)."""
        links = short_links(workshop_id, events)
        return [("SET", keys.short_link_key(code), target, "NX") for code, target in links.items()]

    @staticmethod
    def _seen_commands(
        workshop_id: str, events: Sequence[Event], forget_emails: Sequence[str]
    ) -> list[tuple[Any, ...]]:
        """The sign-ups' e-mail hashes join the deployment's seen set and their workshop joins
        each hash's workshops, in the same script; the erased people's leave both."""
        commands: list[tuple[Any, ...]] = []
        if hashes := seen_emails(events):
            commands.append(("SADD", keys.seen_emails_key(), *hashes))
            commands += [("SADD", keys.email_workshops_key(h), workshop_id) for h in hashes]
        if forget_emails:
            commands.append(("SREM", keys.seen_emails_key(), *forget_emails))
            commands.append(("SET", keys.forgotten_key(), b"1"))
            commands += [("SREM", keys.email_workshops_key(h), workshop_id) for h in forget_emails]
        return commands

    def _arguments(self, batch: _Batch) -> tuple[list[str], list[Any]]:
        """The script's keys and arguments (append.lua says which is which). A person the cache
        does not know gets a new key, unless an earlier attempt of this batch made one."""
        cache = self._keys.setdefault(batch.workshop_id, {})
        named = {subject for subjects in batch.subjects for subject in subjects}
        batch.fresh = {s: batch.fresh.get(s) or KeyWrapper.new_key() for s in sorted(named) if s not in cache}
        data_keys = {s: cache.get(s) or batch.fresh[s] for s in named}
        log = keys.log_key(batch.workshop_id)
        script_keys = [log, keys.person_keys_key(batch.workshop_id), *(k for _key, k, _r in batch.idempotency)]
        script_keys += [command[1] for command in batch.commands]
        seen_set = 0
        if batch.seen_in_script and any(guard.unseen for guard in batch.guards):
            seen_set = len(script_keys) + sum(len(guard.counters) for guard in batch.guards) + 1
        arguments: list[Any] = [batch.recorded[0].position - 1, batch.append_id]
        arguments += [IDEMPOTENCY_TTL_SECONDS, len(batch.idempotency)]
        arguments += [len(batch.recorded), len(batch.fresh), len(batch.erased), len(batch.commands)]
        arguments += [len(batch.guards), seen_set]
        arguments += [self._sealed_record(batch, k, record, data_keys) for _key, k, record in batch.idempotency]
        for entry, subjects in zip(batch.recorded, batch.subjects, strict=True):
            data = self._codec.encode(entry.event, data_keys)
            arguments += [f"{entry.position}-0", event_type(entry.event), data, ",".join(subjects)]
        for subject, key in batch.fresh.items():
            arguments += [subject, self._wrapper.wrap(subject, key)]
        arguments += batch.erased
        for guard in batch.guards:
            unseen = guard.unseen if batch.seen_in_script and guard.unseen else ""
            arguments += [len(guard.counters), guard.window_seconds + 1, unseen]
            arguments += [counter.limit for counter in guard.counters]
            script_keys += [keys.rate_key(batch.workshop_id, c.name, guard.window) for c in guard.counters]
        if seen_set:
            script_keys.append(keys.seen_emails_key())
        for name, _key, *rest in batch.commands:
            arguments += [len(rest), name, *rest]
        return script_keys, arguments

    def _settle(self, batch: _Batch, reply: list[Any]) -> list[str]:
        """Take in the script's reply: [] once the batch is in the log; the people whose keys
        another writer made first (load them and append again); or raise what stands in the way."""
        status = reply[0]
        if status == b"keys":
            return [subject.decode() for subject in reply[1:]]
        if status == b"taken":
            key, redis_key, _record = batch.idempotency[int(reply[1]) - 1]
            raise _Taken(key, redis_key, reply[2])
        if status == b"conflict":
            raise VersionConflict(batch.recorded[0].position - 1, int(reply[1]))
        if status == b"refused":  # the script numbers the guards from 1
            raise Refused([int(n) - 1 for n in reply[1]], [int(n) - 1 for n in reply[2]])
        assert status in (b"ok", b"landed"), reply
        if status == b"ok" and int(reply[1]):
            log.error(
                "%s: %s job commands failed after the commit; reconcile will queue the jobs",
                batch.workshop_id,
                reply[1],
            )
        cache = self._keys.setdefault(batch.workshop_id, {})
        cache.update(batch.fresh)
        for subject in batch.erased:
            cache.pop(subject, None)
        if batch.erased:
            forget_ciphers()
        return []

    async def _open_record(self, workshop_id: str, redis_key: str, sealed: bytes) -> IdempotencyRecord:
        """A stored reply, opened with the keys its subjects have in Redis now (erased if one is gone)."""
        envelope = open_envelope(self._wrapper, redis_key, sealed)
        wrapped: Any = []
        if envelope.subjects:
            wrapped = await self._async.hmget(keys.person_keys_key(workshop_id), list(envelope.subjects))
        return envelope.record(redis_key, self._unwrapped(envelope.subjects, wrapped))

    def _open_record_sync(self, workshop_id: str, redis_key: str, sealed: bytes) -> IdempotencyRecord:
        envelope = open_envelope(self._wrapper, redis_key, sealed)
        wrapped: Any = []
        if envelope.subjects:
            wrapped = self._sync.hmget(keys.person_keys_key(workshop_id), list(envelope.subjects))
        return envelope.record(redis_key, self._unwrapped(envelope.subjects, wrapped))

    def _unwrapped(self, subjects: Sequence[str], wrapped: list[bytes | None]) -> dict[str, bytes]:
        return {s: self._wrapper.unwrap(s, w) for s, w in zip(subjects, wrapped, strict=True) if w is not None}

    async def read(self, workshop_id: str, after: int = 0) -> list[Recorded]:
        log = keys.log_key(workshop_id)
        found: list[Recorded] = []
        while True:
            entries: Any = await self._async.xrange(log, min=f"({after}-0" if after else "-", count=READ_BATCH)
            await self._load_keys(workshop_id, self._unknown_subjects(workshop_id, entries))
            found.extend(self._decode(workshop_id, entries))
            if len(entries) < READ_BATCH:
                return found
            after = found[-1].position

    async def read_and_recall(
        self, workshop_id: str, after: int, key: str | None
    ) -> tuple[list[Recorded], IdempotencyRecord | None]:
        found, records = await self.read_and_recall_all(workshop_id, after, () if key is None else (key,))
        return found, records[0] if records else None

    async def read_and_recall_all(
        self, workshop_id: str, after: int, keys_: Sequence[str]
    ) -> tuple[list[Recorded], list[IdempotencyRecord | None]]:
        """One round trip (all keys are in the workshop's slot) unless the log has more to read
        than one batch."""
        log = keys.log_key(workshop_id)
        redis_keys = [keys.idempotency_key(workshop_id, key) for key in keys_]
        async with self._async.pipeline(transaction=False) as pipe:
            pipe.xlen(log)
            pipe.xrange(log, min=f"({after}-0" if after else "-", count=READ_BATCH)
            for redis_key in redis_keys:
                pipe.get(redis_key)
            replies: list[Any] = await pipe.execute()
        self._check_not_rewound(workshop_id, int(replies[0]), after)
        entries = replies[1]
        records: list[IdempotencyRecord | None] = []
        for redis_key, sealed in zip(redis_keys, replies[2:], strict=True):
            records.append(None if sealed is None else await self._open_record(workshop_id, redis_key, sealed))
        await self._load_keys(workshop_id, self._unknown_subjects(workshop_id, entries))
        found = self._decode(workshop_id, entries)
        if len(entries) == READ_BATCH:
            found += await self.read(workshop_id, found[-1].position)
        if any(record is not None for record in records):
            await self._replicas.confirm(workshop_id)  # a reply is given again only once it is safe
        return found, records

    def _check_not_rewound(self, workshop_id: str, length: int, after: int) -> None:
        if length < after:
            self._keys.pop(workshop_id, None)  # the keys of people the lost entries named, too
            raise LogRewound(f"the log of {workshop_id} has {length} entries, {after} were folded")

    def _decode(self, workshop_id: str, entries: list[tuple[bytes, dict[bytes, bytes]]]) -> list[Recorded]:
        cache = self._keys.setdefault(workshop_id, {})
        decoded = []
        for sid, fields in entries:
            event = self._codec.decode(fields[b"data"], cache)
            if isinstance(event, PersonErased) and cache.pop(event.subject, None) is not None:
                forget_ciphers()
            decoded.append(Recorded(position(sid), event))
        return decoded

    async def tail(self, workshop_id: str, after: int = 0) -> AsyncIterator[Recorded]:
        log = keys.log_key(workshop_id)
        position = after
        while True:
            reply: Any = await self._async.xread({log: f"{position}-0"}, count=READ_BATCH, block=TAIL_BLOCK_MS)
            for _stream, entries in reply:
                await self._load_keys(workshop_id, self._unknown_subjects(workshop_id, entries))
                for recorded in self._decode(workshop_id, entries):
                    position = recorded.position
                    yield recorded

    async def recall(self, workshop_id: str, key: str) -> IdempotencyRecord | None:
        redis_key = keys.idempotency_key(workshop_id, key)
        data = await self._async.get(redis_key)
        if data is None:
            return None
        await self._replicas.confirm(workshop_id)
        return await self._open_record(workshop_id, redis_key, cast(bytes, data))

    async def remember(self, workshop_id: str, key: str, record: IdempotencyRecord) -> IdempotencyRecord:
        redis_key = keys.idempotency_key(workshop_id, key)
        wrapped: Any = []
        if record.subjects:
            wrapped = await self._async.hmget(keys.person_keys_key(workshop_id), list(record.subjects))
        sealed = seal_record(self._wrapper, redis_key, record, self._unwrapped(record.subjects, wrapped))
        stored = await self._async.set(redis_key, sealed, nx=True, ex=IDEMPOTENCY_TTL_SECONDS)
        if stored:
            await self._replicas.confirm(workshop_id)
            return record
        existing = await self.recall(workshop_id, key)
        return existing if existing is not None else record

    async def short_link(self, code: str) -> tuple[str, str] | None:
        target = await self._async.get(keys.short_link_key(code))
        if target is None:
            return None
        return split_short_link(target if isinstance(target, str) else target.decode())

    async def seen_before(self, email_hash: str) -> bool:
        return bool(await self.pipelined.execute_command("SISMEMBER", keys.seen_emails_key(), email_hash))

    async def workshops_of(self, email_hash: str) -> list[str]:
        found = await self._async.smembers(keys.email_workshops_key(email_hash))
        return sorted(m.decode() if isinstance(m, bytes) else m for m in found)

    def index_sync(self, workshop_id: str, links: Mapping[str, str], email_hashes: Sequence[str]) -> None:
        """One key per command: each index key has a slot of its own on a cluster."""
        for code, target in links.items():
            self._sync.set(keys.short_link_key(code), target, nx=True)
        for hashed in email_hashes:
            self._sync.sadd(keys.email_workshops_key(hashed), workshop_id)

    def indexes_backfilled(self) -> bool:
        return bool(self._sync.exists(keys.backfilled_key("indexes")))

    def note_indexes_backfilled(self) -> None:
        self._sync.set(keys.backfilled_key("indexes"), b"1")

    def forget_history(self) -> None:
        """After an erasure took e-mail hashes out of the seen set, have Redis rewrite its
        append-only file, so that they leave its history too (every other personal field is
        sealed, and its key is deleted). Raises RewriteRunning while another rewrite runs: its
        snapshot may be older than the erasure. One rewrite serves every erasure before it."""
        client = primary_for(self._sync, keys.seen_emails_key())
        if not client.exists(keys.forgotten_key()):
            return
        persistence: Any = client.info("persistence")
        if int(persistence["aof_rewrite_in_progress"]):
            raise RewriteRunning("an append-only file rewrite is running; try again after it")
        client.delete(keys.forgotten_key())  # first: an erasure after it marks its own rewrite as due
        try:
            client.bgrewriteaof()
        except redis.ResponseError as error:  # a rewrite started meanwhile
            client.set(keys.forgotten_key(), b"1")  # still to do: the retry finds it
            raise RewriteRunning(str(error)) from error

    async def ping(self) -> None:
        """The log's Redis answers. On a cluster RQ's Redis is not asked: while it is away, appends
        still succeed and their jobs wait for reconcile (the worker's health check notices)."""
        await self._async.ping()

    async def close(self) -> None:
        await self._async.aclose()
        self._sync.close()
        if self._jobs_client is not None and self._jobs_client is not self._sync:
            self._jobs_client.close()
