"""What the rules decide for one workshop's whole life, command by command, pinned whole: the
events of each command (and the intro-talk reactions on top), or the error that refuses it.

A change to any decision shows here as a diff; if it is meant, write the new answer with
`python -m tests.unit.test_decisions` and review it in the commit.
"""

from __future__ import annotations

import sys
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import msgspec

from service.domain import commands as c
from service.domain import events as e
from service.domain.errors import DomainError
from service.domain.reactions import settle
from service.domain.rules import decide, erased_email_hashes, retention_ends
from service.domain.state import WorkshopState
from tests.unit.test_rules import NOW, created, given, planned, signup

GOLDEN = Path(__file__).parent / "golden" / "decisions.json"
SOON = NOW + timedelta(days=2)


def _person(n: int) -> e.Person:
    return e.Person(f"p{n}", f"Person {n}", f"p{n}@example.org", "AWO" if n % 2 else None)


def _signup(n: int, sid: str, **fields: Any) -> c.RecordSignup:
    return c.RecordSignup(
        **{
            "signup_id": f"a{n}-{sid}",
            "session_id": sid,
            "participant_id": f"p{n}",
            "person": _person(n),
            "email_hash": f"h{n}",
            "consent": True,
            **fields,
        }
    )


def changes_after_planning() -> list[tuple[str, c.Command]]:
    """A session changed after planning: capacity up and down, moved, cancelled."""
    hour = timedelta(hours=1)
    return [
        (
            "plan a session to change",
            c.PlanSession(
                session_id="s",
                title="S",
                format="barcamp",
                capacity=1,
                room="R1",
                starts_at=SOON,
                ends_at=SOON + hour,
                dot_budget=3,
            ),
        ),
        ("sign up to it as a newcomer", _signup(10, "s", newcomer=True)),
        ("sign up to it waitlisted", _signup(11, "s")),
        ("sign up to it waitlisted too", _signup(12, "s")),
        ("change nothing", c.ChangeSession(session_id="s", title="S", room="R1")),
        ("change the title only", c.ChangeSession(session_id="s", title="S2")),
        ("change to end before it starts", c.ChangeSession(session_id="s", ends_at=SOON - hour)),
        ("empty the title", c.ChangeSession(session_id="s", cleared=("title",))),
        ("raise the capacity", c.ChangeSession(session_id="s", capacity=2)),
        ("lower the capacity", c.ChangeSession(session_id="s", capacity=1, dot_budget=7)),
        ("withdraw while over capacity", c.WithdrawSignup(signup_id="a11-s")),
        ("move it", c.ChangeSession(session_id="s", room="R2", starts_at=SOON + hour, ends_at=SOON + 2 * hour)),
        ("lift the capacity", c.ChangeSession(session_id="s", cleared=("capacity", "host"))),
        ("change nothing there", c.ChangeSession(session_id="nope", title="X")),
        ("cancel", c.CancelSession(session_id="s")),
        ("cancel again", c.CancelSession(session_id="s")),
        ("cancel nothing", c.CancelSession(session_id="nope")),
        ("sign up to a cancelled session", _signup(13, "s")),
        ("change a cancelled session", c.ChangeSession(session_id="s", title="X")),
        ("open a cancelled session", c.OpenSession(session_id="s")),
    ]


def script() -> list[tuple[str, c.Command]]:
    """Every kind of command, allowed and refused, in an order that reaches every state."""
    create = c.CreateWorkshop(
        workshop_id="w",
        title="Barcamp",
        starts_at=NOW,
        ends_at=NOW + timedelta(hours=8),
        timezone="Europe/Vienna",
        location="Rathaus",
        language="en",
        follow_up_after=timedelta(days=1),
        intro_deadline=timedelta(days=7),
        organiser=_person(0),
        facilitator_token_hash="f",
        login_code_hash="l",
    )
    return [
        ("plan before the workshop exists", c.PlanSession(session_id="t", title="T", format="thementisch")),
        ("create ending before it starts", msgspec.structs.replace(create, ends_at=NOW - timedelta(seconds=1))),
        ("create", create),
        ("create again", create),
        ("workshop ending before it starts", msgspec.structs.replace(create, ends_at=NOW - timedelta(hours=1))),
        ("sign in", c.SignInFacilitator(login_code_hash="l", token_hash="d1")),
        ("sign in with a wrong code", c.SignInFacilitator(login_code_hash="x", token_hash="d2")),
        ("rotate", c.RotateFacilitatorToken(token_hash="f2", login_code_hash="l2")),
        (
            "plan a table",
            c.PlanSession(
                session_id="t",
                title="T",
                format="thementisch",
                capacity=2,
                room="Saal",
                host="Hanna",
                next_meeting_at=SOON,
            ),
        ),
        ("plan the same id", c.PlanSession(session_id="t", title="T", format="barcamp")),
        ("plan no capacity", c.PlanSession(session_id="bad", title="T", format="barcamp", capacity=0)),
        (
            "plan ending before start",
            c.PlanSession(session_id="bad", title="T", format="barcamp", starts_at=SOON, ends_at=NOW),
        ),
        ("plan a future workshop", c.PlanSession(session_id="z", title="Z", format="zukunftswerkstatt")),
        ("plan a market", c.PlanSession(session_id="m", title="M", format="marktplatz", table_code="1234")),
        ("table code off", c.SetTableCode(session_id="m", table_code=None)),
        ("table code on", c.SetTableCode(session_id="m", table_code="5678")),
        ("table code of nothing", c.SetTableCode(session_id="nope", table_code="1")),
        ("open", c.OpenSession(session_id="t")),
        ("open again", c.OpenSession(session_id="t")),
        ("open nothing", c.OpenSession(session_id="nope")),
        ("sign up", _signup(1, "t", newcomer=True, token_hash="t1", privacy_version="2026-01")),
        ("sign up without consent", _signup(2, "t", consent=False)),
        ("sign up seen before", _signup(2, "t", email_seen_before=True, token_hash="t2")),
        ("sign up known here, elsewhere", _signup(2, "m", table_code="5678", token_hash="t2b")),
        ("sign up twice", _signup(1, "t", signup_id="again")),
        ("sign up waitlisted", _signup(3, "t")),
        ("sign up waitlisted too", _signup(4, "t", newcomer=True, language="en")),
        ("sign up without the code", _signup(5, "m")),
        ("sign up with a wrong code", _signup(5, "m", table_code="0000")),
        ("sign up with the code", _signup(5, "m", table_code="5678")),
        ("sign up to the future", _signup(6, "z", newcomer=False)),
        ("sign up to nothing", _signup(7, "nope")),
        ("correct a newcomer", c.CorrectNewcomer(signup_id="a3-t", newcomer=True)),
        ("correct to the same", c.CorrectNewcomer(signup_id="a3-t", newcomer=True)),
        ("correct nobody", c.CorrectNewcomer(signup_id="nope", newcomer=True)),
        (
            "offer a slot",
            c.OfferIntroSlot(
                slot_id="i1",
                host=_person(9),
                starts_at=SOON,
                capacity=2,
                place="Büro",
                duration=timedelta(minutes=45),
                language="en",
            ),
        ),
        (
            "offer a slot in the past",
            c.OfferIntroSlot(slot_id="i0", host=_person(9), starts_at=NOW - timedelta(days=1)),
        ),
        ("offer no capacity", c.OfferIntroSlot(slot_id="i2", host=_person(9), starts_at=SOON, capacity=0)),
        ("withdraw a confirmed place", c.WithdrawSignup(signup_id="a1-t")),
        ("withdraw it again", c.WithdrawSignup(signup_id="a1-t")),
        ("withdraw a waitlisted place", c.WithdrawSignup(signup_id="a4-t")),
        ("mark one present who signed up while open", c.MarkAttendance(signup_id="a2-t", present=True)),
        ("mark absent", c.MarkAttendance(signup_id="a2-t", present=False)),
        ("mark absent again", c.MarkAttendance(signup_id="a2-t", present=False)),
        ("mark a withdrawn one", c.MarkAttendance(signup_id="a1-t", present=True)),
        ("mark nobody", c.MarkAttendance(signup_id="nope", present=True)),
        ("walk in while the table is open", _signup(10, "t", present=True)),
        ("walk in before the market opens", _signup(11, "m", table_code="5678", present=True)),
        ("release before opening", c.ReleaseAbsent(session_id="m")),
        ("release when all came as it opened", c.ReleaseAbsent(session_id="t")),
        ("release again", c.ReleaseAbsent(session_id="t")),
        ("mark a released one", c.MarkAttendance(signup_id="a2-t", present=True)),
        *changes_after_planning(),
        (
            "commit",
            c.MakeCommitment(commitment_id="c1", session_id="t", text="Flyer", signup_id="a2-t", due=date(2026, 5, 20)),
        ),
        ("commit for an owner", c.MakeCommitment(commitment_id="c2", session_id="t", text="Raum", owner=_person(8))),
        ("commit without an owner", c.MakeCommitment(commitment_id="c3", session_id="t", text="X")),
        (
            "commit from another session",
            c.MakeCommitment(commitment_id="c4", session_id="t", text="X", signup_id="a6-z"),
        ),
        ("commit nothing", c.MakeCommitment(commitment_id="c5", session_id="t", text=" ", signup_id="a2-t")),
        ("complete", c.CompleteCommitment(commitment_id="c2")),
        ("complete again", c.CompleteCommitment(commitment_id="c2")),
        ("complete nothing", c.CompleteCommitment(commitment_id="nope")),
        ("note", c.TakeNote(note_id="n1", session_id="t", text="Bänke")),
        ("note with a phase on a table", c.TakeNote(note_id="n2", session_id="t", text="x", phase="kritik")),
        ("empty note", c.TakeNote(note_id="n3", session_id="t", text="")),
        ("card on a table", c.AddCard(card_id="k0", session_id="t", text="x")),
        ("card before opening", c.AddCard(card_id="k1", session_id="z", text="Laut")),
        ("open the future", c.OpenSession(session_id="z")),
        ("card", c.AddCard(card_id="k1", session_id="z", text="Laut")),
        ("skip a phase", c.AdvancePhase(session_id="z", phase="verwirklichung")),
        ("advance", c.AdvancePhase(session_id="z", phase="phantasie")),
        ("go back", c.AdvancePhase(session_id="z", phase="kritik")),
        ("advance to the last", c.AdvancePhase(session_id="z", phase="verwirklichung")),
        ("advance past the last", c.AdvancePhase(session_id="z", phase="kritik")),
        ("phase on a table", c.AdvancePhase(session_id="t", phase="phantasie")),
        ("card in the new phase", c.AddCard(card_id="k2", session_id="z", text="Garten")),
        ("vote", c.VoteCard(card_id="k2", count=3)),
        ("vote nothing", c.VoteCard(card_id="nope", count=1)),
        ("vote below zero", c.VoteCard(card_id="k2", count=-1)),
        ("card from a phone", c.AddCard(card_id="k3", session_id="z", text="Bank", participant_id="p6")),
        ("card from a phone without a place", c.AddCard(card_id="k4", session_id="z", text="x", participant_id="p1")),
        ("dots from a phone", c.VoteCard(card_id="k2", count=4, participant_id="p6")),
        ("dots over the budget", c.VoteCard(card_id="k3", count=2, participant_id="p6")),
        ("dots within the budget", c.VoteCard(card_id="k3", count=1, participant_id="p6")),
        ("take back dots not given", c.VoteCard(card_id="k1", count=-1, participant_id="p6")),
        ("take back own dots", c.VoteCard(card_id="k2", count=-5, participant_id="p6")),
        ("remove someone else's card", c.RemoveCard(card_id="k2", participant_id="p6")),
        ("remove own card", c.RemoveCard(card_id="k3", participant_id="p6")),
        ("plan a round table", c.PlanSession(session_id="r", title="R", format="runder_tisch", dot_budget=3)),
        ("agenda on a table", c.AddAgendaItem(session_id="t", item_id="g0", title="x")),
        ("agenda", c.AddAgendaItem(session_id="r", item_id="g1", title="Arbeitsprogramm", minutes=20)),
        ("current item", c.StartAgendaItem(session_id="r", item_id="g1")),
        ("current item again", c.StartAgendaItem(session_id="r", item_id="g1")),
        ("current nothing", c.StartAgendaItem(session_id="r", item_id="nope")),
        ("decide", c.RecordDecision(session_id="r", decision_id="d1", text="Adopted", yes=7, no=1, abstain=2)),
        ("answer before a poll", c.AnswerDatePoll(session_id="r", participant_id="p6", options=(0,))),
        ("poll with one date", c.OpenDatePoll(session_id="r", options=(SOON,))),
        ("poll", c.OpenDatePoll(session_id="r", options=(SOON + timedelta(days=7), SOON))),
        ("answer before opening", c.AnswerDatePoll(session_id="r", participant_id="p6", options=(0,))),
        ("open the round table", c.OpenSession(session_id="r")),
        ("sign up to the round table", _signup(6, "r", share_contact=True, wants_digest=True)),
        ("answer", c.AnswerDatePoll(session_id="r", participant_id="p6", options=(1, 0, 1))),
        ("answer out of range", c.AnswerDatePoll(session_id="r", participant_id="p6", options=(2,))),
        ("answer without a place", c.AnswerDatePoll(session_id="r", participant_id="p1", options=(0,))),
        ("fix out of range", c.FixDate(session_id="r", option=5)),
        ("fix", c.FixDate(session_id="r", option=1)),
        ("fix again", c.FixDate(session_id="r", option=0)),
        ("note in a phase", c.TakeNote(note_id="n4", session_id="z", text="Garten", phase="phantasie")),
        ("offer on a table", c.PostOffer(offer_id="o0", session_id="t", kind="offer", text="x", owner=_person(8))),
        ("open the market", c.OpenSession(session_id="m")),
        ("offer", c.PostOffer(offer_id="o1", session_id="m", kind="offer", text="Lastenrad", signup_id="a5-m")),
        ("request", c.PostOffer(offer_id="o2", session_id="m", kind="request", text="Transport", owner=_person(7))),
        ("offer without owner", c.PostOffer(offer_id="o3", session_id="m", kind="offer", text="x")),
        ("match", c.MakeMatch(match_id="x1", offer_id="o1", request_id="o2", commitment_ids=("c6", "c7"))),
        ("match again", c.MakeMatch(match_id="x2", offer_id="o1", request_id="o2", commitment_ids=("c8", "c9"))),
        ("match two offers", c.MakeMatch(match_id="x3", offer_id="o1", request_id="o1", commitment_ids=("c8", "c9"))),
        *_barcamp(),
        ("withdraw the slot", c.WithdrawIntroSlot(slot_id="i1")),
        ("withdraw no slot", c.WithdrawIntroSlot(slot_id="nope")),
        ("stop mails", c.StopMails(email_hash="h3", kind="digests", subjects=("p3",))),
        ("erase", c.ErasePerson(subject="p3")),
        ("erase again", c.ErasePerson(subject="p3")),
        ("erase nobody", c.ErasePerson(subject="nobody")),
        ("close the table", c.CloseSession(session_id="t")),
        ("sign up when closed", _signup(9, "t")),
        ("close it again", c.CloseSession(session_id="t")),
        ("change a closed session", c.ChangeSession(session_id="t", title="X")),
        ("cancel a closed session", c.CancelSession(session_id="t")),
        ("close the workshop", c.CloseWorkshop()),
        ("complete when closed", c.CompleteCommitment(commitment_id="c1")),
        ("plan when closed", c.PlanSession(session_id="late", title="L", format="barcamp")),
        ("expire too soon", c.ExpirePersonalData(retention=timedelta(days=30))),
        ("expire", c.ExpirePersonalData(retention=timedelta(days=-1))),
    ]


def _barcamp() -> list[tuple[str, c.Command]]:
    """The grid, pitches, interest and hands, placement by hand and automatically."""
    slots = (
        e.GridSlot(starts_at=SOON, ends_at=SOON + timedelta(minutes=45)),
        e.GridSlot(starts_at=SOON + timedelta(hours=1), ends_at=SOON + timedelta(hours=1, minutes=45)),
    )
    rooms = (e.GridRoom(name="Saal", capacity=30), e.GridRoom(name="Küche", capacity=2))
    return [
        ("grid with a room twice", c.SetGrid(rooms=(rooms[0], rooms[0]), slots=slots)),
        (
            "grid with a slot ending first",
            c.SetGrid(rooms=rooms, slots=(slots[0], e.GridSlot(starts_at=SOON, ends_at=SOON))),
        ),
        ("propose", c.MakeProposal(proposal_id="b1", title="Klima", proposer_id="p2")),
        ("place before the grid", c.PlaceProposal(proposal_id="b1", room="Saal", slot=0, session_id="s0")),
        ("auto before the grid", c.PlaceAutomatically(session_ids=("s0",))),
        ("place an unknown proposal", c.PlaceProposal(proposal_id="nope", room="Saal", slot=0, session_id="s0")),
        ("grid", c.SetGrid(rooms=rooms, slots=slots)),
        ("propose for someone", c.MakeProposal(proposal_id="b2", title="Rad", signup_id="a5-m")),
        ("propose for no sign-up", c.MakeProposal(proposal_id="b3", title="X", signup_id="nope")),
        ("propose an own idea", c.MakeProposal(proposal_id="b4", title="Offen")),
        ("propose again", c.MakeProposal(proposal_id="b5", title="Geld", proposer_id="p2")),
        ("interest", c.ShowInterest(proposal_id="b1", participant_id="p5")),
        ("interest again", c.ShowInterest(proposal_id="b1", participant_id="p5")),
        ("interest in two", c.ShowInterest(proposal_id="b5", participant_id="p5")),
        ("interest in nothing", c.ShowInterest(proposal_id="nope", participant_id="p5")),
        ("interest withdrawn", c.WithdrawInterest(proposal_id="b2", participant_id="p5")),
        ("hands", c.CountHands(proposal_id="b1", count=12)),
        ("hands below zero", c.CountHands(proposal_id="b1", count=-1)),
        ("place", c.PlaceProposal(proposal_id="b1", room="Küche", slot=0, session_id="s1", short_code="KLIMA1")),
        ("place in a taken cell", c.PlaceProposal(proposal_id="b4", room="Küche", slot=0, session_id="s2")),
        ("place the proposer twice", c.PlaceProposal(proposal_id="b5", room="Saal", slot=0, session_id="s2")),
        ("place in no room", c.PlaceProposal(proposal_id="b4", room="Keller", slot=0, session_id="s2")),
        ("place in no slot", c.PlaceProposal(proposal_id="b4", room="Saal", slot=2, session_id="s2")),
        ("sign up to the placed", _signup(5, "s1")),
        ("move", c.PlaceProposal(proposal_id="b1", room="Saal", slot=1, session_id="unused")),
        ("move to where it is", c.PlaceProposal(proposal_id="b1", room="Saal", slot=1, session_id="unused")),
        ("withdraw a placed proposal", c.WithdrawProposal(proposal_id="b1")),
        ("withdraw a proposal", c.WithdrawProposal(proposal_id="b4")),
        ("grid without a cell in use", c.SetGrid(rooms=rooms[1:], slots=slots)),
        ("place automatically", c.PlaceAutomatically(session_ids=("s3", "s4"), short_codes=("AUTO03",))),
        ("place automatically, nothing left", c.PlaceAutomatically(session_ids=())),
    ]


def _open(obj: object) -> object:
    if isinstance(obj, e.Person):
        return [obj.subject, obj.name, obj.email, obj.organisation, obj.email_hash]
    raise TypeError(type(obj).__name__)


def decided() -> list[dict[str, Any]]:
    state = WorkshopState(id="w")
    answers: list[dict[str, Any]] = []
    for step, command in script():
        try:
            events = settle(state, decide(state, command, NOW), NOW)
        except DomainError as refused:
            answers.append({"step": step, "refused": type(refused).__name__, "detail": refused.detail, **vars(refused)})
            continue
        answers.append({"step": step, "events": msgspec.to_builtins(events, enc_hook=_open)})
    return msgspec.json.decode(msgspec.json.encode(answers))  # type: ignore[no-any-return]


def test_a_workshop_may_end_as_it_starts() -> None:
    (created,) = decide(WorkshopState(id="w"), msgspec.structs.replace(script()[2][1], ends_at=NOW), NOW)
    assert isinstance(created, e.WorkshopCreated) and created.ends_at == created.starts_at


def test_every_decision_of_a_workshop_s_life_is_as_pinned() -> None:
    assert decided() == msgspec.json.decode(GOLDEN.read_bytes())


if __name__ == "__main__":
    GOLDEN.write_bytes(msgspec.json.format(msgspec.json.encode(decided()), indent=2) + b"\n")
    sys.stdout.write(f"wrote {GOLDEN}\n")


def test_an_erasure_names_the_email_hashes_that_it_forgets() -> None:
    state = given(created(), planned(), signup(1), signup(2))
    assert erased_email_hashes(state, [e.PersonErased(at=NOW, subject="p1")]) == ["h1"]
    assert erased_email_hashes(state, [e.SessionOpened(at=NOW, session_id="s")]) == []


def test_personal_data_is_kept_until_the_retention_after_the_end() -> None:
    assert retention_ends(WorkshopState(id="w"), timedelta(days=30)) is None
    assert retention_ends(given(created()), timedelta(days=30)) == NOW + timedelta(hours=8, days=30)
