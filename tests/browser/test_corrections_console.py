"""The facilitator's tablet: corrections with an undo, the "Who" search, a walk-in, attendance,
and releasing the places of people not there."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Dialog, Page, expect

from tests.browser.conftest import TABLET, TABLET_PORTRAIT, Contexts, Knoten, shoot


def _console(contexts: Contexts, workshop: dict[str, str], session: dict[str, str], locale: str) -> Page:
    page = contexts.new(TABLET, locale=locale).new_page()
    page.goto(workshop["console_url"])
    page.goto(f"{workshop['console_url'].split('/w/')[0]}/w/{workshop['id']}/s/{session['id']}")
    return page


def test_the_facilitator_corrects_undoes_adds_a_walk_in_and_marks_who_came_on_the_tablet(
    contexts: Contexts, knoten: Knoten, screenshots: Path
) -> None:
    workshop = knoten.workshop(title="Runder Tisch Korrekturen")
    session = knoten.session(workshop, title="Nachbarschaft", capacity=3)
    api = f"/api/workshops/{workshop['id']}"
    spath = f"{api}/sessions/{session['id']}"
    for name, email in (("Mia Muster", "mia.tablet@example.org"), ("Otto Ohnezeit", "otto.tablet@example.org")):
        body = {"name": name, "email": email, "consent": True, "organisation": "Tafel"}
        knoten.http.post(f"{spath}/signups", json=body).raise_for_status()
    knoten.http.post(f"{spath}/open", headers=workshop["auth"]).raise_for_status()

    page = _console(contexts, workshop, session, "de-DE")
    asked: list[str] = []

    def answer(dialog: Dialog) -> None:
        asked.append(dialog.message)
        dialog.accept()

    page.on("dialog", answer)

    # an owner picked by typing in the "Who" search
    who = page.get_by_role("combobox", name=re.compile("^Wer"))
    who.fill("mia")
    expect(page.get_by_role("option", name=re.compile("Mia Muster"))).to_be_visible()
    expect(page.get_by_role("option", name=re.compile("Otto"))).to_be_hidden()
    page.get_by_role("option", name=re.compile("Mia Muster")).click()
    expect(who).to_have_value("Mia Muster · Tafel")
    expect(page.locator("#c-noaddress")).to_be_hidden()  # Mia has an address: she will be reminded
    page.get_by_label("Was", exact=True).fill("Flyer drucken")
    page.get_by_role("button", name="Zusage festhalten").click()
    expect(page.locator("#commitments")).to_contain_text("Mia Muster: Flyer drucken")
    flyer = next(c for c in knoten.full(workshop, session)["commitments"] if c["text"] == "Flyer drucken")
    assert flyer["signup_id"] is not None  # her sign-up, not a typed namesake

    # done, then undone
    page.get_by_role("button", name="Erledigt: Flyer drucken").click()
    expect(page.locator(f"#commitment-{flyer['id']} .badge")).to_have_text("erledigt")
    page.locator("#undo").get_by_role("button", name="Rückgängig").click()
    expect(page.get_by_role("button", name="Erledigt: Flyer drucken")).to_be_visible()
    expect(page.locator("#net")).to_have_attribute("data-waiting", "0")
    assert next(c for c in knoten.full(workshop, session)["commitments"] if c["id"] == flyer["id"])["status"] == "open"

    # a typed name without an address: nobody would be reminded, so the address is asked for
    who.fill("Nora Neu")
    expect(page.locator("#c-noaddress")).to_be_visible()
    expect(page.locator("#c-noaddress")).to_contain_text("Ohne E-Mail-Adresse wird niemand daran erinnert")
    shoot(page, screenshots, "console-corrections-who-de")
    page.locator("#c-email").fill("nora.tablet@example.org")
    page.get_by_label("Was", exact=True).fill("Raum reservieren")
    page.get_by_role("button", name="Zusage festhalten").click()
    expect(page.locator("#commitments")).to_contain_text("Nora Neu: Raum reservieren")
    expect(page.locator("#commitments")).not_to_contain_text("keine Erinnerung")
    nora = next(c for c in knoten.full(workshop, session)["commitments"] if c["text"] == "Raum reservieren")
    assert nora["reachable"] is True

    # a note deleted and undone: it was never sent; another deleted for good
    for text in ("Bänke fehlen", "Vertippt"):
        page.get_by_placeholder("Notiz").fill(text)
        page.get_by_role("button", name="Notiz hinzufügen").click()
        expect(page.locator("#notes")).to_contain_text(text)
    page.get_by_role("button", name="Notiz löschen: Bänke fehlen").click()
    expect(page.locator("#notes")).not_to_contain_text("Bänke fehlen", use_inner_text=True)
    expect(page.locator("#undo")).to_contain_text("Notiz gelöscht")
    page.locator("#undo").get_by_role("button", name="Rückgängig").click()
    expect(page.locator("#notes")).to_contain_text("Bänke fehlen", use_inner_text=True)
    expect(page.locator("#net")).to_have_attribute("data-waiting", "0")  # nothing left to send
    page.get_by_role("button", name="Notiz löschen: Vertippt").click()
    expect(page.locator("#notes")).not_to_contain_text("Vertippt", use_inner_text=True)
    expect(page.locator("#net")).to_have_attribute("data-waiting", "0", timeout=20_000)  # sent after the window
    notes = [n["text"] for n in knoten.full(workshop, session)["notes"]]
    assert notes == ["Bänke fehlen"]

    # a walk-in without a phone and without an address: here at once
    page.get_by_text("Jemanden eintragen, der da ist").click()
    page.get_by_label("Name", exact=True).fill("Walter Spontan")
    page.get_by_label("Organisation").fill("Sportverein")
    page.get_by_label("Die Person ist einverstanden").check()
    page.get_by_role("button", name="Als anwesend eintragen").click()
    walter = page.get_by_role("button", name="Walter Spontan ist da")
    expect(walter).to_have_attribute("aria-pressed", "true", timeout=20_000)  # a busy tablet
    assert not asked  # no address: nobody is mailed, nothing to ask

    # attendance: Mia came, Otto did not
    mia = page.get_by_role("button", name="Mia Muster ist da")
    expect(mia).to_have_attribute("aria-pressed", "false")
    mia.click()
    expect(mia).to_have_attribute("aria-pressed", "true")
    people = {s["name"]: s["present"] for s in knoten.full(workshop, session)["signups"]}
    assert people == {"Mia Muster": True, "Otto Ohnezeit": False, "Walter Spontan": True}

    # Otto's place goes to the waitlist, after saying who gets a mail
    body = {"name": "Wanda Warteliste", "email": "wanda.tablet@example.org", "consent": True}
    knoten.http.post(f"{spath}/signups", json=body).raise_for_status()
    expect(page.locator("#panel")).to_contain_text("Wanda Warteliste")
    shoot(page, screenshots, "console-corrections-people-de")
    page.get_by_role("button", name="Plätze freigeben").click()
    expect(page.locator("#signups")).not_to_contain_text("Otto Ohnezeit")
    expect(page.locator("#signups")).to_contain_text("Wanda Warteliste")
    assert asked == ["1 Platz von Abwesenden freigeben? Das schickt 1 Person eine Mail. Fortfahren?"]
    knoten.sink.wait_for(lambda found: len(found) == 2, to="wanda.tablet@example.org")  # waitlist, then place

    # a sign-up removed: its place goes to the next on the waitlist, who is mailed, so it asks first
    body = {"name": "Xaver Nachrück", "email": "xaver.tablet@example.org", "consent": True}
    knoten.http.post(f"{spath}/signups", json=body).raise_for_status()
    expect(page.locator("#panel")).to_contain_text("Xaver Nachrück")
    page.get_by_role("button", name="Walter Spontan austragen").click()
    expect(page.locator("#signups")).to_contain_text("Xaver Nachrück")
    expect(page.locator("#signups")).not_to_contain_text("Walter Spontan")
    assert asked[-1] == (
        "Walter Spontan austragen? Der Platz geht an die erste Person auf der Warteliste. "
        "Das schickt 1 Person eine Mail. Fortfahren?"
    )
    knoten.sink.wait_for(lambda found: len(found) == 2, to="xaver.tablet@example.org")

    english = _console(contexts, workshop, session, "en-GB")
    english.goto(english.url + "?lang=en")
    english.get_by_role("combobox", name=re.compile("^Who")).fill("Someone New")
    expect(english.locator("#c-noaddress")).to_contain_text("Without an e-mail address nobody will be reminded")
    english.get_by_role("button", name="Done: Raum reservieren").click()
    expect(english.locator("#undo")).to_contain_text("Marked done: Raum reservieren")
    expect(english.locator("#undo").get_by_role("button", name="Undo")).to_be_visible()
    shoot(english, screenshots, "console-corrections-en")


def test_dots_cards_matches_and_a_commitment_are_corrected_and_undone_on_the_tablet(
    contexts: Contexts, knoten: Knoten, screenshots: Path
) -> None:
    workshop = knoten.workshop(title="Werkstatt Korrekturen")
    future = knoten.session(workshop, title="Zukunft", format="zukunftswerkstatt")
    market = knoten.session(workshop, title="Markt", format="marktplatz")
    api = f"/api/workshops/{workshop['id']}"
    for session in (future, market):
        knoten.http.post(f"{api}/sessions/{session['id']}/open", headers=workshop["auth"]).raise_for_status()
    knoten.http.post(
        f"{api}/sessions/{future['id']}/cards", json={"text": "Zu laut"}, headers=workshop["auth"]
    ).raise_for_status()

    page = _console(contexts, workshop, future, "de-DE")
    card = page.locator("#panel li[id^=card-]", has_text="Zu laut")  # not the queued line
    page.get_by_role("button", name="+1 Einen Punkt für Zu laut").click()
    expect(card).to_contain_text("● 1")
    page.locator("#undo").get_by_role("button", name="Rückgängig").click()
    expect(card).to_contain_text("● 0")
    page.get_by_role("button", name="+1 Einen Punkt für Zu laut").click()
    expect(card).to_contain_text("● 1")
    page.get_by_role("button", name="Einen Punkt zurücknehmen von Zu laut").click()
    expect(card).to_contain_text("● 0")
    page.get_by_role("button", name="Karte löschen: Zu laut").click()
    expect(card).to_be_hidden()
    page.locator("#undo").get_by_role("button", name="Rückgängig").click()
    expect(card).to_be_visible()
    expect(page.locator("#net")).to_have_attribute("data-waiting", "0")
    assert [c["votes"] for c in knoten.full(workshop, future)["cards"]] == [0]

    for kind, text in (("offer", "Biete Lastenrad"), ("request", "Suche Transport")):
        body = {"kind": kind, "text": text, "owner_name": "Ida Info" if kind == "offer" else "Bo Bedarf"}
        knoten.http.post(
            f"{api}/sessions/{market['id']}/offers", json=body, headers=workshop["auth"]
        ).raise_for_status()
    page.goto(page.url.replace(future["id"], market["id"]))
    page.get_by_role("button", name=re.compile("^Biete Lastenrad")).click()
    page.get_by_role("button", name=re.compile("^Suche Transport")).click()
    expect(page.locator("#commitments")).to_contain_text("Ida Info: Biete Lastenrad ↔ Suche Transport")
    expect(page.locator("#undo")).to_contain_text("Biete Lastenrad ↔ Suche Transport")
    page.locator("#undo").get_by_role("button", name="Rückgängig").click()
    expect(page.locator("#commitments .badge").first).to_have_text("zurückgezogen")
    view = knoten.full(workshop, market)
    assert [o["match_id"] for o in view["offers"]] == [None, None]
    assert {c["status"] for c in view["commitments"]} == {"withdrawn"}

    # a commitment typed wrongly: corrected, an address added, withdrawn and taken back
    knoten.http.post(
        f"{api}/sessions/{market['id']}/commitments",
        json={"owner_name": "Ida Info", "text": "Protokol"},
        headers=workshop["auth"],
    ).raise_for_status()
    row = page.locator("#commitments li", has_text="Protokol")
    expect(row).to_contain_text("keine Erinnerung")
    row.locator("summary").click()
    row.get_by_label("Text korrigieren").fill("Protokoll schreiben")
    row.get_by_label("E-Mail-Adresse der Person").fill("ida.tablet@example.org")
    shoot(page, screenshots, "console-corrections-market-de")
    row.get_by_role("button", name="Korrektur speichern").click()
    fixed = page.locator("#commitments li", has_text="Protokoll schreiben")
    expect(fixed).not_to_contain_text("keine Erinnerung")
    fixed.get_by_role("button", name="Zusage zurückziehen").click()
    expect(fixed.locator(".badge")).to_have_text("zurückgezogen")
    page.locator("#undo").get_by_role("button", name="Rückgängig").click()
    expect(fixed.get_by_role("button", name="Erledigt: Protokoll schreiben")).to_be_visible()
    protocol = next(c for c in knoten.full(workshop, market)["commitments"] if c["text"] == "Protokoll schreiben")
    assert (protocol["status"], protocol["reachable"], protocol["owner_name"]) == ("open", True, "Ida Info")


def test_on_a_tablet_the_people_get_the_whole_width_and_the_board_counts_one_commitment(
    contexts: Contexts, knoten: Knoten, screenshots: Path
) -> None:
    """Two columns (people beside notes) left a name like "Freiwilligenagentur" broken in the
    middle; on a tablet, either way round, the people list takes the main column's width."""
    workshop = knoten.workshop(title="Tablet Breite")
    session = knoten.session(workshop, title="Ehrenamt")
    spath = f"/api/workshops/{workshop['id']}/sessions/{session['id']}"
    body = {"name": "Peter Probe", "email": "peter.breit@example.org", "consent": True}
    knoten.http.post(f"{spath}/signups", json={**body, "organisation": "Freiwilligenagentur"}).raise_for_status()
    commitment = {"owner_name": "Peter Probe", "text": "Aushang machen"}
    knoten.http.post(f"{spath}/commitments", json=commitment, headers=workshop["auth"]).raise_for_status()
    for viewport, name in ((TABLET, "1024x768"), (TABLET_PORTRAIT, "820x1180")):
        page = contexts.new(viewport).new_page()
        page.goto(workshop["console_url"])
        expect(page.locator(".session", has_text="Ehrenamt")).to_contain_text("1 Zusage")
        expect(page.locator(".session", has_text="Ehrenamt")).not_to_contain_text("Zusagen")
        page.get_by_role("link", name=re.compile("Ehrenamt")).click()
        board_link, english = (
            page.locator("header.bar nav a").first.bounding_box(),
            page.locator(".lang a").last.bounding_box(),
        )
        assert board_link is not None and english is not None
        assert english["y"] == board_link["y"]  # the bar on one line
        people = page.locator("#signups")
        expect(people).to_contain_text("Freiwilligenagentur")
        notes = page.get_by_role("heading", name="Notizen")
        people_box, notes_box = people.bounding_box(), notes.bounding_box()
        assert people_box is not None and notes_box is not None
        assert people_box["width"] >= 0.5 * viewport["width"]
        assert notes_box["y"] > people_box["y"] + people_box["height"]  # the notes below, not beside
        shoot(page, screenshots, f"console-people-tablet-{name}-de")
