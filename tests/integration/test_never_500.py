"""Whatever bytes a client sends, the answer is a 4xx problem, never a 500: raw bodies that
are not UTF-8 or nest too deep, NUL bytes in paths, odd digits in query parameters."""

from __future__ import annotations

import httpx
import pytest

from tests.integration.conftest import Api

JSON = {"content-type": "application/json"}


def assert_problem(response: httpx.Response, status: int = 400) -> dict[str, object]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json"), response.headers
    problem: dict[str, object] = response.json()
    assert problem["status"] == status and problem["title"] and problem["detail"]
    return problem


@pytest.mark.parametrize(
    "body",
    [
        b'{"name": "J\xfcrgen", "consent": true}',  # Latin-1, not UTF-8
        b'{"name": "\xff\xfe", "consent": true}',
        b"\xef\xbb\xbf\xff",
        b"[" * 20_000 + b"]" * 20_000,
        b'{"name": ' + b'{"":' * 12_000 + b"1" + b"}" * 12_000 + b', "consent": true}',  # within the 64 KiB limit
    ],
    ids=["latin-1", "invalid-utf-8", "bom-then-garbage", "nested-arrays", "nested-objects"],
)
async def test_undecodable_or_deeply_nested_signup_bodies_are_400_problems(api: Api, body: bytes) -> None:
    workshop = await api.workshop()
    session = await api.session(workshop)
    path = f"/api/workshops/{workshop['id']}/sessions/{session['id']}/signups"
    assert_problem(await api.client.post(path, content=body, headers=JSON))
    assert (await api.client.get(f"/api/workshops/{workshop['id']}/sessions/{session['id']}")).json()["confirmed"] == 0


async def test_deeply_nested_json_is_refused_on_every_kind_of_write(api: Api) -> None:
    workshop = await api.workshop()
    nested = b'{"title": ' + b"[" * 20_000 + b"]" * 20_000 + b"}"
    for path in ("/api/workshops", f"/api/workshops/{workshop['id']}/sessions"):
        assert_problem(await api.client.post(path, content=nested, headers={**JSON, **api.admin}))


@pytest.mark.parametrize(
    "path", ["/static/app.css%00", "/static/%00", "/static/a%00b.css", "/s/%00/x", "/api/workshops/%00"]
)
async def test_a_nul_byte_in_a_path_is_a_4xx_problem(api: Api, path: str) -> None:
    response = await api.client.get(path, headers={**api.admin, "accept": "application/json"})
    assert 400 <= response.status_code < 500, (path, response.status_code, response.text)


async def test_a_nul_byte_in_a_static_path_is_a_404_problem(api: Api) -> None:
    assert_problem(await api.client.get("/static/app.css%00"), 404)


@pytest.mark.parametrize("value", ["²", "٣", "¹²", "1²", "𝟙", "-1", "1e3", " 1", "9" * 40])
async def test_a_last_event_id_that_is_not_plain_ascii_digits_is_a_400_naming_it(api: Api, value: str) -> None:
    workshop = await api.workshop()
    response = await api.client.get(
        f"/api/workshops/{workshop['id']}/stream", params={"last_event_id": value}, headers=workshop["auth"]
    )
    problem = assert_problem(response)
    assert "Last-Event-ID" in str(problem["detail"])


async def test_a_superscript_last_event_id_header_is_a_400(api: Api) -> None:
    workshop = await api.workshop()
    headers = {**workshop["auth"], "last-event-id": "²".encode()}
    assert_problem(await api.client.get(f"/api/workshops/{workshop['id']}/stream", headers=headers))


@pytest.mark.parametrize("body", [b"\xff\xfe", b"[" * 20_000 + b"]" * 20_000])
async def test_an_idempotent_write_without_a_body_ignores_bytes_it_cannot_read(api: Api, body: bytes) -> None:
    workshop = await api.workshop()
    session = await api.session(workshop)
    path = f"/api/workshops/{workshop['id']}/sessions/{session['id']}/close"
    headers = {**JSON, **workshop["auth"], "idempotency-key": "close-once"}
    first = await api.client.post(path, content=body, headers=headers)
    again = await api.client.post(path, content=body, headers=headers)
    assert first.status_code == again.status_code == 200, first.text
    assert again.json() == first.json()
