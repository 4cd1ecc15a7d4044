"""Live updates: every event of a workshop as Server-Sent Events, resumable by position."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator
from typing import Any

import msgspec
from litestar import Request, get
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import ServerSentEvent, ServerSentEventMessage

from service.api.auth import Access
from service.api.problems import BadInput
from service.application.inputs import existing
from service.application.runner import WorkshopService
from service.domain.events import event_type
from service.domain.views import streamed
from service.store.base import EventStore, Recorded

HEARTBEAT_SECONDS = 15.0
BUFFERED_EVENTS = 1000
MAX_POSITION = 2**64 - 1  # a Redis stream id's first part


def _resume_position(request: Request[Any, Any, Any]) -> int:
    raw = request.headers.get("last-event-id") or request.query_params.get("last_event_id")
    if raw is None or raw == "":
        return 0
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 20 or int(raw) > MAX_POSITION:
        raise BadInput("Last-Event-ID", "must be a log position (a whole number)")
    return int(raw)


def message(recorded: Recorded) -> ServerSentEventMessage:
    data = msgspec.json.encode(streamed(recorded.event)).decode()
    return ServerSentEventMessage(data=data, event=event_type(recorded.event), id=str(recorded.position))


class _Encoded(ServerSentEventMessage):
    """A message encoded once by the feed and sent to every stream as it is; `kind` is its
    event type (for streams that pass on only some)."""

    def __init__(self, position: int, frame: bytes, kind: str = "") -> None:
        super().__init__()
        self.position = position
        self.frame = frame
        self.kind = kind

    def encode(self) -> bytes:
        return self.frame


class Subscription:
    """One stream's place in a feed: the events fanned out to it, and why it ended, if it did."""

    def __init__(self) -> None:
        self.queue: asyncio.Queue[_Encoded | None] = asyncio.Queue(BUFFERED_EVENTS)
        self.error: BaseException | None = None

    def end(self, error: BaseException | None = None) -> None:
        """Stop this stream: what waits is dropped (the client resumes with Last-Event-ID)."""
        self.error = error
        while not self.queue.empty():
            self.queue.get_nowait()
        self.queue.put_nowait(None)


class Feed:
    """One live tail of a workshop's log per process, fanned out to all of its streams.

    With one tail per stream, every connected console read, opened and encoded every event
    again: 50 consoles on a busy workshop kept the API's one core busy (bench/results.md).
    A stream too slow to keep up with `BUFFERED_EVENTS` is ended; its client reconnects with
    Last-Event-ID and misses nothing.
    """

    def __init__(self, store: EventStore, workshop_id: str, after: int, feeds: dict[str, Feed]) -> None:
        self._subscriptions: set[Subscription] = set()
        self._feeds = feeds
        self._workshop_id = workshop_id
        self._task = asyncio.create_task(self._run(store, after))

    def subscribe(self) -> Subscription:
        subscription = Subscription()
        self._subscriptions.add(subscription)
        return subscription

    def unsubscribe(self, subscription: Subscription) -> None:
        self._subscriptions.discard(subscription)
        if not self._subscriptions:
            self._close()

    def _close(self) -> None:
        if self._feeds.get(self._workshop_id) is self:
            del self._feeds[self._workshop_id]
        self._task.cancel()

    async def _run(self, store: EventStore, after: int) -> None:
        try:
            async for recorded in store.tail(self._workshop_id, after):
                encoded = _Encoded(recorded.position, message(recorded).encode(), event_type(recorded.event))
                for subscription in list(self._subscriptions):
                    try:
                        subscription.queue.put_nowait(encoded)
                    except asyncio.QueueFull:
                        self._subscriptions.discard(subscription)
                        subscription.end()
        except Exception as exc:  # noqa: BLE001 - every stream of the feed ends with the tail's error
            if self._feeds.get(self._workshop_id) is self:
                del self._feeds[self._workshop_id]
            for subscription in self._subscriptions:
                subscription.end(exc)


def _feeds(request: Request[Any, Any, Any]) -> dict[str, Feed]:
    feeds: dict[str, Feed] | None = request.app.state.get("live_feeds")
    if feeds is None:
        feeds = request.app.state.live_feeds = {}
    return feeds


async def live(
    store: EventStore, feeds: dict[str, Feed], workshop_id: str, after: int, version: int
) -> AsyncGenerator[ServerSentEventMessage, None]:
    """Events after `after`, then each new one; a comment every few seconds keeps proxies open.

    The stream joins the workshop's feed first and then reads what came before from the log,
    so nothing falls between the two; an event in both is sent once (by position).
    """
    feed = feeds.get(workshop_id)
    if feed is None:
        feed = feeds[workshop_id] = Feed(store, workshop_id, version, feeds)
    subscription = feed.subscribe()
    try:
        last = after
        for recorded in await store.read(workshop_id, after):
            yield message(recorded)
            last = recorded.position
        while True:
            try:
                encoded = await asyncio.wait_for(subscription.queue.get(), HEARTBEAT_SECONDS)
            except TimeoutError:
                yield ServerSentEventMessage(comment="keep-alive")
                continue
            if encoded is None:
                if subscription.error is not None:  # one error object, many streams: each raises its own
                    raise ConnectionError("the workshop's live feed ended") from subscription.error
                return
            if encoded.position > last:
                yield encoded
                last = encoded.position
    finally:
        feed.unsubscribe(subscription)


@get("/api/workshops/{workshop_id:str}/stream", opt={"access": Access.FACILITATOR}, tags=["live"])
async def stream_events(
    request: Request[Any, Any, Any], workshop_id: FromPath[str], service: NamedDependency[WorkshopService]
) -> ServerSentEvent:
    """Every event of the workshop from the start (or after `Last-Event-ID`), then live."""
    after = _resume_position(request)
    version = existing(await service.state(workshop_id)).version
    events = live(service.store, _feeds(request), workshop_id, after, version)
    return ServerSentEvent(events, headers={"Cache-Control": "no-store"})
