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
from service.domain.lookups import session_of
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

    def __init__(self, position: int, frame: bytes, kind: str = "", kinds: tuple[str, ...] = ()) -> None:
        super().__init__()
        self.position = position
        self.frame = frame
        self.kind = kind
        self.kinds = kinds or ((kind,) if kind else ())  # a batch: the type of each of its events

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


async def _next(queue: asyncio.Queue[_Encoded | None]) -> list[_Encoded | None]:
    """Every message waiting in the queue, after waiting for the first (TimeoutError after
    HEARTBEAT_SECONDS without one); a None (the end) comes last."""
    if queue.empty():
        async with asyncio.timeout(HEARTBEAT_SECONDS):
            waiting = [await queue.get()]
    else:
        waiting = [queue.get_nowait()]
    while waiting[-1] is not None and not queue.empty():
        waiting.append(queue.get_nowait())
    return waiting


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
                waiting = await _next(subscription.queue)
            except TimeoutError:
                yield ServerSentEventMessage(comment="keep-alive")
                continue
            # What queued meanwhile goes out together: one write for the lot, not one per event
            # and stream (a busy workshop with hundreds of streams made the API's core the limit).
            frames, kinds = [], []
            for encoded in waiting:
                if encoded is None:
                    break
                if encoded.position > last:
                    frames.append(encoded.frame)
                    kinds.append(encoded.kind)
                    last = encoded.position
            if frames:
                yield _Encoded(last, b"".join(frames), kinds[-1], tuple(kinds))
            if waiting[-1] is None:
                if subscription.error is not None:  # one error object, many streams: each raises its own
                    raise ConnectionError("the workshop's live feed ended") from subscription.error
                return
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


def _signal(item: ServerSentEventMessage) -> ServerSentEventMessage:
    """An event as a bare signal: its type and position, none of its fields."""
    if isinstance(item, _Encoded):
        fields = dict(line.split(b": ", 1) for line in item.frame.splitlines() if b": " in line)
        kind, position = fields.get(b"event", b"").decode(), str(item.position)
    else:
        kind, position = str(item.event or ""), str(item.id or "")
    if not kind:
        return item  # a keep-alive comment
    return ServerSentEventMessage(data="{}", event=kind, id=position)


async def _signals(
    events: AsyncGenerator[ServerSentEventMessage, None],
) -> AsyncGenerator[ServerSentEventMessage, None]:
    async for item in events:
        yield _signal(item)


@get(
    "/api/workshops/{workshop_id:str}/sessions/{session_id:str}/live",
    opt={"access": Access.MEMBER},
    tags=["live"],
)
async def session_signals(
    request: Request[Any, Any, Any],
    workshop_id: FromPath[str],
    session_id: FromPath[str],
    service: NamedDependency[WorkshopService],
) -> ServerSentEvent:
    """For participants' phones: a signal (type and position, no fields, so no one's name) for
    every event of the workshop after `Last-Event-ID`, then live; the phone fetches its panel again."""
    after = _resume_position(request)
    state = existing(await service.state(workshop_id))
    session_of(state, session_id)
    events = live(service.store, _feeds(request), workshop_id, after, state.version)
    return ServerSentEvent(_signals(events), headers={"Cache-Control": "no-store"})
