"""Intro talks in a workshop: who counts as a newcomer, and the reaction that keeps every
newcomer's talk scheduled as the newcomers and the slots change.

`react` runs after a command's events are folded. It keeps talks where they are unless their
slot is gone, cancels the talks of people who are no newcomers here any more, and assigns
everyone else (see `scheduling`). Run twice, it decides nothing the second time.
"""

from __future__ import annotations

from datetime import datetime

import msgspec

from service.domain import events as e
from service.domain.scheduling import Newcomer, Reason, Slot, assign, host_load, reasons
from service.domain.state import SessionState, WorkshopState

TRIGGERS = (
    e.SignupRecorded,
    e.SignupWithdrawn,
    e.PlaceReleased,
    e.NewcomerCorrected,
    e.IntroSlotOffered,
    e.IntroSlotWithdrawn,
    e.PersonErased,
    e.SessionChanged,
    e.SessionCancelled,
)


def newcomers(state: WorkshopState) -> dict[str, Newcomer]:
    """Every person who said they are new (or whom the facilitator marked new), with an active
    sign-up: when they signed up first, and the earliest deadline (see `_deadline`). One
    person, one talk, however many sessions."""
    found: dict[str, Newcomer] = {}
    for participant in state.participants.values():
        if participant.newcomer is not True or participant.person.erased:
            continue
        for signup_id in participant.signups:
            signup = state.signups[signup_id]
            if signup.status == "withdrawn" or state.sessions[signup.session_id].status == "cancelled":
                continue  # a sign-up to a cancelled session calls for no intro talk
            deadline = _deadline(state, state.sessions[signup.session_id], signup.recorded_at)
            known = found.get(participant.id)
            if known is None:
                found[participant.id] = Newcomer(participant.id, signup.recorded_at, deadline, signup.language)
            else:
                found[participant.id] = known._replace(deadline=min(known.deadline, deadline))
    return found


def _deadline(state: WorkshopState, session: SessionState, signed_up_at: datetime) -> datetime:
    """A session's next meeting, else sign-up + `intro_deadline`; a meeting of a working group
    (a session that names its group) comes after the talk: its start is the latest time."""
    deadline = session.next_meeting_at or signed_up_at + state.intro_deadline
    if session.group_id is not None and session.starts_at is not None:
        return min(deadline, session.starts_at)
    return deadline


def _kept(state: WorkshopState, wanted: dict[str, Newcomer]) -> dict[str, str]:
    """Talks that stay: their slot is still there and their newcomer still is one."""
    return {
        pid: talk.slot_id
        for pid, talk in state.intro_talks.items()
        if talk.slot_id is not None and pid in wanted and not state.intro_slots[talk.slot_id].withdrawn
    }


def _free_slots(state: WorkshopState, kept: dict[str, str]) -> list[Slot]:
    taken: dict[str, int] = {}
    for slot_id in kept.values():
        taken[slot_id] = taken.get(slot_id, 0) + 1
    return [
        Slot(s.id, s.starts_at, s.capacity - taken.get(s.id, 0), s.host.email or s.host.subject, s.language)
        for s in state.intro_slots.values()
        if not s.withdrawn
    ]


def react(state: WorkshopState, now: datetime) -> list[e.Event]:
    """The intro-talk events that the current newcomers and slots call for."""
    wanted = newcomers(state)
    kept = _kept(state, wanted)
    hosts = {s.id: s.host.email or s.host.subject for s in state.intro_slots.values()}
    pool = [n for key, n in wanted.items() if key not in kept]
    result = assign(pool, _free_slots(state, kept), now, host_load(kept.items(), hosts))
    decided: list[e.Event] = []
    for pid, talk in state.intro_talks.items():
        if talk.slot_id is None or pid in kept:
            continue
        if pid in result.talks:
            continue  # moved: scheduled below with the previous slot named
        reason = "no_longer_newcomer" if pid not in wanted else result.unscheduled.get(pid, "all_full")
        decided.append(
            e.IntroTalkCancelled(
                at=now, participant_id=pid, slot_id=talk.slot_id, sequence=talk.sequence + 1, reason=reason
            )
        )
    for pid, slot_id in sorted(result.talks.items()):
        before = state.intro_talks.get(pid)
        decided.append(
            e.IntroTalkScheduled(
                at=now,
                participant_id=pid,
                slot_id=slot_id,
                sequence=0 if before is None else before.sequence + 1,
                previous_slot_id=None if before is None else before.slot_id,
            )
        )
    return decided


class IntroTalkEntry(msgspec.Struct, kw_only=True):
    signup_id: str
    participant_id: str
    name: str | None
    slot_id: str | None
    host_name: str | None
    starts_at: datetime | None
    deadline: datetime
    status: str
    reason: Reason | None


def intro_talks(state: WorkshopState, now: datetime) -> list[IntroTalkEntry]:
    """Every newcomer with their talk, or with the reason they have none."""
    wanted = newcomers(state)
    active = [s for s in state.intro_slots.values() if not s.withdrawn]
    slots = [Slot(s.id, s.starts_at, s.capacity, s.host.subject, s.language) for s in active]
    unplaced = [
        n for key, n in wanted.items() if state.intro_talks.get(key) is None or state.intro_talks[key].slot_id is None
    ]
    why = reasons(unplaced, slots, now)
    entries = []
    for key, newcomer in sorted(wanted.items(), key=lambda item: item[1].signed_up_at):
        participant = state.participants[key]
        talk = state.intro_talks.get(key)
        slot = state.intro_slots[talk.slot_id] if talk is not None and talk.slot_id is not None else None
        entries.append(
            IntroTalkEntry(
                signup_id=next(s for s in participant.signups if state.signups[s].status != "withdrawn"),
                participant_id=key,
                name=participant.person.name,
                slot_id=slot.id if slot else None,
                host_name=slot.host.name if slot else None,
                starts_at=slot.starts_at if slot else None,
                deadline=newcomer.deadline,
                status="scheduled" if slot else "unscheduled",
                reason=None if slot else why.get(key),
            )
        )
    return entries
