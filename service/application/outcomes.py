"""What a command is and what it answers: the plan a request makes, its outcome, the reply
stored under its idempotency key, and the jobs its events call for."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any, NamedTuple

import msgspec

from service.domain.events import Event
from service.domain.state import WorkshopState
from service.store.base import Counter, Guard
from service.store.job_spec import JobSpec


class Reply(NamedTuple):
    """A response as it was first given: status and JSON body."""

    status: int
    body: bytes


class Idempotency(NamedTuple):
    key: str
    fingerprint: str


class IdempotencyMismatch(Exception):
    """The key was used before for another request (422)."""


class RateLimited(Exception):
    """A command's rate limit is used up (429); its window ends in `retry_after` seconds."""

    def __init__(self, retry_after: int) -> None:
        super().__init__("rate limit used up")
        self.retry_after = retry_after


class Admission:
    """What a command must still find when it is appended (the append checks it in the same
    round trip): its rate-limit counters within their limits, counted by the append, and the
    e-mail hash it was decided on as never seen, while it is taken as unseen.

    The command path keeps it across a batch's attempts: an address found seen is decided
    again as seen (`seen`), and `counted` says that an append counted the command's hits (a
    command answered without an append counts them elsewhere)."""

    def __init__(
        self,
        counters: tuple[Counter, ...],
        window_seconds: int,
        now: float,
        email_hash: str | None = None,
    ) -> None:
        self._guard = Guard(counters, int(now // window_seconds), window_seconds, email_hash)
        self.retry_after = window_seconds - int(now) % window_seconds
        self.seen = False
        self.counted = False

    def guard(self) -> Guard:
        return self._guard._replace(unseen=None) if self.seen else self._guard


Render = Callable[[WorkshopState], tuple[int, Any]]


class Outcome(NamedTuple):
    """What a planned request does: the events to append and how to render the reply.

    `subjects`: people the reply or the request concerns beyond those the events name (a reply
    without events about someone); its stored copy is erased with them.
    """

    events: list[Event]
    render: Render
    subjects: tuple[str, ...] = ()


Plan = Callable[[WorkshopState], Outcome]
About = Callable[[WorkshopState], tuple[str, ...]]


def nobody(_state: WorkshopState) -> tuple[str, ...]:
    return ()


def fingerprint(method: str, path: str, body: Any) -> str:
    """The same request, however its JSON was spaced or ordered, has the same fingerprint.
    `WorkshopService` stores only a keyed hash of it: the body may name someone."""
    canonical = msgspec.json.encode(body, order="sorted")
    return hashlib.sha256(b"\0".join((method.encode(), path.encode(), canonical))).hexdigest()


Dispatch = Callable[[WorkshopState, list[tuple[int, Event]]], list[JobSpec]]


def no_jobs(_state: WorkshopState, _recorded: list[tuple[int, Event]]) -> list[JobSpec]:
    return []
