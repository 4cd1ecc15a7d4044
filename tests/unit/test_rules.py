"""The workshop's rules, pure: given these events, when this command, then these events."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import msgspec
import pytest

from service.domain import commands as c
from service.domain import events as e
from service.domain.errors import Conflict, Forbidden, Invalid, NotFound
from service.domain.reactions import settle
from service.domain.rules import decide, evolve, named_people
from service.domain.state import WorkshopState

NOW = datetime(2026, 5, 9, 10, 0, tzinfo=UTC)


def given(*events: e.Event) -> WorkshopState:
    state = WorkshopState(id="w")
    for event in events:
        evolve(state, event)
    return state


def then(state: WorkshopState, events: list[e.Event]) -> None:
    for event in events:
        evolve(state, event)


def created() -> e.WorkshopCreated:
    return e.WorkshopCreated(
        at=NOW,
        workshop_id="w",
        title="Barcamp",
        starts_at=NOW,
        ends_at=NOW + timedelta(hours=8),
        facilitator_token_hash="h",
        login_code_hash="l",
    )


def planned(sid: str = "s", fmt: e.Format = "thementisch", capacity: int | None = None) -> e.SessionPlanned:
    return e.SessionPlanned(at=NOW, session_id=sid, title="Tisch", format=fmt, capacity=capacity)


def signup(n: int, status: e.PlacementStatus = "confirmed", sid: str = "s") -> e.SignupRecorded:
    return e.SignupRecorded(
        at=NOW,
        signup_id=f"a{n}",
        session_id=sid,
        participant_id=f"p{n}",
        person=e.Person(f"p{n}", f"P{n}"),
        email_hash=f"h{n}",
        newcomer=False,
        status=status,
    )


def record(n: int, sid: str = "s", **overrides: object) -> c.RecordSignup:
    fields: dict[str, object] = {
        "signup_id": f"a{n}",
        "session_id": sid,
        "participant_id": f"p{n}",
        "person": e.Person(f"p{n}", f"P{n}"),
        "email_hash": f"h{n}",
        "consent": True,
    }
    return c.RecordSignup(**{**fields, **overrides})  # type: ignore[arg-type]


def test_signups_are_confirmed_until_capacity_then_waitlisted() -> None:
    state = given(created(), planned(capacity=2), signup(1), signup(2))
    (event,) = decide(state, record(3), NOW)
    assert isinstance(event, e.SignupRecorded)
    assert event.status == "waitlisted"


def test_unlimited_sessions_confirm_everyone() -> None:
    state = given(created(), planned(capacity=None), *(signup(n) for n in range(50)))
    (event,) = decide(state, record(99), NOW)
    assert isinstance(event, e.SignupRecorded) and event.status == "confirmed"


def test_withdrawing_a_confirmed_place_promotes_the_first_waitlisted() -> None:
    state = given(created(), planned(capacity=1), signup(1), signup(2, "waitlisted"), signup(3, "waitlisted"))
    assert decide(state, c.WithdrawSignup(signup_id="a1"), NOW) == [
        e.SignupWithdrawn(at=NOW, signup_id="a1"),
        e.WaitlistPromoted(at=NOW, signup_id="a2"),
    ]


def test_withdrawing_from_the_waitlist_promotes_nobody_and_keeps_the_order() -> None:
    state = given(created(), planned(capacity=1), signup(1), signup(2, "waitlisted"), signup(3, "waitlisted"))
    events = decide(state, c.WithdrawSignup(signup_id="a2"), NOW)
    assert events == [e.SignupWithdrawn(at=NOW, signup_id="a2")]
    for event in events:
        evolve(state, event)
    assert state.sessions["s"].waitlist == ["a3"]


def test_the_same_email_cannot_sign_up_twice_to_one_session() -> None:
    state = given(created(), planned(), signup(1))
    with pytest.raises(Conflict):
        decide(state, record(2, email_hash="h1"), NOW)


def test_after_withdrawing_the_same_email_may_sign_up_again() -> None:
    state = given(created(), planned(), signup(1), e.SignupWithdrawn(at=NOW, signup_id="a1"))
    assert len(decide(state, record(2, email_hash="h1"), NOW)) == 1


def test_erasing_one_person_keeps_the_same_email_of_another_signed_up() -> None:
    """The same address signed up again under a new participant after a withdrawal; erasing
    the first person must not let the second sign up twice."""
    again = msgspec.structs.replace(signup(2), email_hash="h1")
    state = given(created(), planned(), signup(1), e.SignupWithdrawn(at=NOW, signup_id="a1"), again)
    evolve(state, e.PersonErased(at=NOW, subject="p1"))
    with pytest.raises(Conflict):
        decide(state, record(3, email_hash="h1"), NOW)
    evolve(state, e.PersonErased(at=NOW, subject="p2"))
    assert len(decide(state, record(3, email_hash="h1"), NOW)) == 1


@pytest.mark.parametrize(
    ("declared", "seen", "expected"),
    [(True, True, True), (False, False, False), (None, False, None), (None, True, False), (True, False, True)],
)
def test_newcomer_is_the_answer_else_not_new_if_seen_else_unknown(
    declared: bool | None, seen: bool, expected: bool | None
) -> None:
    """Nobody becomes a newcomer by not answering: unknown stays unknown."""
    state = given(created(), planned())
    (event,) = decide(state, record(1, newcomer=declared, email_seen_before=seen), NOW)
    assert isinstance(event, e.SignupRecorded)
    evolve(state, event)
    assert state.signups["a1"].newcomer is expected
    assert state.participants["p1"].newcomer is expected


def test_the_same_address_in_another_session_is_the_same_person() -> None:
    state = given(created(), planned("s"), planned("t"))
    then(state, decide(state, record(1, email_hash="h", newcomer=True, token_hash="t1"), NOW))
    (again,) = decide(state, record(2, sid="t", email_hash="h", token_hash="t2", email_seen_before=True), NOW)
    assert isinstance(again, e.SignupRecorded)
    assert again.participant_id == "p1" and again.person.subject == "p1"
    assert again.token_hash is None  # knowing an address gives no token to that person's data
    evolve(state, again)
    assert list(state.participants) == ["p1"]
    assert state.signups["a2"].newcomer is True  # no answer: what the workshop knows of the person


def test_the_facilitator_corrects_whether_someone_is_new() -> None:
    state = given(created(), planned("s"), planned("t"))
    then(state, decide(state, record(1, email_hash="h"), NOW))
    then(state, decide(state, record(2, sid="t", email_hash="h"), NOW))
    (corrected,) = decide(state, c.CorrectNewcomer(signup_id="a2", newcomer=True), NOW)
    evolve(state, corrected)
    assert state.participants["p1"].newcomer is True
    assert [state.signups[s].newcomer for s in ("a1", "a2")] == [True, True]
    assert decide(state, c.CorrectNewcomer(signup_id="a1", newcomer=True), NOW) == []


def test_a_session_with_a_table_code_takes_sign_ups_only_with_it() -> None:
    state = given(created(), msgspec.structs.replace(planned(), table_code="K7PQ2M"))
    with pytest.raises(Forbidden):
        decide(state, record(1), NOW)
    with pytest.raises(Forbidden):
        decide(state, record(1, table_code="WRONG1"), NOW)
    assert len(decide(state, record(1, table_code="K7PQ2M"), NOW)) == 1
    then(state, decide(state, c.SetTableCode(session_id="s", table_code=None), NOW))
    assert len(decide(state, record(2), NOW)) == 1


def test_signing_up_needs_consent() -> None:
    with pytest.raises(Invalid) as refused:
        decide(given(created(), planned()), record(1, consent=False), NOW)
    assert refused.value.field == "consent"


def test_a_closed_session_takes_no_more_writes() -> None:
    state = given(created(), planned(), signup(1), e.SessionClosed(at=NOW, session_id="s"))
    for command in (
        record(2),
        c.WithdrawSignup(signup_id="a1"),
        c.MakeCommitment(commitment_id="c", session_id="s", text="x", signup_id="a1"),
        c.TakeNote(note_id="n", session_id="s", text="x"),
        c.CloseSession(session_id="s"),
        c.OpenSession(session_id="s"),
    ):
        with pytest.raises(Conflict):
            decide(state, command, NOW)


def test_zukunftswerkstatt_phases_only_go_forward_one_at_a_time() -> None:
    state = given(created(), planned(fmt="zukunftswerkstatt"))
    assert state.sessions["s"].phase == "kritik"
    with pytest.raises(Conflict):
        decide(state, c.AdvancePhase(session_id="s", phase="verwirklichung"), NOW)
    with pytest.raises(Conflict):
        decide(state, c.AdvancePhase(session_id="s", phase="kritik"), NOW)
    evolve(state, decide(state, c.AdvancePhase(session_id="s", phase="phantasie"), NOW)[0])
    with pytest.raises(Conflict):
        decide(state, c.AdvancePhase(session_id="s", phase="phantasie"), NOW)
    assert decide(state, c.AdvancePhase(session_id="s", phase="verwirklichung"), NOW)


def test_other_formats_have_no_phases() -> None:
    with pytest.raises(Conflict):
        decide(given(created(), planned()), c.AdvancePhase(session_id="s", phase="phantasie"), NOW)


def test_cards_land_in_the_current_phase() -> None:
    state = given(
        created(), planned(fmt="zukunftswerkstatt"), e.PhaseAdvanced(at=NOW, session_id="s", phase="phantasie")
    )
    (card,) = decide(state, c.AddCard(card_id="k", session_id="s", text="Ein Haus für alle"), NOW)
    assert isinstance(card, e.CardAdded) and card.phase == "phantasie"


def test_a_match_becomes_a_commitment_for_each_side_with_an_owner() -> None:
    anna, ben = e.Person("pa", "Anna"), e.Person("pb", "Ben")
    state = given(
        created(),
        planned(fmt="marktplatz"),
        e.OfferPosted(at=NOW, offer_id="o", session_id="s", kind="offer", text="Biete Transporter", owner=anna),
        e.OfferPosted(at=NOW, offer_id="r", session_id="s", kind="request", text="Suche Umzugshilfe", owner=ben),
    )
    events = decide(state, c.MakeMatch(match_id="m", offer_id="o", request_id="r", commitment_ids=("c1", "c2")), NOW)
    made = [event for event in events if isinstance(event, e.CommitmentMade)]
    assert [(m.commitment_id, m.owner.name, m.match_id) for m in made] == [("c1", "Anna", "m"), ("c2", "Ben", "m")]
    for event in events:
        evolve(state, event)
    with pytest.raises(Conflict):
        decide(state, c.MakeMatch(match_id="m2", offer_id="o", request_id="r", commitment_ids=("c3", "c4")), NOW)


def test_a_match_needs_an_offer_and_a_request() -> None:
    state = given(
        created(),
        planned(fmt="marktplatz"),
        e.OfferPosted(at=NOW, offer_id="o", session_id="s", kind="offer", text="Biete"),
        e.OfferPosted(at=NOW, offer_id="o2", session_id="s", kind="offer", text="Biete auch"),
    )
    with pytest.raises(Invalid) as refused:
        decide(state, c.MakeMatch(match_id="m", offer_id="o", request_id="o2", commitment_ids=("a", "b")), NOW)
    assert refused.value.field == "request_id"


def test_closing_the_workshop_closes_its_open_sessions() -> None:
    state = given(created(), planned("s1"), planned("s2"), e.SessionClosed(at=NOW, session_id="s2"))
    assert decide(state, c.CloseWorkshop(), NOW) == [e.SessionClosed(at=NOW, session_id="s1"), e.WorkshopClosed(at=NOW)]


def test_a_closed_workshop_still_lets_owners_mark_commitments_done() -> None:
    state = given(
        created(),
        planned(),
        signup(1),
        e.CommitmentMade(
            at=NOW, commitment_id="c", session_id="s", owner=e.Person("p1", "P1"), signup_id="a1", text="x"
        ),
        e.SessionClosed(at=NOW, session_id="s"),
        e.WorkshopClosed(at=NOW),
    )
    assert decide(state, c.CompleteCommitment(commitment_id="c"), NOW) == [
        e.CommitmentCompleted(at=NOW, commitment_id="c")
    ]
    with pytest.raises(Conflict):
        decide(state, c.CloseWorkshop(), NOW)


def test_unknown_ids_are_not_found() -> None:
    state = given(created(), planned())
    with pytest.raises(NotFound):
        decide(state, record(1, sid="nope"), NOW)
    with pytest.raises(NotFound):
        decide(state, c.WithdrawSignup(signup_id="nope"), NOW)
    with pytest.raises(NotFound):
        decide(WorkshopState(id="x"), c.CloseWorkshop(), NOW)


def test_a_commitment_owner_from_the_signups_must_be_in_that_session() -> None:
    state = given(created(), planned("s1"), planned("s2"), signup(1, sid="s1"))
    with pytest.raises(NotFound):
        decide(state, c.MakeCommitment(commitment_id="c", session_id="s2", text="x", signup_id="a1"), NOW)


def test_every_event_type_can_be_folded() -> None:
    from typing import get_args

    from service.domain.rules import _EVOLVERS

    assert set(get_args(e.AnyEvent)) == set(_EVOLVERS)


def test_personal_data_is_kept_until_the_retention_time_after_the_workshop_ended() -> None:
    state = given(created(), planned(), signup(1))
    ended = NOW + timedelta(hours=8)
    with pytest.raises(Conflict):
        decide(state, c.ExpirePersonalData(retention=timedelta(days=365)), ended + timedelta(days=364))
    assert decide(state, c.ExpirePersonalData(retention=timedelta(days=365)), ended + timedelta(days=365))


def test_retention_erases_everyone_the_workshop_names_and_keeps_the_counts() -> None:
    organiser = e.Person("org", None, "orga@example.org")
    state = given(
        msgspec.structs.replace(created(), organiser=organiser),
        planned(),
        signup(1),
        signup(2),
        e.CommitmentMade(at=NOW, commitment_id="c", session_id="s", owner=e.Person("o", "Olga"), text="Flyer"),
        e.OfferPosted(at=NOW, offer_id="f", session_id="s", kind="offer", text="Biete", owner=e.Person("b", "Ben")),
        e.IntroSlotOffered(at=NOW, slot_id="i", host=e.Person("h", "Hanna", "h@example.org"), starts_at=NOW),
        e.ProposalMade(at=NOW, proposal_id="pr", title="Lastenräder", proposer=e.Person("pp", "Paul Pitch")),
        e.PersonErased(at=NOW, subject="p2"),
        e.WorkshopClosed(at=NOW),
    )
    events = decide(state, c.ExpirePersonalData(retention=timedelta(0)), NOW + timedelta(days=1))
    assert sorted(event.subject for event in events if isinstance(event, e.PersonErased)) == [
        "b",
        "h",
        "o",
        "org",
        "p1",
        "pp",  # a proposer the facilitator typed in for someone
    ]
    for event in events:
        evolve(state, event)
    assert named_people(state) == []
    assert state.organiser_email is None and state.intro_slots["i"].host.erased
    proposer = state.proposals["pr"].proposer
    assert proposer is not None and proposer.name is None and state.proposals["pr"].title == "Lastenräder"
    assert len(state.signups) == 2 and len(state.commitments) == 1
    assert decide(state, c.ExpirePersonalData(retention=timedelta(0)), NOW + timedelta(days=1)) == []


def test_rotation_ends_every_earlier_token_login_code_and_device() -> None:
    device = e.FacilitatorSignedIn(at=NOW, token_hash="device")
    state = given(created(), device)
    (rotated,) = decide(state, c.RotateFacilitatorToken(token_hash="new", login_code_hash="new-code"), NOW)
    evolve(state, rotated)
    assert state.facilitator_token_hashes == {"new"}
    with pytest.raises(Invalid):
        decide(state, c.SignInFacilitator(login_code_hash="l", token_hash="stranger"), NOW)
    assert decide(state, c.SignInFacilitator(login_code_hash="new-code", token_hash="tablet"), NOW)


def test_ending_earlier_links_leaves_the_person_one_token_and_others_theirs() -> None:
    state = given(created(), planned(), signup(1), signup(2))
    state.participants["p1"].token_hashes.update({"old", "mailed"})
    state.participants["p2"].token_hashes.add("theirs")
    (ended,) = decide(state, c.EndEarlierLinks(participant_id="p1", token_hash="fresh"), NOW)
    evolve(state, ended)
    assert state.participants["p1"].token_hashes == {"fresh"}
    assert state.participants["p2"].token_hashes == {"theirs"}
    with pytest.raises(NotFound):
        decide(state, c.EndEarlierLinks(participant_id="nobody", token_hash="x"), NOW)


def test_a_rotation_logged_before_login_codes_rotated_ends_the_old_code_too() -> None:
    state = given(created(), e.FacilitatorTokensRotated(at=NOW, token_hash="new"))
    assert state.login_code_hashes == set()


def test_a_stop_is_recorded_once_and_forgotten_with_the_person() -> None:
    stop = c.StopMails(email_hash="h", kind="reminders", subjects=("p1",))
    state = given(created())
    (stopped,) = decide(state, stop, NOW)
    evolve(state, stopped)
    assert state.mail_stops == {("reminders", "h"): ("p1",)}
    assert decide(state, stop, NOW) == []
    evolve(state, e.PersonErased(at=NOW, subject="p1"))
    assert state.mail_stops == {}


def test_retention_keeps_the_hosts_of_talks_it_calls_off_until_the_next_pass() -> None:
    soon = NOW + timedelta(days=2)
    host = e.Person("h", "Hanna", "h@example.org")
    state = given(
        created(),
        planned(),
        msgspec.structs.replace(signup(1), newcomer=True),
        e.IntroSlotOffered(at=NOW, slot_id="i", host=host, starts_at=soon),
        e.IntroTalkScheduled(at=NOW, participant_id="p1", slot_id="i", sequence=0),
    )
    first = settle(state, decide(state, c.ExpirePersonalData(retention=timedelta(0)), soon), soon)
    assert [(type(event).__name__, getattr(event, "subject", None)) for event in first] == [
        ("PersonErased", "p1"),
        ("IntroTalkCancelled", None),
    ]
    assert state.intro_slots["i"].host == host  # the cancellation can still reach her
    second = decide(state, c.ExpirePersonalData(retention=timedelta(0)), soon)
    assert [event.subject for event in second if isinstance(event, e.PersonErased)] == ["h"]


def test_a_stop_keeps_the_address_hash_sealed_in_the_person_it_concerns() -> None:
    state = given(created())
    (stopped,) = decide(state, c.StopMails(email_hash="h", kind="digests", subjects=("p1",)), NOW)
    assert isinstance(stopped, e.MailsStopped)
    assert stopped.email_hash == "" and stopped.who is not None and stopped.who.email_hash == "h"
    erased_on_read = msgspec.structs.replace(stopped, who=e.Person("p1", None))  # the key is gone
    evolve(state, erased_on_read)
    assert state.mail_stops == {}
