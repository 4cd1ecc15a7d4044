"""The next meeting of a network on the facilitator's tablet: "Offene Zusagen vom letzten Mal",
done (with an undo), postponed to a new date and handed to someone else; and the sign-up form
that suggests the network's member organisations."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from playwright.sync_api import Page, expect

from tests.browser.conftest import ADMIN, PHONE, TABLET, Contexts, Knoten, shoot
from tests.browser.test_checks import Visited, nu_errors


def _network(knoten: Knoten) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """A network with one member and two meetings; the first left three open commitments."""
    admin = {"Authorization": f"Bearer {ADMIN}"}
    net = knoten.http.post("/api/networks", json={"name": "Netzwerk Bürgermitwirkung"}, headers=admin)
    nid = net.raise_for_status().json()["id"]
    member = {"organisation": "AWO Region Hannover e.V.", "role": "member"}
    knoten.http.post(f"/api/networks/{nid}/members", json=member, headers=admin).raise_for_status()
    first = knoten.workshop(title="Netzwerktreffen Frühjahr", network_id=nid)
    second = knoten.workshop(
        title="Netzwerktreffen Herbst",
        network_id=nid,
        starts_at="2026-10-09T18:00:00+02:00",
        ends_at="2026-10-09T21:00:00+02:00",
    )
    table = knoten.session(first, title="AG Verkehr")
    path = f"/api/workshops/{first['id']}/sessions/{table['id']}/commitments"
    for body in (
        {
            "owner_name": "Ben Berger",
            "owner_email": "ben.tablet@example.org",
            "text": "Flyer drucken",
            "due": "2026-06-01",
        },
        {"owner_name": "Cem Çelik", "text": "Raum anfragen", "due": "2027-03-01"},
        {"owner_name": "Anna Alt", "text": "Aushang entwerfen"},
    ):
        knoten.http.post(path, json=body, headers=first["auth"]).raise_for_status()
    return first, second, knoten.session(second, title="AG Verkehr, zweites Treffen")


def _carried(knoten: Knoten, workshop: dict[str, Any]) -> dict[str, dict[str, Any]]:
    listed = knoten.http.get(f"/api/workshops/{workshop['id']}/carried-commitments", headers=workshop["auth"])
    return {entry["text"]: entry for entry in listed.raise_for_status().json()}


def _console(page: Page, knoten: Knoten, workshop: dict[str, Any], session: dict[str, Any], lang: str) -> None:
    page.goto(workshop["console_url"])
    page.goto(f"{knoten.url}/w/{workshop['id']}/s/{session['id']}?lang={lang}")


def test_the_next_meeting_marks_done_postpones_and_hands_over_last_times_commitments(
    contexts: Contexts, knoten: Knoten, screenshots: Path, tmp_path: Path
) -> None:
    _, second, session = _network(knoten)
    page = contexts.new(TABLET, locale="de-DE").new_page()
    _console(page, knoten, second, session, "de")
    carried = page.locator("#carried")
    expect(page.get_by_role("heading", name="Offene Zusagen vom letzten Mal")).to_be_visible()
    expect(carried).to_contain_text("Ben Berger: Flyer drucken")
    expect(carried).to_contain_text("Netzwerktreffen Frühjahr · AG Verkehr")
    shoot(page, screenshots, "console-carried-de")
    ids = {text: entry["id"] for text, entry in _carried(knoten, second).items()}

    # done, undone within the window: nothing was sent
    page.get_by_role("button", name="Erledigt: Aushang entwerfen").click()
    expect(page.locator(f"#carried-{ids['Aushang entwerfen']}")).to_be_hidden()
    page.locator("#undo").get_by_role("button", name="Rückgängig").click()
    expect(page.locator(f"#carried-{ids['Aushang entwerfen']}")).to_be_visible()
    expect(page.locator("#net")).to_have_attribute("data-waiting", "0")
    assert "Aushang entwerfen" in _carried(knoten, second)

    # postponed to a new date, handed to someone else, and done for good
    postpone = page.locator(f"#postpone-{ids['Flyer drucken']}")
    postpone.locator("summary").click()
    postpone.get_by_label("Neues Datum").fill("2026-12-15")
    postpone.get_by_role("button", name="Verschieben").click()
    expect(page.locator("#undo")).to_contain_text("Verschoben: Flyer drucken")
    handover = page.locator(f"#handover-{ids['Raum anfragen']}")
    handover.locator("summary").click()
    handover.get_by_label("Wer übernimmt").fill("Dora Dahl")
    handover.get_by_label("E-Mail-Adresse der Person").fill("dora.tablet@example.org")
    handover.get_by_role("button", name="Übergeben").click()
    page.get_by_role("button", name="Erledigt: Aushang entwerfen").click()
    expect(page.locator("#net")).to_have_attribute("data-waiting", "0", timeout=30_000)  # sent after the window
    expect(carried).to_contain_text("Dora Dahl: Raum anfragen")
    expect(carried).not_to_contain_text("Aushang entwerfen")
    expect(page.locator(f"#carried-{ids['Flyer drucken']}")).to_contain_text("15.12.2026")
    after = _carried(knoten, second)
    assert set(after) == {"Flyer drucken", "Raum anfragen"}
    assert after["Flyer drucken"]["due"] == "2026-12-15" and after["Raum anfragen"]["owner_name"] == "Dora Dahl"

    english = contexts.new(TABLET, locale="en-GB").new_page()
    _console(english, knoten, second, session, "en")
    expect(english.get_by_role("heading", name="Open commitments from last time")).to_be_visible()
    english.locator(f"#handover-{ids['Flyer drucken']} summary").click()
    shoot(english, screenshots, "console-carried-en")

    # the pages pass the accessibility checks and the Nu HTML checker, also the sign-up form
    # with the member organisations to pick from
    visited = Visited(tmp_path)
    phone = contexts.new(PHONE).new_page()
    for lang in ("de", "en"):
        visited.check(english, f"{knoten.url}/w/{second['id']}/s/{session['id']}?lang={lang}", f"carried-{lang}")
        visited.check(phone, f"{session['signup_url']}?lang={lang}", f"signup-network-{lang}")
    assert visited.violations + nu_errors(visited.files) == []
    phone.goto(f"{session['signup_url']}?lang=de")
    suggested = phone.locator("#member-organisations option")
    expect(suggested).to_have_count(1)
    expect(suggested).to_have_attribute("value", "AWO Region Hannover e.V.")
    expect(phone.get_by_label("Organisation")).to_have_attribute("list", "member-organisations")
    shoot(phone, screenshots, "signup-network-de")
