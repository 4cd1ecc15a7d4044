"""A person across the meetings of a network, linked by the keyed hash of their e-mail: no
newcomer at the second meeting, and erased from every meeting of the network at once."""

from __future__ import annotations

import re
from typing import Any

import httpx

from tests.integration.conftest import Api
from tests.integration.test_carried_commitments import meeting, network
from tests.integration.test_intro_talks import soon
from tests.integration.test_page_errors import csrf
from tests.processes import ApiProcess


async def _signup(api: Api, workshop: dict[str, Any], session: dict[str, Any], **fields: Any) -> dict[str, Any]:
    response = await api.signup(workshop, session, **fields)
    assert response.status_code == 201, response.text
    signed: dict[str, Any] = response.json()
    return signed


async def test_someone_from_an_earlier_meeting_is_no_newcomer_at_the_next(api: Api) -> None:
    net = await network(api)
    first = await meeting(api, net, "2026-10-01")
    second = await meeting(api, net, "2026-12-01")
    outside = await meeting(api, None, "2026-12-02")
    earlier = await _signup(
        api, first, await api.session(first), name="Anna", email="anna.new@example.org", newcomer=True
    )
    assert earlier["newcomer"] is True

    topic, other_topic = await api.session(second, title="AG Verkehr"), await api.session(second, title="AG Wohnen")
    silent = await _signup(api, second, topic, name="Anna", email="anna.new@example.org")
    ticked = await _signup(api, second, other_topic, name="Anna", email="Anna.New@example.org", newcomer=True)
    ben = await _signup(api, second, topic, name="Ben", email="ben.new@example.org", newcomer=True)
    assert silent["newcomer"] is False and ticked["newcomer"] is False  # new to the evening, not the network
    assert ben["newcomer"] is True
    elsewhere = await _signup(
        api, outside, await api.session(outside), name="Anna", email="anna.new@example.org", newcomer=True
    )
    assert elsewhere["newcomer"] is True  # another network's newcomer, as she says

    full = await api.client.get(f"/api/workshops/{second['id']}/sessions/{topic['id']}", headers=second["auth"])
    assert full.json()["newcomers"] == 1  # Ben only


async def test_erasing_oneself_at_one_meeting_erases_one_from_every_meeting_of_the_network(api: Api) -> None:
    net = await network(api)
    first = await meeting(api, net, "2026-10-01")
    second = await meeting(api, net, "2026-12-01")
    outside = await meeting(api, None, "2026-12-02")
    sessions = {w["id"]: await api.session(w, title="AG Verkehr") for w in (first, second, outside)}
    tokens = {}
    for workshop in (first, second, outside):
        signed = await _signup(
            api, workshop, sessions[workshop["id"]], name="Nora Netz", email="nora.net@example.org", organisation="AWO"
        )
        tokens[workshop["id"]] = {"Authorization": f"Bearer {signed['participant_token']}"}
    await _signup(api, first, sessions[first["id"]], name="Ben", email="ben.net@example.org")

    erased = await api.client.delete("/api/me", headers=tokens[second["id"]])
    assert erased.status_code == 200, erased.text

    for workshop in (first, second):
        assert (await api.client.get("/api/me", headers=tokens[workshop["id"]])).status_code == 401
        path = f"/api/workshops/{workshop['id']}/sessions/{sessions[workshop['id']]['id']}"
        full = await api.client.get(path, headers=workshop["auth"])
        assert "Nora" not in full.text and "nora.net@example.org" not in full.text
        assert full.json()["confirmed"] == (2 if workshop is first else 1)  # counts stay
    still = await api.client.get("/api/me", headers=tokens[outside["id"]])
    assert still.status_code == 200 and still.json()["name"] == "Nora Netz"  # outside the network: hers to erase


async def test_the_intro_talk_comes_before_the_first_meeting_of_a_working_group(api: Api) -> None:
    net = await network(api)
    group = await api.client.post(f"/api/networks/{net['id']}/groups", json={"title": "AG Verkehr"}, headers=api.admin)
    assert group.status_code == 201, group.text
    workshop = await meeting(api, net, "2026-12-01")
    working_group = await api.session(workshop, title="AG Verkehr", group_id=group.json()["id"], starts_at=soon(48))
    await _signup(api, workshop, working_group, name="Nele Neu", email="nele.group@example.org", newcomer=True)
    slots = f"/api/workshops/{workshop['id']}/intro-slots"
    host = {"host_name": "Agnes W.", "host_email": "agnes.group@example.org"}
    late = await api.client.post(slots, json={**host, "starts_at": soon(96)}, headers=workshop["auth"])
    assert late.status_code == 201 and late.json()["talks"] == 0  # after the group has met: too late
    talks = await api.client.get(f"/api/workshops/{workshop['id']}/intro-talks", headers=workshop["auth"])
    assert [talk["reason"] for talk in talks.json()] == ["none_before_deadline"]
    early = await api.client.post(slots, json={**host, "starts_at": soon(24)}, headers=workshop["auth"])
    assert early.status_code == 201 and early.json()["talks"] == 1


async def test_deleting_oneself_on_the_personal_page_erases_one_from_every_meeting_of_the_network(
    api: Api, api_process: ApiProcess
) -> None:
    net = await network(api)
    first, second = await meeting(api, net, "2026-10-01"), await meeting(api, net, "2026-12-01")
    sessions = {w["id"]: await api.session(w, title="AG Verkehr") for w in (first, second)}
    tokens = {}
    for workshop in (first, second):
        signed = await _signup(
            api, workshop, sessions[workshop["id"]], name="Paula Page", email="paula.page@example.org"
        )
        tokens[workshop["id"]] = signed["participant_token"]
    async with httpx.AsyncClient(base_url=api_process.url, timeout=30, headers={"accept-language": "de"}) as phone:
        await phone.get("/me", params={"token": tokens[second["id"]]})
        delete = re.search(rf'href="[^"]*(/me/{second["id"]}/[^/"]+/delete)"', (await phone.get("/me")).text)
        assert delete is not None
        confirm = await phone.get(delete.group(1))
        assert "jedes andere Treffen seines Netzwerks" in confirm.text  # it says what will happen
        done = await phone.post(delete.group(1), data={"_csrf_token": csrf(confirm)})
        assert done.status_code == 200 and "Ihre Daten sind gelöscht." in done.text
    for workshop in (first, second):
        mine = {"Authorization": f"Bearer {tokens[workshop['id']]}"}
        assert (await api.client.get("/api/me", headers=mine)).status_code == 401
        path = f"/api/workshops/{workshop['id']}/sessions/{sessions[workshop['id']]['id']}"
        full = await api.client.get(path, headers=workshop["auth"])
        assert "Paula" not in full.text and full.json()["confirmed"] == 1  # the count stays
