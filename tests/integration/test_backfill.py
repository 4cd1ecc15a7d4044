"""A deployment upgraded from before the short-link and address indexes: its old workshops'
short links and personal links by mail work once a worker has started (the backfill)."""

from __future__ import annotations

import httpx

from tests.integration.conftest import ADMIN_TOKEN
from tests.integration.stack import Stack
from tests.mail_sink import text_of
from tests.waiting import eventually

ADDRESS = "rosa.backfill@example.org"


async def _old_workshop(client: httpx.AsyncClient) -> dict[str, str]:
    """A workshop with a session and a sign-up, as the API writes it today; the indexes are
    then taken away, as data logged before they existed never had them."""
    body = {"title": "Altbestand", "starts_at": "2026-05-09T10:00:00+02:00", "ends_at": "2026-05-09T18:00:00+02:00"}
    admin = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    workshop = (await client.post("/api/workshops", json=body, headers=admin)).json()
    auth = {"Authorization": f"Bearer {workshop['facilitator_token']}"}
    sessions = f"/api/workshops/{workshop['id']}/sessions"
    session = (await client.post(sessions, headers=auth, json={"title": "Erzählcafé", "format": "thementisch"})).json()
    signup = {"name": "Rosa Alt", "email": ADDRESS, "consent": True}
    assert (await client.post(f"{sessions}/{session['id']}/signups", json=signup)).status_code == 201
    return {"workshop_id": workshop["id"], "short_url": session["short_url"], "session_id": session["id"]}


def _drop_indexes(stack: Stack) -> int:
    redis_client = stack.redis.client()
    found = [*redis_client.scan_iter("knoten:short:*"), *redis_client.scan_iter("knoten:email-workshops:*")]
    return int(redis_client.delete(*found)) if found else 0


async def test_old_workshops_get_their_short_links_and_address_index_once_a_worker_starts(
    stack: Stack, client: httpx.AsyncClient
) -> None:
    old = await _old_workshop(client)
    assert _drop_indexes(stack) == 2
    code = old["short_url"].rsplit("/", 1)[1]
    assert (await client.get(f"/t/{code}")).status_code == 404  # before the upgrade's backfill

    stack.start_worker()

    async def redirected() -> bool:
        return (await client.get(f"/t/{code}")).status_code == 303

    await eventually(redirected, "the short link after the backfill", timeout=60)
    target = (await client.get(f"/t/{code}")).headers["location"]
    assert target.endswith(f"/s/{old['workshop_id']}/{old['session_id']}")
    assert (await client.post("/api/me/link", json={"email": ADDRESS})).status_code == 202
    mails = stack.sink.wait_for(lambda found: len(found) == 2, timeout=60, to=ADDRESS)  # sign-up, link again
    assert "Altbestand" in str(mails[-1]["Subject"]) and "/me?token=" in text_of(mails[-1])
