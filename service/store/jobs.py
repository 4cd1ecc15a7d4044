"""The jobs port: RQ's queue, how jobs are enqueued (onto an append's transaction, or on their
own), which jobs finished, the dead letters. `MemoryJobs` and `RedisJobs` both pass
tests/contract/test_jobs.py; the worker that runs the jobs is `workers.worker`."""

from __future__ import annotations

import functools
import json
import socket
import struct
import zlib
from abc import ABC, abstractmethod
from collections import defaultdict
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import NamedTuple

import redis
from redis.client import Pipeline
from rq import Queue, Retry, SimpleWorker
from rq.exceptions import DeserializationError, NoSuchJobError
from rq.job import Job, JobStatus
from rq.registry import FailedJobRegistry
from rq.serializers import JSONSerializer
from rq.utils import now as now_utc
from rq.utils import utcformat

from service.store import keys
from service.store.connections import SyncClient
from service.store.job_spec import JobSpec

QUEUE_NAME = "knoten"
JOB_TIMEOUT_SECONDS = 120
RETRY = Retry(max=6, interval=[5, 15, 60, 180, 600, 1800])
RETRY_INTERVALS = json.dumps(RETRY.intervals)  # as RQ writes them into a job's hash
RESULT_TTL_SECONDS = 24 * 3600
FAILURE_TTL_SECONDS = 90 * 24 * 3600
# Jobs (their arguments, results and meta) are stored as JSON, never pickled: whoever can write
# to RQ's Redis cannot make a process that reads a job unpickle code into it. A job's arguments
# are ids and strings (JobSpec.args), its result a bool, a count or None.
SERIALIZER = JSONSerializer


def queue(connection: redis.Redis, job_class: type[Job] = Job) -> Queue:
    """The knoten queue (jobs as JSON); the worker's takes its jobs as `job_class`."""
    return Queue(
        QUEUE_NAME,
        connection=connection,
        default_timeout=JOB_TIMEOUT_SECONDS,
        job_class=job_class,
        serializer=SERIALIZER,
    )


Enqueue = Callable[[Pipeline, Sequence[JobSpec]], None]
"""Puts jobs onto a pipeline (RQ's `pipeline=`): on one Redis a pipeline that is never sent, whose
recorded commands the append script runs; on a cluster a transaction of their own."""


def enqueue_onto(jobs_queue: Queue) -> Enqueue:
    """An `Enqueue` for the event store: puts jobs onto the append's MULTI pipeline."""

    def enqueue(pipe: Pipeline, jobs: Sequence[JobSpec]) -> None:
        if jobs and not pipe.explicit_transaction:
            # RQ starts the transaction on an immediate job, not on a scheduled one; a scheduled
            # job first (a digest waiting for more closes) would leave commands before its MULTI
            pipe.multi()
        now = utcformat(now_utc())
        for job in jobs:
            if job.at is None:
                _enqueue_now(pipe, jobs_queue, job, now)
                continue
            options = {
                "job_id": job.job_id,
                "retry": RETRY,
                "job_timeout": JOB_TIMEOUT_SECONDS,
                "result_ttl": RESULT_TTL_SECONDS,
                "failure_ttl": FAILURE_TTL_SECONDS,
                "description": _description(job),
                "pipeline": pipe,
            }
            jobs_queue.enqueue_at(job.at, str(job.handler), *job.args, **options)

    return enqueue


ZLIB_HEADER = b"\x78\x01"  # deflate with a 32 KiB window, no dictionary, check bits set
STORED_BLOCK = 0xFFFF  # the most bytes a stored deflate block holds


def _enqueue_now(pipe: Pipeline, jobs_queue: Queue, job: JobSpec, now: str) -> None:
    """The commands of RQ's `Queue.enqueue` for a job to run now, written directly: RQ builds a
    Job object, its dictionary and its hash for each (≈70 µs a sign-up, bench/command_path.py).
    The same hash fields as RQ's `Job.to_dict` for the options `enqueue_onto` passes, the data as
    RQ's JSONSerializer writes it; a unit test compares them with what RQ itself records
    (tests/unit/test_job_commands.py), and the workers' tests run them."""
    data = _compressed(json.dumps([str(job.handler), None, list(job.args), {}]).encode("utf-8"))
    pipe.sadd(Queue.redis_queues_keys, jobs_queue.key)
    key = jobs_queue.job_class.key_for(job.job_id)
    fields = ("created_at", now, "enqueued_at", now, "data", data, "description", _description(job))
    pipe.hset(key, items=[*fields, *_fixed_fields(jobs_queue.name)])
    pipe.rpush(jobs_queue.key, job.job_id)


def _compressed(data: bytes) -> bytes:
    """`data` as a zlib stream that RQ's `zlib.decompress` reads: stored deflate blocks (RFC 1950
    and 1951), not compressed. A job's data is a hundred bytes of JSON that deflate barely
    shortens, and every compressor zlib offers sets up its state first: `zlib.compress` ≈256 KiB
    (≈70 µs a job), the smallest window and tables ≈3 KiB (≈9 µs, more with the allocator under
    pressure); this ≈1 µs (bench/command_path.py)."""
    blocks = [data[start : start + STORED_BLOCK] for start in range(0, len(data), STORED_BLOCK)] or [b""]
    stream = [ZLIB_HEADER]
    for number, block in enumerate(blocks, start=1):
        final = 1 if number == len(blocks) else 0
        stream.append(struct.pack("<BHH", final, len(block), len(block) ^ 0xFFFF) + block)
    stream.append(struct.pack(">I", zlib.adler32(data)))
    return b"".join(stream)


@functools.cache
def _fixed_fields(origin: str) -> tuple[str | int, ...]:
    """The fields of a job's hash that are the same for every job knoten enqueues, as HSET's
    name-value arguments."""
    fixed: dict[str, str | int] = {
        "success_callback_name": "",
        "failure_callback_name": "",
        "stopped_callback_name": "",
        "started_at": "",
        "ended_at": "",
        "last_heartbeat": "",
        "worker_name": "",
        "group_id": "",
        "retries_left": RETRY.max,
        "retry_intervals": RETRY_INTERVALS,
        "origin": origin,
        "timeout": JOB_TIMEOUT_SECONDS,
        "result_ttl": RESULT_TTL_SECONDS,
        "failure_ttl": FAILURE_TTL_SECONDS,
        "status": JobStatus.QUEUED.value,
    }
    return tuple(part for pair in fixed.items() for part in pair)


def _description(job: JobSpec) -> str:
    return f"{job.handler.rsplit('.', 1)[-1]} {' '.join(job.args)}"


def worker_registered_here(connection: redis.Redis) -> bool:
    """Whether a worker of the knoten queue on this host (container) is registered with RQ.

    RQ lets a worker's registration expire when its heartbeats stop, and stretches it over
    the longest job, so a registered worker is a live one.
    """
    host = socket.gethostname()
    workers = SimpleWorker.all(queue=queue(connection), serializer=SERIALIZER)
    return any(worker.hostname == host for worker in workers)


class FailedJob(NamedTuple):
    """A dead letter: a job that failed after every retry, and the last line of its error."""

    job_id: str
    handler: str
    args: tuple[str, ...]
    failed_at: datetime | None
    reason: str


class Jobs(ABC):
    """The jobs of the deployment, for reconcile, retention and the operators."""

    @abstractmethod
    def enqueue(self, jobs: Sequence[JobSpec]) -> None:
        """Enqueue jobs now, in a transaction of their own (reconcile's re-derived jobs)."""

    @abstractmethod
    def schedule(self, job_id: str, handler: str, at: datetime, description: str, timeout: int | None = None) -> None:
        """A job without arguments at `at`, unless a job with this id exists (periodic passes)."""

    @abstractmethod
    def known(self, job_ids: Sequence[str]) -> set[str]:
        """Those of the jobs that the queue holds: waiting, scheduled, running or dead."""

    @abstractmethod
    def mark_done(self, workshop_id: str, job_id: str) -> None:
        """Note that a job of the workshop ran to its end."""

    @abstractmethod
    def done(self, workshop_id: str) -> set[str]:
        """The jobs of the workshop that ran to their end."""

    @abstractmethod
    def failed(self) -> list[FailedJob]:
        """The dead letters."""

    @abstractmethod
    def retry(self, job_id: str) -> bool:
        """Queue a dead letter again; False when there is no such dead letter."""


class MemoryJobs(Jobs):
    """The twin: keeps what was enqueued in order; no job runs, so none fails."""

    def __init__(self) -> None:
        self.queued: list[JobSpec] = []
        self._done: dict[str, set[str]] = defaultdict(set)

    def enqueue(self, jobs: Sequence[JobSpec]) -> None:
        self.queued.extend(jobs)

    def schedule(self, job_id: str, handler: str, at: datetime, description: str, timeout: int | None = None) -> None:
        if not self.known([job_id]):
            self.queued.append(JobSpec(job_id, handler, (), at))

    def known(self, job_ids: Sequence[str]) -> set[str]:
        return set(job_ids) & {job.job_id for job in self.queued}

    def mark_done(self, workshop_id: str, job_id: str) -> None:
        self._done[workshop_id].add(job_id)

    def done(self, workshop_id: str) -> set[str]:
        return set(self._done.get(workshop_id, ()))

    def failed(self) -> list[FailedJob]:
        return []

    def retry(self, job_id: str) -> bool:
        return False


class RedisJobs(Jobs):
    """RQ on its plain Redis; the finished jobs of a workshop next to its log (its hash slot)."""

    def __init__(self, rq_client: redis.Redis, log_client: SyncClient, enqueue: Enqueue) -> None:
        self._rq = rq_client
        self._log = log_client
        self._enqueue = enqueue

    def enqueue(self, jobs: Sequence[JobSpec]) -> None:
        with self._rq.pipeline(transaction=True) as pipe:
            self._enqueue(pipe, jobs)
            pipe.execute()

    def schedule(self, job_id: str, handler: str, at: datetime, description: str, timeout: int | None = None) -> None:
        if not Job.exists(job_id, connection=self._rq):
            queue(self._rq).enqueue_at(
                at, str(handler), job_id=job_id, description=description, job_timeout=timeout or JOB_TIMEOUT_SECONDS
            )

    def known(self, job_ids: Sequence[str]) -> set[str]:
        return {job_id for job_id in job_ids if Job.exists(job_id, connection=self._rq)}

    def mark_done(self, workshop_id: str, job_id: str) -> None:
        self._log.sadd(keys.jobs_done_key(workshop_id), job_id)

    def done(self, workshop_id: str) -> set[str]:
        members: set[bytes] = self._log.smembers(keys.jobs_done_key(workshop_id))  # type: ignore[assignment]
        return {member.decode() for member in members}

    def failed(self) -> list[FailedJob]:
        registry = FailedJobRegistry(queue=queue(self._rq))
        jobs = [
            job
            for job in Job.fetch_many(registry.get_job_ids(), connection=self._rq, serializer=SERIALIZER)
            if job is not None
        ]
        return [_dead_letter(job) for job in jobs]

    def retry(self, job_id: str) -> bool:
        registry = FailedJobRegistry(queue=queue(self._rq))
        if job_id not in registry.get_job_ids():
            return False
        try:
            registry.requeue(job_id)
        except NoSuchJobError:
            return False
        return True


UNREADABLE = "(unreadable: not a knoten job)"


def _dead_letter(job: Job) -> FailedJob:
    """A failed job as listed; one whose data is no JSON (a pickle, say) is listed unread."""
    try:
        handler, args = job.func_name or "", tuple(str(a) for a in job.args)
    except DeserializationError:
        handler, args = UNREADABLE, ()
    return FailedJob(job.id, handler, args, job.ended_at, _reason(job))


def _reason(job: Job) -> str:
    result = job.latest_result()
    text = (result.exc_string if result is not None else None) or "unknown"
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1] if lines else text
