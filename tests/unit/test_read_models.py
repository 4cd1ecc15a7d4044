"""What facilitators, participants and organisers read of one rich workshop, pinned whole:
every view, the follow-ups, a person's data, a session digest and the workshop report.

A change to any of them shows here as a diff; if it is meant, write the new answer with
`python -m tests.unit.test_read_models` and review it in the commit.
"""

from __future__ import annotations

import sys
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import msgspec
import pytest

from service.domain import effects
from service.domain import events as e
from service.domain.digests import session_digest, workshop_report
from service.domain.rules import evolve
from service.domain.state import WorkshopState
from service.domain.views import (
    Links,
    follow_ups,
    full_session,
    iso_duration,
    personal_data,
    public_session,
    workshop_view,
)
from tests.unit.test_rules import NOW, created, planned

GOLDEN = Path(__file__).parent / "golden" / "read_models.json"
LINKS = Links("https://knoten.example")
LATER = NOW + timedelta(days=20)


def _person(n: int, organisation: str | None = None) -> e.Person:
    return e.Person(f"p{n}", f"Person {n}", f"p{n}@example.org", organisation)


def _signup(n: int, sid: str, status: e.PlacementStatus, newcomer: bool = False) -> e.SignupRecorded:
    return e.SignupRecorded(
        at=NOW + timedelta(minutes=n),
        signup_id=f"a{n}",
        session_id=sid,
        participant_id=f"p{n}",
        person=_person(n, "AWO" if n % 2 else None),
        email_hash=f"h{n}",
        newcomer=newcomer,
        status=status,
    )


def history() -> list[e.Event]:
    """A Thementisch with a waitlist and commitments, a Zukunftswerkstatt in its second phase,
    a Marktplatz with a match, an intro talk: each closed or not, commitments due and done."""
    at = NOW + timedelta(hours=1)
    return [
        created(),
        planned("t", "thementisch", capacity=2),
        planned("z", "zukunftswerkstatt"),
        e.SessionPlanned(at=NOW, session_id="m", title="Markt", format="marktplatz", table_code="5678", room="Saal"),
        e.SessionOpened(at=NOW, session_id="t"),
        e.SessionOpened(at=NOW, session_id="z"),
        _signup(1, "t", "confirmed", newcomer=True),
        _signup(2, "t", "confirmed"),
        _signup(3, "t", "waitlisted"),
        _signup(4, "t", "waitlisted", newcomer=True),
        e.SignupWithdrawn(at=at, signup_id="a2"),
        e.WaitlistPromoted(at=at, signup_id="a3"),
        _signup(5, "z", "confirmed"),
        _signup(6, "m", "confirmed", newcomer=True),
        _signup(7, "m", "confirmed"),
        e.NewcomerCorrected(at=at, participant_id="p4", newcomer=False),
        e.AttendanceMarked(at=at, signup_id="a1", present=False),
        e.AttendanceMarked(at=at, signup_id="a7", present=True),
        e.CommitmentMade(
            at=at,
            commitment_id="c1",
            session_id="t",
            owner=_person(1),
            signup_id="a1",
            text="Flyer",
            due=date(2026, 5, 20),
        ),
        e.CommitmentMade(at=at, commitment_id="c2", session_id="t", owner=_person(3), signup_id="a3", text="Raum"),
        e.CommitmentCompleted(at=at + timedelta(days=2), commitment_id="c2"),
        e.NoteTaken(at=at, note_id="n1", session_id="t", text="Mehr Bänke"),
        e.CardAdded(at=at, card_id="k1", session_id="z", phase="kritik", text="Zu laut"),
        e.PhaseAdvanced(at=at, session_id="z", phase="phantasie"),
        e.CardAdded(at=at, card_id="k2", session_id="z", phase="phantasie", text="Ein Garten"),
        e.CardVoted(at=at, card_id="k2", count=3),
        e.NoteTaken(at=at, note_id="n2", session_id="z", text="Garten prüfen", phase="phantasie"),
        e.OfferPosted(
            at=at, offer_id="o1", session_id="m", kind="offer", text="Lastenrad", owner=_person(6), signup_id="a6"
        ),
        e.OfferPosted(at=at, offer_id="o2", session_id="m", kind="request", text="Transport", owner=_person(7)),
        e.MatchMade(at=at, match_id="x1", offer_id="o1", request_id="o2"),
        e.IntroSlotOffered(at=at, slot_id="i1", host=_person(9), starts_at=NOW + timedelta(days=3), place="Büro"),
        e.IntroTalkScheduled(at=at, participant_id="p1", slot_id="i1"),
        e.SessionClosed(at=at + timedelta(hours=2), session_id="t"),
        e.SessionClosed(at=at + timedelta(hours=2), session_id="z"),
    ]


def rendered() -> dict[str, Any]:
    state = WorkshopState(id="w")
    for event in history():
        evolve(state, event)
    done = {effects.follow_up("t", "p1"): NOW + timedelta(days=4), effects.session_digest("t"): LATER}
    sessions = state.sessions.values()
    answer = {
        "workshop": workshop_view(state, LINKS),
        "sessions": {s.id: full_session(state, s, LINKS) for s in sessions},
        "public": {s.id: public_session(state, s, LINKS) for s in sessions},
        "follow_ups": follow_ups(state, done, LATER),
        "people": {pid: personal_data(state, pid) for pid in ("p1", "p3", "p6")},
        "digests": {s.id: session_digest(state, s, LATER) for s in sessions},
        "report": workshop_report(state, done, LATER),
    }
    return msgspec.json.decode(msgspec.json.encode(answer))  # type: ignore[no-any-return]


@pytest.mark.parametrize(
    ("seconds", "written"),
    [
        (0, "PT0S"),
        (5, "PT5S"),
        (90, "PT1M30S"),
        (3661, "PT1H1M1S"),
        (7200, "PT2H"),
        (3 * 86400, "P3D"),
        (93784, "P1DT2H3M4S"),
    ],
)
def test_durations_are_written_as_iso_8601(seconds: int, written: str) -> None:
    assert iso_duration(seconds) == written


def test_what_everyone_reads_of_a_rich_workshop_is_as_pinned() -> None:
    assert rendered() == msgspec.json.decode(GOLDEN.read_bytes())


if __name__ == "__main__":
    GOLDEN.write_bytes(msgspec.json.format(msgspec.json.encode(rendered()), indent=2) + b"\n")
    sys.stdout.write(f"wrote {GOLDEN}\n")
