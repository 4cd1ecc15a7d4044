"""Reconcile: re-derive from the log every job that events call for, and enqueue the ones
that neither ran to the end nor wait in RQ (queued, scheduled, running or dead-lettered).
Running it twice changes nothing: jobs are identified by workshop, log position and handler,
and every effect is guarded by the ledger anyway.

A workshop whose every job ran to the end is noted as settled at its log version; passes skip
it until its log grows. So a pass folds the workshops with work under way, not the whole
history of the deployment (most workshops are over and settled).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

import redis
from rq.job import Job

from service.domain.rules import fold
from service.domain.state import WorkshopState
from service.store import keys
from workers.context import context
from workers.dispatch import dispatch
from workers.handlers import Handler
from workers.queue import enqueue_onto, queue

log = logging.getLogger("knoten.reconcile")
RECONCILE_EVERY = timedelta(minutes=5)


def reconcile_workshop(workshop_id: str, head: str | None = None) -> int:
    """Enqueue the missing jobs of one workshop; how many there were. `head` is the log's head
    (RedisEventStore.log_heads) read before the log: the workshop is settled at it when every
    job has finished."""
    ctx = context()
    client = ctx.store.jobs_client  # RQ's Redis; on a cluster not the log's
    if head is None:
        head = ctx.store.log_heads([workshop_id])[workshop_id]
    recorded = ctx.store.read_sync(workshop_id)
    state = fold(WorkshopState(id=workshop_id), recorded)
    done_key = keys.jobs_done_key(workshop_id)
    done = {member.decode() for member in ctx.store.sync_client.smembers(done_key)}  # type: ignore[union-attr]
    unfinished = [spec for spec in dispatch(state, recorded) if spec.job_id not in done]
    missing = [spec for spec in unfinished if not Job.exists(spec.job_id, connection=client)]
    if not unfinished:
        ctx.store.sync_client.hset(keys.reconciled_key(), workshop_id, head)
    if missing:
        with client.pipeline(transaction=True) as pipe:
            enqueue_onto(queue(client))(pipe, missing)
            pipe.execute()
        log.warning("reconcile: %s had %d missing jobs: %s", workshop_id, len(missing), [j.job_id for j in missing])
    return len(missing)


def reconcile() -> int:
    """Schedule the next round, then reconcile every workshop that is not settled at its log's
    current head. One failing workshop does not stop the others."""
    ctx = context()
    schedule_next(ctx.store.jobs_client, ctx.clock.now())
    workshop_ids = ctx.store.workshop_ids()
    raw: dict[bytes, bytes] = ctx.store.sync_client.hgetall(keys.reconciled_key())  # type: ignore[assignment]
    settled = {key.decode(): value.decode() for key, value in raw.items()}
    heads = ctx.store.log_heads(workshop_ids)
    found = 0
    for workshop_id in workshop_ids:
        if settled.get(workshop_id) == heads[workshop_id]:
            continue
        try:
            found += reconcile_workshop(workshop_id, heads[workshop_id])
        except Exception:
            log.exception("reconcile: %s failed; the next pass tries again", workshop_id)
    return found


def schedule_next(client: redis.Redis, now: datetime) -> None:
    """One reconcile per period, however many workers schedule it: the id names the period."""
    period = int(now.timestamp() // RECONCILE_EVERY.total_seconds()) + 1
    job_id = f"knoten-reconcile-{period}"
    if not Job.exists(job_id, connection=client):
        queue(client).enqueue_in(
            RECONCILE_EVERY, str(Handler.RECONCILE), job_id=job_id, description="reconcile every workshop"
        )
