"""A person across the meetings of a network, linked only by the keyed hash of their e-mail:
erased from every meeting at once, and no newcomer where they signed up to another meeting."""

from __future__ import annotations

from service.application.inputs import existing
from service.application.networks import NetworkService, meetings
from service.application.runner import WorkshopService
from service.domain import commands as c
from service.domain.state import WorkshopState
from service.security import derived_id


async def _meetings_with(service: WorkshopService, workshop_id: str, email_hash: str) -> list[WorkshopState]:
    """The other meetings of the workshop's network where this address signed up."""
    state = existing(await service.state(workshop_id))
    if state.network_id is None:
        return []
    signed_up = set(await service.store.workshops_of(email_hash)) - {workshop_id}
    if not signed_up:
        return []
    return [meeting for meeting in await meetings(service, state.network_id) if meeting.id in signed_up]


async def known_in_network(service: WorkshopService, workshop_id: str, email_hash: str | None) -> bool:
    """Whether the address signed up to another meeting of the workshop's network."""
    return email_hash is not None and bool(await _meetings_with(service, workshop_id, email_hash))


def tombstone_of(secret_key: str, workshop_id: str, participant_id: str) -> str:
    """The anonymous id an erasure gives the person in every meeting of the network: derived from
    their random participant id (so a retry gives the same), never from their address."""
    return derived_id(secret_key, "tombstone", f"{workshop_id}/{participant_id}")


async def erase_in_network(service: WorkshopService, workshop_id: str, participant_id: str, tombstone: str) -> None:
    """Erase the participant from the other meetings of the network (one erasure in each log),
    before their own: a retry after a failure still finds their address here. Each erasure
    carries `tombstone`, as their own is to, so the network report counts them once still."""
    state = existing(await service.state(workshop_id))
    participant = state.participants.get(participant_id)
    if participant is None or participant.email_hash is None:
        return
    hashed = participant.email_hash
    for meeting in await _meetings_with(service, workshop_id, hashed):
        for other in [p.id for p in meeting.participants.values() if p.email_hash == hashed]:
            erase = c.ErasePerson(subject=other, tombstone=tombstone)
            await service.execute(meeting.id, service.command(erase, lambda _: (200, None)), None)


async def member_organisations(networks: NetworkService, state: WorkshopState) -> list[str]:
    """The member organisations of the workshop's network, for the sign-up form to suggest."""
    if state.network_id is None:
        return []
    network = await networks.state(state.network_id)
    return sorted({m.organisation for m in network.members.values() if not m.removed}, key=str.casefold)
