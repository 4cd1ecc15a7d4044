"""Retention: a workshop's personal data is erased `KNOTEN_RETENTION_DAYS` after it ended.

Every person the workshop names (participants, owners of commitments and offers, intro hosts,
the organisers' address) gets a tombstone, which deletes their key; the report stays, with
its counts, anonymised. The pass runs when a worker starts and then every hour; its job id
names the hour, so however many workers run, one pass happens per hour.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

import redis
from rq.job import Job

from service.domain import commands as c
from service.domain.workshop import decide, named_people, retention_ends
from workers.context import context
from workers.queue import queue

log = logging.getLogger("knoten.retention")
RETENTION_EVERY = timedelta(hours=1)


def expire_workshop(workshop_id: str) -> int:
    """Erase the workshop's people if its retention time is over; how many were erased."""
    ctx = context()
    retention = timedelta(days=ctx.settings.retention_days)
    state = ctx.state(workshop_id)
    due = retention_ends(state, retention)
    if due is None or ctx.clock.now() < due or not named_people(state):
        return 0
    events = decide(state, c.ExpirePersonalData(retention=retention), ctx.clock.now())
    ctx.record(workshop_id, *events)
    log.info("retention: erased %d people of workshop %s (ended %s)", len(events), workshop_id, state.ends_at)
    return len(events)


def expire() -> int:
    """One retention pass over every workshop, then schedule the next."""
    ctx = context()
    erased = sum(expire_workshop(workshop_id) for workshop_id in ctx.store.workshop_ids())
    schedule(ctx.store.jobs_client, ctx.clock.now() + RETENTION_EVERY)
    return erased


def schedule(client: redis.Redis, at: datetime) -> None:
    """The pass of the hour `at` falls in, unless it is already there."""
    job_id = f"knoten-retention-{int(at.timestamp() // RETENTION_EVERY.total_seconds())}"
    if not Job.exists(job_id, connection=client):
        queue(client).enqueue_at(at, "workers.retention.expire", job_id=job_id, description="retention pass")
