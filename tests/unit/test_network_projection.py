"""The network projection while the workshops' logs move: a rebuild running beside the jobs that
follow the logs never drops a meeting planned meanwhile nor puts back an older record, and a
report read while the projection lags still shows every meeting, each as its log says now."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import msgspec

from service.application.network_reports import decoded, encoded, folded, project, rebuild, up_to_date
from service.domain import events as e
from service.domain.network_report import RECORD_FORM, meeting_summary
from service.store.codec import EventCodec
from service.store.memory import MemoryEventStore
from tests.unit.test_network_report import TOKEN, workshop_created
from tests.unit.test_network_report import _signup as signup

NETWORK = "net-1"
DAY = datetime(2026, 3, 10, 17, tzinfo=UTC)


def _store() -> MemoryEventStore:
    store = MemoryEventStore(EventCodec())
    store.append_sync(NETWORK, [e.NetworkCreated(at=DAY, network_id=NETWORK, name="Netzwerk")], expected_version=0)
    return store


def _meeting(store: MemoryEventStore, wid: str, days: int) -> None:
    starts = DAY + timedelta(days=days)
    events: list[e.Event] = [
        workshop_created(wid, starts),
        e.WorkshopNetworkSet(at=starts, network_id=NETWORK),
        e.SessionPlanned(at=starts, session_id="t", title="Tisch", format="thementisch"),
    ]
    store.append_sync(wid, events, expected_version=0)


def _sign_up(store: MemoryEventStore, wid: str, n: int) -> None:
    store.append_sync(wid, [signup(n, DAY)], expected_version=folded(store, wid).version)


def _people(store: MemoryEventStore) -> dict[str, int]:
    return {r.workshop_id: len(r.people) for r in decoded(store.projections.records(NETWORK))}


def test_a_rebuild_keeps_a_meeting_planned_while_it_ran_and_a_record_newer_than_its_own() -> None:
    store = _store()
    _meeting(store, "w1", 0)
    _meeting(store, "w2", 100)
    listed = ["w1", "w2"]  # the rebuild's list of workshops, read before w3 was planned
    _meeting(store, "w3", 200)
    project(store.projections, folded(store, "w3"), TOKEN)
    stale = folded(store, "w1")  # the rebuild folded w1 here ...
    _sign_up(store, "w1", 1)
    project(store.projections, folded(store, "w1"), TOKEN)  # ... and a job projected the sign-up after

    original = store.read_sync

    def read_as_the_rebuild_did(workshop_id: str, after: int = 0) -> list[object]:
        found = original(workshop_id, after)
        return found[: stale.version] if workshop_id == "w1" else found

    store.read_sync = read_as_the_rebuild_did  # type: ignore[assignment,method-assign]
    assert rebuild(store, store.projections, TOKEN, listed, NETWORK) == 2
    store.read_sync = original  # type: ignore[method-assign]

    assert _people(store) == {"w1": 1, "w2": 0, "w3": 0}


def test_a_rebuild_drops_the_record_of_a_workshop_that_left_the_network() -> None:
    store = _store()
    _meeting(store, "w1", 0)
    _meeting(store, "w2", 100)
    for wid in ("w1", "w2"):
        project(store.projections, folded(store, wid), TOKEN)
    store.append_sync("w2", [e.WorkshopNetworkSet(at=DAY, network_id=None)], expected_version=3)
    assert rebuild(store, store.projections, TOKEN, ["w1", "w2"], NETWORK) == 1
    assert _people(store) == {"w1": 0}


def test_a_report_read_while_the_projection_lags_shows_every_meeting_as_its_log_says() -> None:
    store = _store()
    _meeting(store, "w1", 0)
    _meeting(store, "w2", 100)
    _meeting(store, "w3", 200)
    project(store.projections, folded(store, "w1"), TOKEN)
    project(store.projections, folded(store, "w2"), TOKEN)
    _sign_up(store, "w2", 2)  # its job has not run yet; w3's has not either
    held = [folded(store, wid) for wid in ("w1", "w2", "w3")]
    records = decoded(store.projections.records(NETWORK))
    assert [r.workshop_id for r in records] == ["w1", "w2"] and all(not r.people for r in records)

    seen = up_to_date(records, held, {}, TOKEN)
    assert [(s.workshop_id, s.people) for s in seen] == [("w1", []), ("w2", ["hash-of-2"]), ("w3", [])]
    assert seen[0] is next(r for r in records if r.workshop_id == "w1")  # the record, where it is current
    assert seen == [meeting_summary(state, TOKEN) for state in held]


def test_a_record_written_before_organisations_were_kept_is_made_again_by_the_reader() -> None:
    store = _store()
    _meeting(store, "w1", 0)
    _sign_up(store, "w1", 1)
    state = folded(store, "w1")
    current = meeting_summary(state, TOKEN)
    older = msgspec.msgpack.decode(encoded(current))
    for field in ("form", "organisation_of", "organisation_names", "member_of", "offers"):
        older.pop(field)  # as such a record lies in Redis, at the workshop's version
    (kept,) = decoded({"w1": msgspec.msgpack.encode(older)})
    assert kept.form == 1 and kept.version == state.version
    (seen,) = up_to_date([kept], [state], {}, TOKEN)
    assert seen == current and seen.form == RECORD_FORM
