"""What a command is and what it answers: the plan a request makes, its outcome, the reply
stored under its idempotency key, and the jobs its events call for."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any, NamedTuple

import msgspec

from service.domain.events import Event
from service.domain.state import WorkshopState
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
