"""The repository's Caddyfile in front of two API replicas, with a real Caddy: one URL serves both,
live views pass through at once and end on the API when their client leaves, a client cannot
forge its address past Caddy, Caddy's request id reaches the API's log and the answer, and all
writes of one workshop go to one replica while workshops spread over both. Only
the site address (plain HTTP on a loopback port instead of HTTPS for KNOTEN_DOMAIN) and the
upstreams (two loopback ports instead of the compose service's DNS name) differ from production."""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import NamedTuple

import httpx
import pytest

from tests.integration.conftest import ADMIN_TOKEN, knoten_env
from tests.integration.sse import messages
from tests.processes import ApiProcess, CaddyProcess
from tests.waiting import wait_until

ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
WORKSHOP = {"title": "T", "starts_at": "2026-05-09T10:00:00+02:00", "ends_at": "2026-05-09T12:00:00+02:00"}


class Proxied(NamedTuple):
    url: str
    replicas: list[ApiProcess]


@pytest.fixture
def proxied(redis_url: str, tmp_path: Path) -> Iterator[Proxied]:
    with _proxied(redis_url, tmp_path, signups_per_client_minute=2) as running:
        yield running


@pytest.fixture
def proxied_unlimited(redis_url: str, tmp_path: Path) -> Iterator[Proxied]:
    """As `proxied`, with sign-up limits that many sign-ups from the one test client stay within."""
    with _proxied(redis_url, tmp_path, signups_per_client_minute=10_000) as running:
        yield running


@contextmanager
def _proxied(redis_url: str, tmp_path: Path, signups_per_client_minute: int) -> Iterator[Proxied]:
    env = {
        **knoten_env(redis_url),
        "KNOTEN_TRUSTED_PROXIES": "127.0.0.1",
        "KNOTEN_SIGNUPS_PER_CLIENT_MINUTE": str(signups_per_client_minute),
    }
    replicas = [ApiProcess(env, tmp_path / f"api-{n}.log").start() for n in range(2)]
    caddy = CaddyProcess(replicas, tmp_path)
    try:
        caddy.start()
        yield Proxied(caddy.url, replicas)
    finally:
        caddy.stop()  # first: its connections to the replicas (a live view's too) end with it
        for api in replicas:
            api.stop()


def _requests_in(log: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in log.read_text().splitlines() if '"knoten.requests"' in line]


async def test_one_url_serves_every_replica_and_the_live_view_passes_at_once(proxied: Proxied) -> None:
    async with httpx.AsyncClient(base_url=proxied.url, timeout=30) as http:
        for _ in range(20):
            assert (await http.get("/health")).status_code == 200
        workshop = (await http.post("/api/workshops", json=WORKSHOP, headers=ADMIN)).json()
        auth = {"Authorization": f"Bearer {workshop['facilitator_token']}"}
        sessions = f"/api/workshops/{workshop['id']}/sessions"
        session = (await http.post(sessions, json={"title": "S", "format": "barcamp"}, headers=auth)).json()

        async with http.stream("GET", f"/api/workshops/{workshop['id']}/stream", headers=auth) as stream:
            assert stream.headers["content-type"].startswith("text/event-stream")
            seen = messages(stream)
            assert [(await anext(seen)).event for _ in range(2)] == ["workshop_created", "session_planned"]
            signup = await http.post(f"{sessions}/{session['id']}/signups", json={"name": "Anna", "consent": True})
            assert signup.status_code == 201
            started = time.monotonic()
            event = await asyncio.wait_for(anext(seen), 5)
            assert event.event == "signup_recorded" and time.monotonic() - started < 2
    for api in proxied.replicas:  # Caddy balanced the requests over both
        assert any(entry["route"] == "/health" for entry in _requests_in(api.log))

    def stream_ended() -> bool:  # the request log's line for a stream is written when it ends
        return any(entry["route"].endswith("/stream") for api in proxied.replicas for entry in _requests_in(api.log))

    wait_until(stream_ended, "the live view to end on the API once its client left", timeout=10)


def test_a_client_cannot_forge_its_address_past_caddy_and_caddys_request_id_reaches_the_log(
    proxied: Proxied,
) -> None:
    with httpx.Client(base_url=proxied.url, timeout=30) as http:
        workshop = http.post("/api/workshops", json=WORKSHOP, headers=ADMIN).json()
        auth = {"Authorization": f"Bearer {workshop['facilitator_token']}"}
        sessions = f"/api/workshops/{workshop['id']}/sessions"
        session = http.post(sessions, json={"title": "S", "format": "barcamp"}, headers=auth).json()
        answers = [
            http.post(
                f"{sessions}/{session['id']}/signups",
                json={"name": f"P{i}", "consent": True},
                headers={"X-Forwarded-For": f"198.51.100.{i}", "X-Request-ID": "chosen-by-the-client"},
            )
            for i in range(3)
        ]
    assert [answer.status_code for answer in answers] == [201, 201, 429]  # one client, however it names itself
    request_id = answers[0].headers["x-request-id"]
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", request_id)  # Caddy's
    for api in proxied.replicas:
        api.stop()  # every line written
    logged = [entry for api in proxied.replicas for entry in _requests_in(api.log)]
    assert any(entry["request_id"] == request_id and entry["status"] == 201 for entry in logged)
    assert not any("198.51.100" in api.log.read_text() for api in proxied.replicas)


def _appends(api: ApiProcess) -> float:
    """The replica's own count of committed appends, read from it directly (not through Caddy)."""
    text = httpx.get(f"{api.url}/metrics", headers=ADMIN, timeout=30).text
    return sum(float(line.split()[1]) for line in text.splitlines() if line.startswith("knoten_appends_total "))


def test_a_workshops_writes_land_on_one_replica_and_workshops_spread_over_both(proxied_unlimited: Proxied) -> None:
    replicas = proxied_unlimited.replicas
    owners: list[int] = []
    with httpx.Client(base_url=proxied_unlimited.url, timeout=30) as http:
        while set(owners) != {0, 1} or len(owners) < 4:
            assert len(owners) < 30, f"every workshop went to one replica: {owners}"
            workshop = http.post("/api/workshops", json=WORKSHOP, headers=ADMIN).json()  # names no workshop yet
            before = [_appends(api) for api in replicas]
            auth = {"Authorization": f"Bearer {workshop['facilitator_token']}"}
            sessions = f"/api/workshops/{workshop['id']}/sessions"
            planned = [
                http.post(sessions, json={"title": f"S{n}", "format": "barcamp"}, headers=auth) for n in range(3)
            ]
            assert [answer.status_code for answer in planned] == [201] * 3
            signups = [
                http.post(f"{sessions}/{planned[n % 3].json()['id']}/signups", json={"name": f"P{n}", "consent": True})
                for n in range(6)
            ]
            assert [answer.status_code for answer in signups] == [201] * 6
            grown = [_appends(api) - was for api, was in zip(replicas, before, strict=True)]
            assert sorted(grown) == [0, 9], f"the writes of one workshop went to both replicas: {grown}"
            owners.append(grown.index(9))
