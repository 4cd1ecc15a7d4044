"""The public sign-up POST in its common case, without Litestar's machinery around each request.

A sign-up from a phone or a QR code is the one request that arrives by the hundred a minute
(bench/command_path.py). Around its handler Litestar routes, runs the middleware stack and the
before-request hook, converts the body into the handler's signature, resolves dependencies and
turns the response into an ASGI one: a quarter of the samples of a sign-up, and 30 % of its
CPU when taken out (the layers' calls, tasks and objects go too).
This lane, around the app inside the request log (service/api/request_log.py), takes a sign-up
that needs none of it: `POST /api/workshops/{id}/sessions/{id}/signups` with a JSON body of
known length that decodes as `SignupIn` and is no walk-in, and no Authorization or Cookie
header (no principal to find: the route is public, and only a facilitator adds a walk-in).
It runs the route's own application code (`idempotency_for`, `record_signup`), sends the reply
as `respond` does, passes through the same request metrics, and turns an exception into the
same problem by the app's own exception handlers. Everything else, every body it cannot decode
strictly included, goes to the app with the body handed on as it came, so each refusal is the
route's own.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import msgspec
from litestar import Litestar
from litestar.enums import ScopeType
from litestar.middleware._internal.exceptions.middleware import get_exception_handler
from litestar.types import (
    ASGIApp,
    HTTPRequestEvent,
    HTTPResponseBodyEvent,
    HTTPResponseStartEvent,
    HTTPScope,
    Receive,
    ReceiveMessage,
    Scope,
    Send,
)

from service.api.bodies import ClientRequest
from service.api.idempotency import idempotency_for, idempotency_key
from service.api.participation import ParticipationController
from service.api.sessions import SESSION
from service.application.runner import WorkshopService
from service.application.signups import record_signup
from service.schemas import SignupIn
from service.settings import Settings

# the route's path as Litestar's router names it in the scope (parameters without their types)
TEMPLATE = (ParticipationController.path + SESSION + "/signups").replace(":str}", "}")
PATH = re.compile(re.sub(r"\{\w+\}", "([^/]+)", TEMPLATE))
SIGNUP = msgspec.json.Decoder(SignupIn)
JSON = b"application/json"
NOT_PLAIN = frozenset({b"authorization", b"cookie", b"transfer-encoding"})


def plain_json(scope: HTTPScope, limit: int) -> bool:
    """Whether a request has a JSON body of announced length within `limit` and neither a
    credential nor a cookie: the lane's kind."""
    length, json = None, False
    for name, value in scope["headers"]:
        if name in NOT_PLAIN:
            return False
        if name == b"content-length":
            length = int(value) if value.isdigit() else None
        elif name == b"content-type":
            json = value == JSON or value.startswith(JSON + b";")
    return json and length is not None and length <= limit


async def read_body(receive: Receive) -> bytes | None:
    """The body (the server holds it to its Content-Length); None if the client went away."""
    parts: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return None
        parts.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(parts)


def replayed(body: bytes, receive: Receive) -> Receive:
    """`receive` as the app would have seen it: the body first, in one message."""
    given = False

    async def again() -> ReceiveMessage:
        nonlocal given
        if given:
            return await receive()
        given = True
        return HTTPRequestEvent(type="http.request", body=body, more_body=False)

    return again


LANE = "signup_lane"  # the scope state's key for the lane's body and sign-up


def signup_lane(app: Litestar, inner: ASGIApp, settings: Settings, measured: Callable[[ASGIApp], ASGIApp]) -> ASGIApp:
    """`inner` (the app's ASGI handler) with the common sign-up taken before it; `measured` is the
    app's request-metrics middleware, which the lane's answers pass through as the route's do."""

    async def sign_up(scope: Scope, receive: Receive, send: Send) -> None:
        body, data = scope["state"][LANE]
        params = scope["path_params"]
        request = ClientRequest(scope, receive)
        try:
            key = idempotency_key(scope["headers"])
            idempotency = None if key is None else idempotency_for(key, "POST", scope["path"], body)
            service: WorkshopService = app.state.service
            signed = await record_signup(
                request, service, settings, params["workshop_id"], params["session_id"], data, idempotency
            )
        except Exception as exc:
            handler = get_exception_handler(app.exception_handlers, exc)
            if handler is None:
                raise
            await handler(request, exc).to_asgi_response(None, request)(scope, receive, send)
            return
        reply = signed.reply
        headers = [(b"content-type", JSON), (b"content-length", str(len(reply.body)).encode())]
        await send(HTTPResponseStartEvent(type="http.response.start", status=reply.status, headers=headers))
        await send(HTTPResponseBodyEvent(type="http.response.body", body=reply.body, more_body=False))

    lane = measured(sign_up)

    async def wrapped(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP or scope["method"] != "POST":
            await inner(scope, receive, send)
            return
        path = PATH.fullmatch(scope["path"])
        if path is None or not plain_json(scope, settings.max_body_bytes):
            await inner(scope, receive, send)
            return
        body = await read_body(receive)
        if body is None:
            return  # the client went away mid-body: nobody to answer
        try:
            data: SignupIn | None = SIGNUP.decode(body)
        except (msgspec.DecodeError, UnicodeDecodeError, RecursionError):
            data = None
        if data is None or data.present is not None:
            await inner(scope, replayed(body, receive), send)
            return
        scope["path_template"] = TEMPLATE  # for the request log and the metrics, as the router sets it
        scope["path_params"] = {"workshop_id": path.group(1), "session_id": path.group(2)}
        scope["state"][LANE] = (body, data)
        await lane(scope, receive, send)

    return wrapped
