"""One command path for the API and the workers: what a job records gets the reactions and the
jobs an API command gets, and both give up the same way on a log that keeps changing."""

from __future__ import annotations

import asyncio
from datetime import datetime

import pytest

from service.application.command_path import APPEND_ATTEMPTS, CommandPath, run_async, run_sync
from service.application.outcomes import Outcome, Plan
from service.domain import events as e
from service.domain.errors import Conflict
from service.domain.state import WorkshopState
from service.store.codec import EventCodec
from service.store.memory import MemoryEventStore
from tests.unit.test_intro_reactions import NOW, OPENING, newcomer, slot
from workers.dispatch import dispatch


class Frozen:
    def now(self) -> datetime:
        return NOW


def nothing(_state: WorkshopState) -> tuple[int, None]:
    return 204, None


def doing(*events: e.Event) -> Plan:
    return lambda _state: Outcome(list(events), nothing)


async def test_an_erasure_a_job_records_calls_off_the_newcomers_talk_as_an_api_command_would() -> None:
    store = MemoryEventStore(EventCodec())
    path = CommandPath(Frozen(), "k" * 40, dispatch, cached=8)
    await run_async(store, path.execute("w", doing(*OPENING, newcomer(1), slot("x", 24)), None))
    assert [type(r.event) for r in await store.read("w")][-1] is e.IntroTalkScheduled  # the API's reaction

    run_sync(store, path.execute("w", doing(e.PersonErased(at=NOW, subject="p1")), None))

    tail = [r.event for r in await store.read("w", after=len(OPENING) + 3)]
    assert [type(event) for event in tail] == [e.PersonErased, e.IntroTalkCancelled]
    assert [job.job_id.split("-", 2)[2] for job in store.jobs.queued[-2:]] == ["forget_history", "send_cancellations"]


async def test_the_api_and_a_job_give_up_alike_on_a_log_that_keeps_changing() -> None:
    """Another process appends between every read and append: after its attempts the command
    fails with a conflict (the API answers 409, a job is retried by RQ) and writes nothing."""
    store = MemoryEventStore(EventCodec())
    path = CommandPath(Frozen(), "k" * 40, dispatch, cached=8)
    run_sync(store, path.execute("w", doing(*OPENING), None))

    def overtaken(state: WorkshopState) -> Outcome:
        store.append_sync("w", [e.SessionOpened(at=NOW, session_id="s")], expected_version=state.version)
        return Outcome([e.SessionPlanned(at=NOW, session_id="late", title="T", format="barcamp")], nothing)

    with pytest.raises(Conflict):
        run_sync(store, path.execute("w", overtaken, None))
    with pytest.raises(Conflict):
        await run_async(store, path.execute("w", overtaken, None))
    assert [r.event for r in await store.read("w", after=len(OPENING))] == [e.SessionOpened(at=NOW, session_id="s")] * (
        2 * APPEND_ATTEMPTS
    )


async def test_a_request_cancelled_during_its_append_leaves_no_tentative_state_behind() -> None:
    """The client went away while the append was under way: the next command must decide from
    the log, not from the state evolved for the append that never finished."""
    store = MemoryEventStore(EventCodec())
    path = CommandPath(Frozen(), "k" * 40, dispatch, cached=8)
    run_sync(store, path.execute("w", doing(*OPENING), None))
    opening = path.execute("w", doing(e.SessionOpened(at=NOW, session_id="s")), None)
    append = opening.send(None)  # the cached state is the log's as this process appended it: no read
    assert type(append).__name__ == "Append"
    with pytest.raises(asyncio.CancelledError):
        opening.throw(asyncio.CancelledError())
    state = run_sync(store, path.state("w"))
    assert state.version == len(OPENING) and state.sessions["s"].status == "planned"
