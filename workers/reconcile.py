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

from service.domain.rules import fold
from service.domain.state import WorkshopState
from service.store.jobs import Jobs
from workers.context import context
from workers.dispatch import dispatch
from workers.handlers import Handler

log = logging.getLogger("knoten.reconcile")
RECONCILE_EVERY = timedelta(minutes=5)


def reconcile_workshop(workshop_id: str, head: str | None = None) -> int:
    """Enqueue the missing jobs of one workshop; how many there were. `head` is the log's head
    (`Workshops.heads`) read before the log: the workshop is settled at it when every job has
    finished."""
    ctx = context()
    if head is None:
        head = ctx.store.workshops.heads([workshop_id])[workshop_id]
    recorded = ctx.log.read_sync(workshop_id)
    state = fold(WorkshopState(id=workshop_id), recorded)
    done = ctx.store.jobs.done(workshop_id)
    unfinished = [spec for spec in dispatch(state, recorded) if spec.job_id not in done]
    known = ctx.store.jobs.known([spec.job_id for spec in unfinished])
    missing = [spec for spec in unfinished if spec.job_id not in known]
    if not unfinished:
        ctx.store.workshops.settle(workshop_id, head)
    if missing:
        ctx.store.jobs.enqueue(missing)
        log.warning("reconcile: %s had %d missing jobs: %s", workshop_id, len(missing), [j.job_id for j in missing])
    return len(missing)


def reconcile() -> int:
    """Schedule the next round, then reconcile every workshop that is not settled at its log's
    current head. One failing workshop does not stop the others."""
    ctx = context()
    schedule_next(ctx.store.jobs, ctx.clock.now())
    workshop_ids = ctx.store.workshops.ids()
    settled = ctx.store.workshops.settled()
    heads = ctx.store.workshops.heads(workshop_ids)
    found = 0
    for workshop_id in workshop_ids:
        if settled.get(workshop_id) == heads[workshop_id]:
            continue
        try:
            found += reconcile_workshop(workshop_id, heads[workshop_id])
        except Exception:
            log.exception("reconcile: %s failed; the next pass tries again", workshop_id)
    return found


def schedule_next(jobs: Jobs, now: datetime) -> None:
    """One reconcile per period, however many workers schedule it: the id names the period."""
    period = int(now.timestamp() // RECONCILE_EVERY.total_seconds()) + 1
    jobs.schedule(
        f"knoten-reconcile-{period}", Handler.RECONCILE, now + RECONCILE_EVERY, description="reconcile every workshop"
    )
