"""Jobs that failed for good (RQ's failed-job registry): listed with their reason, requeued on
request. The app's wiring hands in how to reach RQ's queue."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import msgspec
from litestar.exceptions import NotFoundException
from rq import Queue
from rq.exceptions import NoSuchJobError
from rq.job import Job
from rq.registry import FailedJobRegistry


class DeadLetter(msgspec.Struct, kw_only=True):
    job_id: str
    handler: str
    workshop_id: str | None
    args: list[str]
    failed_at: datetime | None
    reason: str


def _reason(job: Job) -> str:
    result = job.latest_result()
    text = (result.exc_string if result is not None else None) or "unknown"
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1] if lines else text


class DeadLetters:
    """The failed jobs of the queue `jobs` returns (asked for at each use: a store opens its
    Redis connections in the app's lifespan)."""

    def __init__(self, jobs: Callable[[], Queue]) -> None:
        self._jobs = jobs

    def listed(self) -> list[DeadLetter]:
        jobs_queue = self._jobs()
        registry = FailedJobRegistry(queue=jobs_queue)
        found = Job.fetch_many(registry.get_job_ids(), connection=jobs_queue.connection)
        return [
            DeadLetter(
                job_id=job.id,
                handler=job.func_name or "",
                workshop_id=str(job.args[0]) if job.args else None,
                args=[str(a) for a in job.args],
                failed_at=job.ended_at,
                reason=_reason(job),
            )
            for job in found
            if job is not None
        ]

    def retry(self, job_id: str) -> None:
        """Put a failed job back on the queue (404 when no failed job has that id)."""
        registry = FailedJobRegistry(queue=self._jobs())
        if job_id not in registry.get_job_ids():
            raise NotFoundException(f"No failed job with id {job_id!r}.")
        try:
            registry.requeue(job_id)
        except NoSuchJobError as exc:
            raise NotFoundException(f"No failed job with id {job_id!r}.") from exc
