"""Running commands against a workshop for the API: the one command path
(`command_path.CommandPath`) driven with the asyncio event store.

`WorkshopService` keeps the folded state of recently used workshops in memory. Commands for one
workshop are serialised per process; across processes the expected version of the append keeps
them apart. Commands that arrive while an append of their workshop is in flight queue, and the
next round runs them all as one batch (group commit, `CommandPath.execute_batch`): decided in
order, appended in one script call, each answered with its own reply.
"""

from __future__ import annotations

import asyncio
from typing import NamedTuple

from service.application.command_path import Command, CommandPath, Result, run_async
from service.application.outcomes import (
    About,
    Admission,
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
BATCH_LIMIT = 64  # commands in one append at most


class _Queued(NamedTuple):
    command: Command
    reply: asyncio.Future[Reply]


class WorkshopService:
    def __init__(self, store: EventStore, clock: Clock, secret_key: str, dispatch: Dispatch = no_jobs) -> None:
        self.store = store
        self.clock = clock
        self._locks: dict[str, asyncio.Lock] = {}
        self._queues: dict[str, list[_Queued]] = {}  # per workshop, while a round runs for it
        self._rounds: set[asyncio.Task[None]] = set()
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

    async def execute(
        self, workshop_id: str, plan: Plan, idempotency: Idempotency | None, admission: Admission | None = None
    ) -> Reply:
        """Run a plan once: a retried request gets its first reply, never a second effect.
        With an `admission`, its append checks and counts it (RateLimited when it is over)."""
        reply: asyncio.Future[Reply] = asyncio.get_running_loop().create_future()
        queue = self._queues.get(workshop_id)
        if queue is None:
            queue = self._queues[workshop_id] = []
            # A task of its own: a request that goes away does not take the others' round with it.
            task = asyncio.create_task(self._run_rounds(workshop_id, queue))
            self._rounds.add(task)
            task.add_done_callback(self._rounds.discard)
        queue.append(_Queued(Command(plan, idempotency, admission), reply))
        return await reply

    async def _run_rounds(self, workshop_id: str, queue: list[_Queued]) -> None:
        """Run what queued for the workshop, a batch per round, until nothing is left."""
        try:
            while queue:
                batch = _next_batch(queue)
                try:
                    async with self._lock(workshop_id):
                        path = self._path.execute_batch(workshop_id, [queued.command for queued in batch])
                        results: list[Result] = await run_async(self.store, path)
                except BaseException as error:
                    for queued in batch:
                        _settle(queued.reply, error)
                    if not isinstance(error, Exception):
                        raise
                    continue
                for queued, result in zip(batch, results, strict=True):
                    _settle(queued.reply, result)
        finally:
            del self._queues[workshop_id]
            for queued in queue:  # cancelled with requests still queued
                _settle(queued.reply, asyncio.CancelledError())


def _next_batch(queue: list[_Queued]) -> list[_Queued]:
    """The longest run from the front that holds each Idempotency-Key once (a repeat waits for
    the next round, where it finds the first one's reply); taken off the queue."""
    batch: list[_Queued] = []
    seen: set[str] = set()
    for queued in queue[:BATCH_LIMIT]:
        idempotency = queued.command.idempotency
        if idempotency is not None:
            if idempotency.key in seen:
                break
            seen.add(idempotency.key)
        batch.append(queued)
    del queue[: len(batch)]
    return batch


def _settle(reply: asyncio.Future[Reply], result: Reply | BaseException) -> None:
    if reply.done():  # its request went away
        return
    if isinstance(result, asyncio.CancelledError):
        reply.cancel()
    elif isinstance(result, BaseException):
        reply.set_exception(result)
    else:
        reply.set_result(result)
