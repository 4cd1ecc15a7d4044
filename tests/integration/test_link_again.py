"""A participant gets their personal links again, and ends the earlier ones on their page."""

from __future__ import annotations

import asyncio
import re
import secrets
from collections.abc import AsyncIterator
from email.message import EmailMessage
from typing import Any

import httpx
import pytest
import redis

from tests.integration.conftest import Api
from tests.integration.sse import Message, messages
from tests.integration.test_page_errors import csrf, main_text
from tests.mail_sink import MailSink, text_of
from tests.processes import ApiProcess
from tests.waiting import wait_for_jobs

AGAIN = "Ihr persönlicher Link für"


@pytest.fixture
async def phone(api_process: ApiProcess) -> AsyncIterator[httpx.AsyncClient]:
    """A phone's browser: keeps cookies, reads pages in German."""
    async with httpx.AsyncClient(
        base_url=api_process.url, timeout=30, headers={"accept-language": "de-DE,de;q=0.9"}
    ) as client:
        yield client


def _address(name: str) -> str:
    return f"{name}.{secrets.token_hex(4)}@example.org"


def _links_again(mails: list[EmailMessage]) -> list[EmailMessage]:
    return [m for m in mails if str(m["Subject"]).startswith((AGAIN, "Ihre persönlichen Links"))]


def _token_in(mail: EmailMessage) -> str:
    found = re.search(r"/me\?token=(\S+)", text_of(mail))
    assert found is not None, text_of(mail)
    return found.group(1)


async def _ask(api: Api, email: Any) -> httpx.Response:
    return await api.client.post("/api/me/link", json={"email": email})


@pytest.mark.usefixtures("worker_process")
async def test_known_unknown_and_invalid_addresses_get_the_same_answer_and_the_known_one_its_links(
    api: Api, mail_sink: MailSink, redis_client: redis.Redis
) -> None:
    email = _address("rosa")
    first, second = await api.workshop(title="Zukunftswerkstatt Nord"), await api.workshop(title="Barcamp Süd")
    for workshop in (first, second):
        signed = await api.signup(workshop, await api.session(workshop), name="Rosa", email=email)
        assert signed.status_code == 201

    answers = [await _ask(api, address) for address in (email, _address("nobody"), "not an address", "")]

    assert {a.status_code for a in answers} == {202}
    assert len({a.content for a in answers}) == 1
    (mail,) = _links_again(mail_sink.wait_for(lambda found: len(_links_again(found)) == 1, to=email))
    assert str(mail["Subject"]) == "Ihre persönlichen Links für 2 Veranstaltungen"  # one mail, both links
    text = text_of(mail)
    by_workshop = {}
    for title in ("Zukunftswerkstatt Nord", "Barcamp Süd"):
        found = re.search(rf"{title}:\s+\S+/me\?token=(\S+)", text)
        assert found is not None, text
        by_workshop[title] = found.group(1)
    for title, workshop in (("Zukunftswerkstatt Nord", first), ("Barcamp Süd", second)):
        me = await api.client.get("/api/me", headers={"Authorization": f"Bearer {by_workshop[title]}"})
        assert me.status_code == 200 and me.json()["workshop_id"] == workshop["id"]
    wait_for_jobs(redis_client, min(first["id"], second["id"]), "send_personal_link_again")
    assert len(_links_again(mail_sink.messages(email))) == 1


@pytest.mark.usefixtures("worker_process")
async def test_the_fourth_request_in_an_hour_sends_nothing(
    api: Api, mail_sink: MailSink, redis_client: redis.Redis
) -> None:
    email = _address("often")
    workshops = [await api.workshop(), await api.workshop()]
    for workshop in workshops:  # signed up twice: still at most 3 mails an hour, not 3 a workshop
        await api.signup(workshop, await api.session(workshop), email=email)

    answers = [await _ask(api, email.upper()) for _ in range(4)]

    assert [a.status_code for a in answers] == [202] * 4 and len({a.content for a in answers}) == 1
    mail_sink.wait_for(lambda found: len(_links_again(found)) == 3, to=email)
    wait_for_jobs(redis_client, min(w["id"] for w in workshops), "send_personal_link_again")
    assert len(_links_again(mail_sink.messages(email))) == 3


@pytest.mark.usefixtures("worker_process")
async def test_a_person_erased_in_a_workshop_gets_no_link_for_it(
    api: Api, mail_sink: MailSink, redis_client: redis.Redis
) -> None:
    email = _address("gone")
    erased_in, kept_in = await api.workshop(title="Gelöscht"), await api.workshop(title="Geblieben")
    erased = (await api.signup(erased_in, await api.session(erased_in), email=email)).json()
    await api.signup(kept_in, await api.session(kept_in), email=email)
    auth = {"Authorization": f"Bearer {erased['participant_token']}"}
    assert (await api.client.delete("/api/me", headers=auth)).status_code == 200

    assert (await _ask(api, email)).status_code == 202

    (mail,) = _links_again(mail_sink.wait_for(lambda found: len(_links_again(found)) == 1, to=email))
    assert str(mail["Subject"]) == f"{AGAIN} Geblieben"
    wait_for_jobs(redis_client, kept_in["id"], "send_personal_link_again")
    assert not list(redis_client.scan_iter(f"rq:job:{erased_in['id']}-*-send_personal_link_again"))
    assert len(_links_again(mail_sink.messages(email))) == 1


async def test_the_sign_up_done_page_without_the_link_on_the_device_offers_it_again(
    api: Api, phone: httpx.AsyncClient
) -> None:
    workshop = await api.workshop()
    session = await api.session(workshop)
    signed = (await api.signup(workshop, session, email=_address("done"))).json()

    done = await phone.get(f"/s/{workshop['id']}/{session['id']}/done", params={"signup": signed["signup_id"]})

    assert "Link erneut senden" in main_text(done) and 'href="/me/link"' in done.text
    form = await phone.get("/me/link")
    asked = await phone.post("/me/link", data={"_csrf_token": csrf(form), "email": "x"})
    assert "Wenn die Adresse bei uns bekannt ist, kommt gleich eine E-Mail." in main_text(asked)


async def test_a_request_without_an_email_field_is_refused_naming_it(api: Api) -> None:
    refused = await api.client.post("/api/me/link", json={})

    assert refused.status_code == 400
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert [e["field"] for e in refused.json()["errors"]] == ["email"]


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
