"""Intro talks for newcomers: hosts' slots, and who talks with whom when."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, delete, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from service.api.auth import Access
from service.api.idempotency import idempotency_of, respond
from service.application.inputs import existing
from service.application.intro_slots import offer_command, slot_out
from service.application.runner import WorkshopService
from service.domain import commands as c
from service.domain.intro import IntroTalkEntry, intro_talks
from service.domain.state import WorkshopState
from service.reports.calendar import intro_talk_uid, talks_calendar
from service.schemas import IntroSlotIn, IntroSlotOut
from service.settings import Settings


class IntroTalkController(Controller):
    path = "/api/workshops/{workshop_id:str}"
    tags = ["intro talks"]

    @post("/intro-slots", opt={"access": Access.FACILITATOR}, status_code=201)
    async def offer_slot(
        self,
        request: Request[Any, Any, Any],
        workshop_id: FromPath[str],
        data: JSONBody[IntroSlotIn],
        service: NamedDependency[WorkshopService],
    ) -> Response[IntroSlotOut]:
        """A host offers a time; newcomers without a talk are assigned at once."""
        command = offer_command(data)
        plan = service.command(command, lambda s: (201, slot_out(s.intro_slots[command.slot_id])))
        return respond(await service.execute(workshop_id, plan, await idempotency_of(request)))

    @delete("/intro-slots/{slot_id:str}", opt={"access": Access.FACILITATOR}, status_code=200)
    async def withdraw_slot(
        self,
        request: Request[Any, Any, Any],
        workshop_id: FromPath[str],
        slot_id: FromPath[str],
        service: NamedDependency[WorkshopService],
    ) -> Response[IntroSlotOut]:
        """Withdraw a slot; its talks move to other slots where there is room, else are cancelled."""

        def host(state: WorkshopState) -> tuple[str, ...]:  # the reply names them
            slot = state.intro_slots.get(slot_id)
            return () if slot is None else (slot.host.subject,)

        command = c.WithdrawIntroSlot(slot_id=slot_id)
        plan = service.command(command, lambda s: (200, slot_out(s.intro_slots[slot_id])), host)
        return respond(await service.execute(workshop_id, plan, await idempotency_of(request)))

    @get("/intro-slots", opt={"access": Access.FACILITATOR})
    async def list_slots(
        self, workshop_id: FromPath[str], service: NamedDependency[WorkshopService]
    ) -> list[IntroSlotOut]:
        state = existing(await service.state(workshop_id))
        return [slot_out(slot) for slot in sorted(state.intro_slots.values(), key=lambda s: s.starts_at)]

    @get("/intro-talks.ics", opt={"access": Access.FACILITATOR}, media_type="text/calendar")
    async def talks_ics(
        self, workshop_id: FromPath[str], service: NamedDependency[WorkshopService], settings: NamedDependency[Settings]
    ) -> Response[bytes]:
        """All scheduled intro talks as one calendar, for the organisers."""
        state = existing(await service.state(workshop_id))
        talks = []
        for pid, talk in state.intro_talks.items():
            if talk.slot_id is None:
                continue
            slot = state.intro_slots[talk.slot_id]
            name = state.participants[pid].person.name or "–"
            summary = f"{name} · {slot.host.name}"
            talks.append((intro_talk_uid(workshop_id, pid), summary, slot.starts_at, slot.duration, slot.place))
        return Response(
            talks_calendar(talks, settings.mail_from, service.clock.now()),
            media_type="text/calendar",
            headers={"Content-Disposition": 'attachment; filename="intro-talks.ics"'},
        )

    @get("/intro-talks", opt={"access": Access.FACILITATOR})
    async def list_talks(
        self, workshop_id: FromPath[str], service: NamedDependency[WorkshopService]
    ) -> list[IntroTalkEntry]:
        """Every newcomer with their talk, or `unscheduled` with the reason."""
        state = existing(await service.state(workshop_id))
        return intro_talks(state, service.clock.now())
