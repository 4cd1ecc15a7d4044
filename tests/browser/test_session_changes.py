"""A session changed after planning, in the browser on a phone: the console's edit form asks
before it mails people, the cancel button too; a latecomer at the cancelled session's sign-up
page sees where else to go."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from playwright.sync_api import Dialog, Page, expect

from tests.browser.conftest import PHONE, Contexts, Knoten, shoot


def _answer(page: Page, accept: bool, asked: list[str]) -> None:
    def handle(dialog: Dialog) -> None:
        asked.append(dialog.message)
        if accept:
            dialog.accept()
        else:
            dialog.dismiss()

    page.once("dialog", handle)


def _room(knoten: Knoten, workshop: dict[str, Any], session: dict[str, Any]) -> str | None:
    room: str | None = knoten.full(workshop, session)["room"]
    return room


def test_the_console_edits_and_cancels_a_session_asking_first_and_latecomers_see_where_to_go(
    contexts: Contexts, knoten: Knoten, screenshots: Path
) -> None:
    workshop = knoten.workshop(title="Engagement-Tag")
    session = knoten.session(
        workshop, title="Stadtgarten", capacity=2, room="Saal 2", starts_at="2026-05-09T14:00:00+02:00"
    )
    other = knoten.session(
        workshop, title="Lastenrad-Werkstatt", capacity=3, room="Hof", starts_at="2026-05-09T15:00:00+02:00"
    )
    knoten.session(workshop, title="Erzählcafé", room="Aula")  # no time yet: listed last
    for name in ("Ute", "Vito"):
        email = f"{name.lower()}.edit@example.org"
        body = {"name": name, "email": email, "consent": True}
        knoten.http.post(
            f"/api/workshops/{workshop['id']}/sessions/{session['id']}/signups", json=body
        ).raise_for_status()
        knoten.sink.wait_for(lambda found: len(found) == 1, to=email)

    phone = contexts.new(PHONE).new_page()
    phone.goto(workshop["console_url"])
    console = f"{knoten.url}/w/{workshop['id']}/s/{session['id']}"
    phone.goto(console)
    phone.get_by_text("Bearbeiten", exact=True).click()
    room = phone.get_by_label("Raum")
    expect(room).to_have_value("Saal 2")
    shoot(phone, screenshots, "session-edit-phone-de")

    asked: list[str] = []
    room.fill("Saal 5")
    _answer(phone, accept=False, asked=asked)
    phone.get_by_role("button", name="Änderungen speichern").click()
    assert asked == ["Das schickt 2 Personen eine Mail. Fortfahren?"]
    assert _room(knoten, workshop, session) == "Saal 2"  # declined: nothing sent

    _answer(phone, accept=True, asked=asked)
    phone.get_by_role("button", name="Änderungen speichern").click()
    expect(phone.get_by_label("Raum")).to_have_value("Saal 5", timeout=10_000)  # the panel as the log has it
    expect(phone.locator("#panel p.muted").first).to_contain_text("Saal 5")
    assert _room(knoten, workshop, session) == "Saal 5"
    for email in ("ute.edit@example.org", "vito.edit@example.org"):
        moved = knoten.sink.wait_for(lambda found: len(found) == 2, to=email)[1]
        assert moved["Subject"] == "Neue Zeit oder neuer Ort: Stadtgarten"

    phone.get_by_label("Titel").fill("Stadtgarten & Beete")  # no time or room: no question, no mail
    asked.clear()
    phone.get_by_role("button", name="Änderungen speichern").click()
    expect(phone.get_by_role("heading", name="Stadtgarten & Beete")).to_be_visible(timeout=10_000)
    assert asked == []

    _answer(phone, accept=True, asked=asked)
    phone.get_by_role("button", name="Absagen").click()
    assert asked == [
        "Diese Runde endgültig absagen? Dann kann sich niemand mehr eintragen. "
        "Das schickt 2 Personen eine Mail. Fortfahren?"
    ]
    notice = "Diese Runde wurde abgesagt. Alle Eingetragenen haben eine Mail bekommen."
    expect(phone.get_by_text(notice)).to_be_visible(timeout=10_000)
    for email in ("ute.edit@example.org", "vito.edit@example.org"):
        cancelled = knoten.sink.wait_for(lambda found: len(found) == 3, to=email)[2]
        assert cancelled["Subject"] == "Abgesagt: Stadtgarten & Beete"

    latecomer = contexts.new(PHONE).new_page()
    latecomer.goto(session["short_url"])
    expect(latecomer.locator("h1")).to_have_text("Stadtgarten & Beete")
    expect(latecomer.get_by_text("Diese Runde wurde abgesagt.")).to_be_visible()
    elsewhere = latecomer.locator(".elsewhere li")
    expect(elsewhere).to_have_count(2)
    expect(elsewhere.first).to_contain_text("Lastenrad-Werkstatt")
    expect(elsewhere.first).to_contain_text("Hof")
    expect(elsewhere.first).to_contain_text("15:00")
    expect(elsewhere.first).to_contain_text("3 Plätze frei")
    expect(latecomer.get_by_role("button", name="Eintragen")).to_have_count(0)
    shoot(latecomer, screenshots, "session-cancelled-latecomer-phone-de")
    latecomer.goto(latecomer.url + "?lang=en")
    expect(latecomer.get_by_text("This session was cancelled.")).to_be_visible()
    expect(latecomer.get_by_role("heading", name="Where you can still sign up")).to_be_visible()
    shoot(latecomer, screenshots, "session-cancelled-latecomer-phone-en")
    latecomer.get_by_role("link", name="Lastenrad-Werkstatt").click()
    expect(latecomer.locator("h1")).to_have_text("Lastenrad-Werkstatt")
    expect(latecomer.get_by_role("button", name="Sign up")).to_be_visible()
    assert other["id"] in latecomer.url

    editing = contexts.new(PHONE, locale="en-GB").new_page()
    editing.goto(workshop["console_url"])
    editing.goto(f"{knoten.url}/w/{workshop['id']}/s/{other['id']}?lang=en")
    editing.get_by_text("Edit", exact=True).click()
    expect(editing.get_by_label("Room")).to_have_value("Hof")
    shoot(editing, screenshots, "session-edit-phone-en")
