"""Fuzzing every route of the app with what schemas do not describe: raw bytes as bodies
(not UTF-8, nested thousands deep, half a form, the wrong content type) and arbitrary text
in every path and query parameter (NUL bytes, other scripts' digits, percent-escapes).
Every answer must be below 500. The figures (cases, answers by class, 5xx) are printed.
"""

from __future__ import annotations

import json
import re
import warnings
from collections import Counter
from urllib.parse import quote, urlencode

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from litestar.exceptions import LitestarDeprecationWarning

from service.app import create_app
from service.settings import Settings
from tests.integration.conftest import ADMIN_TOKEN

CASES = 4000
PARAMETER = re.compile(r"\{(\w+)(?::\w+)?\}")
QUERY_NAMES = ["lang", "token", "last_event_id", "code", "next", "signup", "again", "done", "format", "page"]
CONTENT_TYPES = [
    "application/json",
    "application/x-www-form-urlencoded",
    "multipart/form-data; boundary=knoten",
    "text/plain",
    "application/json; charset=latin-1",
]


def _routes() -> list[tuple[str, str]]:
    """(method, path template) of every route the app serves, pages and files included."""
    with warnings.catch_warnings():  # Litestar's notes about 3.0 are the API process's business
        warnings.simplefilter("ignore", LitestarDeprecationWarning)
        app = create_app(Settings(redis_url="redis://127.0.0.1:1", admin_token="unused", secret_key="unused" * 8))
    return sorted(
        (method, route.path)
        for route in app.routes
        for method in getattr(route, "methods", ())
        if method not in {"OPTIONS", "HEAD"}
    )


odd_text = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["\x00", "²", "٣", "𝟙", "..", "../../etc/passwd", "a\x00b", "%", "\ud7ff", " ", "-1", "9" * 40]),
)
json_text = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=20,
)
bodies = st.one_of(
    st.binary(max_size=300),
    json_text.map(lambda value: json.dumps(value).encode()),
    json_text.map(lambda value: repr(value).encode("latin-1", "replace")),
    st.integers(1, 30_000).map(lambda depth: b"[" * depth + b"]" * depth),
    st.integers(1, 12_000).map(lambda depth: b'{"name":' + b'{"":' * depth + b"1" + b"}" * depth + b"}"),
    st.dictionaries(odd_text, odd_text, max_size=5).map(lambda form: urlencode(form).encode()),
    st.just(b'{"name": "J\xfcrgen", "consent": true}'),
)


class Known:
    """Real ids and tokens, so that fuzzed requests also reach past the 404s and 401s."""

    def __init__(self, url: str) -> None:
        admin = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
        with httpx.Client(base_url=url, timeout=30) as http:
            body = {"title": "Fuzz", "starts_at": "2026-05-09T10:00:00+02:00", "ends_at": "2026-05-09T18:00:00+02:00"}
            workshop = http.post("/api/workshops", json=body, headers=admin).json()
            base = f"/api/workshops/{workshop['id']}"
            session = http.post(f"{base}/sessions", json={"title": "S", "format": "zukunftswerkstatt"}, headers=admin)
            session_id = session.json()["id"]
            signup = http.post(f"{base}/sessions/{session_id}/signups", json={"name": "Fuzzy", "consent": True}).json()
            card = http.post(f"{base}/sessions/{session_id}/cards", json={"text": "K"}, headers=admin).json()
            page = http.get("/admin")
            self.csrf_cookie = page.cookies.get("knoten_csrf") or ""
            self.csrf_token = re.search(r'name="_csrf_token" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
        self.ids = {
            "workshop_id": workshop["id"],
            "session_id": session_id,
            "signup_id": signup["signup_id"],
            "card_id": card["id"],
        }
        self.tokens = [ADMIN_TOKEN, workshop["facilitator_token"], signup["participant_token"]]


@pytest.mark.slow
def test_no_route_answers_any_bytes_path_or_query_with_a_5xx(
    unlimited_api_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    known = Known(unlimited_api_url)
    routes = _routes()
    answers: Counter[str] = Counter()
    server_errors: list[str] = []
    http = httpx.Client(base_url=unlimited_api_url, timeout=30)

    @given(
        route=st.sampled_from(routes),
        path_values=st.lists(st.one_of(odd_text, st.just(None)), min_size=3, max_size=3),
        query=st.dictionaries(st.one_of(st.sampled_from(QUERY_NAMES), odd_text), odd_text, max_size=3),
        body=bodies,
        content_type=st.sampled_from(CONTENT_TYPES),
        token=st.sampled_from([None, "garbage", *known.tokens]),
        idempotency_key=st.one_of(st.none(), st.sampled_from(["k", "", "x" * 129, "\x7f"]), st.uuids().map(str)),
    )
    @settings(max_examples=CASES, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    def send(
        route: tuple[str, str],
        path_values: list[str | None],
        query: dict[str, str],
        body: bytes,
        content_type: str,
        token: str | None,
        idempotency_key: str | None,
    ) -> None:
        method, template = route
        values = iter(path_values)

        def fill(match: re.Match[str]) -> str:
            value = next(values)
            return quote(known.ids.get(match.group(1), "x") if value is None else value, safe="")

        url = PARAMETER.sub(fill, template) + ("?" + urlencode(query) if query else "")
        headers = {"content-type": content_type, "x-csrftoken": known.csrf_token}
        if token:
            headers["authorization"] = f"Bearer {token}"
        if idempotency_key is not None:
            headers["idempotency-key"] = idempotency_key
        request = http.build_request(method, url, content=body if method != "GET" else None, headers=headers)
        request.headers["cookie"] = f"knoten_csrf={known.csrf_cookie}"
        response = http.send(request, stream=True)  # the event stream never ends: the status is enough
        response.close()
        answers[f"{response.status_code // 100}xx"] += 1
        if response.status_code >= 500:
            server_errors.append(f"{method} {url} [{content_type}] {body[:80]!r} -> {response.status_code}")

    try:
        send()
    finally:
        http.close()
    cases = sum(answers.values())
    with capsys.disabled():  # the figures belong in the run's output, passed or not
        print(
            f"\nfuzz: {cases} cases over {len(routes)} routes; answers {dict(sorted(answers.items()))}; "
            f"5xx: {len(server_errors)}"
        )
    assert server_errors == [], "\n".join(server_errors[:20])
