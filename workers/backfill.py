"""Backfill: indexes that appends keep today, written for data logged before they did.

`GET /t/{code}` finds a session by its short link's code and `POST /api/me/link` finds an
address's workshops through indexes the append writes. Workshops logged before those indexes
existed have neither, so a pass at worker start folds every workshop once and writes them
(writing them again changes nothing), then notes that it is done: later starts cost one
lookup. Erased people are not in the fold, so their addresses are not indexed again.
"""

from __future__ import annotations

import logging
from datetime import datetime

from service.domain.rules import fold
from service.domain.state import WorkshopState
from service.store.jobs import Jobs
from workers.context import context
from workers.handlers import Handler

log = logging.getLogger("knoten.backfill")


def index_workshop(workshop_id: str) -> None:
    """Write one workshop's short links and the workshops-of-an-address entries of its people."""
    ctx = context()
    state = fold(WorkshopState(id=workshop_id), ctx.log.read_sync(workshop_id))
    links = {s.short_code: f"{workshop_id}/{s.id}" for s in state.sessions.values() if s.short_code}
    ctx.log.index_sync(workshop_id, links, sorted(state.participants_by_email))


def backfill_indexes() -> int:
    """Index every workshop once, unless that was done; how many workshops it indexed."""
    ctx = context()
    if ctx.log.indexes_backfilled():
        return 0
    workshop_ids = ctx.store.workshops.ids()
    for workshop_id in workshop_ids:
        index_workshop(workshop_id)
    ctx.log.note_indexes_backfilled()
    log.info("backfill: short links and addresses of %d workshops indexed", len(workshop_ids))
    return len(workshop_ids)


def schedule(jobs: Jobs, now: datetime) -> None:
    """Run the backfill now, once however many workers start together."""
    jobs.schedule("knoten-backfill-indexes", Handler.BACKFILL_INDEXES, now, description="backfill indexes")
