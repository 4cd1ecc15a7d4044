"""An organiser changes a workshop and copies it to another date through the API: the copy keeps
its sessions' local times across a change to summer time, has no people, and has a facilitator
token and console link of its own."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

import httpx

from tests.integration.conftest import Api, log_length


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text)


MARCH = {"starts_at": "2026-03-20T16:00:00+01:00", "ends_at": "2026-03-20T21:00:00+01:00"}


async def _patch(
    api: Api, workshop: dict[str, Any], body: Any, headers: dict[str, str] | None = None
) -> httpx.Response:
    return await api.client.patch(
        f"/api/workshops/{workshop['id']}", json=body, headers=headers if headers is not None else workshop["auth"]
    )


async def _copy(api: Api, workshop: dict[str, Any], body: Any, **headers: str) -> httpx.Response:
    return await api.client.post(f"/api/workshops/{workshop['id']}/copy", json=body, headers={**api.admin, **headers})


async def test_the_facilitator_changes_any_detail_and_only_what_changed_is_recorded(
    api: Api, redis_client: Any
) -> None:
    workshop = await api.workshop(location="Rathaus", organiser_email="orga@example.org")
    length = log_length(redis_client, workshop["id"])
    body = {
        "title": "Netzwerktreffen Herbst",
        "starts_at": "2026-05-09T11:00:00+02:00",
        "ends_at": "2026-05-09T19:00:00+02:00",
        "location": "Bürgerhaus",
        "language": "en",
        "follow_up_after": "P5D",
        "intro_deadline": "P7D",
        "organiser_email": "team@example.org",
    }
    changed = await _patch(api, workshop, body)
    assert changed.status_code == 200, changed.text
    view = changed.json()
    assert {name: view[name] for name in ("title", "location", "language", "follow_up_after", "intro_deadline")} == {
        "title": "Netzwerktreffen Herbst",
        "location": "Bürgerhaus",
        "language": "en",
        "follow_up_after": "P5D",
        "intro_deadline": "P7D",
    }
    assert view["organiser_email"] == "team@example.org"
    assert (_at(view["starts_at"]), _at(view["ends_at"])) == (_at(body["starts_at"]), _at(body["ends_at"]))
    assert log_length(redis_client, workshop["id"]) == length + 1
    read = (await api.client.get(f"/api/workshops/{workshop['id']}", headers=workshop["auth"])).json()
    assert read["title"] == "Netzwerktreffen Herbst"

    again = await _patch(api, workshop, {"title": "Netzwerktreffen Herbst"})
    assert again.status_code == 200 and log_length(redis_client, workshop["id"]) == length + 1
    cleared = await _patch(api, workshop, {"location": ""})
    assert cleared.json()["location"] is None


async def test_a_change_is_refused_when_it_does_not_fit_or_names_no_workshop(api: Api) -> None:
    workshop = await api.workshop()
    for body, field in (
        ({"ends_at": "2026-05-08T10:00:00+02:00"}, "ends_at"),
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"follow_up_after": "PT0S"}, "follow_up_after"),
        ({"title": "Zwei\nZeilen"}, "title"),
        ({"organiser_email": "nope"}, "organiser_email"),
        ({"starts_at": "tomorrow"}, "starts_at"),
    ):
        refused = await _patch(api, workshop, body)
        assert refused.status_code == 400, (body, refused.text)
        assert field in refused.text
    only_organisers = await _patch(api, workshop, {"network_id": "n1"})  # a facilitator's token
    assert only_organisers.status_code == 403 and "organiser" in only_organisers.text
    unknown = await api.client.patch("/api/workshops/nowhere", json={"title": "X"}, headers=api.admin)
    assert unknown.status_code == 404
    other = await api.workshop()
    assert (await _patch(api, workshop, {"title": "X"}, other["auth"])).status_code == 403
    assert (await _patch(api, workshop, {"title": "X"}, {})).status_code == 401
    assert (
        await api.client.post(f"/api/workshops/{workshop['id']}/close", headers=workshop["auth"])
    ).status_code == 200
    assert (await _patch(api, workshop, {"title": "X"})).status_code == 409


async def test_a_copy_keeps_local_times_across_summer_time_and_has_no_people(api: Api) -> None:
    workshop = await api.workshop(
        title="Netzwerktreffen März", location="Rathaus", organiser_email="orga@example.org", **MARCH
    )
    wid = workshop["id"]
    session = await api.session(
        workshop,
        room="Saal 2",
        capacity=12,
        host="Agnes W.",
        starts_at="2026-03-20T18:00:00+01:00",
        ends_at="2026-03-20T19:30:00+01:00",
        require_table_code=True,
    )
    signed = await api.signup(workshop, session, email="copy-anna@example.org", table_code=session["table_code"])
    assert signed.status_code == 201, signed.text
    await api.client.post(
        f"/api/workshops/{wid}/sessions/{session['id']}/commitments",
        json={"owner_name": "Carla", "text": "Raumliste"},
        headers=workshop["auth"],
    )
    slot = {
        "host_name": "Hanna",
        "host_email": "hanna@example.org",
        "starts_at": "2026-03-21T09:00:00+01:00",
        "place": "Café Eck",
    }
    await api.client.post(f"/api/workshops/{wid}/intro-slots", json=slot, headers=workshop["auth"])

    key = secrets.token_urlsafe(16)
    body = {"title": "Netzwerktreffen April", "starts_at": "2026-04-17T16:00:00+02:00"}
    answer = await _copy(api, workshop, body, **{"Idempotency-Key": key})
    assert answer.status_code == 201, answer.text
    copy = answer.json()
    assert copy["id"] != wid and copy["title"] == "Netzwerktreffen April" and copy["status"] == "planned"
    assert (_at(copy["starts_at"]), _at(copy["ends_at"])) == (
        _at("2026-04-17T16:00:00+02:00"),
        _at("2026-04-17T21:00:00+02:00"),
    )
    assert (copy["location"], copy["organiser_email"]) == ("Rathaus", "orga@example.org")
    assert copy["facilitator_token"] != workshop["facilitator_token"] and copy["console_url"].startswith(
        f"http://knoten.test/w/{copy['id']}/login?code="
    )
    [copied] = copy["sessions"]
    assert copied["id"] != session["id"] and copied["short_url"] != session["short_url"]
    assert (copied["title"], copied["room"], copied["capacity"]) == ("Nachbarschaftshilfe", "Saal 2", 12)
    assert copied["confirmed"] == 0 and copied["waitlisted"] == 0

    auth = {"Authorization": f"Bearer {copy['facilitator_token']}"}
    full = (await api.client.get(f"/api/workshops/{copy['id']}/sessions/{copied['id']}", headers=auth)).json()
    assert (_at(full["starts_at"]), _at(full["ends_at"])) == (
        _at("2026-04-17T18:00:00+02:00"),
        _at("2026-04-17T19:30:00+02:00"),
    )
    assert full["signups"] == [] and full["commitments"] == [] and full["host"] == "Agnes W."
    slots = (await api.client.get(f"/api/workshops/{copy['id']}/intro-slots", headers=auth)).json()
    assert [(s["host_name"], _at(s["starts_at"]), s["place"]) for s in slots] == [
        ("Hanna", _at("2026-04-18T09:00:00+02:00"), "Café Eck")  # the place, sealed with the host, comes along
    ]
    old = (await api.client.get(f"/api/workshops/{copy['id']}", headers=workshop["auth"])).status_code
    assert old == 403  # the source's token opens nothing of the copy

    again = await _copy(api, workshop, body, **{"Idempotency-Key": key})
    assert again.status_code == 201 and again.json() == copy
    other = await _copy(api, workshop, {**body, "title": "Anders"}, **{"Idempotency-Key": key})
    assert other.status_code == 422


async def test_a_copy_is_for_organisers_only_and_needs_a_title_and_a_start(api: Api) -> None:
    workshop = await api.workshop(**MARCH)
    body = {"title": "Kopie", "starts_at": "2026-04-17T16:00:00+02:00"}
    path = f"/api/workshops/{workshop['id']}/copy"
    assert (await api.client.post(path, json=body, headers=workshop["auth"])).status_code == 403
    assert (await api.client.post(path, json=body)).status_code == 401
    for refused in (
        {"title": "Kopie"},
        {"starts_at": body["starts_at"]},
        {**body, "starts_at": "2026-04-17"},
        {**body, "sessions": []},
    ):
        answer = await _copy(api, workshop, refused)
        assert answer.status_code == 400, (refused, answer.text)
    assert (await api.client.post("/api/workshops/nowhere/copy", json=body, headers=api.admin)).status_code == 404
