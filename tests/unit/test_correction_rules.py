"""Corrections, pure: a commitment withdrawn or reopened is one event, and none when it is there already."""

from __future__ import annotations

import pytest

from service.domain import commands as c
from service.domain import events as e
from service.domain.errors import Conflict, Invalid, NotFound
from service.domain.rules import decide, named_people
from tests.unit.test_rules import NOW, created, given, planned, signup, then


def _made() -> e.CommitmentMade:
    return e.CommitmentMade(at=NOW, commitment_id="c", session_id="s", owner=e.Person("o", "Olga"), text="Flyer")


def test_a_commitment_is_withdrawn_once_and_reopened_once() -> None:
    state = given(created(), planned(), _made())
    withdrawn = decide(state, c.WithdrawCommitment(commitment_id="c"), NOW)
    assert withdrawn == [e.CommitmentWithdrawn(at=NOW, commitment_id="c")]
    then(state, withdrawn)
    assert state.commitments["c"].status == "withdrawn"
    assert decide(state, c.WithdrawCommitment(commitment_id="c"), NOW) == []
    reopened = decide(state, c.ReopenCommitment(commitment_id="c"), NOW)
    assert reopened == [e.CommitmentReopened(at=NOW, commitment_id="c")]
    then(state, reopened)
    assert state.commitments["c"].status == "open"
    assert decide(state, c.ReopenCommitment(commitment_id="c"), NOW) == []


def test_a_done_commitment_reopens_without_its_completion() -> None:
    state = given(created(), planned(), _made(), e.CommitmentCompleted(at=NOW, commitment_id="c"))
    then(state, decide(state, c.ReopenCommitment(commitment_id="c"), NOW))
    assert (state.commitments["c"].status, state.commitments["c"].completed_at) == ("open", None)


@pytest.mark.parametrize("command", [c.WithdrawCommitment(commitment_id="x"), c.ReopenCommitment(commitment_id="x")])
def test_an_unknown_commitment_is_not_found(command: c.Command) -> None:
    with pytest.raises(NotFound):
        decide(given(created(), planned(), _made()), command, NOW)


def test_dots_taken_back_never_go_below_zero() -> None:
    state = given(
        created(),
        planned(fmt="zukunftswerkstatt"),
        e.SessionOpened(at=NOW, session_id="s"),
        e.CardAdded(at=NOW, card_id="k", session_id="s", phase="kritik", text="Laut"),
        e.CardVoted(at=NOW, card_id="k", count=2),
    )
    taken_back = decide(state, c.VoteCard(card_id="k", count=-5), NOW)
    assert taken_back == [e.CardVoted(at=NOW, card_id="k", count=-2)]
    then(state, taken_back)
    assert state.cards["k"].votes == 0
    assert decide(state, c.VoteCard(card_id="k", count=-1), NOW) == []


@pytest.mark.parametrize("count", [0, 6, -6])
def test_a_vote_of_zero_or_more_than_five_dots_is_invalid(count: int) -> None:
    state = given(
        created(),
        planned(fmt="zukunftswerkstatt"),
        e.SessionOpened(at=NOW, session_id="s"),
        e.CardAdded(at=NOW, card_id="k", session_id="s", phase="kritik", text="Laut"),
    )
    with pytest.raises(Invalid) as refused:
        decide(state, c.VoteCard(card_id="k", count=count), NOW)
    assert refused.value.field == "count"


def test_a_removed_note_card_or_offer_is_gone_and_a_matched_offer_stays() -> None:
    state = given(
        created(),
        planned(fmt="marktplatz"),
        e.NoteTaken(at=NOW, note_id="n", session_id="s", text="x"),
        e.OfferPosted(at=NOW, offer_id="o", session_id="s", kind="offer", text="Rad"),
        e.OfferPosted(at=NOW, offer_id="r", session_id="s", kind="request", text="Rad"),
        e.OfferPosted(at=NOW, offer_id="o2", session_id="s", kind="offer", text="Tippfehler"),
        e.MatchMade(at=NOW, match_id="m", offer_id="o", request_id="r"),
    )
    then(state, decide(state, c.RemoveNote(note_id="n"), NOW))
    then(state, decide(state, c.RemoveOffer(offer_id="o2"), NOW))
    assert (state.sessions["s"].notes, state.sessions["s"].offers, sorted(state.offers)) == ([], ["o", "r"], ["o", "r"])
    with pytest.raises(Conflict):
        decide(state, c.RemoveOffer(offer_id="o"), NOW)
    for command in (c.RemoveNote(note_id="n"), c.RemoveCard(card_id="k"), c.RemoveOffer(offer_id="o2")):
        with pytest.raises(NotFound):
            decide(state, command, NOW)


def test_an_undone_match_withdraws_its_commitments_and_frees_its_offers() -> None:
    state = given(
        created(),
        planned(fmt="marktplatz"),
        e.OfferPosted(at=NOW, offer_id="o", session_id="s", kind="offer", text="Rad", owner=e.Person("a", "A")),
        e.OfferPosted(at=NOW, offer_id="r", session_id="s", kind="request", text="Rad", owner=e.Person("b", "B")),
        e.MatchMade(at=NOW, match_id="m", offer_id="o", request_id="r"),
        e.CommitmentMade(at=NOW, commitment_id="c1", session_id="s", owner=e.Person("a", "A"), text="x", match_id="m"),
        e.CommitmentMade(at=NOW, commitment_id="c2", session_id="s", owner=e.Person("b", "B"), text="x", match_id="m"),
        e.CommitmentWithdrawn(at=NOW, commitment_id="c2"),
    )
    undone = decide(state, c.UndoMatch(match_id="m"), NOW)
    assert undone == [e.CommitmentWithdrawn(at=NOW, commitment_id="c1"), e.MatchUndone(at=NOW, match_id="m")]
    then(state, undone)
    assert (state.matches, state.offers["o"].match_id, state.offers["r"].match_id) == ({}, None, None)
    with pytest.raises(NotFound):
        decide(state, c.UndoMatch(match_id="m"), NOW)


def test_the_owner_of_a_removed_offer_is_still_erasable() -> None:
    state = given(
        created(),
        planned(fmt="marktplatz"),
        e.OfferPosted(at=NOW, offer_id="o", session_id="s", kind="offer", text="Rad", owner=e.Person("a", "Anna")),
        e.OfferRemoved(at=NOW, offer_id="o"),
    )
    assert named_people(state) == ["a"]
    then(state, [e.PersonErased(at=NOW, subject="a")])
    assert named_people(state) == []


def test_a_correction_changes_only_the_fields_given_and_keeps_the_old_owner_erasable() -> None:
    state = given(created(), planned(), signup(1), _made())
    assert decide(state, c.CorrectCommitment(commitment_id="c"), NOW) == []
    then(state, decide(state, c.CorrectCommitment(commitment_id="c", text="Flyer drucken"), NOW))
    then(state, decide(state, c.CorrectCommitment(commitment_id="c", signup_id="a1"), NOW))
    commitment = state.commitments["c"]
    assert (commitment.text, commitment.owner.name, commitment.signup_id) == ("Flyer drucken", "P1", "a1")
    assert named_people(state) == ["o", "p1"]
    with pytest.raises(NotFound):
        decide(state, c.CorrectCommitment(commitment_id="c", signup_id="nope"), NOW)
