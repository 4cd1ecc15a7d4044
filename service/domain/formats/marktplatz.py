"""Market place: offers and requests are posted (with an owner or not) and matched in pairs;
a match becomes a commitment of each side that has an owner.

`decide` and the evolvers of its commands and events (offers, requests, matches) live here;
`rules.decide` and `rules.evolve` hand them over.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import msgspec

from service.domain import commands as c
from service.domain import events as e
from service.domain.errors import Conflict, Forbidden, Invalid, NotFound
from service.domain.formats.base import N_, DigestMatch, DigestOffer, Section, SessionFormat, format_of, takers
from service.domain.lookups import confirmed_here, found, owner_of, writable_session
from service.domain.state import MatchState, OfferState, SessionState, WorkshopState


def _posted(state: WorkshopState, session: SessionState, kind: str) -> list[DigestOffer]:
    return [
        DigestOffer(id=o.id, text=o.text, owner_name=o.owner.name if o.owner else None, matched=o.match_id is not None)
        for o in (state.offers[offer_id] for offer_id in session.offers)
        if o.kind == kind
    ]


def _matches(state: WorkshopState, session: SessionState) -> list[DigestMatch]:
    matched = []
    for match in state.matches.values():
        offer, request = state.offers[match.offer_id], state.offers[match.request_id]
        if session.id in (offer.session_id, request.session_id):
            matched.append(
                DigestMatch(
                    offer=offer.text,
                    request=request.text,
                    offer_owner=offer.owner.name if offer.owner else None,
                    request_owner=request.owner.name if request.owner else None,
                )
            )
    return matched


def market(state: WorkshopState, session: SessionState) -> Section:
    """Offers, requests and the matches made between them."""
    return Section(
        offers=_posted(state, session, "offer"),
        requests=_posted(state, session, "request"),
        matches=_matches(state, session),
    )


FORMAT = SessionFormat(name="marktplatz", label=N_("Market place"), commands=frozenset({c.PostOffer}), section=market)

# its FORMAT's command, and those that act on posted offers and requests (found by their ids)
MARKTPLATZ_COMMANDS = c.PostOffer | c.RemoveOffer | c.MakeMatch | c.UndoMatch

# ---------------------------------------------------------------------------- decide


def decide(state: WorkshopState, command: c.Command, now: datetime) -> list[e.Event]:
    """The events of a market place's command: an offer or request posted or removed, a match."""
    match command:
        case c.PostOffer():
            return _post_offer(state, command, now)
        case c.RemoveOffer(offer_id=oid, participant_id=pid):
            _remove_own_offer(state, oid, pid)
            return [e.OfferRemoved(at=now, offer_id=oid)]
        case c.MakeMatch():
            return _make_match(state, command, now)
        case c.UndoMatch(match_id=mid):
            return _undo_match(state, mid, now)
    raise TypeError(f"not a marktplatz command: {type(command).__name__}")


def _post_offer(state: WorkshopState, command: c.PostOffer, now: datetime) -> list[e.Event]:
    session = writable_session(state, command.session_id)
    if not format_of(session.format).takes(c.PostOffer):
        raise Conflict(f"Offers and requests belong to a {takers(c.PostOffer)}.")
    owner = None
    if command.participant_id is not None:  # from their phone: the owner is themselves
        command = msgspec.structs.replace(
            command, signup_id=confirmed_here(state, session, command.participant_id).id, owner=None
        )
    if command.signup_id is not None or command.owner is not None:
        owner = owner_of(state, command.signup_id, command.owner, command.session_id)
    return [
        e.OfferPosted(
            at=now,
            offer_id=command.offer_id,
            session_id=command.session_id,
            kind=command.kind,
            text=command.text,
            owner=owner,
            signup_id=command.signup_id,
        )
    ]


def _remove_own_offer(state: WorkshopState, offer_id: str, participant_id: str | None) -> None:
    offer = found(state.offers, "offer", offer_id)
    if participant_id is not None:
        confirmed_here(state, state.sessions[offer.session_id], participant_id)
        own = offer.signup_id is not None and state.signups[offer.signup_id].participant_id == participant_id
        if not own:
            raise Forbidden("Participants may remove only their own offers and requests.")
    if offer.match_id is not None:
        raise Conflict("The offer is matched: withdraw the match first.")


def _offer(state: WorkshopState, offer_id: str, kind: e.OfferKind, field: str) -> OfferState:
    offer = state.offers.get(offer_id)
    if offer is None:
        raise NotFound("offer", offer_id)
    if offer.kind != kind:
        raise Invalid(field, f"{offer_id!r} is not an {kind}" if kind == "offer" else f"{offer_id!r} is not a request")
    writable_session(state, offer.session_id)
    if offer.match_id is not None:
        raise Conflict(f"{offer_id!r} is matched already.")
    return offer


def _make_match(state: WorkshopState, command: c.MakeMatch, now: datetime) -> list[e.Event]:
    offer = _offer(state, command.offer_id, "offer", "offer_id")
    request = _offer(state, command.request_id, "request", "request_id")
    made: list[e.Event] = [e.MatchMade(at=now, match_id=command.match_id, offer_id=offer.id, request_id=request.id)]
    sides = ((offer, request), (request, offer))
    for commitment_id, (side, other) in zip(command.commitment_ids, sides, strict=True):
        if side.owner is None:
            continue
        text = f"{side.text} ↔ {other.text}"
        made.append(
            e.CommitmentMade(
                at=now,
                commitment_id=commitment_id,
                session_id=side.session_id,
                owner=side.owner,
                signup_id=side.signup_id,
                text=text[:500],
                match_id=command.match_id,
            )
        )
    return made


def _undo_match(state: WorkshopState, match_id: str, now: datetime) -> list[e.Event]:
    """The match's commitments withdrawn, then the match undone: offer and request are open again."""
    match = found(state.matches, "match", match_id)
    undone: list[e.Event] = [
        e.CommitmentWithdrawn(at=now, commitment_id=cid)
        for cid in match.commitment_ids
        if state.commitments[cid].status != "withdrawn"
    ]
    return [*undone, e.MatchUndone(at=now, match_id=match_id)]


# ---------------------------------------------------------------------------- evolve


def _evolve_offer(state: WorkshopState, event: e.OfferPosted) -> None:
    state.offers[event.offer_id] = OfferState(
        id=event.offer_id,
        session_id=event.session_id,
        kind=event.kind,
        text=event.text,
        owner=event.owner,
        signup_id=event.signup_id,
        posted_at=event.at,
    )
    state.sessions[event.session_id].offers.append(event.offer_id)


def _evolve_offer_removed(state: WorkshopState, event: e.OfferRemoved) -> None:
    offer = state.offers.pop(event.offer_id)
    state.sessions[offer.session_id].offers.remove(event.offer_id)
    if offer.owner is not None:
        state.former_owners.append(offer.owner)


def _evolve_match(state: WorkshopState, event: e.MatchMade) -> None:
    state.matches[event.match_id] = MatchState(
        id=event.match_id, offer_id=event.offer_id, request_id=event.request_id, made_at=event.at
    )
    state.offers[event.offer_id].match_id = event.match_id
    state.offers[event.request_id].match_id = event.match_id


def _evolve_match_undone(state: WorkshopState, event: e.MatchUndone) -> None:
    match = state.matches.pop(event.match_id)
    state.offers[match.offer_id].match_id = state.offers[match.request_id].match_id = None


EVOLVERS: dict[type[e.Event], Callable[[WorkshopState, Any], None]] = {
    e.OfferPosted: _evolve_offer,
    e.OfferRemoved: _evolve_offer_removed,
    e.MatchMade: _evolve_match,
    e.MatchUndone: _evolve_match_undone,
}
