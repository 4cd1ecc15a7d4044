"""Trust: security headers, rate limits, refusing an unsafe Redis, and an access rule for
every route the app has (a new route without a rule fails this test)."""

from __future__ import annotations

import re
import subprocess
import sys
import warnings
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from litestar.exceptions import LitestarDeprecationWarning

from service.api.auth import Access
from service.app import create_app
from service.settings import Settings
from tests.integration.conftest import ADMIN_TOKEN, Api, knoten_env
from tests.processes import ApiProcess, RedisProcess, free_port


async def test_pages_and_api_answers_carry_security_headers(api: Api) -> None:
    workshop = await api.workshop()
    session = await api.session(workshop)
    for path in (f"/s/{workshop['id']}/{session['id']}", "/health", "/privacy", "/no-such-page"):
        response = await api.client.get(path)
        assert response.headers["x-request-id"]
        csp = response.headers["content-security-policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp.split("script-src", 1)[1].split(";")[0]
        assert "frame-ancestors 'none'" in csp
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"] == "no-referrer"
        assert response.headers["x-frame-options"] == "DENY"


async def test_a_too_large_body_is_refused(api: Api) -> None:
    workshop = await api.workshop()
    session = await api.session(workshop)
    response = await api.client.post(
        f"/api/workshops/{workshop['id']}/sessions/{session['id']}/signups",
        content=b'{"name": "' + b"x" * 100_000 + b'", "consent": true}',
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 413


@pytest.mark.parametrize("setting", ["KNOTEN_SIGNUPS_PER_CLIENT_MINUTE", "KNOTEN_SIGNUPS_PER_SESSION_MINUTE"])
async def test_public_signup_is_rate_limited_per_client_and_session_with_retry_after(
    redis_server: RedisProcess, artifacts: Path, setting: str
) -> None:
    process = ApiProcess({**knoten_env(redis_server.url), setting: "3"}, artifacts / f"api-{setting}.log").start()
    try:
        async with httpx.AsyncClient(base_url=process.url) as client:
            admin = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
            workshop = (
                await client.post(
                    "/api/workshops",
                    headers=admin,
                    json={
                        "title": "T",
                        "starts_at": "2026-05-09T10:00:00+02:00",
                        "ends_at": "2026-05-09T12:00:00+02:00",
                    },
                )
            ).json()
            auth = {"Authorization": f"Bearer {workshop['facilitator_token']}"}
            session = (
                await client.post(
                    f"/api/workshops/{workshop['id']}/sessions", headers=auth, json={"title": "T", "format": "barcamp"}
                )
            ).json()
            path = f"/api/workshops/{workshop['id']}/sessions/{session['id']}/signups"
            answers = [await client.post(path, json={"name": f"P{i}", "consent": True}) for i in range(5)]
            assert [a.status_code for a in answers] == [201, 201, 201, 429, 429]
            assert answers[3].headers["content-type"].startswith("application/problem+json")
            assert 0 < int(answers[3].headers["retry-after"]) <= 60
            view = (await client.get(f"/api/workshops/{workshop['id']}/sessions/{session['id']}")).json()
            assert view["confirmed"] == 3
            other = (
                await client.post(
                    f"/api/workshops/{workshop['id']}/sessions", headers=auth, json={"title": "U", "format": "barcamp"}
                )
            ).json()
            elsewhere = f"/api/workshops/{workshop['id']}/sessions/{other['id']}/signups"
            assert (await client.post(elsewhere, json={"name": "Q", "consent": True})).status_code == 201
    finally:
        process.stop()


@pytest.mark.parametrize(
    ("options", "says"),
    [(["--appendonly", "no"], "appendonly yes"), (["--maxmemory-policy", "allkeys-lru"], "noeviction")],
)
def test_knoten_refuses_to_start_on_a_redis_that_could_lose_events(
    tmp_path: Path, options: list[str], says: str
) -> None:
    port = free_port()
    redis = subprocess.Popen(
        ["redis-server", "--port", str(port), "--save", "", "--appendonly", "yes", "--dir", str(tmp_path), *options],
        stdout=subprocess.DEVNULL,
    )
    try:
        env = {**knoten_env(f"redis://127.0.0.1:{port}/0"), "PATH": "/usr/bin:/bin"}
        result = subprocess.run(
            [sys.executable, "-m", "service.cli", "worker"],
            env=env,
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
        assert result.returncode != 0
        assert says in result.stderr
    finally:
        redis.kill()
        redis.wait()


def _routes() -> list[tuple[str, str, Access]]:
    with warnings.catch_warnings():  # Litestar 2.25 deprecates inferred dependencies (see docs/architecture.md)
        warnings.simplefilter("ignore", LitestarDeprecationWarning)
        app = create_app(Settings(redis_url="redis://unused", admin_token="x", secret_key="y" * 32))
    found = []
    for route in app.routes:
        for handler in getattr(route, "route_handlers", []):
            if route.path.startswith(("/schema", "/static")) or handler.http_methods == {"OPTIONS"}:
                continue  # the API docs, static files, and Litestar's automatic OPTIONS answers
            assert "access" in handler.opt, f"{route.path} has no access rule"
            for method in sorted(handler.http_methods):
                found.append((method, route.path, Access(handler.opt["access"])))
    return found


ROUTES = _routes()


async def _world(api: Api) -> dict[str, Any]:
    """A workshop with something behind every kind of id a path can name."""
    network = (await api.client.post("/api/networks", json={"name": "N"}, headers=api.admin)).json()
    workshop, other = await api.workshop(network_id=network["id"]), await api.workshop()
    network_base = f"/api/networks/{network['id']}"
    member = (await api.client.post(f"{network_base}/members", json={"organisation": "O"}, headers=api.admin)).json()
    group = (await api.client.post(f"{network_base}/groups", json={"title": "G"}, headers=api.admin)).json()
    base = f"/api/workshops/{workshop['id']}"
    table = await api.session(workshop)
    future = await api.session(workshop, format="zukunftswerkstatt")
    signup = (await api.signup(workshop, table, email="world@example.org")).json()
    commitment = (
        await api.client.post(
            f"{base}/sessions/{table['id']}/commitments",
            headers=workshop["auth"],
            json={"signup_id": signup["signup_id"], "text": "x"},
        )
    ).json()
    card = (
        await api.client.post(f"{base}/sessions/{future['id']}/cards", headers=workshop["auth"], json={"text": "c"})
    ).json()
    slot = (
        await api.client.post(
            f"{base}/intro-slots",
            headers=workshop["auth"],
            json={"host_name": "H", "host_email": "h@example.org", "starts_at": "2030-01-01T10:00:00+01:00"},
        )
    ).json()
    note = (
        await api.client.post(f"{base}/sessions/{table['id']}/notes", headers=workshop["auth"], json={"text": "n"})
    ).json()
    market = await api.session(workshop, format="marktplatz")
    offers = [
        (
            await api.client.post(
                f"{base}/sessions/{market['id']}/offers",
                headers=workshop["auth"],
                json={"kind": kind, "text": kind, "owner_name": "O"},
            )
        ).json()
        for kind in ("offer", "request", "offer")
    ]
    match = (
        await api.client.post(
            f"{base}/matches",
            headers=workshop["auth"],
            json={"offer_id": offers[0]["id"], "request_id": offers[1]["id"]},
        )
    ).json()
    proposal = (
        await api.client.post(
            f"{base}/proposals",
            headers={"Authorization": f"Bearer {signup['participant_token']}"},
            json={"title": "p"},
        )
    ).json()
    png = (  # one black pixel
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90wS\xde"
        b"\x00\x00\x00\x0cIDATx\x9cc```\x00\x00\x00\x04\x00\x01\xf6\x178U\x00\x00\x00\x00IEND\xaeB`\x82"
    )
    photo = (
        await api.client.post(f"{base}/sessions/{table['id']}/photos", headers=workshop["auth"], content=png)
    ).json()
    return {
        "workshop_id": workshop["id"],
        "network_id": network["id"],
        "member_id": member["id"],
        "group_id": group["id"],
        "session_id": table["id"],
        "photo_id": photo["id"],
        "proposal_id": proposal["id"],
        "signup_id": signup["signup_id"],
        "participant_id": signup["participant_token"].split(".")[2],
        "commitment_id": commitment["id"],
        "card_id": card["id"],
        "slot_id": slot["id"],
        "note_id": note["id"],
        "offer_id": offers[2]["id"],  # not matched: it can be removed
        "match_id": match["id"],
        "code": table["short_url"].rsplit("/", 1)[1],
        "item_id": "no-such-item",
        "signature": "no-such-signature",
        "job_id": "no-such-job",
        "organiser_id": "no-such-organiser",
        "link_id": "no-such-link",
        "token": "no-such-stop-link",
        "path": "x",
        "tokens": {
            "organiser": ADMIN_TOKEN,
            "facilitator": workshop["facilitator_token"],
            "other facilitator": other["facilitator_token"],
            "participant": signup["participant_token"],
            "none": None,
        },
    }


def _fill(path: str, world: dict[str, Any]) -> str:
    """The route's path with real ids for its parameters."""
    return re.sub(r"\{(\w+):\w+\}", lambda m: str(world[m.group(1)]), path)


ALLOWED = {
    Access.PUBLIC: {"organiser", "facilitator", "other facilitator", "participant", "none"},
    Access.ORGANISER: {"organiser"},
    Access.FACILITATOR: {"organiser", "facilitator"},
    Access.MEMBER: {"organiser", "facilitator", "participant"},
    Access.PARTICIPANT: {"participant"},
    Access.NETWORK: {"organiser", "facilitator"},  # the facilitator of one of the network's workshops
}


@pytest.fixture(scope="module")
def matrix_api_process(tmp_path_factory: pytest.TempPathFactory, artifacts: Path) -> Iterator[ApiProcess]:
    """The matrix builds five worlds per route, thousands of sign-ups: their mails and digests kept
    the shared worker busy for minutes, and the tests after this one waited for their own mails in
    vain. The matrix gets a Redis of its own, which no worker reads (it checks answers, not mails)."""
    redis = RedisProcess(tmp_path_factory.mktemp("matrix-redis")).start()
    process = ApiProcess(knoten_env(redis.url), artifacts / "api-matrix.log")
    process.start()
    yield process
    process.stop()
    redis.stop()


@pytest.fixture
async def matrix_api(matrix_api_process: ApiProcess) -> AsyncIterator[Api]:
    async with httpx.AsyncClient(base_url=matrix_api_process.url, timeout=30) as client:
        yield Api(client)


@pytest.mark.parametrize(("method", "path", "access"), ROUTES, ids=[f"{m} {p}" for m, p, _ in ROUTES])
async def test_every_route_lets_in_exactly_whom_its_rule_names(
    matrix_api: Api, method: str, path: str, access: Access
) -> None:
    api = matrix_api
    for who in ("none", "other facilitator", "participant", "facilitator", "organiser"):
        world = await _world(api)  # fresh each time: some calls close, erase or withdraw
        concrete = _fill(path, world)
        token = world["tokens"][who]
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        if method in {"POST", "PUT", "PATCH"} and not path.startswith("/api/"):
            continue  # form posts need a CSRF token; their access is the same guard, covered by GET twins
        body = {} if method == "POST" else None
        async with api.client.stream(method, concrete, headers=headers, json=body) as response:
            pass  # the status is enough; the live stream would never end
        if who in ALLOWED[access]:  # let in, and answered: a 500 is no answer
            assert response.status_code not in {401, 403} and response.status_code < 500, (
                who,
                method,
                concrete,
                response.status_code,
            )
        else:
            assert response.status_code == (401 if who == "none" else 403), (
                who,
                method,
                concrete,
                response.status_code,
            )


async def test_rotating_the_facilitator_token_revokes_every_other(api: Api) -> None:
    workshop = await api.workshop()
    old = workshop["auth"]
    rotated = await api.client.post(f"/api/workshops/{workshop['id']}/facilitator-token", headers=old)
    assert rotated.status_code == 200
    new = {"Authorization": f"Bearer {rotated.json()['facilitator_token']}"}
    assert (await api.client.get(f"/api/workshops/{workshop['id']}", headers=old)).status_code == 401
    assert (await api.client.get(f"/api/workshops/{workshop['id']}", headers=new)).status_code == 200
    assert rotated.json()["facilitator_token"] != workshop["facilitator_token"]


async def test_consent_is_recorded_with_the_privacy_notice_version(api: Api) -> None:
    workshop = await api.workshop()
    session = await api.session(workshop)
    token = (await api.signup(workshop, session, email="consent@example.org")).json()["participant_token"]
    me = (await api.client.get("/api/me", headers={"Authorization": f"Bearer {token}"})).json()
    from service.i18n import PRIVACY_VERSION

    assert me["signups"][0]["consent"] is True and me["signups"][0]["privacy_version"] == PRIVACY_VERSION
