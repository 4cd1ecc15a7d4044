"""What an append enqueues: a job, named by its handler, carrying ids only."""

from __future__ import annotations

from datetime import datetime

import msgspec


class JobSpec(msgspec.Struct, frozen=True):
    """A job that an append enqueues in its own transaction: handler, ids, when (None: now)."""

    job_id: str
    handler: str
    args: tuple[str, ...]
    at: datetime | None = None
