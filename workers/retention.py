"""Retention: a workshop's personal data is erased `KNOTEN_RETENTION_DAYS` after it ended.

Every person the workshop names (participants, owners of commitments and offers, intro hosts,
the organisers' address) gets a tombstone, which deletes their key; the sessions' photos
(flipcharts may carry names) are deleted; the report stays, with its counts, anonymised.
The erasure cancels the newcomers' intro talks as any command's would
(`domain.reactions.settle`); the hosts of those talks keep their address until the next pass,
so that the cancellation reaches them. The pass runs when a worker starts and then every hour; its job id
names the hour, so however many workers run, one pass happens per hour. Each workshop's due
end and log version are noted in `knoten:retention`, so a pass folds only workshops whose
time has come and that changed since they were last erased.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from service.domain import commands as c
from service.domain.rules import decide, named_people, retention_ends
from service.store.jobs import Jobs
from workers.context import context
from workers.handlers import Handler

log = logging.getLogger("knoten.retention")
RETENTION_EVERY = timedelta(hours=1)
PASS_TIMEOUT = 1800  # seconds; a pass folds only workshops that may be due (see `_may_be_due`)


def expire_workshop(workshop_id: str) -> int:
    """Erase the workshop's people if its retention time is over; how many were erased."""
    ctx = context()
    retention = timedelta(days=ctx.settings.retention_days)
    state = ctx.state(workshop_id)
    due = retention_ends(state, retention)
    erased = 0
    if due is not None and ctx.clock.now() >= due:
        ctx.store.photos.erase_sync(workshop_id)  # photos of flipcharts may carry names
    if due is not None and ctx.clock.now() >= due and named_people(state):
        events = decide(state, c.ExpirePersonalData(retention=retention), ctx.clock.now())
        ctx.record(workshop_id, *events)
        erased = len(events)
        log.info("retention: erased %d people of workshop %s (ended %s)", erased, workshop_id, state.ends_at)
        state = ctx.state(workshop_id)  # with the tombstones and the talks they called off
        if named_people(state):
            return erased  # hosts told of a cancelled talk: the next pass folds again and erases them
    if state.ends_at is not None:
        ctx.store.workshops.note_retention(workshop_id, f"{state.ends_at.timestamp():.0f}:{state.version}")
    return erased


def _may_be_due(workshop_id: str, noted: str | None, now: datetime, retention: timedelta) -> bool:
    """From what the last pass noted (`<end of the workshop>:<log version>`): not due yet, or
    due and erased with nothing written since, needs no fold."""
    if noted is None:
        return True
    ended, version = (int(part) for part in noted.split(":"))
    if now.timestamp() < ended + retention.total_seconds():
        return False
    return context().store.workshops.length(workshop_id) != version


def expire() -> int:
    """One retention pass over every workshop. The next pass is scheduled first, so that a
    failing pass (or one workshop that fails) never ends the hourly chain."""
    ctx = context()
    now = ctx.clock.now()
    schedule(ctx.store.jobs, now + RETENTION_EVERY)
    noted = ctx.store.workshops.retention_notes()
    retention = timedelta(days=ctx.settings.retention_days)
    erased = 0
    for workshop_id in ctx.store.workshops.ids():
        if not _may_be_due(workshop_id, noted.get(workshop_id), now, retention):
            continue
        try:
            erased += expire_workshop(workshop_id)
        except Exception:  # the others still get their pass; this one is tried again next hour
            log.exception("retention: workshop %s failed", workshop_id)
    return erased


def schedule(jobs: Jobs, at: datetime) -> None:
    """The pass of the hour `at` falls in, unless it is already there."""
    job_id = f"knoten-retention-{int(at.timestamp() // RETENTION_EVERY.total_seconds())}"
    jobs.schedule(job_id, Handler.RETENTION, at, description="retention pass", timeout=PASS_TIMEOUT)
