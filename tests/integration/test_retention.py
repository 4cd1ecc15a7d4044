"""Retention: a workshop's personal data is erased a set time after it ended; the report stays."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from tests.integration.conftest import ADMIN_TOKEN
from tests.integration.stack import Stack


async def _workshop(client: httpx.AsyncClient, ends_at: datetime, who: str) -> dict[str, Any]:
    """A workshop that ended (or ends) at `ends_at`, naming a participant, an owner, a host and organisers."""
    admin = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    body = {
        "title": f"Runder Tisch {who}",
        "starts_at": (ends_at - timedelta(hours=4)).isoformat(),
        "ends_at": ends_at.isoformat(),
        "organiser_email": f"orga.{who}@example.org",
    }
    workshop = (await client.post("/api/workshops", json=body, headers=admin)).json()
    auth = {"Authorization": f"Bearer {workshop['facilitator_token']}"}
    base = f"/api/workshops/{workshop['id']}"
    session = (
        await client.post(f"{base}/sessions", json={"title": "Tisch", "format": "thementisch"}, headers=auth)
    ).json()
    signup = await client.post(
        f"{base}/sessions/{session['id']}/signups",
        json={
            "name": f"Anna {who.title()}",
            "email": f"anna.{who}@example.org",
            "organisation": "Nachbarschaftsverein",
            "consent": True,
        },
    )
    commitment = await client.post(
        f"{base}/sessions/{session['id']}/commitments",
        headers=auth,
        json={"owner_name": f"Olga {who.title()}", "text": "Flyer"},
    )
    slot = await client.post(
        f"{base}/intro-slots",
        headers=auth,
        json={
            "host_name": f"Hanna {who.title()}",
            "host_email": f"hanna.{who}@example.org",
            "starts_at": ends_at.isoformat(),
        },
    )
    assert (signup.status_code, commitment.status_code, slot.status_code) == (201, 201, 201), commitment.text
    return {**workshop, "auth": auth, "base": base, "participant_token": signup.json()["participant_token"]}


async def _report(client: httpx.AsyncClient, workshop: dict[str, Any]) -> tuple[dict[str, Any], str]:
    report = await client.get(f"{workshop['base']}/report", headers=workshop["auth"])
    markdown = await client.get(f"{workshop['base']}/report.md", headers=workshop["auth"])
    return report.json(), report.text + markdown.text


@pytest.mark.slow
async def test_a_workshop_past_its_retention_is_anonymised_and_a_recent_one_is_not(
    stack: Stack, client: httpx.AsyncClient
) -> None:
    old = await _workshop(client, datetime(2026, 1, 10, 18, 0, tzinfo=UTC), "alt")
    recent = await _workshop(client, datetime.now(UTC) - timedelta(days=2), "neu")
    before, _ = await _report(client, old)

    stack.start_worker(KNOTEN_RETENTION_DAYS="30")  # the old one ended ~10 months ago, the recent one 2 days ago

    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        after, text = await _report(client, old)
        if "Anna Alt" not in text:
            break
        await asyncio.sleep(0.3)
    for personal in ("Anna Alt", "anna.alt@", "Nachbarschaftsverein", "Olga Alt", "Hanna Alt", "orga.alt@"):
        assert personal not in text, personal
    assert after["totals"] == before["totals"]  # the report stays, with its counts
    me = await client.get("/api/me", headers={"Authorization": f"Bearer {old['participant_token']}"})
    assert me.status_code == 401  # the personal link is gone too
    assert stack.redis.client().hlen(f"knoten:{{{old['id']}}}:keys") == 0  # no key left to open anything
    both = {old["id"].encode(), recent["id"].encode()}  # noted, so the next passes fold neither again
    deadline = time.monotonic() + 10
    while not both <= set(stack.redis.client().hkeys("knoten:retention")) and time.monotonic() < deadline:
        await asyncio.sleep(0.1)
    assert both <= set(stack.redis.client().hkeys("knoten:retention"))

    _, recent_text = await _report(client, recent)
    assert "Anna Neu" in recent_text and "Olga Neu" in recent_text
    mine = await client.get("/api/me", headers={"Authorization": f"Bearer {recent['participant_token']}"})
    assert mine.json()["email"] == "anna.neu@example.org"


async def test_retention_calls_off_an_erased_newcomers_intro_talk_and_tells_the_host(
    stack: Stack, client: httpx.AsyncClient
) -> None:
    ended = datetime.now(UTC) - timedelta(days=40)
    admin = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    body = {
        "title": "Runder Tisch",
        "starts_at": (ended - timedelta(hours=4)).isoformat(),
        "ends_at": ended.isoformat(),
        "intro_deadline": "P90D",
    }
    workshop = (await client.post("/api/workshops", json=body, headers=admin)).json()
    auth = {"Authorization": f"Bearer {workshop['facilitator_token']}"}
    base = f"/api/workshops/{workshop['id']}"
    session = (
        await client.post(f"{base}/sessions", json={"title": "Tisch", "format": "thementisch"}, headers=auth)
    ).json()
    newcomer = {"name": "Nele Neu", "email": "nele.retention@example.org", "newcomer": True, "consent": True}
    assert (await client.post(f"{base}/sessions/{session['id']}/signups", json=newcomer)).status_code == 201
    slot = {
        "host_name": "Helga Gastgeberin",
        "host_email": "helga.retention@example.org",
        "starts_at": (datetime.now(UTC) + timedelta(days=2)).isoformat(),
    }
    assert (await client.post(f"{base}/intro-slots", json=slot, headers=auth)).status_code == 201
    talks = (await client.get(f"{base}/intro-talks", headers=auth)).json()
    assert [talk["status"] for talk in talks] == ["scheduled"]

    stack.start_worker(KNOTEN_RETENTION_DAYS="30")  # the workshop ended 40 days ago

    def cancelled(found: list[Any]) -> bool:
        return any("Abgesagt" in str(mail["Subject"]) for mail in found)

    mails = stack.sink.wait_for(cancelled, timeout=60, to="helga.retention@example.org")
    cancellation = next(mail for mail in mails if "Abgesagt" in str(mail["Subject"]))
    calendars = [part.get_content() for part in cancellation.iter_attachments() if part.get_filename() == "invite.ics"]
    assert ["METHOD:CANCEL" in str(ics) for ics in calendars] == [True]  # her calendar drops the talk
    assert not (await client.get(f"{base}/intro-talks", headers=auth)).json()  # the talk is off
