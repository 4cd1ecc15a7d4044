"""A host's intro-talk slot: the command an offer asks for, and the slot as the API and the
intro page show it."""

from __future__ import annotations

from service.application.inputs import person
from service.domain import commands as c
from service.domain.errors import Invalid
from service.domain.events import Person
from service.domain.state import IntroSlotState
from service.domain.views import iso_duration
from service.schemas import IntroSlotIn, IntroSlotOut
from service.security import new_id


def slot_out(slot: IntroSlotState) -> IntroSlotOut:
    return IntroSlotOut(
        id=slot.id,
        host_name=slot.host.name,
        host_email=slot.host.email,
        starts_at=slot.starts_at,
        duration=iso_duration(slot.duration.total_seconds()),
        capacity=slot.capacity,
        language=slot.language,
        place=slot.place,
        talks=len(slot.talks),
        withdrawn=slot.withdrawn,
    )


def offer_command(data: IntroSlotIn) -> c.OfferIntroSlot:
    """The command a host's offer asks for, from the API or the intro page."""
    if data.duration.total_seconds() <= 0:
        raise Invalid("duration", "must be a positive duration")
    slot_id = new_id()
    return c.OfferIntroSlot(
        slot_id=slot_id,
        host=with_place(person(slot_id, data.host_name, data.host_email, None, "host_email"), data.place),
        starts_at=data.starts_at,
        duration=data.duration,
        capacity=data.capacity,
        language=data.language,
    )


def with_place(host: Person, place: str | None) -> Person:
    """The host with where they meet newcomers, sealed with their other fields."""
    where = place.strip() if place else None
    return Person(host.subject, host.name, host.email, host.organisation, host.email_hash, where or None)
