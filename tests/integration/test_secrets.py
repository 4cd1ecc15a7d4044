"""Secrets stay secret and revocation revokes: console links end with a rotation, no token or
login code reaches a log line, short secrets refuse to start, forwarded headers count only from
trusted proxies, the organiser's sign-in is throttled and its cookie holds no token, and API
writes accept a page's cookie only with the page's CSRF token."""

from __future__ import annotations

import itertools
import json
import re
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
import redis

from tests.integration.conftest import ADMIN_TOKEN, Api, knoten_env
from tests.processes import ApiProcess, RedisProcess

WORKSHOP = {"title": "T", "starts_at": "2026-05-09T10:00:00+02:00", "ends_at": "2026-05-09T12:00:00+02:00"}
ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}


def login_path(console_url: str) -> str:
    """The console link without its host (the tests' base URL is http://knoten.test)."""
    parts = urlsplit(console_url)
    return f"{parts.path}?{parts.query}"


DATABASES = itertools.cycle(range(1, 16))


@pytest.fixture
def own_api(redis_server: RedisProcess, artifacts: Path, request: pytest.FixtureRequest) -> Iterator[ApiProcess]:
    """An API of the test's own, with the settings of `@pytest.mark.env(...)`, its own log and its
    own Redis database (so rate limits that other tests used up do not count here)."""
    marker = request.node.get_closest_marker("env")
    number = next(DATABASES)
    own = redis.Redis(port=redis_server.port, db=number)
    own.flushdb()
    env = {**knoten_env(redis_server.url.rsplit("/", 1)[0] + f"/{number}"), **(marker.kwargs if marker else {})}
    log = artifacts / f"api-{request.node.name}.log"
    log.unlink(missing_ok=True)
    process = ApiProcess(env, log).start()
    yield process
    process.stop()
    own.flushdb()
    own.close()


@pytest.fixture
async def http(own_api: ApiProcess) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=own_api.url, timeout=30) as client:
        yield client


async def _workshop(http: httpx.AsyncClient) -> dict[str, Any]:
    workshop: dict[str, Any] = (await http.post("/api/workshops", json=WORKSHOP, headers=ADMIN)).json()
    return workshop


async def test_rotation_ends_every_earlier_console_link_device_and_token(api: Api) -> None:
    workshop = await api.workshop()
    wid = workshop["id"]
    device = httpx.AsyncClient(base_url=str(api.client.base_url))
    async with device:
        assert (await device.get(login_path(workshop["console_url"]))).status_code == 303
        assert (await device.get(f"/w/{wid}")).status_code == 200  # the signed-in tablet

        rotated = await api.client.post(f"/api/workshops/{wid}/facilitator-token", headers=workshop["auth"])
        assert rotated.status_code == 200
        assert set(rotated.json()) >= {"facilitator_token", "console_url"}

        assert (await device.get(f"/w/{wid}")).status_code == 401
        assert (await api.client.get(f"/api/workshops/{wid}", headers=workshop["auth"])).status_code == 401
        device.cookies.clear()
        assert (await device.get(login_path(workshop["console_url"]))).status_code == 400  # the old link
        assert (await device.get(f"/w/{wid}")).status_code == 401
        assert (await device.get(login_path(rotated.json()["console_url"]))).status_code == 303
        assert (await device.get(f"/w/{wid}")).status_code == 200


@pytest.mark.env(KNOTEN_SIGNUPS_PER_CLIENT_MINUTE="100")
async def test_no_token_or_login_code_reaches_the_log(own_api: ApiProcess, http: httpx.AsyncClient) -> None:
    workshop = await _workshop(http)
    session = (
        await http.post(
            f"/api/workshops/{workshop['id']}/sessions",
            json={"title": "T", "format": "barcamp"},
            headers={"Authorization": f"Bearer {workshop['facilitator_token']}"},
        )
    ).json()
    path = f"/api/workshops/{workshop['id']}/sessions/{session['id']}/signups"
    participant = (await http.post(path, json={"name": "P", "consent": True})).json()["participant_token"]
    code = workshop["console_url"].rsplit("code=", 1)[1]
    await http.get(f"/me?token={participant}")
    await http.get(f"/w/{workshop['id']}/login?code={code}&next=report")
    await http.get(f"/w/{workshop['id']}/login?code=wrong{code}")
    await http.get(f"/api/workshops/{workshop['id']}/stream?token=f.{workshop['id']}.guess&last_event_id=9")
    own_api.stop()  # every line written

    log = own_api.log.read_text()
    for secret in (participant, code, participant.rsplit(".", 1)[1], "guess"):
        assert secret not in log
    requests = [json.loads(line) for line in log.splitlines() if '"knoten.requests"' in line]
    routes = {(entry["method"], entry["route"], entry["status"]) for entry in requests}
    assert {("GET", "/me", 303), ("GET", "/w/{workshop_id}/login", 303)} <= routes, log
    assert ("GET", "/api/workshops/{workshop_id}/stream", 401) in routes, log


@pytest.mark.parametrize("name", ["KNOTEN_ADMIN_TOKEN", "KNOTEN_SECRET_KEY"])
def test_a_secret_shorter_than_32_characters_refuses_to_start(redis_server: RedisProcess, name: str) -> None:
    env = {**knoten_env(redis_server.url), name: "x" * 31}
    for command in ("api", "worker"):
        result = subprocess.run(
            [sys.executable, "-m", "service.cli", command],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert result.returncode != 0
        assert f"{name} must be at least 32 characters" in result.stderr


async def _signups_from(http: httpx.AsyncClient, clients: list[str]) -> list[int]:
    workshop = await _workshop(http)
    auth = {"Authorization": f"Bearer {workshop['facilitator_token']}"}
    session = (
        await http.post(
            f"/api/workshops/{workshop['id']}/sessions", json={"title": "T", "format": "barcamp"}, headers=auth
        )
    ).json()
    path = f"/api/workshops/{workshop['id']}/sessions/{session['id']}/signups"
    answers = [
        await http.post(path, json={"name": f"P{i}", "consent": True}, headers={"X-Forwarded-For": client})
        for i, client in enumerate(clients)
    ]
    return [answer.status_code for answer in answers]


CLIENTS = ["203.0.113.1", "203.0.113.2", "203.0.113.3"]


@pytest.mark.env(KNOTEN_SIGNUPS_PER_CLIENT_MINUTE="2")
async def test_a_forged_forwarded_for_does_not_make_one_client_many(http: httpx.AsyncClient) -> None:
    assert await _signups_from(http, CLIENTS) == [201, 201, 429]


@pytest.mark.env(KNOTEN_SIGNUPS_PER_CLIENT_MINUTE="2", KNOTEN_TRUSTED_PROXIES="192.0.2.9, 127.0.0.1")
async def test_a_trusted_proxy_tells_its_clients_apart(http: httpx.AsyncClient) -> None:
    assert await _signups_from(http, CLIENTS) == [201, 201, 201]


async def _admin_form(http: httpx.AsyncClient) -> str:
    page = await http.get("/admin")
    found = re.search(r'name="_csrf_token" value="([^"]+)"', page.text)
    assert found is not None
    return found.group(1)


@pytest.mark.env(KNOTEN_ADMIN_LOGINS_PER_CLIENT_MINUTE="3")
async def test_organiser_sign_in_is_throttled_and_its_cookie_holds_a_sign_in_not_the_token(
    http: httpx.AsyncClient, own_api: ApiProcess
) -> None:
    store = redis.Redis.from_url(own_api.env["KNOTEN_REDIS_URL"])
    csrf = await _admin_form(http)
    signed_in = await http.post("/admin/login", data={"token": ADMIN_TOKEN, "_csrf_token": csrf})
    assert signed_in.status_code == 303
    cookie = http.cookies["knoten_o"]
    assert ADMIN_TOKEN not in signed_in.headers["set-cookie"] and cookie
    assert "Fehlgeschlagene Aufträge" in (await http.get("/admin")).text
    stored = store.keys("knoten:organiser-signin:*")
    assert stored and all(cookie.encode() not in key for key in stored)
    assert 0 < store.ttl(stored[0]) <= 12 * 3600

    guesses = [await http.post("/admin/login", data={"token": f"guess{i}", "_csrf_token": csrf}) for i in range(3)]
    assert [g.status_code for g in guesses] == [401, 401, 429]
    assert 0 < int(guesses[2].headers["retry-after"]) <= 60
    again = await http.post("/admin/login", data={"token": ADMIN_TOKEN, "_csrf_token": csrf})
    assert again.status_code == 429


async def test_an_api_write_takes_a_page_cookie_only_with_the_pages_csrf_token(api: Api) -> None:
    workshop = await api.workshop()
    wid = workshop["id"]
    session = await api.session(workshop)
    async with httpx.AsyncClient(base_url=str(api.client.base_url)) as tablet:
        await tablet.get(login_path(workshop["console_url"]))
        page = await tablet.get(f"/w/{wid}/s/{session['id']}")
        found = re.search(r'data-csrf="([^"]+)"', page.text)
        assert found is not None and workshop["facilitator_token"] not in page.text
        notes = f"/api/workshops/{wid}/sessions/{session['id']}/notes"
        forged = await tablet.post(notes, json={"text": "from another site"})
        assert forged.status_code == 401
        wrong = await tablet.post(notes, json={"text": "wrong"}, headers={"X-CSRFToken": "x" * 130})
        assert wrong.status_code == 401
        sent = await tablet.post(notes, json={"text": "from the console"}, headers={"X-CSRFToken": found.group(1)})
        assert sent.status_code == 201, sent.text
    full = (await api.client.get(f"/api/workshops/{wid}/sessions/{session['id']}", headers=workshop["auth"])).json()
    assert [n["text"] for n in full["notes"]] == ["from the console"]


@pytest.mark.env(KNOTEN_BASE_URL="https://knoten.test")
async def test_cookies_are_secure_when_knoten_is_reached_over_https(http: httpx.AsyncClient) -> None:
    workshop = await _workshop(http)
    signed_in = await http.get(login_path(workshop["console_url"]))
    form = await http.get("/admin")  # over http here, so the client keeps no Secure cookie: send it by hand
    csrf = re.search(r'name="_csrf_token" value="([^"]+)"', form.text)
    assert csrf is not None
    organiser = await http.post(
        "/admin/login",
        data={"token": ADMIN_TOKEN, "_csrf_token": csrf.group(1)},
        headers={"Cookie": f"knoten_csrf={csrf.group(1)}"},
    )
    assert organiser.status_code == 303
    cookies = [response.headers.get_list("set-cookie") for response in (signed_in, form, organiser)]
    made = [cookie for answer in cookies for cookie in answer]
    assert {f"knoten_f_{workshop['id']}", "knoten_o", "knoten_csrf"} <= {c.split("=", 1)[0] for c in made}
    assert [c for c in made if "; secure" not in c.lower()] == []
