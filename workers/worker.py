"""The worker: runs the registered job functions of the knoten queue.

It runs jobs in its own process (RQ's SimpleWorker, no fork per job), so it keeps the folded
state of recent workshops between jobs and reads only what is new in a log. A job that kills
the process is recovered like a job of a killed worker.

Settings chosen so that a job of a killed worker comes back within about two minutes:
the work-horse heartbeats every 10 s, its started-job entry expires 60 s after the last
heartbeat (RQ adds 60 s), and an idle worker wakes every 30 s to clean the registries,
requeueing abandoned jobs that have retries left.
"""

from __future__ import annotations

import logging
import time
from typing import Any

import redis
from rq import Queue, SimpleWorker
from rq.exceptions import StopRequested
from rq.job import Job

from service.metrics import note_job
from service.store.jobs import SERIALIZER, queue
from workers.handlers import Handler
from workers.registry import RegisteredJob

JOB_MONITORING_INTERVAL = 10
MAINTENANCE_INTERVAL = 30
WORKER_TTL = 45  # an idle worker wakes every 30 s (TTL - 15), so maintenance really runs every ~30 s
RESTART_DELAY_SECONDS = 2
log = logging.getLogger("knoten.worker")


class KnotenWorker(SimpleWorker):
    """RQ's SimpleWorker that notes each job's outcome and duration for the metrics."""

    def perform_job(self, job: Job, queue: Queue, *args: Any, **kwargs: Any) -> bool:
        started = time.monotonic()
        ok = super().perform_job(job, queue, *args, **kwargs)
        try:
            note_job(self.connection, _handler_label(job), time.monotonic() - started, ok)
        except redis.RedisError as exc:  # a metric is not worth failing a job for
            log.warning("job metrics not noted: %s", exc)
        return ok


def _handler_label(job: Job) -> str:
    """The handler's short name, or `unregistered` (so a foreign job makes no label of its own)."""
    try:
        return Handler(job.func_name or "").value.rsplit(".", 1)[-1]
    except Exception:  # noqa: BLE001 - an unreadable job (not JSON) has no name either
        return "unregistered"


def run_worker(connection: redis.Redis, *, burst: bool = False) -> None:
    """Work the knoten queue, with the scheduler for jobs due later. Every job module is
    imported already (by the registry), so no job waits for the PDF and chart libraries.

    If Redis goes away for longer than RQ waits, the worker stops; this loop starts a new one,
    so a restarted Redis never leaves scheduled reminders without a worker.
    """
    while True:
        worker = KnotenWorker(
            [queue(connection, RegisteredJob)],
            connection=connection,
            job_class=RegisteredJob,
            serializer=SERIALIZER,
            job_monitoring_interval=JOB_MONITORING_INTERVAL,
            maintenance_interval=MAINTENANCE_INTERVAL,
            worker_ttl=WORKER_TTL,
        )
        try:
            worker.work(with_scheduler=True, burst=burst)
        except StopRequested:
            # A SIGTERM between two turns of RQ's loop, outside the handler that catches it
            # within a turn: RQ has torn the worker down already; a stop, not a crash.
            return
        except redis.ConnectionError:
            log.warning("lost Redis; starting a new worker in %s s", RESTART_DELAY_SECONDS)
        # A SIGTERM while idle stops RQ's loop without setting `_stop_requested`; only the
        # shutdown date tells a requested stop from a lost Redis.
        if burst or worker._stop_requested or worker._shutdown_requested_date is not None:
            return
        time.sleep(RESTART_DELAY_SECONDS)
