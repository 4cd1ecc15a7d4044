"""How a page runs a command: without an Idempotency-Key and without a reply of its own."""

from __future__ import annotations

from service.application.runner import WorkshopService
from service.domain import commands as c


async def run(service: WorkshopService, workshop_id: str, command: c.Command) -> None:
    """Run a command for a page; the page shows the new state after a redirect."""
    await service.execute(workshop_id, service.command(command, lambda _: (200, {})), None)
