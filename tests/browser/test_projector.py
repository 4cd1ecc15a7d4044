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


def _fits_without_scrolling(page: Page) -> None:
    size = page.viewport_size
    assert size is not None
    scroll = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.scrollHeight]")
    assert scroll == [size["width"], size["height"]], (scroll, page.evaluate(TOO_WIDE))


def test_the_projector_of_a_future_workshop_ranks_the_cards_live_as_phones_give_dots(
    contexts: Contexts, knoten: Knoten, screenshots: Path
) -> None:
    workshop = knoten.workshop(title="Zukunft Quartier")
    session = knoten.session(workshop, title="Wohnen 2030", format="zukunftswerkstatt", room="Saal 1")
    base = f"/api/workshops/{workshop['id']}"
    knoten.http.post(f"{base}/sessions/{session['id']}/open", headers=workshop["auth"]).raise_for_status()
    phone = contexts.new(PHONE).new_page()
    _sign_up_by_short_link(phone, session["short_url"], "Pia Punkt")
    expect(phone.get_by_text("Sie haben einen Platz!")).to_be_visible()
    phone.get_by_role("link", name="Zur Runde").click()
    for text in ("Zu wenig Bänke", "Laute Straße", "Kein Treffpunkt"):
        phone.get_by_label("Ihre Karte").fill(text)
        phone.get_by_role("button", name="Karte hinzufügen").click()
        expect(phone.locator("#ranking")).to_contain_text(text)

    wall = contexts.new(BEAMER).new_page()
    wall.goto(workshop["console_url"])
    wall.goto(f"{knoten.url}/w/{workshop['id']}/s/{session['id']}/projector")
    ranking = wall.locator("#wall-ranking li")
    expect(ranking).to_have_count(3)
    expect(wall.get_by_role("heading", name="Rangfolge: Kritik")).to_be_visible()
    expect(wall.locator(".wall-qr svg")).to_have_count(1)  # people can still sign up beside it
    expect(wall.locator("#net")).to_contain_text("Live")
    expect(ranking.first).to_contain_text("Zu wenig Bänke")

    row = phone.locator("#ranking li").filter(has_text="Kein Treffpunkt")
    row.get_by_role("button", name="+1").click()
    expect(phone.get_by_text("Noch 4 Punkte")).to_be_visible()
    row.get_by_role("button", name="+1").click()
    expect(ranking.first).to_contain_text("Kein Treffpunkt", timeout=10_000)  # live, no reload
    expect(ranking.first).to_contain_text("2 Punkte")
    assert "Pia" not in wall.locator("#panel").inner_text()  # no one's name on the wall
    _fits_without_scrolling(wall)
    shoot(wall, screenshots, "projector-zukunftswerkstatt-1920x1080-de")
    wall.set_viewport_size(SMALL_BEAMER)
    _fits_without_scrolling(wall)
    shoot(wall, screenshots, "projector-zukunftswerkstatt-1280x720-de")

    wall.goto(f"{knoten.url}/w/{workshop['id']}/s/{session['id']}/projector?lang=en&theme=light")
    expect(wall.get_by_role("heading", name="Ranking: Critique")).to_be_visible()
    expect(wall.locator("#wall-ranking li").first).to_contain_text("2 dots")
    shoot(wall, screenshots, "projector-zukunftswerkstatt-1280x720-en")


def test_the_projector_of_a_round_table_and_of_a_market_place(
    contexts: Contexts, knoten: Knoten, screenshots: Path
) -> None:
    workshop = knoten.workshop(title="Netzwerk")
    table = knoten.session(workshop, title="Runder Tisch Ehrenamt", format="runder_tisch", room="Rathaus")
    market = knoten.session(workshop, title="Marktplatz", format="marktplatz", room="Foyer")
    auth, base = workshop["auth"], f"/api/workshops/{workshop['id']}/sessions"
    items = [
        knoten.http.post(f"{base}/{table['id']}/agenda", json={"title": t, "minutes": 15}, headers=auth).json()
        for t in ("Begrüßung", "Arbeitsprogramm 2027", "Termine")
    ]
    knoten.http.post(f"{base}/{table['id']}/agenda/{items[1]['id']}/current", headers=auth).raise_for_status()
    for kind, text in (("offer", "Lastenrad zum Ausleihen"), ("request", "Raum für 20 Personen")):
        knoten.http.post(f"{base}/{market['id']}/offers", json={"kind": kind, "text": text}, headers=auth)

    wall = contexts.new(SMALL_BEAMER).new_page()
    wall.goto(workshop["console_url"])
    wall.goto(f"{knoten.url}/w/{workshop['id']}/s/{table['id']}/projector")
    expect(wall.locator("#wall-agenda li.current")).to_contain_text("Arbeitsprogramm 2027")
    poll = {"options": ["2026-06-01T18:00:00+02:00", "2026-06-08T18:00:00+02:00"]}
    knoten.http.post(f"{base}/{table['id']}/date-poll", json=poll, headers=auth).raise_for_status()
    knoten.http.post(f"{base}/{table['id']}/agenda/{items[2]['id']}/current", headers=auth).raise_for_status()
    expect(wall.locator("#wall-agenda li.current")).to_contain_text("Termine", timeout=10_000)  # live
    knoten.http.post(f"{base}/{table['id']}/date-poll/fix", json={"option": 1}, headers=auth).raise_for_status()
    expect(wall.locator("#wall-next")).to_contain_text("8. Juni 2026", timeout=10_000)
    _fits_without_scrolling(wall)
    shoot(wall, screenshots, "projector-runder-tisch-1280x720-de")

    wall.goto(f"{knoten.url}/w/{workshop['id']}/s/{market['id']}/projector?lang=en")
    expect(wall.locator("#wall-offers")).to_contain_text("Lastenrad zum Ausleihen")
    expect(wall.locator("#wall-requests")).to_contain_text("Raum für 20 Personen")
    knoten.http.post(f"{base}/{market['id']}/offers", json={"kind": "offer", "text": "Beamer"}, headers=auth)
    expect(wall.locator("#wall-offers")).to_contain_text("Beamer", timeout=10_000)  # live
    _fits_without_scrolling(wall)
    shoot(wall, screenshots, "projector-marktplatz-1280x720-en")
