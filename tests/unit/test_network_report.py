"""The network report's numbers on a constructed history: three meetings over two years,
people who come back, people without an address, an erased person counted but not named, and
the same figures before and after the erasure."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta

import msgspec

from service.application.network_reports import organisation_token
from service.domain import events as e
from service.domain.network_report import MeetingSummary, NetworkReport, meeting_summary, member_of, network_report
from service.domain.rules import evolve
from service.domain.state import WorkshopState

NOW = datetime(2027, 3, 1, 12, 0, tzinfo=UTC)
MEMBERS = ["AWO Region Hannover e.V.", "Freiwilligenzentrum"]
MEMBER_IDS = {"m-awo": MEMBERS[0], "m-fz": MEMBERS[1]}
TOKEN = organisation_token("unit-test-key")


def workshop_created(wid: str, starts_at: datetime) -> e.WorkshopCreated:
    """A meeting of three hours, planned a month before."""
    return e.WorkshopCreated(
        at=starts_at - timedelta(days=30),
        workshop_id=wid,
        title=f"Treffen {wid}",
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=3),
        facilitator_token_hash="h",
        login_code_hash="l",
    )


def _meeting(wid: str, starts_at: datetime, *events: e.Event) -> WorkshopState:
    state = WorkshopState(id=wid)
    created = workshop_created(wid, starts_at)
    planned = [
        e.SessionPlanned(at=starts_at, session_id="t", title="Tisch", format="thementisch"),
        e.SessionPlanned(at=starts_at, session_id="m", title="Markt", format="marktplatz"),
    ]
    for event in (created, *planned, *events):
        evolve(state, event)
    return state


def _signup(
    n: int, at: datetime, email: bool = True, organisation: str | None = None, status: e.PlacementStatus = "confirmed"
) -> e.SignupRecorded:
    return e.SignupRecorded(
        at=at,
        signup_id=f"a{n}",
        session_id="t",
        participant_id=f"p{n}",
        person=e.Person(f"p{n}", f"Person {n}", f"p{n}@example.org" if email else None, organisation),
        email_hash=f"hash-of-{n}" if email else None,
        newcomer=False,
        status=status,
    )


def history() -> list[WorkshopState]:
    """Meeting 1 (2026): people 1, 2, 3 (3 has no address), 4 (erased later, see `erased`); AWO
    typed short and long. Meeting 2 (2026): 1, 2 again, 5 new, 3 again without an address
    (counted anew), 4 again, 2 for the Sportverein 4 came for. Meeting 3 (2027): 1 again, 6 new; 7 only waitlisted."""
    d1 = datetime(2026, 3, 10, 17, tzinfo=UTC)
    d2 = datetime(2026, 9, 10, 17, tzinfo=UTC)
    d3 = datetime(2027, 2, 10, 17, tzinfo=UTC)
    first = _meeting(
        "w1",
        d1,
        _signup(1, d1, organisation="awo region hannover e.V. "),
        _signup(2, d1, organisation="Freiwilligenzentrum"),
        _signup(3, d1, email=False, organisation="Kirchengemeinde"),
        _signup(4, d1, organisation="Sportverein"),
        e.CommitmentMade(
            at=d1,
            commitment_id="c1",
            session_id="t",
            owner=e.Person("p4", "Person 4"),
            text="Flyer",
            due=date(2026, 4, 1),
        ),
        e.CommitmentMade(at=d1, commitment_id="c2", session_id="t", owner=e.Person("p1", "Person 1"), text="Raum"),
        e.CommitmentCompleted(at=d1 + timedelta(days=3), commitment_id="c2"),
        e.OfferPosted(
            at=d1,
            offer_id="o1",
            session_id="m",
            kind="offer",
            text="Lastenrad",
            owner=e.Person("p1", "Person 1", None, "AWO Region Hannover e.V."),
        ),
        e.OfferPosted(
            at=d1,
            offer_id="o2",
            session_id="m",
            kind="request",
            text="Beamer",
            owner=e.Person("p3", "Person 3", None, "Kirchengemeinde"),
        ),
        e.IntroSlotOffered(at=d1, slot_id="i1", host=e.Person("h", "Host"), starts_at=d1 - timedelta(days=5)),
        e.OfferPosted(
            at=d1,
            offer_id="o4",
            session_id="m",
            kind="offer",
            text="Turnhalle",
            owner=e.Person("p4", "Person 4", None, "Sportverein"),
        ),
        e.IntroSlotOffered(at=d1, slot_id="i1", host=e.Person("h", "Host"), starts_at=d1 - timedelta(days=5)),
        e.IntroTalkScheduled(at=d1, participant_id="p2", slot_id="i1"),
    )
    second = _meeting(
        "w2",
        d2,
        _signup(1, d2, organisation="AWO Region Hannover e.V."),
        _signup(2, d2, organisation="Sportverein"),
        _signup(5, d2, organisation="Nachbarschaftsladen"),
        _signup(3, d2, email=False, organisation="Kirchengemeinde"),
        _signup(4, d2),
        e.SessionGroupNamed(at=d2, session_id="t", group_id="ag-wohnen"),
        e.CommitmentMade(
            at=d2,
            commitment_id="c3",
            session_id="t",
            owner=e.Person("p5", "Person 5"),
            text="Protokoll",
            due=date(2026, 10, 1),
        ),
        e.OfferPosted(
            at=d2,
            offer_id="o3",
            session_id="m",
            kind="request",
            text="Helfer",
            owner=e.Person("p1", "Person 1", None, "AWO Region Hannover e.V."),
        ),
    )
    third = _meeting(
        "w3",
        d3,
        _signup(1, d3),
        _signup(6, d3, organisation="Freiwilligenzentrum"),
        _signup(7, d3, status="waitlisted"),
        e.IntroSlotOffered(at=d3, slot_id="i2", host=e.Person("h", "Host"), starts_at=NOW + timedelta(days=5)),
        e.IntroTalkScheduled(at=d3, participant_id="p6", slot_id="i2"),
    )
    return [third, first, second]  # in no particular order: the report orders by date


def summaries(erased: bool = True) -> list[MeetingSummary]:
    """The projection's records; `erased`: after person 4 was erased from both their meetings
    (one tombstone id), each record made again over the one made before, as the worker does."""
    records = []
    for state in history():
        record = meeting_summary(state, TOKEN, MEMBER_IDS)
        if erased and "p4" in state.participants:
            evolve(state, e.PersonErased(at=NOW, subject="p4", tombstone="t4"))
            record = meeting_summary(state, TOKEN, MEMBER_IDS, record)
        records.append(record)
    return records


def network(erased: bool = True) -> NetworkReport:
    return network_report("n1", "Netzwerk Bürgermitwirkung", MEMBERS, summaries(erased), NOW)


def report() -> dict[str, object]:
    return msgspec.to_builtins(network())  # type: ignore[no-any-return]


def test_typed_organisations_map_onto_members_only_where_they_clearly_match() -> None:
    assert member_of(" awo  region hannover E.V.", MEMBERS) == "AWO Region Hannover e.V."
    assert member_of("AWO", MEMBERS) == "AWO Region Hannover e.V."  # the network has one AWO
    assert member_of("Sportverein Linden", MEMBERS) is None


def test_totals_count_distinct_people_by_address_and_people_without_one_per_meeting() -> None:
    totals = report()["totals"]
    # 1, 2, 5, 6 by address; 3 twice (no address); 4 once (erased: by the tombstone id)
    assert totals == {
        "meetings": 3,
        "participants": 7,
        "returning": 3,
        "organisations": 5,
        "commitments_made": 3,
        "commitments_done": 1,
        "commitments_overdue": 2,
        "member_organisations": 2,
        "intro_talks_held": 1,
    }


def test_each_meeting_shows_who_came_back_and_which_newcomers_returned() -> None:
    meetings = report()["meetings"]
    assert isinstance(meetings, list)
    assert [m["workshop_id"] for m in meetings] == ["w1", "w2", "w3"]
    first, second, third = meetings
    assert (first["participants"], first["newcomers"], first["newcomers_came_back"], first["returning"]) == (4, 4, 3, 0)
    assert (second["participants"], second["returning"], second["returning_share"]) == (5, 3, 0.6)
    assert (second["newcomers"], second["newcomers_came_back"]) == (2, 0)
    assert (third["participants"], third["returning"], third["newcomers"]) == (2, 1, 1)
    assert (first["member_organisations"], first["other_organisations"]) == (2, 2)  # 4's Sportverein stays counted
    assert (second["member_organisations"], second["other_organisations"]) == (1, 3)
    assert first["commitments"] == {"made": 2, "done": 1, "overdue": 1}
    assert first["by_group"] == [{"made": 2, "done": 1, "overdue": 1, "group_id": None}]
    assert second["by_group"] == [{"made": 1, "done": 0, "overdue": 1, "group_id": "ag-wohnen"}]
    assert first["intro_talks_held"] == 1 and third["intro_talks_held"] == 0


def test_the_years_add_up_their_meetings() -> None:
    years = report()["years"]
    assert isinstance(years, list)
    assert [(y["year"], y["meetings"], y["participants"], y["returning"]) for y in years] == [
        (2026, 2, 6, 3),
        (2027, 1, 2, 0),
    ]


def test_an_erasure_leaves_every_figure_as_it_was() -> None:
    before, after = network(erased=False), network(erased=True)
    assert (before.totals, before.years) == (after.totals, after.years)
    assert before.give_take == after.give_take
    for was, now in zip(before.meetings, after.meetings, strict=True):
        assert msgspec.structs.replace(was, open_commitments=[]) == msgspec.structs.replace(now, open_commitments=[])
    assert [c.owner_name for c in before.meetings[0].open_commitments] == ["Person 4"]
    assert [c.owner_name for c in after.meetings[0].open_commitments] == [None]


def test_an_erased_non_member_organisation_is_counted_but_no_longer_named() -> None:
    first = next(s for s in summaries() if s.workshop_id == "w1")
    assert "Sportverein" not in msgspec.json.encode(first).decode()
    assert len(set(first.organisation_of.values())) == 4
    alone = network_report("n1", "Netz", MEMBERS, [first], NOW)
    assert {"organisation": None, "member": False, "offers": 1, "requests": 0} in msgspec.to_builtins(alone.give_take)


def test_give_and_take_is_summed_per_organisation_with_members_recognised() -> None:
    assert report()["give_take"] == [
        {"organisation": "AWO Region Hannover e.V.", "member": True, "offers": 1, "requests": 1},
        {"organisation": "Kirchengemeinde", "member": False, "offers": 0, "requests": 1},
        {"organisation": "Sportverein", "member": False, "offers": 1, "requests": 0},  # named by 2 in meeting 2
    ]


def test_an_erased_person_is_counted_but_not_named() -> None:
    answer = report()
    first = answer["meetings"][0]  # type: ignore[index]
    flyer = next(c for c in first["open_commitments"] if c["id"] == "c1")
    assert flyer == {"id": "c1", "owner_name": None, "text": "Flyer", "due": "2026-04-01", "overdue": True}
    assert first["participants"] == 4
    assert "Person 4" not in msgspec.json.encode(answer).decode()
    assert "hash-of" not in msgspec.json.encode(answer).decode()


def test_the_report_reads_the_same_as_a_page_a_spreadsheet_and_a_pdf() -> None:
    from service.reports import pdf, render

    answer = network()
    page = render.network_report_html(answer, "de", {})
    assert "Netzwerk Bürgermitwirkung" in page and "<svg" in page and "Treffen w2" in page
    sheet = list(csv.DictReader(io.StringIO(render.network_report_csv(answer, "de").lstrip("\ufeff")), delimiter=";"))
    for language in ("de", "en"):  # a spreadsheet filters by a column's name: each is one column's
        header = render.network_report_csv(answer, language).lstrip("\ufeff").splitlines()[0]
        assert len(set(header.split(";" if language == "de" else ","))) == len(render.NETWORK_CSV_COLUMNS)
    sections = [row["Bereich"] for row in sheet]
    assert sections == ["Gesamt", "Jahr", "Jahr"] + ["Treffen"] * 3 + ["Arbeitsgruppe"] * 2 + ["Organisation"] * 7
    second = sheet[4]
    assert (second["Treffen"], second["Datum"], second["Personen"], second["Kamen wieder"]) == (
        "Treffen w2",
        "2026-09-10",
        "5",
        "3",
    )
    assert second["Anteil, der wiederkam"] == "0,600" and second["Weitere Organisationen"] == "3"
    assert [r["Organisation"] for r in sheet if r["Bereich"] == "Organisation" and not r["Treffen"]] == [
        "AWO Region Hannover e.V.",
        "Kirchengemeinde",
        "Sportverein",
    ]
    assert pdf.network_report_pdf(answer, "en", {}).startswith(b"%PDF")
