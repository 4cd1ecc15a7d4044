"""For the organiser: the dead-letter list (jobs that failed for good) with retry."""

from __future__ import annotations

import anyio.to_thread
import msgspec
from litestar import get, post
from litestar.di import NamedDependency
from litestar.params import FromPath

from service.api.auth import Access
from service.application.dead_letters import DeadLetter, DeadLetters


class Requeued(msgspec.Struct):
    job_id: str
    status: str


@get("/api/admin/dead-letters", opt={"access": Access.ORGANISER}, tags=["operations"])
async def list_dead_letters(dead_letters: NamedDependency[DeadLetters]) -> list[DeadLetter]:
    """Jobs that failed after every retry, with the reason; retry them after fixing the cause."""
    return await anyio.to_thread.run_sync(dead_letters.listed)


@post(
    "/api/admin/dead-letters/{job_id:str}/retry", opt={"access": Access.ORGANISER}, status_code=200, tags=["operations"]
)
async def retry_dead_letter(job_id: FromPath[str], dead_letters: NamedDependency[DeadLetters]) -> Requeued:
    """Put a failed job back on the queue."""
    await anyio.to_thread.run_sync(dead_letters.retry, job_id)
    return Requeued(job_id=job_id, status="queued")
