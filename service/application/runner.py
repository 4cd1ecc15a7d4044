"""Running commands against a workshop for the API: the one command path
(`command_path.CommandPath`) driven with the asyncio event store.

`WorkshopService` keeps the folded state of recently used workshops in memory. Commands for one
workshop are serialised per process by a lock; across processes the expected version of the
append keeps them apart.
"""

from __future__ import annotations

import asyncio

from service.application.command_path import CommandPath, run_async
from service.application.outcomes import (
    About,
    Dispatch,
    Idempotency,
    IdempotencyMismatch,
    Outcome,
    Plan,
    Render,
    Reply,
    fingerprint,
    no_jobs,
    nobody,
)
from service.clock import Clock
from service.domain import commands as c
from service.domain.rules import decide
from service.domain.state import WorkshopState
from service.store.base import EventStore

__all__ = ["Idempotency", "IdempotencyMismatch", "Outcome", "Render", "Reply", "WorkshopService", "fingerprint"]

CACHED_WORKSHOPS = 256


class WorkshopService:
    def __init__(self, store: EventStore, clock: Clock, secret_key: str, dispatch: Dispatch = no_jobs) -> None:
        self.store = store
        self.clock = clock
        self._locks: dict[str, asyncio.Lock] = {}
        self._path = CommandPath(clock, secret_key, dispatch, CACHED_WORKSHOPS, evicted=self._forget_lock)

    def _forget_lock(self, workshop_id: str) -> None:
        self._locks.pop(workshop_id, None)

    def _lock(self, workshop_id: str) -> asyncio.Lock:
        lock = self._locks.get(workshop_id)
        if lock is None:
            lock = self._locks[workshop_id] = asyncio.Lock()
        return lock

    async def state(self, workshop_id: str) -> WorkshopState:
        """The workshop as its log says now. Read it without awaiting in between."""
        async with self._lock(workshop_id):
            return await run_async(self.store, self._path.state(workshop_id))

    def command(self, command: c.Command, render: Render, about: About = nobody) -> Plan:
        """A plan that decides one command at the current time; `about` tells the `subjects` of
        its outcome from the state before the command."""
        return lambda state: Outcome(decide(state, command, self.clock.now()), render, about(state))

    async def execute(self, workshop_id: str, plan: Plan, idempotency: Idempotency | None) -> Reply:
        """Run a plan once: a retried request gets its first reply, never a second effect."""
        async with self._lock(workshop_id):
            return await run_async(self.store, self._path.execute(workshop_id, plan, idempotency))
