"""The session on the wall: a beamer shows the QR code and the short link in large type, the
counts follow sign-ups live, and the QR code goes once the session closes."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page, expect

from tests.browser.conftest import PHONE, TABLET, Contexts, Knoten, shoot

BEAMER = {"width": 1920, "height": 1080}
SMALL_BEAMER = {"width": 1280, "height": 720}
TOO_WIDE = """[...document.querySelectorAll('*')]
  .filter(e => e.getBoundingClientRect().right > innerWidth).map(e => e.tagName + '.' + e.className).slice(0, 8)"""


def _sign_up_by_short_link(phone: Page, short_url: str, name: str) -> None:
    phone.goto(short_url)
    phone.get_by_label("Ihr Name").fill(name)
    phone.get_by_text("Nein, ich war schon einmal dabei").click()
    phone.get_by_text("Ich bin einverstanden").click()
    phone.get_by_role("button", name="Eintragen").click()


def _fits(page: Page) -> None:
    """Nothing to scroll: the wall shows all of it, and the QR code is large."""
    size = page.viewport_size
    assert size is not None
    scroll = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.scrollHeight]")
    wide = page.evaluate(TOO_WIDE)
    assert scroll == [size["width"], size["height"]], (scroll, wide)
    qr = page.locator(".wall-qr svg").bounding_box()
    assert qr is not None and qr["height"] >= size["height"] * 0.5


def test_the_projector_counts_sign_ups_live_and_drops_the_qr_code_when_the_session_closes(
    contexts: Contexts, knoten: Knoten, screenshots: Path
) -> None:
    workshop = knoten.workshop(title="Engagiert im Quartier")
    session = knoten.session(
        workshop, title="Gemeinschaftsgarten", room="Saal 2", capacity=2, starts_at="2026-05-09T14:00:00+02:00"
    )
    elsewhere = knoten.session(workshop, title="Reparaturcafé", room="Werkstatt")
    short_link = session["short_url"].split("://")[-1]

    tablet = contexts.new(TABLET).new_page()
    tablet.goto(workshop["console_url"])
    tablet.click("text=Gemeinschaftsgarten")
    tablet.get_by_role("link", name="Projektor").click()
    wall = tablet  # the console's tablet drives the beamer
    wall.set_viewport_size(BEAMER)
    expect(wall.locator("h1")).to_have_text("Gemeinschaftsgarten")
    expect(wall.locator("#short-link")).to_have_text(short_link)
    expect(wall.locator("#wall-confirmed")).to_have_text("0")
    expect(wall.locator("#wall-free")).to_have_text("2")
    expect(wall.locator("#net")).to_contain_text("Live")
    _fits(wall)
    shoot(wall, screenshots, "projector-1920x1080-de")

    phone = contexts.new(PHONE).new_page()
    _sign_up_by_short_link(phone, session["short_url"], "Kim Kurz")
    expect(phone.get_by_text("Sie haben einen Platz!")).to_be_visible()
    shoot(phone, screenshots, "projector-short-link-signup-phone-390x844-de")
    expect(wall.locator("#wall-confirmed")).to_have_text("1", timeout=10_000)  # no reload
    expect(wall.locator("#wall-free")).to_have_text("1")

    wall.set_viewport_size(SMALL_BEAMER)
    _fits(wall)
    shoot(wall, screenshots, "projector-1280x720-de")

    console = wall.context.new_page()  # the console, open on another tab of the same device
    console.goto(f"{knoten.url}/w/{workshop['id']}/s/{session['id']}")
    expect(console.locator(".qr svg")).to_have_count(1)
    closed = knoten.http.post(
        f"/api/workshops/{workshop['id']}/sessions/{session['id']}/close", headers=workshop["auth"]
    )
    assert closed.status_code == 200
    expect(wall.locator(".wall-closed")).to_have_text("Anmeldung geschlossen", timeout=10_000)
    expect(wall.locator(".wall-qr")).to_have_count(0)
    expect(wall.locator("#short-link")).to_have_count(0)
    expect(wall.locator(".wall-elsewhere")).to_contain_text("Reparaturcafé")
    expect(wall.locator(".wall-elsewhere")).to_contain_text(elsewhere["short_url"].split("://")[-1])
    expect(wall.locator("#wall-confirmed")).to_have_text("1")
    shoot(wall, screenshots, "projector-closed-1280x720-de")

    expect(console.locator(".qr")).to_contain_text("Anmeldung geschlossen")  # live, without a reload
    expect(console.locator(".qr svg")).to_have_count(0)
    expect(console.locator(".qr .short")).to_have_count(0)
    shoot(console, screenshots, "console-closed-1024x768-de")


def test_the_projector_in_english_on_a_light_wall(contexts: Contexts, knoten: Knoten, screenshots: Path) -> None:
    workshop = knoten.workshop(title="Engaged neighbourhood", language="en")
    session = knoten.session(workshop, title="Community garden", room="Hall 2", capacity=12)
    knoten.session(workshop, title="Repair café", room="Workshop")
    beamer = contexts.new(BEAMER, locale="en-GB").new_page()
    beamer.goto(workshop["console_url"])
    beamer.goto(f"{knoten.url}/w/{workshop['id']}/s/{session['id']}/projector?lang=en")
    expect(beamer.get_by_text("Scan the code or type the address to sign up:")).to_be_visible()
    _fits(beamer)
    shoot(beamer, screenshots, "projector-1920x1080-en")
    beamer.get_by_role("link", name="Light background").click()
    expect(beamer.locator("body")).to_have_class("projector light")
    _fits(beamer)
    shoot(beamer, screenshots, "projector-light-1920x1080-en")
    knoten.http.post(f"/api/workshops/{workshop['id']}/sessions/{session['id']}/close", headers=workshop["auth"])
    expect(beamer.get_by_text("Sign-up closed")).to_be_visible(timeout=10_000)
    shoot(beamer, screenshots, "projector-closed-light-1920x1080-en")
