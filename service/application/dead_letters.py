"""Jobs that failed for good, as the operators see them: listed with their reason, requeued on
request, through the jobs port of the event store (`service/store/jobs.py`)."""

from __future__ import annotations

from datetime import datetime

import msgspec
from litestar.exceptions import NotFoundException

from service.store.base import EventStore


class DeadLetter(msgspec.Struct, kw_only=True):
    job_id: str
    handler: str
    workshop_id: str | None
    args: list[str]
    failed_at: datetime | None
    reason: str


class DeadLetters:
    """The dead letters of the store's jobs."""

    def __init__(self, store: EventStore) -> None:
        self._store = store

    def listed(self) -> list[DeadLetter]:
        return [
            DeadLetter(
                job_id=job.job_id,
                handler=job.handler,
                workshop_id=job.args[0] if job.args else None,
                args=list(job.args),
                failed_at=job.failed_at,
                reason=job.reason,
            )
            for job in self._store.jobs.failed()
        ]

    def retry(self, job_id: str) -> None:
        """Put a failed job back on the queue (404 when no failed job has that id)."""
        if not self._store.jobs.retry(job_id):
            raise NotFoundException(f"No failed job with id {job_id!r}.")
