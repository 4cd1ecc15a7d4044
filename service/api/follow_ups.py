"""Follow-ups: where every commitment's reminders stand."""

from __future__ import annotations

from litestar import get
from litestar.di import NamedDependency
from litestar.params import FromPath

from service.api.auth import Access
from service.application.inputs import existing
from service.application.runner import WorkshopService
from service.domain.views import FollowUpEntry, follow_ups


@get("/api/workshops/{workshop_id:str}/follow-ups", opt={"access": Access.FACILITATOR}, tags=["follow-ups"])
async def list_follow_ups(workshop_id: FromPath[str], service: NamedDependency[WorkshopService]) -> list[FollowUpEntry]:
    """Each commitment with its reminder status: scheduled, sent, done or overdue."""
    done = await service.store.effects(workshop_id)
    state = existing(await service.state(workshop_id))
    return follow_ups(state, done, service.clock.now())
