"""The short link on the poster: typed on a phone, it opens the sign-up with the table code."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import expect

from tests.browser.conftest import PHONE, TABLET, Contexts, Knoten, shoot


def test_the_console_shows_the_short_link_and_a_phone_signs_up_through_it_typed_in_lower_case(
    contexts: Contexts, knoten: Knoten, screenshots: Path
) -> None:
    workshop = knoten.workshop(title="Runder Tisch Ehrenamt")
    session = knoten.session(workshop, title="Patenschaften", require_table_code=True)
    short_url = session["short_url"]
    tablet = contexts.new(TABLET).new_page()
    tablet.goto(workshop["console_url"])
    posters = tablet.get_by_role("link", name="Plakate für die Räume (PDF)")
    expect(posters).to_have_attribute("href", f"/api/workshops/{workshop['id']}/posters.pdf")
    poster_file = tablet.request.get(f"{knoten.url}{posters.get_attribute('href')}")
    assert poster_file.ok and poster_file.headers["content-type"] == "application/pdf"
    tablet.click("text=Patenschaften")
    expect(tablet.locator(".qr .short")).to_have_text(short_url.split("://")[-1])

    base, code = short_url.rsplit("/", 1)
    phone = contexts.new(PHONE).new_page()
    phone.goto(f"{base}/{code.lower()}")
    expect(phone.locator("h1")).to_have_text("Patenschaften")
    phone.get_by_label("Ihr Name").fill("Kim Kurz")
    phone.get_by_label("E-Mail").fill("kim.kurz@example.org")
    phone.get_by_text("Ja, ich bin neu hier").click()
    phone.get_by_text("Ich bin einverstanden").click()
    phone.get_by_role("button", name="Eintragen").click()
    expect(phone.get_by_text("Sie haben einen Platz!")).to_be_visible()
    shoot(phone, screenshots, "short-link-signup-done-phone-390x844")
    expect(tablet.locator("#signups")).to_contain_text("Kim Kurz", timeout=10_000)
