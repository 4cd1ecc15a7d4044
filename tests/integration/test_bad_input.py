"""Bad input gets a 400 problem naming the field, unknown ids 404, state conflicts 409;
and none of them writes anything."""

from __future__ import annotations

from typing import Any

import pytest
import redis

from tests.integration.conftest import Api, log_length

GOOD_SIGNUP = {"name": "Anna Beispiel", "email": "anna@example.org", "consent": True}
GOOD_WORKSHOP = {"title": "Barcamp", "starts_at": "2026-05-09T10:00:00+02:00", "ends_at": "2026-05-09T18:00:00+02:00"}


def without(body: dict[str, Any], field: str) -> dict[str, Any]:
    return {k: v for k, v in body.items() if k != field}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (without(GOOD_SIGNUP, "name"), "name"),
        ({**GOOD_SIGNUP, "name": ""}, "name"),
        ({**GOOD_SIGNUP, "name": "x" * 121}, "name"),
        ({**GOOD_SIGNUP, "consent": False}, "consent"),
        (without(GOOD_SIGNUP, "consent"), "consent"),
        ({**GOOD_SIGNUP, "email": "not-an-address"}, "email"),
        ({**GOOD_SIGNUP, "shoe_size": 42}, "shoe_size"),
        ({**GOOD_SIGNUP, "language": "fr"}, "language"),
    ],
)
async def test_bad_signups_are_refused_naming_the_field(
    api: Api, redis_client: redis.Redis, body: dict[str, Any], field: str
) -> None:
    workshop = await api.workshop()
    session = await api.session(workshop)
    before = log_length(redis_client, workshop["id"])
    response = await api.client.post(f"/api/workshops/{workshop['id']}/sessions/{session['id']}/signups", json=body)
    assert response.status_code == 400, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["status"] == 400 and problem["title"] and problem["detail"]
    assert field in [error["field"] for error in problem["errors"]]
    assert log_length(redis_client, workshop["id"]) == before


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({**GOOD_WORKSHOP, "starts_at": "2026-05-09T10:00:00"}, "starts_at"),
        ({**GOOD_WORKSHOP, "ends_at": "2026-05-09T08:00:00+02:00"}, "ends_at"),
        (without(GOOD_WORKSHOP, "title"), "title"),
        ({**GOOD_WORKSHOP, "title": "x" * 201}, "title"),
        ({**GOOD_WORKSHOP, "follow_up_after": "three days"}, "follow_up_after"),
        ({**GOOD_WORKSHOP, "follow_up_after": "PT0S"}, "follow_up_after"),
        ({**GOOD_WORKSHOP, "timezone": "Mars/Olympus"}, "timezone"),
        ({**GOOD_WORKSHOP, "organiser_email": "orga"}, "organiser_email"),
        ({**GOOD_WORKSHOP, "colour": "blue"}, "colour"),
    ],
)
async def test_bad_workshops_are_refused_naming_the_field(api: Api, body: dict[str, Any], field: str) -> None:
    response = await api.client.post("/api/workshops", json=body, headers=api.admin)
    assert response.status_code == 400, response.text
    assert field in [error["field"] for error in response.json()["errors"]]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"title": "T", "format": "kaffeeklatsch"}, "format"),
        ({"title": "T", "format": "thementisch", "capacity": 0}, "capacity"),
        ({"title": "T", "format": "thementisch", "starts_at": "2026-05-09T10:00:00"}, "starts_at"),
        (
            {
                "title": "T",
                "format": "thementisch",
                "starts_at": "2026-05-09T10:00:00+02:00",
                "ends_at": "2026-05-09T09:00:00+02:00",
            },
            "ends_at",
        ),
        ({"title": "", "format": "thementisch"}, "title"),
    ],
)
async def test_bad_sessions_are_refused_naming_the_field(
    api: Api, redis_client: redis.Redis, body: dict[str, Any], field: str
) -> None:
    workshop = await api.workshop()
    response = await api.client.post(f"/api/workshops/{workshop['id']}/sessions", json=body, headers=workshop["auth"])
    assert response.status_code == 400, response.text
    assert field in [error["field"] for error in response.json()["errors"]]
    assert log_length(redis_client, workshop["id"]) == 1


async def test_bad_commitments_notes_votes_and_offers_are_refused(api: Api, redis_client: redis.Redis) -> None:
    workshop = await api.workshop()
    table = await api.session(workshop)
    market = await api.session(workshop, format="marktplatz")
    future = await api.session(workshop, format="zukunftswerkstatt")
    base = f"/api/workshops/{workshop['id']}"
    card = (
        await api.client.post(f"{base}/sessions/{future['id']}/cards", json={"text": "K"}, headers=workshop["auth"])
    ).json()
    before = log_length(redis_client, workshop["id"])
    cases = [
        (f"{base}/sessions/{table['id']}/commitments", {"text": "x"}, "owner_name"),
        (f"{base}/sessions/{table['id']}/commitments", {"owner_name": "A", "text": "x" * 501}, "text"),
        (f"{base}/sessions/{table['id']}/commitments", {"owner_name": "A", "text": "x", "due": "next week"}, "due"),
        (f"{base}/sessions/{table['id']}/notes", {"text": ""}, "text"),
        (f"{base}/sessions/{table['id']}/notes", {"text": "x", "phase": "kritik"}, "phase"),
        (f"{base}/cards/{card['id']}/votes", {"count": 6}, "count"),
        (f"{base}/cards/{card['id']}/votes", {"count": 0}, "count"),
        (f"{base}/sessions/{market['id']}/offers", {"kind": "gift", "text": "x"}, "kind"),
    ]
    for path, body, field in cases:
        response = await api.client.post(path, json=body, headers=workshop["auth"])
        assert response.status_code == 400, (path, body, response.text)
        assert field in [error["field"] for error in response.json()["errors"]], response.text
    assert log_length(redis_client, workshop["id"]) == before


async def test_malformed_json_is_a_400_problem(api: Api) -> None:
    workshop = await api.workshop()
    session = await api.session(workshop)
    response = await api.client.post(
        f"/api/workshops/{workshop['id']}/sessions/{session['id']}/signups",
        content=b'{"name": "Anna", ',
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/problem+json")


async def test_unknown_ids_and_ids_of_another_workshop_are_404(api: Api) -> None:
    workshop, other = await api.workshop(), await api.workshop()
    session = await api.session(workshop)
    foreign_session = await api.session(other)
    foreign_signup = (await api.signup(other, foreign_session, email="x@example.org")).json()
    base = f"/api/workshops/{workshop['id']}"
    admin = api.admin
    cases = [
        ("GET", "/api/workshops/doesnotexist", None, admin),
        ("GET", f"{base}/sessions/doesnotexist", None, workshop["auth"]),
        ("GET", f"{base}/sessions/{foreign_session['id']}", None, workshop["auth"]),
        ("POST", f"{base}/sessions/{foreign_session['id']}/signups", {"name": "A", "consent": True}, None),
        ("DELETE", f"{base}/signups/doesnotexist", None, workshop["auth"]),
        ("DELETE", f"{base}/signups/{foreign_signup['signup_id']}", None, workshop["auth"]),
        ("POST", f"{base}/commitments/doesnotexist/done", None, workshop["auth"]),
        ("POST", f"{base}/cards/doesnotexist/votes", {"count": 1}, workshop["auth"]),
        ("POST", f"{base}/matches", {"offer_id": "a", "request_id": "b"}, workshop["auth"]),
        (
            "POST",
            f"{base}/sessions/{session['id']}/commitments",
            {"signup_id": foreign_signup["signup_id"], "text": "x"},
            workshop["auth"],
        ),
        ("POST", "/api/workshops/doesnotexist/sessions", {"title": "T", "format": "barcamp"}, admin),
    ]
    for method, path, body, headers in cases:
        response = await api.client.request(method, path, json=body, headers=headers)
        assert response.status_code == 404, (method, path, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")


async def test_state_conflicts_are_409_and_write_nothing(api: Api, redis_client: redis.Redis) -> None:
    workshop = await api.workshop()
    auth = workshop["auth"]
    base = f"/api/workshops/{workshop['id']}"
    table = await api.session(workshop)
    future = await api.session(workshop, format="zukunftswerkstatt")
    await api.client.post(f"{base}/sessions/{future['id']}/phase", json={"phase": "phantasie"}, headers=auth)
    assert (await api.client.post(f"{base}/sessions/{table['id']}/close", headers=auth)).status_code == 200
    before = log_length(redis_client, workshop["id"])
    cases = [
        (f"{base}/sessions/{table['id']}/close", None),
        (f"{base}/sessions/{table['id']}/open", None),
        (f"{base}/sessions/{table['id']}/signups", {"name": "Anna", "consent": True}),
        (f"{base}/sessions/{table['id']}/commitments", {"owner_name": "Anna", "text": "x"}),
        (f"{base}/sessions/{table['id']}/notes", {"text": "x"}),
        (f"{base}/sessions/{table['id']}/phase", {"phase": "phantasie"}),
        (f"{base}/sessions/{future['id']}/phase", {"phase": "kritik"}),
        (f"{base}/sessions/{future['id']}/phase", {"phase": "phantasie"}),
        (f"{base}/sessions/{table['id']}/cards", {"text": "x"}),
        (f"{base}/sessions/{future['id']}/offers", {"kind": "offer", "text": "x"}),
    ]
    for path, body in cases:
        response = await api.client.post(path, json=body, headers=auth)
        assert response.status_code == 409, (path, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")
    assert log_length(redis_client, workshop["id"]) == before


NOT_ONE_LINE = {
    "line break": "Anna\nBeispiel",
    "bidi override": "Anna \u202eleipsieB",
    "NUL": "Anna\x00",
    "blank": "  ",
}


@pytest.mark.parametrize("value", NOT_ONE_LINE.values(), ids=NOT_ONE_LINE.keys())
async def test_every_single_line_field_refuses_what_is_not_one_line(
    api: Api, redis_client: redis.Redis, value: str
) -> None:
    workshop = await api.workshop()
    table = await api.session(workshop)
    market = await api.session(workshop, format="marktplatz")
    base = f"/api/workshops/{workshop['id']}"
    slot = {"host_name": "Agnes W.", "host_email": "agnes@example.org", "starts_at": "2030-01-01T10:00:00+01:00"}
    cases = [
        *((f"{base}/sessions", {"title": "T", "format": "barcamp"}, field) for field in ("title", "room", "host")),
        *((f"{base}/sessions/{table['id']}/signups", GOOD_SIGNUP, field) for field in ("name", "organisation")),
        (f"{base}/sessions/{table['id']}/commitments", {"text": "x"}, "owner_name"),
        (f"{base}/sessions/{market['id']}/offers", {"kind": "offer", "text": "x"}, "owner_name"),
        *((f"{base}/intro-slots", slot, field) for field in ("host_name", "place")),
    ]
    before = log_length(redis_client, workshop["id"])
    for path, body, field in cases:
        response = await api.client.post(path, json={**body, field: value}, headers=workshop["auth"])
        assert response.status_code == 400, (path, field, response.text)
        assert [error["field"] for error in response.json()["errors"]] == [field], response.text
    assert log_length(redis_client, workshop["id"]) == before
    workshops = redis_client.scard("knoten:workshops")
    for field in ("title", "location", "timezone"):
        response = await api.client.post("/api/workshops", json={**GOOD_WORKSHOP, field: value}, headers=api.admin)
        assert response.status_code == 400 and response.json()["errors"][0]["field"] == field, response.text
    assert redis_client.scard("knoten:workshops") == workshops
