"""Market place: offers and requests are posted (with an owner or not) and matched in pairs;
a match becomes a commitment of each side that has an owner."""

from __future__ import annotations

from service.domain import commands as c
from service.domain.formats.base import N_, DigestMatch, DigestOffer, Section, SessionFormat
from service.domain.state import SessionState, WorkshopState


def _posted(state: WorkshopState, session: SessionState, kind: str) -> list[DigestOffer]:
    return [
        DigestOffer(id=o.id, text=o.text, owner_name=o.owner.name if o.owner else None, matched=o.match_id is not None)
        for o in (state.offers[offer_id] for offer_id in session.offers)
        if o.kind == kind
    ]


def _matches(state: WorkshopState, session: SessionState) -> list[DigestMatch]:
    found = []
    for match in state.matches.values():
        offer, request = state.offers[match.offer_id], state.offers[match.request_id]
        if session.id in (offer.session_id, request.session_id):
            found.append(
                DigestMatch(
                    offer=offer.text,
                    request=request.text,
                    offer_owner=offer.owner.name if offer.owner else None,
                    request_owner=request.owner.name if request.owner else None,
                )
            )
    return found


def market(state: WorkshopState, session: SessionState) -> Section:
    """Offers, requests and the matches made between them."""
    return Section(
        offers=_posted(state, session, "offer"),
        requests=_posted(state, session, "request"),
        matches=_matches(state, session),
    )


FORMAT = SessionFormat(name="marktplatz", label=N_("Market place"), commands=frozenset({c.PostOffer}), section=market)
