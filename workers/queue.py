"""RQ wiring: the queue, and how jobs are enqueued onto an append's transaction.
The worker that runs them is `workers.worker`."""

from __future__ import annotations

import socket
from collections.abc import Callable, Sequence

import redis
from redis.client import Pipeline
from rq import Queue, Retry, SimpleWorker
from rq.job import Job

from service.store.base import JobSpec

QUEUE_NAME = "knoten"
JOB_TIMEOUT_SECONDS = 120
RETRY = Retry(max=6, interval=[5, 15, 60, 180, 600, 1800])
RESULT_TTL_SECONDS = 24 * 3600
FAILURE_TTL_SECONDS = 90 * 24 * 3600


def queue(connection: redis.Redis, job_class: type[Job] = Job) -> Queue:
    """The knoten queue; the worker's takes its jobs as `job_class`."""
    return Queue(QUEUE_NAME, connection=connection, default_timeout=JOB_TIMEOUT_SECONDS, job_class=job_class)


def enqueue_onto(jobs_queue: Queue) -> Callable[[Pipeline, Sequence[JobSpec]], None]:
    """An `Enqueue` for the event store: puts jobs onto the append's MULTI pipeline."""

    def enqueue(pipe: Pipeline, jobs: Sequence[JobSpec]) -> None:
        for job in jobs:
            options = {
                "job_id": job.job_id,
                "retry": RETRY,
                "job_timeout": JOB_TIMEOUT_SECONDS,
                "result_ttl": RESULT_TTL_SECONDS,
                "failure_ttl": FAILURE_TTL_SECONDS,
                "description": f"{job.handler.rsplit('.', 1)[-1]} {' '.join(job.args)}",
                "pipeline": pipe,
            }
            if job.at is None:
                jobs_queue.enqueue(str(job.handler), *job.args, **options)
            else:
                jobs_queue.enqueue_at(job.at, str(job.handler), *job.args, **options)

    return enqueue


def worker_registered_here(connection: redis.Redis) -> bool:
    """Whether a worker of the knoten queue on this host (container) is registered with RQ.

    RQ lets a worker's registration expire when its heartbeats stop, and stretches it over
    the longest job, so a registered worker is a live one.
    """
    host = socket.gethostname()
    return any(worker.hostname == host for worker in SimpleWorker.all(queue=queue(connection)))
