"""The network projection and the network report over it.

A worker keeps, per network, one record per meeting (`MeetingSummary`) from the workshops'
logs: a job after appends to a workshop of a network writes its record (`project`), a rebuild
folds every workshop's log and writes the network's records anew (`rebuild`). The report reads
the records (warm) or folds the logs (cold); both give the same answer.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import msgspec

from service.domain import network as n
from service.domain.network_report import RECORD_FORM, MeetingSummary, OrganisationToken, meeting_summary
from service.domain.rules import fold
from service.domain.state import WorkshopState
from service.security import keyed_hash
from service.store.base import SyncEventLog
from service.store.projections import Projections

_encoder = msgspec.msgpack.Encoder()
_decoder = msgspec.msgpack.Decoder(MeetingSummary)


def encoded(summary: MeetingSummary) -> bytes:
    return _encoder.encode(summary)


def decoded(records: dict[str, bytes]) -> list[MeetingSummary]:
    return [_decoder.decode(record) for record in records.values()]


def network_members(log: SyncEventLog, network_id: str) -> dict[str, str]:
    """The network's member organisations now (id → organisation), from its own log."""
    network = n.fold(n.NetworkState(id=network_id), log.read_sync(network_id))
    return {m.id: m.organisation for m in network.members.values() if not m.removed}


def organisation_token(secret_key: str) -> OrganisationToken:
    """Organisations counted by a keyed hash of what was typed, under the deployment's key: a
    record keeps an erased person's organisation as this, not as its name."""
    return lambda typed: keyed_hash(secret_key, "network-organisation", typed)[:32]


def _kept(record: bytes | None) -> MeetingSummary | None:
    """The earlier record: an erasure takes what people typed from the state, not the members
    matched and the organisations counted while it existed."""
    return None if record is None else _decoder.decode(record)


def project(
    projections: Projections, state: WorkshopState, token: OrganisationToken, members: Mapping[str, str] | None = None
) -> None:
    """Bring the workshop's record up to date: in its network's projection (with the member
    organisations present, `members`: the network's, id → organisation), and gone from the
    projection of a network it left."""
    network_id = state.network_id
    before = projections.home(state.id)
    if before is not None and before != network_id:
        projections.drop(before, state.id)
    if network_id is not None:
        earlier = _kept(projections.record(network_id, state.id)) if before == network_id else None
        summary = meeting_summary(state, token, members, earlier)
        projections.put(network_id, state.id, encoded(summary), state.version)
    if before != network_id:
        projections.set_home(state.id, network_id)


def folded(log: SyncEventLog, workshop_id: str) -> WorkshopState:
    return fold(WorkshopState(id=workshop_id), log.read_sync(workshop_id))


def meetings_from_logs(log: SyncEventLog, workshop_ids: Iterable[str], network_id: str) -> list[WorkshopState]:
    """The network's meetings, each folded from its log (the cold path)."""
    states = (folded(log, wid) for wid in workshop_ids)
    return [state for state in states if state.exists and state.network_id == network_id]


def rebuild(
    log: SyncEventLog, projections: Projections, token: OrganisationToken, workshop_ids: Iterable[str], network_id: str
) -> int:
    """Make the network's projection again from the workshops' logs, record by record, and drop
    the records of workshops that are no meetings of it (any more); the number of meetings. Like
    `reproject` it may run beside the jobs that follow the workshops' logs: a record a job made
    at a later log version stays, and a meeting planned while this runs is never dropped."""
    meetings = meetings_from_logs(log, workshop_ids, network_id)
    members = network_members(log, network_id)
    held = {state.id for state in meetings}
    for state in meetings:
        earlier = _kept(projections.record(network_id, state.id))
        projections.put(network_id, state.id, encoded(meeting_summary(state, token, members, earlier)), state.version)
        projections.set_home(state.id, network_id)
    for workshop_id in projections.records(network_id).keys() - held:
        gone = folded(log, workshop_id)  # read now: it may have joined since the list was made
        if gone.network_id != network_id:
            projections.drop(network_id, workshop_id)
    return len(meetings)


def reproject(
    log: SyncEventLog, projections: Projections, token: OrganisationToken, workshop_ids: Iterable[str], network_id: str
) -> int:
    """Make each meeting's record again with the network's members now (a member added or
    renamed), record by record: a record kept that a job made at a later log version stays, so
    this may run beside the jobs that follow the workshops' logs. The number of meetings."""
    meetings = meetings_from_logs(log, workshop_ids, network_id)
    members = network_members(log, network_id)
    for state in meetings:
        earlier = _kept(projections.record(network_id, state.id))
        projections.put(network_id, state.id, encoded(meeting_summary(state, token, members, earlier)), state.version)
    return len(meetings)


def up_to_date(
    records: Iterable[MeetingSummary],
    held: Iterable[WorkshopState],
    members: Mapping[str, str],
    token: OrganisationToken,
) -> list[MeetingSummary]:
    """The network's meetings as a reader should see them: each meeting's record where the
    projection holds it at the workshop's version, otherwise made now from the workshop's state
    (with the member organisations its record kept). The projection follows the logs a moment
    behind; a report read in that moment still shows every meeting and no person erased. A
    record of an earlier form (written before this code) is made again likewise."""
    kept = {record.workshop_id: record for record in records}
    found = []
    for state in held:
        record = kept.get(state.id)
        if record is not None and record.version >= state.version and record.form >= RECORD_FORM:
            found.append(record)
        else:
            found.append(meeting_summary(state, token, members, record))
    return found
