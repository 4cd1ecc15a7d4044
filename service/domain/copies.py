"""A workshop copied to another date: every time moves by the same wall-clock offset in the
workshop's time zone, so a session at 18:00 local time stays at 18:00 across a change to or from
summer time. Pure: the new ids and secrets come in from the caller."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import msgspec

from service.domain import commands as c
from service.domain.events import Person
from service.domain.state import WorkshopState


def wall_clock_offset(old: datetime, new: datetime, timezone: str) -> timedelta:
    """How far the local clock reading of `new` is from that of `old`, in the zone."""
    zone = ZoneInfo(timezone)
    return new.astimezone(zone).replace(tzinfo=None) - old.astimezone(zone).replace(tzinfo=None)


def shifted(moment: datetime, offset: timedelta, timezone: str) -> datetime:
    """`moment` with its local clock reading moved by `offset`, in the zone's offset of that day.
    A reading that does not exist (the hour skipped in spring) comes out an hour later, as a
    clock that is moved forward shows it."""
    zone = ZoneInfo(timezone)
    local = moment.astimezone(zone).replace(tzinfo=None) + offset
    return local.replace(tzinfo=zone).astimezone(UTC).astimezone(zone)


class Fresh:
    """What a copy gets new: the workshop's id, title, start, secrets and organisers' address;
    ids for its sessions and slots, short codes and table codes."""

    def __init__(
        self,
        create: c.CreateWorkshop,
        ids: Callable[[], str],
        short_codes: Iterator[str],
        table_code: Callable[[], str],
    ) -> None:
        self.create, self.id, self.short_codes, self.table_code = create, ids, short_codes, table_code


def copy_command(source: WorkshopState, fresh: Fresh) -> c.CopyWorkshop:
    """The command that makes a copy of `source` starting at `fresh.create.starts_at`, with its
    title: the same settings, sessions and intro slots (not the withdrawn ones, nor slots whose host
    was erased), every time shifted like the start, and no people: no sign-ups, commitments,
    notes, cards or offers. `fresh.create` gives id, title, start, secrets and organiser."""
    assert source.starts_at is not None and source.ends_at is not None  # an existing workshop has both
    offset = wall_clock_offset(source.starts_at, fresh.create.starts_at, source.timezone)

    def move(moment: datetime | None) -> datetime | None:
        return None if moment is None else shifted(moment, offset, source.timezone)

    create = msgspec.structs.replace(
        fresh.create,
        starts_at=shifted(source.starts_at, offset, source.timezone),
        ends_at=shifted(source.ends_at, offset, source.timezone),
        timezone=source.timezone,
        location=source.location,
        language=source.language,
        follow_up_after=source.follow_up_after,
        intro_deadline=source.intro_deadline,
        digest_wait=source.digest_wait,
        network_id=source.network_id,  # the next meeting of the same network
    )

    sessions = tuple(
        c.PlanSession(
            session_id=fresh.id(),
            title=session.title,
            format=session.format,
            room=session.room,
            starts_at=move(session.starts_at),
            ends_at=move(session.ends_at),
            capacity=session.capacity,
            host=session.host,
            next_meeting_at=move(session.next_meeting_at),
            dot_budget=session.dot_budget,
            table_code=fresh.table_code() if session.table_code is not None else None,
            short_code=next(fresh.short_codes),
            group_id=session.group_id,
        )
        for session in source.sessions.values()
    )
    slots = []
    for slot in source.intro_slots.values():
        if slot.withdrawn or slot.host.erased:
            continue
        slot_id = fresh.id()
        host = Person(slot_id, slot.host.name, slot.host.email, slot.host.organisation)
        starts_at = shifted(slot.starts_at, offset, source.timezone)
        slots.append(
            c.OfferIntroSlot(
                slot_id=slot_id,
                host=host,
                starts_at=starts_at,
                duration=slot.duration,
                capacity=slot.capacity,
                language=slot.language,
                place=slot.place,
            )
        )
    return c.CopyWorkshop(create=create, sessions=sessions, intro_slots=tuple(slots))
