"""The barcamp through the API: the grid, pitches from phones and for someone, interest and the
show of hands, placement by hand (taken cells, busy proposers, moves that are mailed) and
automatically, the public programme, and the refusals that change nothing."""

from __future__ import annotations

import secrets
from typing import Any

import pytest
import redis

from tests.integration.conftest import Api, log_length
from tests.integration.sse import collect
from tests.mail_sink import MailSink, attachments_of, text_of

GRID = {
    "rooms": [{"name": "Saal", "capacity": 40}, {"name": "Raum 2", "capacity": 15}, {"name": "Küche", "capacity": 8}],
    "slots": [
        {"starts_at": "2026-05-09T11:00:00+02:00", "ends_at": "2026-05-09T11:45:00+02:00"},
        {"starts_at": "2026-05-09T12:00:00+02:00", "ends_at": "2026-05-09T12:45:00+02:00"},
    ],
}


async def _barcamp(api: Api) -> tuple[dict[str, Any], dict[str, Any], str]:
    """A barcamp workshop with its grid and an arrival session; the base path of its API."""
    workshop = await api.workshop()
    base = f"/api/workshops/{workshop['id']}"
    response = await api.client.put(f"{base}/grid", json=GRID, headers=workshop["auth"])
    assert response.status_code == 200, response.text
    arrival = await api.session(workshop, title="Ankommen", format="barcamp")
    return workshop, arrival, base


async def _arrive(api: Api, workshop: dict[str, Any], arrival: dict[str, Any], name: str) -> dict[str, Any]:
    """Someone signs up to the day: their phone gets its token. Without an e-mail address, so that
    no mail job writes to the log while a test counts its entries."""
    response = await api.signup(workshop, arrival, name=name, organisation="Tafel e.V.")
    assert response.status_code == 201, response.text
    signup: dict[str, Any] = response.json()
    signup["auth"] = {"Authorization": f"Bearer {signup['participant_token']}"}
    return signup


async def _propose(api: Api, base: str, auth: dict[str, str], title: str, **body: Any) -> dict[str, Any]:
    response = await api.client.post(f"{base}/proposals", json={"title": title, **body}, headers=auth)
    assert response.status_code == 201, response.text
    proposal: dict[str, Any] = response.json()
    return proposal


async def test_a_pitch_from_a_phone_gets_interest_and_hands_and_shows_in_the_programme(api: Api) -> None:
    workshop, arrival, base = await _barcamp(api)
    anna = await _arrive(api, workshop, arrival, "Anna Pitch")
    ben = await _arrive(api, workshop, arrival, "Ben Phone")

    proposal = await _propose(api, base, anna["auth"], "Ehrenamt und Rente", description="Wie geht das zusammen?")
    assert {k: proposal[k] for k in ("title", "description", "proposer_name", "interest", "status")} == {
        "title": "Ehrenamt und Rente",
        "description": "Wie geht das zusammen?",
        "proposer_name": "Anna Pitch",
        "interest": 0,
        "status": "proposed",
    }
    interest = f"{base}/proposals/{proposal['id']}/interest"
    assert (await api.client.post(interest, headers=ben["auth"])).json() == {"interest": 1}
    assert (await api.client.post(interest, headers=ben["auth"])).json() == {"interest": 1}  # once per person
    assert (await api.client.post(interest, headers=anna["auth"])).json() == {"interest": 2}
    hands = await api.client.put(
        f"{base}/proposals/{proposal['id']}/hands", json={"count": 12}, headers=workshop["auth"]
    )
    assert (hands.status_code, hands.json()["interest"]) == (200, 12)  # the larger of the two
    await api.client.put(f"{base}/proposals/{proposal['id']}/hands", json={"count": 1}, headers=workshop["auth"])
    assert (await api.client.delete(interest, headers=ben["auth"])).json() == {"interest": 1}

    public = await api.client.get(f"{base}/programme")  # no token
    assert public.status_code == 200
    programme = public.json()
    assert [r["name"] for r in programme["rooms"]] == ["Saal", "Raum 2", "Küche"]
    assert len(programme["slots"]) == 2
    (listed,) = programme["proposals"]
    assert (listed["title"], listed["proposer_name"], listed["interest"], listed["status"]) == (
        "Ehrenamt und Rente",
        "Anna Pitch",
        1,
        "proposed",
    )
    assert "example.org" not in public.text and "Tafel" not in public.text
    mine = (await api.client.get("/api/me", headers=anna["auth"])).json()["proposals"]
    assert [(p["title"], p["mine"], p["interested"]) for p in mine] == [("Ehrenamt und Rente", True, True)]
    theirs = (await api.client.get("/api/me", headers=ben["auth"])).json()["proposals"]
    assert theirs == []  # Ben took his interest back


async def test_proposals_need_a_token_and_only_their_proposer_or_a_facilitator_withdraws_them(
    api: Api, redis_client: redis.Redis
) -> None:
    workshop, arrival, base = await _barcamp(api)
    anna = await _arrive(api, workshop, arrival, "Anna Eigen")
    ben = await _arrive(api, workshop, arrival, "Ben Fremd")
    assert (await api.client.post(f"{base}/proposals", json={"title": "Ohne Token"})).status_code == 401
    mine = await _propose(api, base, anna["auth"], "Meins")
    length = log_length(redis_client, workshop["id"])
    refused = await api.client.delete(f"{base}/proposals/{mine['id']}", headers=ben["auth"])
    assert refused.status_code == 403
    assert log_length(redis_client, workshop["id"]) == length
    withdrawn = await api.client.delete(f"{base}/proposals/{mine['id']}", headers=anna["auth"])
    assert (withdrawn.status_code, withdrawn.json()) == (200, {"status": "withdrawn"})
    assert (await api.client.get(f"{base}/programme")).json()["proposals"] == []
    other = await _propose(api, base, ben["auth"], "Von Ben")
    assert (await api.client.delete(f"{base}/proposals/{other['id']}", headers=workshop["auth"])).status_code == 200
    # participants propose as themselves; the facilitator names someone by their sign-up
    as_other = {"title": "Für Ben", "proposer_signup_id": ben["signup_id"]}
    assert (await api.client.post(f"{base}/proposals", json=as_other, headers=anna["auth"])).status_code == 403
    for_ben = await _propose(api, base, workshop["auth"], "Für Ben", proposer_signup_id=ben["signup_id"])
    assert for_ben["proposer_name"] == "Ben Fremd"
    # interest is for participants (facilitators count hands)
    interest = f"{base}/proposals/{for_ben['id']}/interest"
    assert (await api.client.post(interest, headers=workshop["auth"])).status_code == 403
    assert (await api.client.post(f"{base}/proposals/nope/interest", headers=ben["auth"])).status_code == 404


async def test_placing_makes_a_barcamp_session_hosted_by_the_proposer_and_refuses_taken_cells(
    api: Api, redis_client: redis.Redis
) -> None:
    workshop, arrival, base = await _barcamp(api)
    anna = await _arrive(api, workshop, arrival, "Anna Host")
    ben = await _arrive(api, workshop, arrival, "Ben Host")
    first = await _propose(api, base, anna["auth"], "Vereinsrecht")
    second = await _propose(api, base, anna["auth"], "Förderanträge")
    third = await _propose(api, base, ben["auth"], "Social Media")

    placed = await api.client.post(
        f"{base}/proposals/{first['id']}/place", json={"room": "Raum 2", "slot": 0}, headers=workshop["auth"]
    )
    assert placed.status_code == 201, placed.text
    session = placed.json()
    assert (session["format"], session["title"], session["room"], session["host"], session["capacity"]) == (
        "barcamp",
        "Vereinsrecht",
        "Raum 2",
        "Anna Host",
        15,
    )
    assert session["starts_at"] == "2026-05-09T11:00:00+02:00"
    length = log_length(redis_client, workshop["id"])
    taken = await api.client.post(
        f"{base}/proposals/{third['id']}/place", json={"room": "Raum 2", "slot": 0}, headers=workshop["auth"]
    )
    assert taken.status_code == 409
    busy = await api.client.post(
        f"{base}/proposals/{second['id']}/place", json={"room": "Saal", "slot": 0}, headers=workshop["auth"]
    )
    assert busy.status_code == 409  # Anna cannot be in two rooms at 11:00
    for body, status in (({"room": "Keller", "slot": 0}, 400), ({"room": "Saal", "slot": 2}, 400)):
        wrong = await api.client.post(f"{base}/proposals/{third['id']}/place", json=body, headers=workshop["auth"])
        assert wrong.status_code == status, wrong.text
    assert log_length(redis_client, workshop["id"]) == length  # nothing partly written
    assert (await api.client.delete(f"{base}/proposals/{first['id']}", headers=anna["auth"])).status_code == 409

    programme = (await api.client.get(f"{base}/programme")).json()
    (listed,) = [s for s in programme["sessions"] if s["title"] == "Vereinsrecht"]
    assert (listed["host"], listed["room"], listed["slot"], listed["format"]) == ("Anna Host", "Raum 2", 0, "barcamp")
    assert listed["short_url"].startswith("http")
    statuses = {p["title"]: p["status"] for p in programme["proposals"]}
    assert statuses == {"Vereinsrecht": "placed", "Förderanträge": "proposed", "Social Media": "proposed"}

    # the host is the proposer as a person: erased with them, not a copied name
    assert (await api.client.delete("/api/me", headers=anna["auth"])).status_code == 200
    after = (await api.client.get(f"{base}/sessions/{session['id']}")).json()
    assert after["host"] is None
    programme = (await api.client.get(f"{base}/programme")).json()
    assert "Anna Host" not in str(programme)


@pytest.mark.usefixtures("worker_process")
async def test_moving_a_placed_session_tells_the_people_signed_up(api: Api, mail_sink: MailSink) -> None:
    workshop, arrival, base = await _barcamp(api)
    anna = await _arrive(api, workshop, arrival, "Anna Move")
    proposal = await _propose(api, base, anna["auth"], "Nachbarschaftscafé")
    place = f"{base}/proposals/{proposal['id']}/place"
    session = (await api.client.post(place, json={"room": "Küche", "slot": 0}, headers=workshop["auth"])).json()
    email = f"carla.{secrets.token_hex(3)}@example.org"
    carla = await api.signup(workshop, session, name="Carla Kommt", email=email)
    assert carla.status_code == 201
    mail_sink.wait_for(lambda found: len(found) == 1, to=email)  # the confirmation

    retry = {**workshop["auth"], "Idempotency-Key": secrets.token_urlsafe(16)}
    moved = await api.client.post(place, json={"room": "Saal", "slot": 1}, headers=retry)
    assert moved.status_code == 201, moved.text
    assert (moved.json()["id"], moved.json()["room"], moved.json()["capacity"]) == (session["id"], "Saal", 40)
    again = await api.client.post(place, json={"room": "Saal", "slot": 1}, headers=retry)
    assert (again.status_code, again.json()) == (201, moved.json())

    mails = mail_sink.wait_for(lambda found: len(found) == 2, to=email)
    text = text_of(mails[-1])
    assert "Saal" in text and "12:00" in text
    assert mails[-1]["Subject"] == "Neue Zeit oder neuer Ort: Nachbarschaftscafé"  # as any change of time or room
    calendar = attachments_of(mails[-1])["session.ics"].decode()
    assert "SEQUENCE:1" in calendar  # replaces the entry of the confirmation (SEQUENCE:0)
    public = (await api.client.get(f"{base}/sessions/{session['id']}")).json()
    assert (public["room"], public["starts_at"][:16]) == ("Saal", "2026-05-09T12:00")


async def test_automatic_placement_fills_the_grid_by_the_rules(api: Api) -> None:
    workshop, arrival, base = await _barcamp(api)
    people = [await _arrive(api, workshop, arrival, f"Person {n}") for n in range(4)]
    titles = ["Klima", "Kultur", "Sport", "Bildung", "Pflege", "Wohnen", "Mobilität"]
    proposals = [await _propose(api, base, people[n % 4]["auth"], title) for n, title in enumerate(titles)]
    for proposal, count in zip(proposals, (30, 5, 12, 9, 3, 1, 20), strict=True):
        await api.client.put(
            f"{base}/proposals/{proposal['id']}/hands", json={"count": count}, headers=workshop["auth"]
        )
    # the same two people want Klima and Mobilität: they should not be in one slot
    for person in people[:2]:
        for proposal in (proposals[0], proposals[6]):
            await api.client.post(f"{base}/proposals/{proposal['id']}/interest", headers=person["auth"])

    response = await api.client.post(f"{base}/grid/auto", headers=workshop["auth"])
    assert response.status_code == 200, response.text
    result = response.json()
    assert len(result["placed"]) == 6  # 3 rooms × 2 slots
    assert [u["reason"] for u in result["unplaced"]] == ["no_free_cell"]
    by_title = {p["title"]: p for p in (await api.client.get(f"{base}/programme")).json()["proposals"]}
    assert by_title["Wohnen"]["status"] == "proposed"  # the least interest waits
    cells = {(p["room"], p["slot"]) for p in by_title.values() if p["status"] == "placed"}
    assert len(cells) == 6
    rooms = {title: p["room"] for title, p in by_title.items()}
    assert rooms["Klima"] == rooms["Mobilität"] == "Saal"  # most interest, largest room
    assert by_title["Klima"]["slot"] != by_title["Mobilität"]["slot"]
    assert rooms["Pflege"] == "Küche"
    again = await api.client.post(f"{base}/grid/auto", headers=workshop["auth"])
    assert again.json() == {
        "placed": [],
        "unplaced": [{"proposal_id": by_title["Wohnen"]["id"], "reason": "no_free_cell"}],
    }


@pytest.mark.usefixtures("worker_process")
async def test_a_new_grid_that_moves_a_slot_tells_the_people_signed_up_to_its_sessions(
    api: Api, mail_sink: MailSink
) -> None:
    workshop, arrival, base = await _barcamp(api)
    anna = await _arrive(api, workshop, arrival, "Anna Grid Move")
    proposal = await _propose(api, base, anna["auth"], "Reparaturcafé")
    place = f"{base}/proposals/{proposal['id']}/place"
    session = (await api.client.post(place, json={"room": "Küche", "slot": 1}, headers=workshop["auth"])).json()
    email = f"dora.{secrets.token_hex(3)}@example.org"
    assert (await api.signup(workshop, session, name="Dora Grid", email=email)).status_code == 201
    mail_sink.wait_for(lambda found: len(found) == 1, to=email)  # the confirmation

    later = {"starts_at": "2026-05-09T12:30:00+02:00", "ends_at": "2026-05-09T13:15:00+02:00"}
    grid = {"rooms": GRID["rooms"], "slots": [GRID["slots"][0], later]}  # the second slot runs late
    assert (await api.client.put(f"{base}/grid", json=grid, headers=workshop["auth"])).status_code == 200

    mails = mail_sink.wait_for(lambda found: len(found) == 2, to=email)
    assert mails[-1]["Subject"] == "Neue Zeit oder neuer Ort: Reparaturcafé"
    assert "12:30" in text_of(mails[-1]) and "SEQUENCE:1" in attachments_of(mails[-1])["session.ics"].decode()
    public = (await api.client.get(f"{base}/sessions/{session['id']}")).json()
    assert (public["room"], public["starts_at"][:16]) == ("Küche", "2026-05-09T12:30")


async def test_the_grid_refuses_bad_input_and_keeps_cells_in_use(api: Api, redis_client: redis.Redis) -> None:
    workshop, arrival, base = await _barcamp(api)
    anna = await _arrive(api, workshop, arrival, "Anna Grid")
    proposal = await _propose(api, base, anna["auth"], "Bleibt")
    await api.client.post(
        f"{base}/proposals/{proposal['id']}/place", json={"room": "Küche", "slot": 1}, headers=workshop["auth"]
    )
    length = log_length(redis_client, workshop["id"])
    slot = GRID["slots"][0]
    for body in (
        {"rooms": [{"name": "A", "capacity": 0}], "slots": []},
        {"rooms": [{"name": "A", "capacity": 5}, {"name": "A", "capacity": 6}], "slots": []},
        {"rooms": [], "slots": [{"starts_at": slot["ends_at"], "ends_at": slot["starts_at"]}]},
        {"rooms": [{"name": "A\nB", "capacity": 5}], "slots": []},
        {"rooms": [], "slots": [], "extra": 1},
    ):
        response = await api.client.put(f"{base}/grid", json=body, headers=workshop["auth"])
        assert response.status_code == 400, (body, response.text)
    without_kitchen = {"rooms": GRID["rooms"][:2], "slots": GRID["slots"]}
    assert (await api.client.put(f"{base}/grid", json=without_kitchen, headers=workshop["auth"])).status_code == 409
    assert (await api.client.put(f"{base}/grid", json=GRID, headers=anna["auth"])).status_code == 403
    assert (await api.client.put(f"{base}/grid", json=GRID)).status_code == 401
    assert log_length(redis_client, workshop["id"]) == length
    hands = await api.client.put(
        f"{base}/proposals/{proposal['id']}/hands", json={"count": -1}, headers=workshop["auth"]
    )
    assert hands.status_code == 400
    assert (await api.client.get("/api/workshops/nope/programme")).status_code == 404


async def test_writes_are_idempotent_and_a_key_reused_for_another_pitch_is_refused(api: Api) -> None:
    workshop, arrival, base = await _barcamp(api)
    anna = await _arrive(api, workshop, arrival, "Anna Retry")
    retry = {**anna["auth"], "Idempotency-Key": secrets.token_urlsafe(16)}
    first = await api.client.post(f"{base}/proposals", json={"title": "Einmal"}, headers=retry)
    again = await api.client.post(f"{base}/proposals", json={"title": "Einmal"}, headers=retry)
    assert (again.status_code, again.json()) == (201, first.json())
    other = await api.client.post(f"{base}/proposals", json={"title": "Anders"}, headers=retry)
    assert other.status_code == 422
    auto = {**workshop["auth"], "Idempotency-Key": secrets.token_urlsafe(16)}
    placed = await api.client.post(f"{base}/grid/auto", headers=auto)
    assert (await api.client.post(f"{base}/grid/auto", headers=auto)).json() == placed.json()
    programme = (await api.client.get(f"{base}/programme")).json()
    assert [s["title"] for s in programme["sessions"]].count("Einmal") == 1  # placed once, not twice
    assert [p["status"] for p in programme["proposals"]] == ["placed"]


async def test_the_public_programme_stream_says_only_that_the_programme_changed(api: Api) -> None:
    workshop, arrival, base = await _barcamp(api)
    anna = await _arrive(api, workshop, arrival, "Anna Stream")
    await _propose(api, base, anna["auth"], "Live dabei")
    messages = await collect(api.client, f"{base}/programme/stream", 4)  # no token
    assert [m.event for m in messages] == ["programme"] * 4  # grid, arrival planned, sign-up, proposal
    assert all(m.data == {} for m in messages)
    positions = [m.id for m in messages]
    assert positions == sorted(positions)
    resumed = await collect(api.client, f"{base}/programme/stream", 1, headers={"Last-Event-ID": str(positions[1])})
    assert [m.id for m in resumed] == [positions[2]]


async def test_the_programme_on_a_phone_marks_a_cancelled_session(api: Api) -> None:
    """A cancelled session showed only its count ("0/12"), as if one could still go there."""
    workshop = await api.workshop()
    await api.session(workshop, title="Bleibt", room="Saal", capacity=12)
    gone = await api.session(workshop, title="Fällt aus", room="Küche", capacity=12)
    base = f"/api/workshops/{workshop['id']}/sessions"
    assert (await api.client.post(f"{base}/{gone['id']}/cancel", headers=workshop["auth"])).status_code == 200
    page = await api.client.get(f"/w/{workshop['id']}/programme", headers={"Accept-Language": "de"})
    assert page.status_code == 200
    lines = {title: line for line in page.text.split("<li") for title in ("Bleibt", "Fällt aus") if title in line}
    assert "abgesagt" in lines["Fällt aus"] and "0/12" not in lines["Fällt aus"]
    assert "abgesagt" not in lines["Bleibt"] and "0/12" in lines["Bleibt"]


async def test_the_facilitator_enters_a_proposal_for_someone_by_name(api: Api) -> None:
    workshop, arrival, base = await _barcamp(api)
    anna = await _arrive(api, workshop, arrival, "Anna Phone")
    typed = await _propose(api, base, workshop["auth"], "Plattdeutsch", proposer_name="  Hinrich Ohne Handy ")
    assert (typed["proposer_name"], typed["status"]) == ("Hinrich Ohne Handy", "proposed")
    programme = (await api.client.get(f"{base}/programme")).json()
    assert [p["proposer_name"] for p in programme["proposals"]] == ["Hinrich Ohne Handy"]

    for body, status in (
        ({"title": "x", "proposer_name": "Eve"}, 403),  # a phone proposes as itself only
        ({"title": "x", "proposer_name": "   "}, 400),
        ({"title": "x", "proposer_name": "Zwei", "proposer_signup_id": anna["signup_id"]}, 400),
    ):
        auth = anna["auth"] if status == 403 else workshop["auth"]
        refused = await api.client.post(f"{base}/proposals", json=body, headers=auth)
        assert refused.status_code == status, refused.text

    place = f"{base}/proposals/{typed['id']}/place"
    session = (await api.client.post(place, json={"room": "Saal", "slot": 0}, headers=workshop["auth"])).json()
    assert session["host"] == "Hinrich Ohne Handy"  # the host is the person, as for a phone's pitch
    second = await _propose(api, base, workshop["auth"], "Noch eins", proposer_name="Hinrich Ohne Handy")
    other = await api.client.post(
        f"{base}/proposals/{second['id']}/place", json={"room": "Küche", "slot": 0}, headers=workshop["auth"]
    )
    assert other.status_code == 201  # the same name typed twice is not known to be the same person


@pytest.mark.usefixtures("worker_process")
async def test_a_placed_session_taken_out_of_the_grid_is_proposed_again_and_its_people_are_told(
    api: Api, mail_sink: MailSink
) -> None:
    workshop, arrival, base = await _barcamp(api)
    anna = await _arrive(api, workshop, arrival, "Anna Out")
    proposal = await _propose(api, base, anna["auth"], "Reparaturcafé")
    place = f"{base}/proposals/{proposal['id']}/place"
    session = (await api.client.post(place, json={"room": "Küche", "slot": 0}, headers=workshop["auth"])).json()
    email = f"dora.{secrets.token_hex(3)}@example.org"
    assert (await api.signup(workshop, session, name="Dora Dabei", email=email)).status_code == 201
    mail_sink.wait_for(lambda found: len(found) == 1, to=email)

    assert (await api.client.delete(place, headers=anna["auth"])).status_code == 403  # the facilitator's
    out = await api.client.delete(place, headers={**workshop["auth"], "Idempotency-Key": "out-1"})
    assert out.status_code == 200, out.text
    assert (out.json()["status"], out.json()["room"], out.json()["slot"]) == ("proposed", None, None)
    again = await api.client.delete(place, headers={**workshop["auth"], "Idempotency-Key": "out-1"})
    assert (again.status_code, again.json()) == (200, out.json())
    assert (await api.client.delete(place, headers=workshop["auth"])).status_code == 409  # not in the grid

    mails = mail_sink.wait_for(lambda found: len(found) == 2, to=email)
    assert "Reparaturcafé" in mails[-1]["Subject"] and "findet nicht statt" in text_of(mails[-1])
    programme = (await api.client.get(f"{base}/programme")).json()
    old = next(s for s in programme["sessions"] if s["id"] == session["id"])
    assert (old["status"], old["slot"]) == ("cancelled", None)  # no longer in the grid
    assert programme["proposals"][0]["status"] == "proposed"
    signup = await api.signup(workshop, session, name="Zu Spät")
    assert signup.status_code == 409

    # placed again: a new session in the cell, the old one stays cancelled
    placed = await api.client.post(place, json={"room": "Küche", "slot": 0}, headers=workshop["auth"])
    assert placed.status_code == 201 and placed.json()["id"] != session["id"]


async def test_a_placed_session_cancelled_the_ordinary_way_frees_its_cell(api: Api, redis_client: redis.Redis) -> None:
    """Cancelling left the proposal placed: its cell stayed taken (409 for the next proposal) until
    the facilitator also took the cancelled session out of the grid."""
    workshop, arrival, base = await _barcamp(api)
    anna = await _arrive(api, workshop, arrival, "Anna Absage")
    first = await _propose(api, base, anna["auth"], "Fällt aus")
    second = await _propose(api, base, workshop["auth"], "Springt ein", proposer_name="Bea Ersatz")
    cell = {"room": "Küche", "slot": 0}
    place = f"{base}/proposals/{first['id']}/place"
    session = (await api.client.post(place, json=cell, headers=workshop["auth"])).json()

    length = log_length(redis_client, workshop["id"])
    cancelled = await api.client.post(f"{base}/sessions/{session['id']}/cancel", headers=workshop["auth"])
    assert cancelled.status_code == 200, cancelled.text
    assert log_length(redis_client, workshop["id"]) == length + 2  # cancelled, and out of its cell
    programme = (await api.client.get(f"{base}/programme")).json()
    old = next(s for s in programme["sessions"] if s["id"] == session["id"])
    assert (old["status"], old["slot"]) == ("cancelled", None)  # no longer in the grid
    assert {p["id"]: p["status"] for p in programme["proposals"]}[first["id"]] == "proposed"

    other = await api.client.post(f"{base}/proposals/{second['id']}/place", json=cell, headers=workshop["auth"])
    assert other.status_code == 201, other.text
    programme = (await api.client.get(f"{base}/programme")).json()
    in_cell = [s["title"] for s in programme["sessions"] if (s["room"], s["slot"]) == ("Küche", 0)]
    assert in_cell == ["Springt ein"]
    again = await api.client.post(f"{base}/sessions/{session['id']}/cancel", headers=workshop["auth"])
    assert again.status_code == 200 and log_length(redis_client, workshop["id"]) == length + 4  # nothing more
