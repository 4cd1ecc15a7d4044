"""The sign-up lane (service/api/signup_lane.py) answers exactly as the route does.

A sign-up with an unrelated cookie is the same request to the route (a cookie without the page's
CSRF token gives no principal on an API write) but not the lane's: each pair below goes once
through the lane and once through Litestar's route, and a person would see no difference.
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
from collections.abc import AsyncIterator
from typing import Any, NamedTuple

import httpx
import msgspec
import pytest
from litestar import Litestar
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from service.api.signup_lane import signup_lane
from service.app import create_app
from service.settings import Settings
from tests.integration.conftest import ADMIN_TOKEN, SECRET_KEY, Api

ROUTE = {"Cookie": "theme=dark"}  # not the lane's: the route takes it, with no principal
SAME_EXCEPT = {"date", "x-request-id", "content-length"}


def shape(response: httpx.Response) -> dict[str, Any]:
    """What a client sees of an answer, without what differs by design (ids, tokens, dates)."""
    body = response.json()
    if response.headers["content-type"] == "application/json":
        body = {key: (type(value).__name__ if key.endswith(("id", "token")) else value) for key, value in body.items()}
    headers = {k: v for k, v in response.headers.items() if k not in SAME_EXCEPT}
    return {"status": response.status_code, "body": body, "headers": headers}


async def both(
    api: Api, path: str, body: dict[str, Any], headers: dict[str, str] | None = None, new_person: bool = False
) -> list[dict[str, Any]]:
    """The answers to `body` through the lane and through the route (each its own person if `new_person`)."""
    answers = []
    for extra in ({}, ROUTE):
        sent = {**body, "email": f"{secrets.token_hex(4)}@example.org"} if new_person else body
        answers.append(shape(await api.client.post(path, json=sent, headers={**(headers or {}), **extra})))
    return answers


async def test_answers_of_the_lane_and_of_the_route_are_the_same(api: Api) -> None:
    workshop = await api.workshop()
    session = await api.session(workshop, capacity=2)
    coded = await api.session(workshop, require_table_code=True)
    path = f"/api/workshops/{workshop['id']}/sessions/{session['id']}/signups"
    person = {"name": "Anna Beispiel", "consent": True, "language": "en"}

    lane, route = await both(api, path, person, new_person=True)
    assert lane == route and lane["status"] == 201 and lane["body"]["status"] == "confirmed"
    assert lane["body"]["participant_token"] == "str" and lane["headers"]["x-frame-options"] == "DENY"
    lane, route = await both(api, path, person, new_person=True)
    assert (lane["body"].pop("waitlist_position"), route["body"].pop("waitlist_position")) == (1, 2)
    assert lane == route and lane["body"]["status"] == "waitlisted"

    again = {**person, "email": f"{secrets.token_hex(4)}@example.org"}
    await api.client.post(path, json=again)
    lane, route = await both(api, path, again)  # the same address on the same session: the sign-up there, no token
    assert lane == route and lane["status"] == 200 and lane["body"]["participant_token"] == "NoneType"

    refusals: list[tuple[str, dict[str, Any], dict[str, str], int]] = [
        (path, {**person, "consent": False}, {}, 400),
        (path, {**person, "email": "not-an-address"}, {}, 400),
        (path, {**person, "name": "Zwei\nZeilen"}, {}, 400),
        (path, {**person, "shoe_size": 42}, {}, 400),
        (path, {**person, "consent": "yes"}, {}, 400),
        (path, person, {"Idempotency-Key": "x" * 129}, 400),
        (path.replace(session["id"], "nosuchsession"), person, {}, 404),
        (path.replace(workshop["id"], "nosuchworkshop"), person, {}, 404),
        (path.replace(session["id"], coded["id"]), {**person, "table_code": "WRONG1"}, {}, 403),
    ]
    for where, body, headers, status in refusals:
        lane, route = await both(api, where, body, headers)
        assert lane == route and lane["status"] == status, (body, lane, route)
        assert lane["headers"]["content-type"] == "application/problem+json"

    closed = await api.session(workshop)
    closing = await api.client.post(
        f"/api/workshops/{workshop['id']}/sessions/{closed['id']}/close", headers=workshop["auth"]
    )
    assert closing.status_code == 200
    lane, route = await both(api, path.replace(session["id"], closed["id"]), person)
    assert lane == route and lane["status"] == 409
    assert not api.client.cookies  # no answer set a cookie that would have sent the "lane" requests to the route


async def test_a_retry_through_the_lane_gets_the_first_answer_and_another_body_is_refused(api: Api) -> None:
    workshop = await api.workshop()
    session = await api.session(workshop)
    path = f"/api/workshops/{workshop['id']}/sessions/{session['id']}/signups"
    body = {"name": "Berta Beispiel", "consent": True, "email": f"{secrets.token_hex(4)}@example.org"}
    key = {"Idempotency-Key": secrets.token_hex(8)}
    first = await api.client.post(path, json=body, headers=key)
    through_route = await api.client.post(path, json=body, headers={**key, **ROUTE})
    through_lane = await api.client.post(path, json=body, headers=key)
    assert first.status_code == through_route.status_code == through_lane.status_code == 201
    assert first.content == through_route.content == through_lane.content  # byte for byte, token included
    for headers in (key, {**key, **ROUTE}):
        other = await api.client.post(path, json={**body, "name": "Berta B."}, headers=headers)
        assert other.status_code == 422 and "Idempotency-Key" in other.json()["detail"]


# ---------------------------------------------------------------------------- which requests it takes


@contextlib.asynccontextmanager
async def running(app: Litestar) -> AsyncIterator[None]:
    """The app's lifespan (its Redis, its services) in this test's event loop."""
    incoming: asyncio.Queue[Message] = asyncio.Queue()
    outgoing: asyncio.Queue[Message] = asyncio.Queue()
    await incoming.put({"type": "lifespan.startup"})
    lifespan = asyncio.create_task(app({"type": "lifespan", "asgi": {"version": "3.0"}}, incoming.get, outgoing.put))  # type: ignore[arg-type]
    assert (await outgoing.get())["type"] == "lifespan.startup.complete"
    try:
        yield
    finally:
        await incoming.put({"type": "lifespan.shutdown"})
        await outgoing.get()
        await lifespan


class LaneApp(NamedTuple):
    app: Litestar
    client: httpx.AsyncClient  # to the app, in this test's event loop
    lane: ASGIApp  # the lane around `reached`
    reached: list[bytes]  # the bodies of the requests the lane handed on


@pytest.fixture
async def lane_app(redis_url: str) -> AsyncIterator[LaneApp]:
    """The app on the test's Redis, and a lane around a handler that only notes what reaches it."""
    settings = Settings(redis_url=redis_url, admin_token=ADMIN_TOKEN, secret_key=SECRET_KEY)
    app = create_app(settings)
    reached: list[bytes] = []

    async def app_handler(scope: Scope, receive: Receive, send: Send) -> None:
        message = await receive()
        reached.append(message.get("body", b""))
        await send({"type": "http.response.start", "status": 299, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    lane = signup_lane(app, app_handler, settings, lambda inner: inner)
    async with (
        running(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client,
    ):
        yield LaneApp(app, client, lane, reached)


async def call(lane_app: LaneApp, path: str, body: bytes, headers: dict[str, str]) -> int:
    """The status the lane's request answers with (299: handed on)."""
    raw = [(k.lower().encode(), v.encode()) for k, v in {"content-length": str(len(body)), **headers}.items()]
    scope = {
        "type": "http",
        "method": "POST",
        "path": path,
        "headers": raw,
        "query_string": b"",
        "client": ("10.0.0.9", 1),
    }
    scope.update(
        {"app": lane_app.app, "litestar_app": lane_app.app, "state": {}, "server": ("test", 80), "scheme": "http"}
    )
    sent: list[Message] = []

    async def receive() -> Message:
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: Message) -> None:
        sent.append(message)

    await lane_app.lane(scope, receive, send)
    return int(sent[0]["status"])


async def test_the_lane_takes_a_plain_sign_up_and_hands_everything_else_on_with_its_body(
    lane_app: LaneApp,
) -> None:
    client, reached = lane_app.client, lane_app.reached
    admin = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    workshop = (
        await client.post(
            "/api/workshops",
            json={
                "title": "Runder Tisch",
                "starts_at": "2026-05-09T10:00:00+02:00",
                "ends_at": "2026-05-09T12:00:00+02:00",
            },
            headers=admin,
        )
    ).json()
    facilitator = {"Authorization": f"Bearer {workshop['facilitator_token']}"}
    session = (
        await client.post(
            f"/api/workshops/{workshop['id']}/sessions",
            json={"title": "AG", "format": "thementisch"},
            headers=facilitator,
        )
    ).json()
    path = f"/api/workshops/{workshop['id']}/sessions/{session['id']}/signups"
    json = {"content-type": "application/json"}
    good = msgspec.json.encode({"name": "Anna", "consent": True, "email": "anna@example.org"})

    assert await call(lane_app, path, good, json) == 201
    assert await call(lane_app, path, good, {"content-type": "application/json; charset=utf-8"}) == 200
    assert await call(lane_app, path, b'{"name": "Anna", "consent": false}', json) == 400  # refused by the rules
    assert reached == []

    handed_on = [
        (path, good, {**json, "authorization": "Bearer f.x.y"}),  # a token to check
        (path, good, {**json, "cookie": "knoten_p=p.a.b.c"}),  # a cookie to look into
        (path, good, {"content-type": "text/plain"}),
        (path, b'{"name": "Anna", "consent": true, "present": true}', json),  # a walk-in: a facilitator's
        (path, b'{"name": "Anna", "consent": "true"}', json),  # not strictly a SignupIn: the route's refusal
        (path, b"{not json", json),
        (path + "/", good, json),
        (path.replace("/signups", "/cards"), good, json),
    ]
    for where, body, headers in handed_on:
        assert await call(lane_app, where, body, headers) == 299
    assert reached == [body for _, body, _ in handed_on]  # with the body as it came
