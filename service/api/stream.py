"""Live updates: every event of a workshop as Server-Sent Events, resumable by position."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncGenerator
from typing import Any

import msgspec
from litestar import Request, get
from litestar.response import ServerSentEvent, ServerSentEventMessage

from service.api.auth import Access
from service.api.problems import BadInput
from service.api.workshops import existing
from service.domain.events import event_type
from service.domain.views import streamed
from service.store.base import EventStore, Recorded
from service.workshops import WorkshopService

HEARTBEAT_SECONDS = 15.0
BUFFERED_EVENTS = 1000


def _resume_position(request: Request[Any, Any, Any]) -> int:
    raw = request.headers.get("last-event-id") or request.query_params.get("last_event_id")
    if raw is None or raw == "":
        return 0
    if not raw.isdigit():
        raise BadInput("Last-Event-ID", "must be a log position (a whole number)")
    return int(raw)


def message(recorded: Recorded) -> ServerSentEventMessage:
    data = msgspec.json.encode(streamed(recorded.event)).decode()
    return ServerSentEventMessage(data=data, event=event_type(recorded.event), id=str(recorded.position))


async def live(store: EventStore, workshop_id: str, after: int) -> AsyncGenerator[ServerSentEventMessage, None]:
    """Events after `after`, then each new one; a comment every few seconds keeps proxies open."""
    queue: asyncio.Queue[Recorded] = asyncio.Queue(BUFFERED_EVENTS)

    async def pump() -> None:
        async for recorded in store.tail(workshop_id, after):
            await queue.put(recorded)

    task = asyncio.create_task(pump())
    try:
        while True:
            try:
                recorded = await asyncio.wait_for(queue.get(), HEARTBEAT_SECONDS)
            except TimeoutError:
                if task.done():
                    task.result()  # surfaces the tail's error
                yield ServerSentEventMessage(comment="keep-alive")
                continue
            yield message(recorded)
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await task


@get("/api/workshops/{workshop_id:str}/stream", opt={"access": Access.FACILITATOR}, tags=["live"])
async def stream_events(request: Request[Any, Any, Any], workshop_id: str, service: WorkshopService) -> ServerSentEvent:
    """Every event of the workshop from the start (or after `Last-Event-ID`), then live."""
    after = _resume_position(request)
    existing(await service.state(workshop_id))
    return ServerSentEvent(live(service.store, workshop_id, after), headers={"Cache-Control": "no-store"})
