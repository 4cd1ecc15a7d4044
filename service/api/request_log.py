"""The request id, the security headers and the request log, around the whole app (404s and
refusals included): one wrapper, so each response passes one function on its way out for all three.

A request's id is the X-Request-ID it came with (from Caddy, say) when that is a plain token of
at most 128 characters, else a new one; it goes back in the answer's X-Request-ID and into every
log line written while the request is handled (service/logs.py). The request log line names the
method, the route's template (`/unsubscribe/{token:str}`, never the token), the status and the
duration; no query, no client address.
"""

from __future__ import annotations

import logging
import re
import secrets
import time

from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from service.api.headers import replaced, security_headers_of
from service.logs import CLEAN, REQUEST_ID

REQUEST_ID_HEADER = "x-request-id"
ACCEPTED_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")
log = logging.getLogger("knoten.requests")
LINE = "%s %s %s"


def request_id_of(scope: Scope) -> str:
    for name, value in scope.get("headers", ()):
        if name.decode("latin-1").lower() == REQUEST_ID_HEADER:
            sent = value.decode("latin-1")
            if ACCEPTED_ID.fullmatch(sent):
                return sent
    return secrets.token_hex(16)


NO_ROUTE = "(no route)"


def route_of(scope: Scope) -> str:
    """The route's template; a path that no route matched is not written down at all."""
    return str(scope.get("path_template") or NO_ROUTE)


def request_log(app: ASGIApp) -> ASGIApp:
    """ASGI wrapper: the request id in and out with the security headers (service/api/headers.py),
    one log line per HTTP request."""

    async def wrapped(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await app(scope, receive, send)
            return
        request_id = request_id_of(scope)
        ours = [*security_headers_of(scope["path"]), (b"x-request-id", request_id.encode())]
        reset = REQUEST_ID.set(request_id)
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
                message["headers"] = replaced(message.get("headers", ()), ours)
            await send(message)

        try:
            await app(scope, receive, send_with_id)
        finally:
            duration = round((time.perf_counter() - started) * 1000, 1)
            route = route_of(scope)
            if log.isEnabledFor(logging.INFO):
                # The record made here, not by log.info: that walks the stack for the caller's
                # file and line on every request, which this line does not need. It holds the
                # method, the route's template and the status, never a path as sent: clean.
                method = scope["method"]
                fields = {"method": method, "route": route, "status": status, "duration_ms": duration, CLEAN: True}
                log.handle(
                    log.makeRecord(
                        log.name, logging.INFO, __file__, 0, LINE, (method, route, status), None, extra=fields
                    )
                )
            REQUEST_ID.reset(reset)

    return wrapped
