"""Commitments that outlive a meeting: the open ones made at earlier meetings of a network, as
the next meeting's facilitator sees them. Pure: the meetings come in folded from their own logs,
so what the facilitator decided (done, a new date, a new owner) is read from the log of the
meeting where each commitment was made."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date, datetime

import msgspec

from service.domain.state import CommitmentState, WorkshopState
from service.domain.timing import local_today


class CarriedCommitment(msgspec.Struct, kw_only=True):
    id: str
    origin_workshop_id: str
    origin_title: str
    session_title: str
    owner_name: str | None
    text: str
    due: date | None
    status: str  # "open": done ones leave the list
    overdue: bool


def earlier_meetings(meetings: Sequence[WorkshopState], workshop_id: str) -> list[WorkshopState]:
    """The meetings before `workshop_id` in the network's order (oldest first); none when the
    workshop is not one of them."""
    ids = [meeting.id for meeting in meetings]
    return list(meetings[: ids.index(workshop_id)]) if workshop_id in ids else []


def _open(meeting: WorkshopState) -> Iterator[CommitmentState]:
    return (commitment for commitment in meeting.commitments.values() if commitment.status == "open")


def carried_entry(meeting: WorkshopState, commitment: CommitmentState, now: datetime) -> CarriedCommitment:
    return CarriedCommitment(
        id=commitment.id,
        origin_workshop_id=meeting.id,
        origin_title=meeting.title,
        session_title=meeting.sessions[commitment.session_id].title,
        owner_name=commitment.owner.name,
        text=commitment.text,
        due=commitment.due,
        status=commitment.status,
        overdue=commitment.due is not None and commitment.due < local_today(meeting, now),
    )


def carried_commitments(meetings: Sequence[WorkshopState], workshop_id: str, now: datetime) -> list[CarriedCommitment]:
    """The open commitments of the meetings before this one, the latest meeting first, each
    meeting's in the order they were made."""
    return [
        carried_entry(meeting, commitment, now)
        for meeting in reversed(earlier_meetings(meetings, workshop_id))
        for commitment in sorted(_open(meeting), key=lambda c: c.made_at)
    ]


def origin_of(meetings: Sequence[WorkshopState], workshop_id: str, commitment_id: str) -> WorkshopState | None:
    """The earlier meeting where the commitment was made (whatever its status now), if any."""
    return next((m for m in earlier_meetings(meetings, workshop_id) if commitment_id in m.commitments), None)
