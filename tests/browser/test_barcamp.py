"""A barcamp from the pitches to the grid on the projector, in real Chromium: three phones sign
up to the day, pitch and show interest; the facilitator's tablet sets the grid, places the
proposals automatically and moves one by hand; the projector's grid follows live."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page, expect

from tests.browser.conftest import LAPTOP, PHONE, TABLET, Contexts, Knoten, shoot


def _arrive(contexts: Contexts, signup_url: str, name: str, locale: str = "de-DE") -> Page:
    """A phone signs up to the day (the arrival session): the phone now knows its person."""
    phone = contexts.new(PHONE, locale=locale).new_page()
    phone.goto(signup_url)
    phone.locator("#name").fill(name)
    phone.locator("input[name=newcomer][value=no]").check()
    phone.locator("input[name=consent]").check()
    phone.locator("form button[type=submit]").click()
    expect(phone.locator(".big")).to_be_visible()
    return phone


def _pitch(phone: Page, title: str) -> None:
    phone.get_by_label("Titel Ihrer Session").fill(title)
    phone.get_by_role("button", name="Vorschlagen").click()
    expect(phone.locator("li.proposal", has_text=title)).to_be_visible()


def _interested(phone: Page, title: str) -> None:
    phone.locator("li.proposal", has_text=title).get_by_role("button", name="Interessiert mich").click()
    expect(phone.locator("li.proposal", has_text=title).locator("[aria-pressed=true]")).to_be_visible()


def test_a_barcamp_from_the_pitches_to_the_grid_on_the_projector(
    contexts: Contexts, knoten: Knoten, screenshots: Path
) -> None:
    workshop = knoten.workshop(title="Barcamp Engagierte Stadt")
    wid = workshop["id"]
    arrival = knoten.session(workshop, title="Ankommen", format="barcamp", room="Foyer")

    tablet = contexts.new(TABLET).new_page()
    tablet.on("dialog", lambda dialog: dialog.accept())
    tablet.goto(workshop["console_url"])
    tablet.get_by_role("link", name="Sessionplan").click()
    tablet.get_by_label("Räume, einer pro Zeile").fill("Saal: 40\nRaum 2: 15\nKüche: 8")
    tablet.get_by_label("Zeitfenster, eines pro Zeile").fill("11:00-11:45\n12:00-12:45")
    tablet.get_by_role("button", name="Sessionplan speichern").click()
    expect(tablet.locator("table.grid th", has_text="Küche")).to_be_visible()

    projector = contexts.new(LAPTOP).new_page()
    projector.goto(f"{knoten.url}/w/{wid}/programme/grid")
    expect(projector.locator("table.grid th", has_text="Saal")).to_be_visible()

    anna = _arrive(contexts, arrival["signup_url"], "Anna Acker")
    ben = _arrive(contexts, arrival["signup_url"], "Ben Berg")
    cem = _arrive(contexts, arrival["signup_url"], "Cem Çelik")
    for phone in (anna, ben, cem):
        phone.goto(f"{knoten.url}/w/{wid}/pitch")
    _pitch(anna, "Klima vor Ort")
    _pitch(ben, "Ehrenamt und Beruf")
    _pitch(cem, "Vereinsfinanzen")
    _pitch(anna, "Lastenräder teilen")
    # interest from the phones; the others' pages follow live
    expect(cem.locator("li.proposal", has_text="Lastenräder teilen")).to_be_visible(timeout=10_000)
    for phone in (ben, cem):
        _interested(phone, "Klima vor Ort")
        _interested(phone, "Lastenräder teilen")
    _interested(anna, "Ehrenamt und Beruf")
    expect(anna.locator("li.proposal", has_text="Klima vor Ort")).to_contain_text("Interesse: 2", timeout=10_000)
    shoot(anna, screenshots, "barcamp-pitch-phone-de")

    expect(tablet.locator("#proposals li")).to_have_count(4, timeout=10_000)  # live on the console
    # the room's show of hands for the pitch, counted by the facilitator
    klima_pitch = tablet.locator("#proposals li", has_text="Klima vor Ort")
    klima_pitch.get_by_label("Handzeichen").fill("12")
    klima_pitch.get_by_role("button", name="Speichern").click()

    def klima_interest() -> tuple[int, int]:
        programme = knoten.http.get(f"/api/workshops/{wid}/programme").json()
        entry = next(p for p in programme["proposals"] if p["title"] == "Klima vor Ort")
        return entry["hands"], entry["interest"]

    for _ in range(50):
        if klima_interest()[0] == 12:
            break
        tablet.wait_for_timeout(200)
    assert klima_interest() == (12, 12)  # twelve hands in the room, the two phones among them
    tablet.get_by_role("button", name="Automatisch verteilen").click()
    expect(tablet.locator("#proposals")).to_have_count(0, timeout=10_000)

    # the projector shows the grid without a reload; people wanting both are kept apart
    grid = projector.locator("table.grid")
    for title in ("Klima vor Ort", "Ehrenamt und Beruf", "Vereinsfinanzen", "Lastenräder teilen"):
        expect(grid).to_contain_text(title, timeout=10_000)
    klima = grid.locator("tr", has_text="Klima vor Ort")
    expect(klima).not_to_contain_text("Lastenräder teilen")
    expect(klima.locator("td").nth(0)).to_contain_text("Klima vor Ort")  # most interest: the largest room
    expect(klima.locator("td").nth(0)).to_contain_text("Anna Acker")  # hosted by the proposer
    shoot(projector, screenshots, "barcamp-projector-laptop-de")

    # the facilitator moves one by hand: tap it, tap a free cell
    tablet.locator("button.cell.placed", has_text="Vereinsfinanzen").click()
    free = tablet.locator("button.cell.free").first
    free_row = free.locator("xpath=ancestor::tr").locator("th").inner_text()
    free.click()
    moved_row = grid.locator("tr", has_text=free_row.split("–")[0])
    expect(moved_row).to_contain_text("Vereinsfinanzen", timeout=10_000)
    expect(tablet.locator("#pending li")).to_have_count(0)
    shoot(tablet, screenshots, "barcamp-grid-tablet-de")

    # a phone signs up to a placed session from the programme: "my sessions"
    ben.goto(f"{knoten.url}/w/{wid}/programme")
    ben.get_by_role("link", name="Klima vor Ort").click()
    ben.locator("input[name=newcomer][value=no]").check()
    ben.locator("input[name=consent]").check()
    ben.locator("#name").fill("Ben Berg")
    ben.locator("form button[type=submit]").click()
    ben.goto(f"{knoten.url}/w/{wid}/programme")
    mine = ben.locator("ul[aria-labelledby=mine]")
    expect(mine).to_contain_text("Klima vor Ort")
    expect(mine).to_contain_text("Ankommen")
    shoot(ben, screenshots, "barcamp-programme-phone-de")

    for page, path, name in (
        (ben, f"/w/{wid}/programme", "barcamp-programme-phone"),
        (anna, f"/w/{wid}/pitch", "barcamp-pitch-phone"),
        (projector, f"/w/{wid}/programme/grid", "barcamp-projector-laptop"),
        (tablet, f"/w/{wid}/grid", "barcamp-grid-tablet"),
    ):
        page.goto(f"{knoten.url}{path}?lang=en")
        expect(page.locator("html")).to_have_attribute("lang", "en")
        shoot(page, screenshots, f"{name}-en")
        page.goto(f"{knoten.url}{path}?lang=de")


def test_a_phone_pitches_offline_and_the_facilitator_takes_a_session_out_of_the_grid(
    contexts: Contexts, knoten: Knoten, screenshots: Path
) -> None:
    workshop = knoten.workshop(title="Barcamp Offline")
    wid = workshop["id"]
    arrival = knoten.session(workshop, title="Ankommen", format="barcamp", room="Foyer")
    grid = {
        "rooms": [{"name": "Saal", "capacity": 30}],
        "slots": [{"starts_at": "2026-05-09T11:00:00+02:00", "ends_at": "2026-05-09T11:45:00+02:00"}],
    }
    knoten.http.put(f"/api/workshops/{wid}/grid", json=grid, headers=workshop["auth"]).raise_for_status()
    tablet = contexts.new(TABLET).new_page()
    tablet.on("dialog", lambda dialog: dialog.accept())
    tablet.goto(workshop["console_url"])
    tablet.goto(f"{knoten.url}/w/{wid}/grid")

    # the facilitator enters a pitch for someone without a phone, by name
    tablet.get_by_text("Vorschlag für jemanden eintragen").click()
    tablet.get_by_label("Titel").fill("Plattdeutsch im Verein")
    tablet.get_by_label("Oder den Namen eintippen").fill("Hinrich Ohne Handy")
    tablet.get_by_role("button", name="Vorschlag eintragen").click()
    expect(tablet.locator("#proposals")).to_contain_text("Hinrich Ohne Handy", timeout=10_000)

    # the venue's Wi-Fi drops: the phone's pitch and its interest wait and go out once it is back
    phone = _arrive(contexts, arrival["signup_url"], "Olga Offline")
    phone.goto(f"{knoten.url}/w/{wid}/pitch")
    expect(phone.locator("#net")).to_contain_text("Online")
    phone.context.set_offline(True)
    phone.get_by_label("Titel Ihrer Session").fill("Funklöcher kartieren")
    phone.get_by_role("button", name="Vorschlagen").click()
    expect(phone.locator("#pending")).to_contain_text("Funklöcher kartieren")
    phone.locator("li.proposal", has_text="Plattdeutsch").get_by_role("button", name="Interessiert mich").click()
    expect(phone.locator("#net")).to_contain_text("2 warten")
    shoot(phone, screenshots, "barcamp-pitch-offline-phone-de")
    phone.context.set_offline(False)
    phone.evaluate("window.dispatchEvent(new Event('online'))")
    expect(phone.locator("li.proposal", has_text="Funklöcher kartieren")).to_be_visible(timeout=15_000)
    expect(phone.locator("#pending li")).to_have_count(0)
    expect(tablet.locator("#proposals")).to_contain_text("Funklöcher kartieren", timeout=10_000)
    proposals = knoten.http.get(f"/api/workshops/{wid}/programme").json()["proposals"]
    assert {p["title"]: p["interest"] for p in proposals} == {"Plattdeutsch im Verein": 1, "Funklöcher kartieren": 0}

    # placed, then taken out of the grid again: it waits among the proposals once more
    tablet.locator("button.proposal-pick", has_text="Plattdeutsch").click()
    tablet.locator("button.cell.free").first.click()
    expect(tablet.locator("button.cell.placed", has_text="Plattdeutsch")).to_be_visible(timeout=10_000)
    expect(tablet.locator("button.cell.placed")).to_contain_text("Hinrich Ohne Handy")  # the host by name
    tablet.locator("td", has_text="Plattdeutsch im Verein").get_by_role("button", name="Herausnehmen").click()
    expect(tablet.locator("button.cell.placed")).to_have_count(0, timeout=10_000)
    expect(tablet.locator("#proposals")).to_contain_text("Plattdeutsch im Verein")
    shoot(tablet, screenshots, "barcamp-grid-taken-out-tablet-de")

    # the personal page lists the person's proposals and interests
    phone.goto(f"{knoten.url}/me")
    mine = phone.locator("ul[id^=my-proposals]")
    expect(mine.locator("li", has_text="Funklöcher kartieren")).to_contain_text("von mir vorgeschlagen")
    expect(mine.locator("li", has_text="Plattdeutsch im Verein")).to_contain_text("ich bin interessiert")
    # a sign-up to a session without a time shows its room alone, not "· Foyer"
    expect(phone.locator("li", has_text="Ankommen").locator(".muted").first).to_have_text("Foyer")
    shoot(phone, screenshots, "me-proposals-phone-de")
    phone.goto(f"{knoten.url}/me?lang=en")
    expect(phone.get_by_role("heading", name="My barcamp proposals")).to_be_visible()
    shoot(phone, screenshots, "me-proposals-phone-en")
