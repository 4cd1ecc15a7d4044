"""A round table: agenda items with time boxes, decisions, and the date poll for the next
meeting (participants answer from their phones; fixing a date invites everyone confirmed)."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from service.api.auth import Access, Principal
from service.api.idempotency import idempotency_of, respond
from service.api.participation import acting_participant
from service.api.sessions import SESSION
from service.application.runner import WorkshopService
from service.domain import commands as c
from service.domain.state import WorkshopState
from service.domain.views import (
    AgendaItemEntry,
    DatePollView,
    DecisionEntry,
    agenda_entry,
    date_poll_view,
    decision_entry,
)
from service.schemas import AgendaIn, DateFixIn, DatePollIn, DatePollVotesIn, DecisionIn
from service.security import new_id


def _poll_reply(session_id: str, participant_id: str | None = None, status: int = 200) -> Any:
    def render(state: WorkshopState) -> tuple[int, DatePollView | None]:
        return status, date_poll_view(state.sessions[session_id], participant_id)

    return render


class RoundTableController(Controller):
    path = "/api/workshops"
    tags = ["round table"]

    @post(SESSION + "/agenda", opt={"access": Access.FACILITATOR}, status_code=201)
    async def add_agenda_item(
        self,
        request: Request[Any, Any, Any],
        workshop_id: FromPath[str],
        session_id: FromPath[str],
        data: JSONBody[AgendaIn],
        service: NamedDependency[WorkshopService],
    ) -> Response[AgendaItemEntry]:
        """An agenda item of a round table, with its time box in minutes."""
        iid = new_id()
        command = c.AddAgendaItem(session_id=session_id, item_id=iid, title=data.title.strip(), minutes=data.minutes)

        def added(state: WorkshopState) -> tuple[int, AgendaItemEntry]:
            session = state.sessions[session_id]
            return 201, agenda_entry(session, next(item for item in session.agenda if item.id == iid))

        plan = service.command(command, added)
        return respond(await service.execute(workshop_id, plan, await idempotency_of(request)))

    @post(SESSION + "/agenda/{item_id:str}/current", opt={"access": Access.FACILITATOR}, status_code=200)
    async def start_agenda_item(
        self,
        request: Request[Any, Any, Any],
        workshop_id: FromPath[str],
        session_id: FromPath[str],
        item_id: FromPath[str],
        service: NamedDependency[WorkshopService],
    ) -> Response[AgendaItemEntry]:
        """The item now under discussion, highlighted on the console."""
        command = c.StartAgendaItem(session_id=session_id, item_id=item_id)

        def started(state: WorkshopState) -> tuple[int, AgendaItemEntry]:
            session = state.sessions[session_id]
            return 200, agenda_entry(session, next(item for item in session.agenda if item.id == item_id))

        plan = service.command(command, started)
        return respond(await service.execute(workshop_id, plan, await idempotency_of(request)))

    @post(SESSION + "/decisions", opt={"access": Access.FACILITATOR}, status_code=201)
    async def record_decision(
        self,
        request: Request[Any, Any, Any],
        workshop_id: FromPath[str],
        session_id: FromPath[str],
        data: JSONBody[DecisionIn],
        service: NamedDependency[WorkshopService],
    ) -> Response[DecisionEntry]:
        """A decision, with the yes/no/abstain counts when the votes were counted."""
        did = new_id()
        command = c.RecordDecision(
            session_id=session_id,
            decision_id=did,
            text=data.text.strip(),
            yes=data.yes,
            no=data.no,
            abstain=data.abstain,
        )

        def decided(state: WorkshopState) -> tuple[int, DecisionEntry]:
            session = state.sessions[session_id]
            return 201, decision_entry(next(d for d in session.decisions if d.id == did))

        plan = service.command(command, decided)
        return respond(await service.execute(workshop_id, plan, await idempotency_of(request)))

    @post(SESSION + "/date-poll", opt={"access": Access.FACILITATOR}, status_code=201)
    async def open_date_poll(
        self,
        request: Request[Any, Any, Any],
        workshop_id: FromPath[str],
        session_id: FromPath[str],
        data: JSONBody[DatePollIn],
        service: NamedDependency[WorkshopService],
    ) -> Response[DatePollView]:
        """2 to 5 dates for the next meeting; a new poll replaces one not fixed yet."""
        command = c.OpenDatePoll(session_id=session_id, options=tuple(data.options))
        plan = service.command(command, _poll_reply(session_id, status=201))
        return respond(await service.execute(workshop_id, plan, await idempotency_of(request)))

    @post(SESSION + "/date-poll/votes", opt={"access": Access.PARTICIPANT}, status_code=200)
    async def answer_date_poll(
        self,
        request: Request[Any, Any, Any],
        workshop_id: FromPath[str],
        session_id: FromPath[str],
        data: JSONBody[DatePollVotesIn],
        service: NamedDependency[WorkshopService],
        principal: NamedDependency[Principal | None],
    ) -> Response[DatePollView]:
        """The dates (indices) the participant can make; an answer replaces their earlier one."""
        pid = acting_participant(principal) or ""
        command = c.AnswerDatePoll(session_id=session_id, participant_id=pid, options=tuple(data.options))
        plan = service.command(command, _poll_reply(session_id, pid))
        return respond(await service.execute(workshop_id, plan, await idempotency_of(request)))

    @post(SESSION + "/date-poll/fix", opt={"access": Access.FACILITATOR}, status_code=200)
    async def fix_date(
        self,
        request: Request[Any, Any, Any],
        workshop_id: FromPath[str],
        session_id: FromPath[str],
        data: JSONBody[DateFixIn],
        service: NamedDependency[WorkshopService],
    ) -> Response[DatePollView]:
        """Fix the next meeting: sets `next_meeting_at`, and everyone confirmed gets an invitation
        with a calendar entry."""
        command = c.FixDate(session_id=session_id, option=data.option)
        plan = service.command(command, _poll_reply(session_id))
        return respond(await service.execute(workshop_id, plan, await idempotency_of(request)))
