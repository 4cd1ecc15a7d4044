"""A participant gets their personal links again, and ends the earlier ones on their page."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from tests.integration.conftest import Api
from tests.integration.sse import Message, messages
from tests.integration.test_page_errors import csrf, main_text
from tests.processes import ApiProcess


@pytest.fixture
async def phone(api_process: ApiProcess) -> AsyncIterator[httpx.AsyncClient]:
    """A phone's browser: keeps cookies, reads pages in German."""
    async with httpx.AsyncClient(
        base_url=api_process.url, timeout=30, headers={"accept-language": "de-DE,de;q=0.9"}
    ) as client:
        yield client


async def _first_of(api: Api, workshop: dict[str, Any], event: str) -> Message:
    """The stream's first message of kind `event`."""
    path = f"/api/workshops/{workshop['id']}/stream"
    async with api.client.stream("GET", path, headers=workshop["auth"]) as response:
        async for message in messages(response):
            if message.event == event:
                return message
    raise AssertionError(f"the stream ended without {event}")


async def test_ending_earlier_links_stops_every_old_token_and_keeps_this_device(
    api: Api, phone: httpx.AsyncClient
) -> None:
    workshop = await api.workshop()
    session = await api.session(workshop)
    old = (await api.signup(workshop, session, name="Lea Link", email="lea.link@example.org")).json()
    old_token = old["participant_token"]
    other = (await api.signup(workshop, session, email="other.link@example.org")).json()
    await phone.get("/me", params={"token": old_token})
    personal = await phone.get("/me")
    assert "Alle früheren Links beenden" in main_text(personal)

    participant_id = old_token.split(".")[2]
    ended = await phone.post(
        f"/me/{workshop['id']}/{participant_id}/links/end",
        data={"_csrf_token": csrf(personal)},
        follow_redirects=True,
    )

    assert ended.status_code == 200
    assert "Alle früheren Links sind beendet. Dieses Gerät bleibt angemeldet." in main_text(ended)
    assert "Lea Link" in main_text(ended)  # this device still opens the personal page
    assert (await api.client.get("/api/me", headers={"Authorization": f"Bearer {old_token}"})).status_code == 401
    fresh = next(t for t in phone.cookies["knoten_p"].strip('"').split(" ") if t.startswith(f"p.{workshop['id']}"))
    assert fresh != old_token
    me = await api.client.get("/api/me", headers={"Authorization": f"Bearer {fresh}"})
    assert me.status_code == 200 and me.json()["name"] == "Lea Link"
    others = await api.client.get("/api/me", headers={"Authorization": f"Bearer {other['participant_token']}"})
    assert others.status_code == 200  # another person's link keeps working
    shown = await asyncio.wait_for(_first_of(api, workshop, "earlier_links_ended"), 10)
    assert shown.data == {
        "type": "earlier_links_ended",
        "v": 1,
        "at": shown.data["at"],
        "participant_id": participant_id,
    }


async def test_ending_earlier_links_needs_that_persons_link(api: Api, phone: httpx.AsyncClient) -> None:
    workshop = await api.workshop()
    session = await api.session(workshop)
    mine = (await api.signup(workshop, session, email="mine.link@example.org")).json()
    theirs = (await api.signup(workshop, session, email="theirs.link@example.org")).json()
    await phone.get("/me", params={"token": mine["participant_token"]})
    token = csrf(await phone.get("/me"))

    their_id = theirs["participant_token"].split(".")[2]
    refused = await phone.post(f"/me/{workshop['id']}/{their_id}/links/end", data={"_csrf_token": token})

    assert refused.status_code == 403
    auth = {"Authorization": f"Bearer {theirs['participant_token']}"}
    assert (await api.client.get("/api/me", headers=auth)).status_code == 200
