"""Carried commitments: the next meeting of a network decides on the open commitments of the
earlier ones. Each decision is one append to the log of the meeting where the commitment was
made (its reminders follow from there); the next meeting's list reads those logs."""

from __future__ import annotations

from collections.abc import Callable

from service.application.inputs import existing
from service.application.networks import meetings
from service.application.outcomes import Idempotency, Outcome, Reply
from service.application.runner import WorkshopService
from service.domain import commands as c
from service.domain.carried import CarriedCommitment, carried_commitments, carried_entry, origin_of
from service.domain.errors import NotFound
from service.domain.rules import decide
from service.domain.state import CommitmentState, WorkshopState

CommandOf = Callable[[CommitmentState], c.Command]


async def network_meetings(service: WorkshopService, workshop_id: str) -> list[WorkshopState]:
    """The meetings of the workshop's network, oldest first; none when it is in no network."""
    state = existing(await service.state(workshop_id))
    return [] if state.network_id is None else await meetings(service, state.network_id)


async def carried(service: WorkshopService, workshop_id: str) -> list[CarriedCommitment]:
    """What `GET .../carried-commitments` lists."""
    return carried_commitments(await network_meetings(service, workshop_id), workshop_id, service.clock.now())


async def decide_carried(
    service: WorkshopService,
    workshop_id: str,
    commitment_id: str,
    command_of: CommandOf,
    idempotency: Idempotency | None,
) -> Reply:
    """Run the command on the meeting where the commitment was made, if that is an earlier
    meeting of this workshop's network (else 404: nothing of other networks shows)."""
    origin = origin_of(await network_meetings(service, workshop_id), workshop_id, commitment_id)
    if origin is None:
        raise NotFound("commitment", commitment_id)

    def plan(state: WorkshopState) -> Outcome:
        commitment = existing(state).commitments.get(commitment_id)
        if commitment is None:  # the log was rewound under us
            raise NotFound("commitment", commitment_id)
        now = service.clock.now()
        events = decide(state, command_of(commitment), now)
        return Outcome(events, lambda s: (200, carried_entry(s, s.commitments[commitment_id], now)))

    return await service.execute(origin.id, plan, idempotency)
