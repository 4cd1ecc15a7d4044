"""The network report in Chromium on a laptop: its figures, tables a screen reader can name,
charts with names, in German and English."""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from tests.browser.conftest import ADMIN, LAPTOP, Contexts, Knoten, shoot
from tests.waiting import wait_until

HEADERS = {"Authorization": f"Bearer {ADMIN}"}


def network_with_meetings(knoten: Knoten) -> dict[str, Any]:
    """A network with a member and two meetings, people who came back, a Marktplatz."""
    network: dict[str, Any] = (
        knoten.http.post("/api/networks", json={"name": "Netzwerk Bürgermitwirkung"}, headers=HEADERS)
        .raise_for_status()
        .json()
    )
    nid = network["id"]
    member = {"organisation": "AWO Region Hannover e.V."}
    knoten.http.post(f"/api/networks/{nid}/members", json=member, headers=HEADERS).raise_for_status()
    tag = secrets.token_hex(3)
    people = [
        ("Anna Aktiv", "AWO Region Hannover e.V."),
        ("Ben Bürger", "Nachbarschaftsladen"),
        ("Cleo Chor", "Kulturverein"),
    ]
    for number, day in enumerate(("2026-03-10", "2026-09-15")):
        workshop = knoten.workshop(
            title=f"Netzwerktreffen {number + 1}",
            starts_at=f"{day}T17:00:00+02:00",
            ends_at=f"{day}T20:00:00+02:00",
            network_id=nid,
        )
        session = knoten.session(workshop, title="Marktplatz", format="marktplatz")
        signups = []
        for name, organisation in people[: 2 + number]:
            email = f"{name.split()[0].lower()}-{tag}@example.org"
            body = {"name": name, "email": email, "organisation": organisation, "consent": True}
            signed = knoten.http.post(f"/api/workshops/{workshop['id']}/sessions/{session['id']}/signups", json=body)
            signups.append(signed.raise_for_status().json()["signup_id"])
        offers = f"/api/workshops/{workshop['id']}/sessions/{session['id']}/offers"
        for kind, text in (("offer", "Lastenrad"), ("request", "Helfende für das Sommerfest")):
            post = {"kind": kind, "text": text, "signup_id": signups[number if kind == "offer" else 1 - number]}
            knoten.http.post(offers, json=post, headers=workshop["auth"]).raise_for_status()

    def projected() -> bool:
        report = knoten.http.get(f"/api/networks/{nid}/report", headers=HEADERS).json()
        return bool(report["totals"]["meetings"] == 2 and report["totals"]["returning"] == 2)

    wait_until(projected, "the network projection to hold both meetings")
    return network


def test_the_network_report_shows_each_meeting_and_who_came_back(
    contexts: Contexts, knoten: Knoten, screenshots: Path
) -> None:
    network = network_with_meetings(knoten)
    laptop = contexts.new(LAPTOP).new_page()
    knoten.sign_in(laptop)
    for language, people, chart in (
        ("de", "Personen je Treffen", "Je Treffen"),
        ("en", "People per meeting", "Per meeting"),
    ):
        laptop.goto(f"{knoten.url}/api/networks/{network['id']}/report.html?lang={language}")
        expect(laptop.locator("h1")).to_have_text("Netzwerk Bürgermitwirkung")
        expect(laptop.get_by_role("img", name=people)).to_be_visible()
        meetings = laptop.locator("table").nth(1)
        expect(meetings.locator("caption")).to_be_visible()
        expect(meetings.locator("tbody th[scope=row]")).to_have_text(["Netzwerktreffen 1", "Netzwerktreffen 2"])
        # the figures as a reader sees them: Anna and Ben came to both; the second meeting had three people
        expect(laptop.locator(".figure b").nth(2)).to_have_text("2")
        second = meetings.locator("tbody tr").nth(1).locator("td")
        expect(second.nth(1)).to_have_text("3")  # people
        expect(second.nth(2)).to_have_text("2 (67 %)")  # came back, and their share
        expect(second.nth(5)).to_have_text("1")  # member organisations: AWO
        expect(second.nth(6)).to_have_text("2")  # other organisations: Nachbarschaftsladen, Kulturverein
        expect(laptop.get_by_role("heading", name=chart)).to_be_visible()
        shoot(laptop, screenshots, f"network-report-laptop-1366x900-{language}")
