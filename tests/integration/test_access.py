"""Who may do what: the three kinds of token and the rules of API.md."""

from __future__ import annotations

from typing import Any

import pytest
from litestar import Controller, Litestar, Request, get

from service.api.auth import Access, authorize, every_route_authorized
from tests.integration.conftest import Api


async def _setup(api: Api) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any], str]:
    workshop, other = await api.workshop(), await api.workshop()
    session = await api.session(workshop)
    participant = (await api.signup(workshop, session, email="a@example.org")).json()["participant_token"]
    return workshop, other, session, participant


async def test_a_missing_or_unknown_token_is_401(api: Api) -> None:
    workshop, _, _, _ = await _setup(api)
    base = f"/api/workshops/{workshop['id']}"
    for headers in ({}, {"Authorization": "Bearer nonsense"}, {"Authorization": "Bearer f." + workshop["id"] + ".x"}):
        assert (await api.client.get(base, headers=headers)).status_code == 401
        assert (
            await api.client.post(f"{base}/sessions", json={"title": "T", "format": "barcamp"}, headers=headers)
        ).status_code == 401
    assert (await api.client.post("/api/workshops", json={})).status_code == 401


async def test_a_facilitator_of_another_workshop_is_403(api: Api) -> None:
    workshop, other, session, _ = await _setup(api)
    base = f"/api/workshops/{workshop['id']}"
    foreign = other["auth"]
    assert (await api.client.get(base, headers=foreign)).status_code == 403
    assert (await api.client.post(f"{base}/sessions/{session['id']}/close", headers=foreign)).status_code == 403
    # the full view is only for this workshop's facilitator: another one sees the public view
    view = await api.client.get(f"{base}/sessions/{session['id']}", headers=foreign)
    assert view.status_code == 200 and "signups" not in view.json()


async def test_a_participant_token_on_a_facilitator_route_is_403(api: Api) -> None:
    workshop, _, session, participant = await _setup(api)
    base = f"/api/workshops/{workshop['id']}"
    headers = {"Authorization": f"Bearer {participant}"}
    assert (await api.client.get(base, headers=headers)).status_code == 403
    assert (
        await api.client.post(
            f"{base}/sessions/{session['id']}/commitments", headers=headers, json={"owner_name": "A", "text": "x"}
        )
    ).status_code == 403
    assert (await api.client.post("/api/workshops", headers=headers, json={})).status_code == 403


async def test_a_facilitator_cannot_create_workshops(api: Api) -> None:
    workshop, _, _, _ = await _setup(api)
    response = await api.client.post(
        "/api/workshops",
        headers=workshop["auth"],
        json={"title": "x", "starts_at": "2026-05-09T10:00:00+02:00", "ends_at": "2026-05-09T12:00:00+02:00"},
    )
    assert response.status_code == 403


async def test_the_organiser_may_do_everything(api: Api) -> None:
    workshop, _, session, _ = await _setup(api)
    base = f"/api/workshops/{workshop['id']}"
    assert (await api.client.get(base, headers=api.admin)).status_code == 200
    full = await api.client.get(f"{base}/sessions/{session['id']}", headers=api.admin)
    assert full.status_code == 200 and full.json()["signups"][0]["email"] == "a@example.org"


async def test_signing_up_needs_no_token_and_a_stale_one_does_not_hurt(api: Api) -> None:
    workshop, _, session, _ = await _setup(api)
    response = await api.client.post(
        f"/api/workshops/{workshop['id']}/sessions/{session['id']}/signups",
        json={"name": "Ben", "consent": True},
        headers={"Authorization": "Bearer p.gone.gone.gone"},
    )
    assert response.status_code == 201


def test_an_app_where_a_route_would_skip_the_access_rule_does_not_start() -> None:
    """The rule runs as the app's before-request hook; a layer with a hook of its own would
    replace it for its routes, so such an app is refused when it is made."""

    async def own_hook(_request: Request[Any, Any, Any]) -> None:
        return None

    class Careless(Controller):
        path = "/careless"
        before_request = own_hook

        @get("/")
        async def open_to_all(self) -> str:
            return "anyone"

    @get("/ruled", opt={"access": Access.PUBLIC})
    async def ruled() -> str:
        return "ruled"

    every_route_authorized(Litestar([ruled], before_request=authorize))
    with pytest.raises(RuntimeError, match="/careless"):
        every_route_authorized(Litestar([ruled, Careless], before_request=authorize))
