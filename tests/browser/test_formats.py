"""Each session format's console, digest and sign-up page, shot for a before/after comparison."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from service.domain.formats import FORMATS
from tests.browser.conftest import LAPTOP, PHONE, TABLET_PORTRAIT, Contexts, Knoten

HEADINGS = {"zukunftswerkstatt": "Phasen", "marktplatz": "Marktplatz"}


def _fill(knoten: Knoten, workshop: dict[str, Any], session: dict[str, Any]) -> None:
    """What a facilitator records in every format, and what the format adds."""
    path = f"/api/workshops/{workshop['id']}/sessions/{session['id']}"
    post = knoten.http.post
    signup = post(f"{path}/signups", json={"name": "Ben Bauer", "consent": True}).raise_for_status().json()
    post(f"{path}/notes", json={"text": "Raum zu klein"}, headers=workshop["auth"]).raise_for_status()
    commitment = {"signup_id": signup["signup_id"], "text": "Liste anlegen"}
    post(f"{path}/commitments", json=commitment, headers=workshop["auth"]).raise_for_status()
    if session["format"] == "zukunftswerkstatt":
        card = post(f"{path}/cards", json={"text": "Zu wenig Räume"}, headers=workshop["auth"]).raise_for_status()
        votes = f"/api/workshops/{workshop['id']}/cards/{card.json()['id']}/votes"
        post(votes, json={"count": 2}, headers=workshop["auth"]).raise_for_status()
    if session["format"] == "marktplatz":
        offer = {"kind": "offer", "text": "Biete Transporter", "signup_id": signup["signup_id"]}
        offered = post(f"{path}/offers", json=offer, headers=workshop["auth"]).raise_for_status().json()
        request = {"kind": "request", "text": "Suche Umzugshilfe"}
        requested = post(f"{path}/offers", json=request, headers=workshop["auth"]).raise_for_status().json()
        match = {"offer_id": offered["id"], "request_id": requested["id"]}
        post(f"/api/workshops/{workshop['id']}/matches", json=match, headers=workshop["auth"]).raise_for_status()


@pytest.mark.parametrize("format_name", list(FORMATS))
def test_each_format_shows_its_own_console_sign_up_page_and_report(
    contexts: Contexts, knoten: Knoten, screenshots: Path, format_name: str
) -> None:
    workshop = knoten.workshop(title="Formate")
    session = knoten.session(workshop, title="Engagement 2030", format=format_name, host="Agnes W.")
    _fill(knoten, workshop, session)
    console = contexts.new(TABLET_PORTRAIT).new_page()
    console.goto(workshop["console_url"])
    console.goto(f"{knoten.url}/w/{workshop['id']}/s/{session['id']}")
    expect(console.locator("#commitments")).to_contain_text("Ben Bauer: Liste anlegen")
    for owner, heading in HEADINGS.items():
        shown = console.get_by_role("heading", name=heading, exact=True)
        expect(shown).to_have_count(1 if owner == format_name else 0)
    _shoot(console, screenshots, f"format-console-{format_name}", console.locator("svg"), console.locator(".short"))

    phone = contexts.new(PHONE).new_page()
    phone.goto(session["signup_url"])
    expect(phone.locator("h1")).to_have_text("Engagement 2030")
    _shoot(phone, screenshots, f"format-signup-{format_name}")

    report = contexts.new(LAPTOP).new_page()
    report.goto(workshop["report_url"])
    digest = report.locator(".report")
    expect(digest).to_contain_text("Liste anlegen")
    expect(digest.get_by_role("heading", name="Karten", exact=True)).to_have_count(
        1 if format_name == "zukunftswerkstatt" else 0
    )
    expect(digest.get_by_role("heading", name="Biete und Suche", exact=True)).to_have_count(
        1 if format_name == "marktplatz" else 0
    )
    _shoot(report, screenshots, f"format-report-{format_name}", report.locator("svg"), report.get_by_text("Stand"))


def _shoot(page: Page, folder: Path, name: str, *masked: Any) -> None:
    """Full page, with what differs from run to run (QR codes, short links, charts, times) masked."""
    page.screenshot(path=str(folder / f"{name}.png"), full_page=True, mask=list(masked))
