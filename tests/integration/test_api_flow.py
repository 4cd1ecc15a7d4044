"""The core contract over HTTP, against a real API process and a real Redis."""

from __future__ import annotations

import secrets

import redis

from tests.integration.conftest import Api, log_length


async def test_creating_a_workshop_returns_the_facilitator_token_and_links(api: Api) -> None:
    workshop = await api.workshop(follow_up_after="PT5S", organiser_email="orga@example.org")
    assert workshop["status"] == "planned"
    assert workshop["follow_up_after"] == "PT5S"
    assert workshop["intro_deadline"] == "P14D"
    assert workshop["timezone"] == "Europe/Berlin" and workshop["language"] == "de"
    assert workshop["console_url"].startswith("http://knoten.test/")
    assert workshop["facilitator_token"] not in workshop["console_url"]
    assert workshop["report_url"].startswith("http://knoten.test/")
    shown = (await api.client.get(f"/api/workshops/{workshop['id']}", headers=workshop["auth"])).json()
    assert shown["title"] == "Barcamp Engagierte Stadt" and shown["sessions"] == []


async def test_a_session_has_sign_up_and_qr_links_and_counts(api: Api) -> None:
    workshop = await api.workshop()
    session = await api.session(workshop, capacity=12, host="Agnes W.", room="Saal 2")
    assert session["status"] == "planned" and session["phase"] is None
    assert session["signup_url"].startswith("http://knoten.test/")
    qr = await api.client.get(session["qr_url"].replace("http://knoten.test", ""))
    assert qr.status_code == 200 and qr.headers["content-type"].startswith("image/svg+xml") and b"<svg" in qr.content
    await api.signup(workshop, session, email="anna@example.org", newcomer=True)
    shown = (await api.client.get(f"/api/workshops/{workshop['id']}", headers=workshop["auth"])).json()
    assert shown["sessions"][0]["confirmed"] == 1 and shown["sessions"][0]["newcomers"] == 1


async def test_the_qr_code_is_gone_once_the_session_is_closed_or_cancelled(api: Api) -> None:
    """The QR disappears when the session closes: a table card photographed later leads nowhere."""
    workshop = await api.workshop()
    closed, cancelled = await api.session(workshop), await api.session(workshop, title="Lastenrad")
    base = f"/api/workshops/{workshop['id']}/sessions"
    assert (await api.client.post(f"{base}/{closed['id']}/close", headers=workshop["auth"])).status_code == 200
    assert (await api.client.post(f"{base}/{cancelled['id']}/cancel", headers=workshop["auth"])).status_code == 200
    for session in (closed, cancelled):
        for auth in ({}, workshop["auth"]):
            gone = await api.client.get(session["qr_url"].replace("http://knoten.test", ""), headers=auth)
            assert gone.status_code == 410, gone.text
            assert gone.headers["content-type"].startswith("application/problem+json")
            assert gone.json()["status"] == 410 and b"<svg" not in gone.content


async def test_the_public_view_has_counts_but_no_personal_data(api: Api) -> None:
    workshop = await api.workshop()
    session = await api.session(workshop, capacity=1)
    await api.signup(workshop, session, name="Anna Beispiel", email="anna@example.org", organisation="AWO")
    await api.signup(workshop, session, name="Ben Probe", email="ben@example.org")
    path = f"/api/workshops/{workshop['id']}/sessions/{session['id']}"
    public = await api.client.get(path)
    assert public.status_code == 200
    body = public.json()
    assert (body["confirmed"], body["waitlisted"], body["capacity"]) == (1, 1, 1)
    for secret in ("Anna", "Ben", "anna@example.org", "AWO"):
        assert secret not in public.text
    full = (await api.client.get(path, headers=workshop["auth"])).json()
    assert [s["name"] for s in full["signups"]] == ["Anna Beispiel", "Ben Probe"]
    assert [(w["name"], w["waitlist_position"]) for w in full["waitlist"]] == [("Ben Probe", 1)]


async def test_withdrawing_frees_the_place_for_the_first_on_the_waitlist(api: Api) -> None:
    workshop = await api.workshop()
    session = await api.session(workshop, capacity=1)
    anna = (await api.signup(workshop, session, name="Anna", email="a@example.org")).json()
    ben = (await api.signup(workshop, session, name="Ben", email="b@example.org")).json()
    carla = (await api.signup(workshop, session, name="Carla", email="c@example.org")).json()
    assert (anna["status"], ben["waitlist_position"], carla["waitlist_position"]) == ("confirmed", 1, 2)
    mine = {"Authorization": f"Bearer {anna['participant_token']}"}
    withdrawn = await api.client.delete(f"/api/workshops/{workshop['id']}/signups/{anna['signup_id']}", headers=mine)
    assert withdrawn.status_code == 200 and withdrawn.json()["promoted_signup_id"] == ben["signup_id"]
    full = (
        await api.client.get(f"/api/workshops/{workshop['id']}/sessions/{session['id']}", headers=workshop["auth"])
    ).json()
    assert [s["name"] for s in full["signups"] if s["status"] == "confirmed"] == ["Ben"]
    assert [(w["name"], w["waitlist_position"]) for w in full["waitlist"]] == [("Carla", 1)]


async def test_a_participant_cannot_withdraw_someone_else(api: Api) -> None:
    workshop = await api.workshop()
    session = await api.session(workshop)
    anna = (await api.signup(workshop, session, name="Anna", email="a@example.org")).json()
    ben = (await api.signup(workshop, session, name="Ben", email="b@example.org")).json()
    response = await api.client.delete(
        f"/api/workshops/{workshop['id']}/signups/{ben['signup_id']}",
        headers={"Authorization": f"Bearer {anna['participant_token']}"},
    )
    assert response.status_code == 403


async def test_the_same_email_twice_answers_200_with_the_first_signup(api: Api) -> None:
    workshop = await api.workshop()
    session = await api.session(workshop)
    first = await api.signup(workshop, session, email="anna@example.org")
    again = await api.signup(workshop, session, email="Anna@Example.org")
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["signup_id"] == first.json()["signup_id"]
    assert again.json()["status"] == "confirmed"


async def test_newcomer_is_the_answer_else_false_for_an_address_seen_before_else_unknown(api: Api) -> None:
    workshop = await api.workshop()
    first, second = await api.session(workshop), await api.session(workshop, title="Runder Tisch")
    email = f"nora.{secrets.token_hex(4)}@example.org"
    assert (await api.signup(workshop, first, email=email)).json()["newcomer"] is None  # nobody said: unknown
    assert (await api.signup(workshop, second, email=email)).json()["newcomer"] is False
    other = await api.workshop()
    assert (await api.signup(other, await api.session(other), email=email)).json()["newcomer"] is False
    assert (await api.signup(other, await api.session(other), email=email, newcomer=True)).json()["newcomer"] is True
    assert (await api.signup(other, await api.session(other), name="Ohne Adresse")).json()["newcomer"] is None


async def test_commitments_can_be_marked_done_by_their_owner(api: Api) -> None:
    workshop = await api.workshop()
    session = await api.session(workshop)
    anna = (await api.signup(workshop, session, email="anna@example.org")).json()
    base = f"/api/workshops/{workshop['id']}"
    made = await api.client.post(
        f"{base}/sessions/{session['id']}/commitments",
        headers=workshop["auth"],
        json={"signup_id": anna["signup_id"], "text": "Aushang entwerfen", "due": "2026-06-01"},
    )
    assert made.status_code == 201
    commitment = made.json()
    assert (commitment["status"], commitment["owner_name"], commitment["due"]) == (
        "open",
        "Anna Beispiel",
        "2026-06-01",
    )
    typed = await api.client.post(
        f"{base}/sessions/{session['id']}/commitments",
        headers=workshop["auth"],
        json={"owner_name": "Herr Kaya", "text": "Raum anfragen"},
    )
    assert typed.status_code == 201 and typed.json()["owner_name"] == "Herr Kaya"
    mine = {"Authorization": f"Bearer {anna['participant_token']}"}
    forbidden = await api.client.post(f"{base}/commitments/{typed.json()['id']}/done", headers=mine)
    assert forbidden.status_code == 403
    done = await api.client.post(f"{base}/commitments/{commitment['id']}/done", headers=mine)
    assert done.status_code == 200 and done.json()["status"] == "done"


async def test_a_zukunftswerkstatt_collects_cards_per_phase_with_votes(api: Api) -> None:
    workshop = await api.workshop()
    session = await api.session(workshop, format="zukunftswerkstatt", title="Engagement 2030")
    assert session["phase"] == "kritik"
    base = f"/api/workshops/{workshop['id']}"
    auth = workshop["auth"]
    critique = (
        await api.client.post(f"{base}/sessions/{session['id']}/cards", headers=auth, json={"text": "Zu wenig Räume"})
    ).json()
    assert critique["phase"] == "kritik"
    phase = await api.client.post(f"{base}/sessions/{session['id']}/phase", headers=auth, json={"phase": "phantasie"})
    assert phase.status_code == 200 and phase.json()["phase"] == "phantasie"
    dream = (
        await api.client.post(
            f"{base}/sessions/{session['id']}/cards", headers=auth, json={"text": "Ein Haus für alle"}
        )
    ).json()
    assert dream["phase"] == "phantasie"
    await api.client.post(f"{base}/cards/{dream['id']}/votes", headers=auth, json={"count": 3})
    voted = await api.client.post(f"{base}/cards/{dream['id']}/votes", headers=auth, json={"count": 2})
    assert voted.status_code == 200 and voted.json()["votes"] == 5
    note = await api.client.post(f"{base}/sessions/{session['id']}/notes", headers=auth, json={"text": "Gute Energie"})
    assert note.status_code == 201 and note.json()["phase"] == "phantasie"


async def test_a_marktplatz_match_becomes_commitments_for_both_sides(api: Api) -> None:
    workshop = await api.workshop()
    session = await api.session(workshop, format="marktplatz", title="Marktplatz")
    base = f"/api/workshops/{workshop['id']}"
    auth = workshop["auth"]
    anna = (await api.signup(workshop, session, name="Anna", email="a@example.org")).json()
    offer = (
        await api.client.post(
            f"{base}/sessions/{session['id']}/offers",
            headers=auth,
            json={"kind": "offer", "text": "Biete Transporter", "signup_id": anna["signup_id"]},
        )
    ).json()
    request = (
        await api.client.post(
            f"{base}/sessions/{session['id']}/offers",
            headers=auth,
            json={"kind": "request", "text": "Suche Umzugshilfe", "owner_name": "Verein Nord"},
        )
    ).json()
    match = await api.client.post(
        f"{base}/matches", headers=auth, json={"offer_id": offer["id"], "request_id": request["id"]}
    )
    assert match.status_code == 201
    owners = sorted(c["owner_name"] for c in match.json()["commitments"])
    assert owners == ["Anna", "Verein Nord"]
    full = (await api.client.get(f"{base}/sessions/{session['id']}", headers=auth)).json()
    assert len(full["commitments"]) == 2 and all(o["match_id"] for o in full["offers"])


async def test_closing_the_workshop_closes_its_sessions(api: Api, redis_client: redis.Redis) -> None:
    workshop = await api.workshop()
    session = await api.session(workshop)
    closed = await api.client.post(f"/api/workshops/{workshop['id']}/close", headers=workshop["auth"])
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    assert closed.json()["sessions"][0]["status"] == "closed"
    late = await api.signup(workshop, session, email="late@example.org")
    assert late.status_code == 409
    assert (
        await api.client.post(f"/api/workshops/{workshop['id']}/close", headers=workshop["auth"])
    ).status_code == 409
    assert log_length(redis_client, workshop["id"]) == 4  # created, planned, session closed, workshop closed


async def test_health_and_the_openapi_document(api: Api) -> None:
    health = await api.client.get("/health")
    assert health.status_code == 200 and health.json()["status"] == "ok" and health.json()["redis"] == "ok"
    schema = await api.client.get("/schema/openapi.json")
    assert schema.status_code == 200
    assert "/api/workshops/{workshop_id}/sessions/{session_id}/signups" in schema.json()["paths"]
    docs = await api.client.get("/schema")
    assert docs.status_code == 200 and "text/html" in docs.headers["content-type"]


async def test_responses_are_json_and_errors_are_problem_details(api: Api) -> None:
    response = await api.client.get("/api/workshops/nope/sessions/nope")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")
    assert {"status", "title", "detail"} <= response.json().keys()
