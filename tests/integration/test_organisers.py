"""Organisers as people: added, listed and ended by an organiser; they sign in by a one-time
link mailed to their address, which a mail scanner opening it does not use up."""

from __future__ import annotations

import asyncio
import re
import secrets
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.integration.conftest import Api, knoten_env
from tests.mail_sink import MailSink, text_of
from tests.processes import ApiProcess, RedisProcess, WorkerProcess

LINK = re.compile(r"http://knoten\.test(/admin/signin/[A-Za-z0-9_-]+)")


@pytest.fixture(autouse=True)
def _worker(worker_process: WorkerProcess) -> WorkerProcess:
    return worker_process


async def _organiser(api: Api) -> dict[str, Any]:
    email = f"orga-{secrets.token_hex(6)}@example.org"
    response = await api.client.post("/api/organisers", json={"email": email, "name": "Olga Orga"}, headers=api.admin)
    assert response.status_code == 201, response.text
    organiser: dict[str, Any] = response.json()
    return organiser


def _csrf(page: httpx.Response) -> str:
    found = re.search(r'name="_csrf_token" value="([^"]+)"', page.text)
    assert found is not None
    return found.group(1)


async def _mailed_link(client: httpx.AsyncClient, mail_sink: MailSink, email: str, count: int = 1) -> str:
    answer = await client.post("/api/login", json={"email": email})
    assert answer.status_code == 202
    mails = await asyncio.to_thread(mail_sink.wait_for, lambda found: len(found) >= count, to=email)
    found = LINK.search(text_of(mails[count - 1]))
    assert found is not None
    return found.group(1)


async def _use(client: httpx.AsyncClient, path: str) -> httpx.Response:
    """Press the link page's button (with the CSRF token of any page, as a used link shows none)."""
    page = await client.get("/admin")
    return await client.post(path, data={"_csrf_token": _csrf(page)})


async def test_organisers_are_added_listed_and_ended(api: Api) -> None:
    organiser = await _organiser(api)
    assert set(organiser) == {"id", "email", "name"}
    listed = (await api.client.get("/api/organisers", headers=api.admin)).json()
    assert organiser in listed
    ended = await api.client.delete(f"/api/organisers/{organiser['id']}", headers=api.admin)
    assert ended.status_code == 204
    assert organiser not in (await api.client.get("/api/organisers", headers=api.admin)).json()
    again = await api.client.delete(f"/api/organisers/{organiser['id']}", headers=api.admin)
    assert again.status_code == 204  # a retry answers as the first time
    keyed = {**api.admin, "Idempotency-Key": "end-" + secrets.token_hex(4)}
    assert (await api.client.delete(f"/api/organisers/{organiser['id']}", headers=keyed)).status_code == 204
    nobody = await api.client.delete("/api/organisers/o-nobody", headers=api.admin)
    assert nobody.status_code == 404
    too_long = {**api.admin, "Idempotency-Key": "k" * 129}
    assert (await api.client.delete(f"/api/organisers/{organiser['id']}", headers=too_long)).status_code == 400


async def test_organisers_need_an_organiser_and_a_valid_address(api: Api) -> None:
    assert (await api.client.get("/api/organisers")).status_code == 401
    bad = await api.client.post("/api/organisers", json={"email": "nope", "name": "X"}, headers=api.admin)
    assert bad.status_code in {400, 422}
    assert "email" in bad.text
    organiser = await _organiser(api)
    retried = await api.client.post(
        "/api/organisers", json={"email": organiser["email"], "name": organiser["name"]}, headers=api.admin
    )
    assert retried.status_code == 201 and retried.json() == organiser
    twice = await api.client.post("/api/organisers", json={"email": organiser["email"], "name": "Y"}, headers=api.admin)
    assert twice.status_code == 400 and "email" in twice.text


async def test_login_answers_the_same_for_every_address(api: Api) -> None:
    organiser = await _organiser(api)
    known = await api.client.post("/api/login", json={"email": organiser["email"]})
    unknown = await api.client.post("/api/login", json={"email": f"nobody-{secrets.token_hex(4)}@example.org"})
    malformed = await api.client.post("/api/login", json={"email": "not an address"})
    empty = await api.client.post("/api/login", json={"email": ""})
    assert known.status_code == unknown.status_code == malformed.status_code == empty.status_code == 202
    assert known.content == unknown.content == malformed.content == empty.content


async def test_the_mailed_link_signs_in_on_its_button_once(api: Api, mail_sink: MailSink) -> None:
    organiser = await _organiser(api)
    path = await _mailed_link(api.client, mail_sink, organiser["email"])
    async with httpx.AsyncClient(base_url=str(api.client.base_url), timeout=30) as browser:
        opened = await browser.get(path)
        assert opened.status_code == 200 and "knoten_o" not in browser.cookies
        assert (await browser.get(path)).status_code == 200  # a scanner's visit used nothing up
        used = await browser.post(path, data={"_csrf_token": _csrf(opened)})
        assert used.status_code == 303 and browser.cookies.get("knoten_o")
        assert "Fehlgeschlagene Aufträge" in (await browser.get("/admin")).text
        assert (await browser.get("/api/organisers")).status_code == 200
    async with httpx.AsyncClient(base_url=str(api.client.base_url), timeout=30) as other:
        assert (await other.get(path)).status_code == 410
        assert (await _use(other, path)).status_code == 410
        assert "knoten_o" not in other.cookies


async def test_an_ended_organisers_sign_in_and_links_stop(api: Api, mail_sink: MailSink) -> None:
    organiser = await _organiser(api)
    first = await _mailed_link(api.client, mail_sink, organiser["email"])
    second = await _mailed_link(api.client, mail_sink, organiser["email"], count=2)
    async with httpx.AsyncClient(base_url=str(api.client.base_url), timeout=30) as browser:
        assert (await _use(browser, first)).status_code == 303
        assert (await browser.get("/api/organisers")).status_code == 200
        await api.client.delete(f"/api/organisers/{organiser['id']}", headers=api.admin)
        assert (await browser.get("/api/organisers")).status_code == 401
        assert "Fehlgeschlagene Aufträge" not in (await browser.get("/admin")).text
        assert (await _use(browser, second)).status_code == 410


async def test_at_most_five_links_a_quarter_hour_go_to_one_address(api: Api, mail_sink: MailSink) -> None:
    organiser = await _organiser(api)
    answers = [await api.client.post("/api/login", json={"email": organiser["email"]}) for _ in range(7)]
    assert {a.status_code for a in answers} == {202} and len({a.content for a in answers}) == 1
    other = await _organiser(api)
    await _mailed_link(api.client, mail_sink, other["email"])  # the one worker sends in order: all before it are out
    assert len(mail_sink.messages(organiser["email"])) == 5


@pytest.fixture
async def short_links(
    redis_server: RedisProcess, mail_sink: MailSink, artifacts: Path
) -> AsyncIterator[httpx.AsyncClient]:
    """An API on the shared Redis (the shared worker mails for it) whose links last one second."""
    env = {**knoten_env(redis_server.url), "KNOTEN_SIGNIN_LINK_SECONDS": "1"}
    process = ApiProcess(env, artifacts / "api-short-links.log").start()
    async with httpx.AsyncClient(base_url=process.url, timeout=30) as client:
        yield client
    process.stop()


async def test_a_link_expires(api: Api, short_links: httpx.AsyncClient, mail_sink: MailSink) -> None:
    organiser = await _organiser(api)
    path = await _mailed_link(short_links, mail_sink, organiser["email"])
    while (await short_links.get(path)).status_code == 200:
        await asyncio.sleep(0.1)
    assert (await _use(short_links, path)).status_code == 410
    assert "knoten_o" not in short_links.cookies


async def test_the_workshop_list_is_newest_first_with_counts_and_status(api: Api) -> None:
    older = await api.workshop(title="Älterer Workshop")
    newer = await api.workshop(title="Neuerer Workshop")
    session = await api.session(newer)
    await api.session(newer)
    assert (await api.signup(newer, session)).status_code == 201
    listed = (await api.client.get("/api/workshops", headers=api.admin)).json()
    ids = [w["id"] for w in listed]
    assert ids.index(newer["id"]) < ids.index(older["id"])
    entry = listed[ids.index(newer["id"])]
    assert entry == {
        "id": newer["id"],
        "title": "Neuerer Workshop",
        "starts_at": newer["starts_at"],
        "ends_at": newer["ends_at"],
        "status": "planned",
        "network_id": None,
        "sessions": 2,
        "signups": 1,
    }
    assert (await api.client.get("/api/workshops", headers=newer["auth"])).status_code == 403


async def test_a_workshop_runs_while_a_session_is_open_and_then_closes(api: Api) -> None:
    workshop = await api.workshop()
    session = await api.session(workshop)
    base = f"/api/workshops/{workshop['id']}"

    async def status() -> tuple[str, str]:
        one = (await api.client.get(base, headers=workshop["auth"])).json()["status"]
        listed = (await api.client.get("/api/workshops", headers=api.admin)).json()
        return one, next(w["status"] for w in listed if w["id"] == workshop["id"])

    assert await status() == ("planned", "planned")
    opened = await api.client.post(f"{base}/sessions/{session['id']}/open", headers=workshop["auth"])
    assert opened.status_code == 200
    assert await status() == ("running", "running")
    assert (await api.client.post(f"{base}/close", headers=workshop["auth"])).status_code == 200
    assert await status() == ("closed", "closed")


async def test_the_admin_page_mails_the_link_and_says_the_same_for_any_address(api: Api, mail_sink: MailSink) -> None:
    organiser = await _organiser(api)
    page = await api.client.get("/admin")
    assert 'name="email"' in page.text and 'name="token"' not in page.text
    answers = [
        await api.client.post("/admin/signin-link", data={"email": email, "_csrf_token": _csrf(page)})
        for email in (organiser["email"], f"nobody-{secrets.token_hex(4)}@example.org")
    ]
    assert [a.status_code for a in answers] == [202, 202]
    assert "Wenn diese Adresse zum Orga-Team gehört" in answers[0].text
    assert answers[0].text.count("Anmeldelink") == answers[1].text.count("Anmeldelink")
    mails = await asyncio.to_thread(mail_sink.wait_for, lambda found: len(found) == 1, to=organiser["email"])
    assert LINK.search(text_of(mails[0]))
    refused = await api.client.post("/admin/signin-link", data={"email": "nope", "_csrf_token": _csrf(page)})
    assert refused.status_code == 422 and 'name="email"' in refused.text


async def test_the_sign_in_mail_speaks_the_language_it_was_asked_in(api: Api, mail_sink: MailSink) -> None:
    organiser = await _organiser(api)
    english = await api.client.get("/admin?lang=en")
    asked = await api.client.post(
        "/admin/signin-link", data={"email": organiser["email"], "_csrf_token": _csrf(english)}
    )
    assert asked.status_code == 202
    first = await asyncio.to_thread(mail_sink.wait_for, lambda found: len(found) == 1, to=organiser["email"])
    assert first[0]["Subject"] == "Your sign-in link for knoten"
    assert "open this link to sign in as organiser" in text_of(first[0])
    await api.client.post("/api/login", json={"email": organiser["email"]}, headers={"Accept-Language": "en-GB"})
    second = await asyncio.to_thread(mail_sink.wait_for, lambda found: len(found) == 2, to=organiser["email"])
    assert second[1]["Subject"] == "Your sign-in link for knoten"
    await api.client.post("/api/login", json={"email": organiser["email"]}, headers={"Accept-Language": "de-DE"})
    third = await asyncio.to_thread(mail_sink.wait_for, lambda found: len(found) == 3, to=organiser["email"])
    assert third[2]["Subject"] == "Ihr Anmeldelink für knoten"


async def test_adding_an_organiser_is_idempotent_by_its_key(api: Api) -> None:
    email = f"orga-{secrets.token_hex(6)}@example.org"
    key = {"Idempotency-Key": secrets.token_hex(8), **api.admin}
    first = await api.client.post("/api/organisers", json={"email": email, "name": "Ida Idem"}, headers=key)
    again = await api.client.post("/api/organisers", json={"email": email, "name": "Ida Idem"}, headers=key)
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    other = f"orga-{secrets.token_hex(6)}@example.org"
    reused = await api.client.post("/api/organisers", json={"email": other, "name": "Otto"}, headers=key)
    assert reused.status_code == 422
    listed = (await api.client.get("/api/organisers", headers=api.admin)).json()
    assert [o for o in listed if o["email"] in {email, other}] == [first.json()]
