"""RQ wiring: the queue, how jobs are enqueued onto an append's transaction, and the worker.

The worker runs jobs in its own process (RQ's SimpleWorker, no fork per job), so it keeps
the folded state of recent workshops between jobs and reads only what is new in a log.
A job that kills the process is recovered like a job of a killed worker.

Settings chosen so that a job of a killed worker comes back within about two minutes:
the work-horse heartbeats every 10 s, its started-job entry expires 60 s after the last
heartbeat (RQ adds 60 s), and an idle worker wakes every 30 s to clean the registries,
requeueing abandoned jobs that have retries left.
"""

from __future__ import annotations

import importlib
import logging
import socket
import time
from collections.abc import Callable, Sequence

import redis
from redis.client import Pipeline
from rq import Queue, Retry, SimpleWorker

from service.store.base import JobSpec

QUEUE_NAME = "knoten"
JOB_TIMEOUT_SECONDS = 120
RETRY = Retry(max=6, interval=[5, 15, 60, 180, 600, 1800])
RESULT_TTL_SECONDS = 24 * 3600
FAILURE_TTL_SECONDS = 90 * 24 * 3600
JOB_MONITORING_INTERVAL = 10
MAINTENANCE_INTERVAL = 30
WORKER_TTL = 45  # an idle worker wakes every 30 s (TTL - 15), so maintenance really runs every ~30 s
RESTART_DELAY_SECONDS = 2
log = logging.getLogger("knoten.worker")


def queue(connection: redis.Redis) -> Queue:
    return Queue(QUEUE_NAME, connection=connection, default_timeout=JOB_TIMEOUT_SECONDS)


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
                jobs_queue.enqueue(job.handler, *job.args, **options)
            else:
                jobs_queue.enqueue_at(job.at, job.handler, *job.args, **options)

    return enqueue


JOB_MODULES = (
    "workers.mail_jobs",
    "workers.follow_ups",
    "workers.intro_talks",
    "workers.digests",
    "workers.reconcile",
    "workers.retention",
    "workers.erasure",
)


def preload_job_modules() -> None:
    """Import every job's module before the first job (about a second with the PDF and
    chart libraries), so no job waits for it."""
    for module in JOB_MODULES:
        importlib.import_module(module)


def worker_registered_here(connection: redis.Redis) -> bool:
    """Whether a worker of the knoten queue on this host (container) is registered with RQ.

    RQ lets a worker's registration expire when its heartbeats stop, and stretches it over
    the longest job, so a registered worker is a live one.
    """
    host = socket.gethostname()
    return any(worker.hostname == host for worker in SimpleWorker.all(queue=queue(connection)))


def run_worker(connection: redis.Redis, *, burst: bool = False) -> None:
    """Work the knoten queue, with the scheduler for jobs due later.

    If Redis goes away for longer than RQ waits, the worker stops; this loop starts a new one,
    so a restarted Redis never leaves scheduled reminders without a worker.
    """
    preload_job_modules()
    while True:
        worker = SimpleWorker(
            [queue(connection)],
            connection=connection,
            job_monitoring_interval=JOB_MONITORING_INTERVAL,
            maintenance_interval=MAINTENANCE_INTERVAL,
            worker_ttl=WORKER_TTL,
        )
        try:
            worker.work(with_scheduler=True, burst=burst)
        except redis.ConnectionError:
            log.warning("lost Redis; starting a new worker in %s s", RESTART_DELAY_SECONDS)
        # A SIGTERM while idle stops RQ's loop without setting `_stop_requested`; only the
        # shutdown date tells a requested stop from a lost Redis.
        if burst or worker._stop_requested or worker._shutdown_requested_date is not None:
            return
        time.sleep(RESTART_DELAY_SECONDS)
