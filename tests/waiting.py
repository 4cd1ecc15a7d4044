"""Waiting for a condition instead of sleeping for a while."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

import redis
from rq.job import Job, JobStatus

from service.store.jobs import SERIALIZER

POLL_SECONDS = 0.05


def wait_until(condition: Callable[[], object], what: str, timeout: float = 15) -> None:
    """Return as soon as `condition()` is true; fail naming `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(POLL_SECONDS)


async def eventually(condition: Callable[[], Awaitable[object]], what: str, timeout: float = 15) -> None:
    """`wait_until` for a condition that is awaited (an HTTP call, say)."""
    deadline = time.monotonic() + timeout
    while not await condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        await asyncio.sleep(POLL_SECONDS)


def wait_for_jobs(client: redis.Redis, workshop_id: str, handler: str, timeout: float = 30) -> None:
    """Wait until the workshop's jobs of `handler` (e.g. `send_follow_ups`) ran, at least one:
    what they would send has been sent then, so a missing mail is missing for good."""

    def finished() -> bool:
        ids = [key.decode().removeprefix("rq:job:") for key in client.scan_iter(f"rq:job:{workshop_id}-*-{handler}")]
        return bool(ids) and all(
            Job.fetch(i, connection=client, serializer=SERIALIZER).get_status() == JobStatus.FINISHED for i in ids
        )

    wait_until(finished, f"the {handler} jobs of {workshop_id} to finish", timeout)
