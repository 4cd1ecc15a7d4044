"""What people see: a participant on a phone, a facilitator on a tablet, an organiser on a laptop."""

from __future__ import annotations

import re
import secrets
from pathlib import Path

from babel.messages.pofile import read_po
from playwright.sync_api import Page, expect

from tests.browser.conftest import LAPTOP, PHONE, TABLET, TABLET_PORTRAIT, Contexts, Knoten, shoot
from tests.mail_sink import text_of

ROOT = Path(__file__).resolve().parents[2]


def accept_dialogs(page: Page) -> None:
    page.on("dialog", lambda dialog: dialog.accept())


def sign_in(contexts: Contexts, workshop: dict[str, str], viewport: dict[str, int] = TABLET) -> Page:
    page = contexts.new(viewport).new_page()
    accept_dialogs(page)
    page.goto(workshop["console_url"])
    expect(page.locator("h1")).to_have_text(workshop["title"])
    return page


def test_a_phone_signup_shows_the_place_and_appears_live_on_the_console(
    contexts: Contexts, knoten: Knoten, screenshots: Path
) -> None:
    workshop = knoten.workshop(title="Barcamp Engagierte Stadt")
    session = knoten.session(workshop, capacity=12, host="Agnes W.", starts_at="2026-05-09T14:00:00+02:00")
    tablet = sign_in(contexts, workshop)
    shoot(tablet, screenshots, "board-tablet-1024x768")
    tablet.click(f"text={session['title']}")
    expect(tablet.locator("#net")).to_contain_text("Online")
    expect(tablet.locator(".qr svg")).to_be_visible()

    phone = contexts.new(PHONE).new_page()
    phone.goto(session["signup_url"])  # what the QR code opens
    expect(phone.locator("h1")).to_have_text("Nachbarschaftshilfe")
    expect(phone.get_by_text("Noch 12 Plätze frei")).to_be_visible()
    shoot(phone, screenshots, "signup-phone-390x844")
    phone.get_by_label("Ihr Name").fill("Mia Muster")
    phone.get_by_label("E-Mail").fill("mia.browser@example.org")
    phone.get_by_label("Organisation").fill("AWO")
    phone.get_by_text("Ja, ich bin neu hier").click()
    phone.get_by_text("Ich bin einverstanden").click()
    phone.get_by_role("button", name="Eintragen").click()
    expect(phone.get_by_text("Sie haben einen Platz!")).to_be_visible()
    shoot(phone, screenshots, "signup-done-phone-390x844")

    expect(tablet.locator("#signups")).to_contain_text("Mia Muster", timeout=10_000)  # no reload
    expect(tablet.locator("#count-confirmed")).to_have_text("1")
    shoot(tablet, screenshots, "console-tablet-1024x768")

    phone.get_by_role("link", name="Meine Eintragungen und Daten").click()
    expect(phone.get_by_text("Hallo Mia Muster")).to_be_visible()
    shoot(phone, screenshots, "personal-page-phone-390x844")


def test_the_facilitator_runs_a_future_workshop_and_a_market_place_and_the_report_shows_it(
    contexts: Contexts, knoten: Knoten, screenshots: Path
) -> None:
    workshop = knoten.workshop(title="Zukunft im Quartier")
    future = knoten.session(workshop, title="Engagement 2030", format="zukunftswerkstatt")
    market = knoten.session(workshop, title="Engagement-Marktplatz", format="marktplatz")
    knoten.http.post(
        f"/api/workshops/{workshop['id']}/sessions/{market['id']}/signups", json={"name": "Ben Bauer", "consent": True}
    )
    page = sign_in(contexts, workshop, TABLET_PORTRAIT)
    page.click(f"text={future['title']}")

    card = page.get_by_placeholder("Neue Karte in Kritik")
    card.fill("Zu wenig Räume")
    card.press("Enter")
    vote = page.get_by_role("button", name="Einen Punkt für Zu wenig Räume")
    vote.click()
    expect(page.locator("#panel")).to_contain_text("● 1")
    page.get_by_role("button", name="Einen Punkt für Zu wenig Räume").click()
    expect(page.locator("#panel")).to_contain_text("● 2")
    page.get_by_role("button", name="Nächste Phase: Phantasie").click()
    expect(page.locator(".phase.current")).to_have_text("Phantasie")
    page.get_by_placeholder("Neue Karte in Phantasie").fill("Ein Haus für alle")
    page.get_by_role("button", name="Karte hinzufügen").click()
    page.get_by_role("button", name="Nächste Phase: Verwirklichung").click()
    expect(page.locator(".phase.current")).to_have_text("Verwirklichung")
    page.locator("#c-who").fill("Carla Kruse")
    page.get_by_label("Was", exact=True).fill("Raumliste anlegen")
    page.get_by_role("button", name="Zusage festhalten").click()
    expect(page.locator("#commitments")).to_contain_text("Carla Kruse: Raumliste anlegen")
    shoot(page, screenshots, "console-zukunftswerkstatt-tablet-820x1180")
    page.get_by_role("button", name="Runde abschließen").click()
    expect(page.locator("#panel .badge").first).to_have_text("abgeschlossen")

    page.goto(f"{knoten.url}/w/{workshop['id']}/s/{market['id']}")
    page.locator("#o-offer").fill("Biete Transporter")
    page.locator("#o-offer-who").select_option(label="Ben Bauer")
    page.locator("#o-offer").press("Enter")
    page.locator("#o-request").fill("Suche Umzugshilfe")
    page.locator("#o-request").press("Enter")
    page.get_by_role("button", name=re.compile("^Biete Transporter")).click()
    page.get_by_role("button", name=re.compile("^Suche Umzugshilfe")).click()  # two taps make the match
    expect(page.locator("#commitments")).to_contain_text("Ben Bauer: Biete Transporter")
    shoot(page, screenshots, "console-marktplatz-tablet-820x1180")
    page.get_by_role("button", name="Runde abschließen").click()
    expect(page.locator("#panel .badge").first).to_have_text("abgeschlossen")

    report = contexts.new(LAPTOP).new_page()
    report.goto(workshop["report_url"])
    expect(report.locator("h1")).to_have_text("Zukunft im Quartier")
    expect(report.locator(".report")).to_contain_text("Raumliste anlegen")
    expect(report.locator(".report")).to_contain_text("Ein Haus für alle")
    expect(report.locator(".report svg").first).to_be_visible()
    shoot(report, screenshots, "report-laptop-1366x900")


def test_commitments_typed_offline_survive_a_reload_and_arrive_once(
    contexts: Contexts, knoten: Knoten, screenshots: Path
) -> None:
    workshop = knoten.workshop(title="Runder Tisch Ehrenamt")
    session = knoten.session(workshop, title="Runder Tisch", format="runder_tisch")
    context = contexts.new(TABLET)
    page = context.new_page()
    accept_dialogs(page)
    page.goto(workshop["console_url"])
    page.goto(f"{knoten.url}/w/{workshop['id']}/s/{session['id']}")
    page.evaluate("navigator.serviceWorker.ready")
    page.wait_for_function("navigator.serviceWorker.controller !== null || caches.keys().then(k => k.length > 0)")
    page.wait_for_timeout(500)  # the worker keeps a copy of this page

    context.set_offline(True)
    for text in ("Protokoll schreiben", "Einladung verschicken", "Raum buchen"):
        page.locator("#c-who").fill("Dora")
        page.get_by_label("Was", exact=True).fill(text)
        page.get_by_role("button", name="Zusage festhalten").click()
    expect(page.locator("#net")).to_contain_text("3 warten")
    expect(page.locator("#net")).to_contain_text("Offline")
    shoot(page, screenshots, "console-offline-tablet-1024x768")
    page.reload()
    expect(page.locator("#net")).to_contain_text("3 warten")

    context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    expect(page.locator("#net")).not_to_contain_text("warten", timeout=15_000)
    commitments = knoten.full(workshop, session)["commitments"]
    assert sorted(c["text"] for c in commitments) == ["Einladung verschicken", "Protokoll schreiben", "Raum buchen"]
    page.reload()
    expect(page.locator("#commitments li")).to_have_count(3)


def _catalogue() -> dict[str, str]:
    with (ROOT / "service/locales/de/LC_MESSAGES/messages.po").open("rb") as po:
        return {m.id: m.string for m in read_po(po) if isinstance(m.id, str) and isinstance(m.string, str) and m.string}


def test_pages_in_german_and_english_show_no_untranslated_text(contexts: Contexts, knoten: Knoten) -> None:
    workshop = knoten.workshop(title="Sprachprobe")
    session = knoten.session(workshop, title="Thementisch Sprache")
    german = _catalogue()
    english_only = [m for m, t in german.items() if t != m and " " in m and "%(" not in m]
    german_only = [t for m, t in german.items() if t != m and " " in t and "%(" not in t]
    page = sign_in(contexts, workshop)
    paths = [
        f"/s/{workshop['id']}/{session['id']}",
        f"/w/{workshop['id']}",
        f"/w/{workshop['id']}/s/{session['id']}",
        f"/w/{workshop['id']}/s/{session['id']}/projector",
        f"/w/{workshop['id']}/intro",
        f"/w/{workshop['id']}/report",
        "/privacy",
    ]
    for path in paths:
        for language, foreign in (("de", english_only), ("en", german_only)):
            page.goto(f"{knoten.url}{path}?lang={language}")
            text = page.locator("body").inner_text()
            assert page.locator("html").get_attribute("lang") == language
            assert "%(" not in text, (path, language)
            leftovers = [m for m in foreign if m in text]
            assert leftovers == [], (path, language, leftovers)


TARGETS = "main button, main a.button, main input, main select, main textarea, header a"


def test_touch_targets_labels_and_keyboard(contexts: Contexts, knoten: Knoten) -> None:
    workshop = knoten.workshop(title="Barrierearm")
    session = knoten.session(workshop, title="Tastatur-Tisch", format="zukunftswerkstatt")
    tablet = sign_in(contexts, workshop)
    phone = contexts.new(PHONE).new_page()
    for page, path in (
        (phone, session["signup_url"]),
        (tablet, f"{knoten.url}/w/{workshop['id']}/s/{session['id']}"),
        (tablet, f"{knoten.url}/w/{workshop['id']}/intro"),
    ):
        page.goto(path)
        small = page.evaluate(
            """() => [...document.querySelectorAll(TARGETS)]
            .filter(el => el.offsetParent !== null && !['checkbox', 'radio', 'hidden'].includes(el.type))
            // a file input hidden behind its label: the label is what a finger taps, and it is measured
            .map(el => el.type === 'file' && getComputedStyle(el).opacity === '0' ? el.labels[0] || el : el)
            .filter(el => el.getBoundingClientRect().height < 44).map(el => el.outerHTML.slice(0, 80))""".replace(
                "TARGETS", repr(TARGETS)
            )
        )
        assert small == [], (path, small)
        unlabelled = page.evaluate("""() => [...document.querySelectorAll('main input, main select, main textarea')]
            .filter(el => el.type !== 'hidden' && el.labels.length === 0 && !el.getAttribute('aria-label'))
            .map(el => el.outerHTML.slice(0, 80))""")
        assert unlabelled == [], (path, unlabelled)

    phone.goto(session["signup_url"])  # signing up with the keyboard alone
    phone.locator("#name").focus()
    phone.keyboard.type("Kim Keyboard")
    phone.keyboard.press("Tab")
    phone.keyboard.press("Tab")
    phone.keyboard.press("Tab")  # over e-mail and organisation to "Are you new?"
    phone.keyboard.press("ArrowDown")  # the second answer: "No, I have been here before"
    phone.keyboard.press("Tab")
    phone.keyboard.press("Tab")  # over "exchange contacts"
    phone.keyboard.press("Tab")  # over "send me the documentation"
    phone.keyboard.press("Space")  # consent
    phone.keyboard.press("Tab")  # the privacy notice link inside the consent
    phone.keyboard.press("Tab")
    phone.keyboard.press("Enter")
    expect(phone.get_by_text("Sie haben einen Platz!")).to_be_visible()


def test_the_organiser_signs_in_from_the_mailed_link_and_sees_failed_jobs(
    contexts: Contexts, knoten: Knoten, screenshots: Path
) -> None:
    from tests.browser.conftest import ADMIN

    email = f"orga-{secrets.token_hex(6)}@example.org"
    organiser = {"email": email, "name": "Olga Orga"}
    knoten.http.post("/api/organisers", json=organiser, headers={"Authorization": f"Bearer {ADMIN}"}).raise_for_status()
    page = contexts.new(LAPTOP).new_page()
    page.goto(f"{knoten.url}/admin")
    page.get_by_label("Ihre E-Mail-Adresse").fill(email)
    page.get_by_role("button", name="Anmeldelink schicken").click()
    expect(page.get_by_text("Wenn diese Adresse zum Orga-Team gehört, ist ein Anmeldelink unterwegs.")).to_be_visible()
    mail = knoten.sink.wait_for(lambda found: len(found) == 1, to=email)[0]
    link = re.search(r"http\S+/admin/signin/\S+", text_of(mail))
    assert link is not None
    page.goto(link.group(0))
    page.get_by_role("button", name="Anmelden").click()
    expect(page.get_by_role("heading", name="Fehlgeschlagene Aufträge")).to_be_visible()
    expect(page.get_by_role("link", name="Entwicklungs-Postausgang")).to_be_visible()
    shoot(page, screenshots, "operations-laptop-1366x900")


def test_a_tablet_that_was_here_before_gets_a_new_release_of_the_console_script(
    contexts: Contexts, knoten: Knoten
) -> None:
    """The service worker keeps the script for offline use, but online the new release is used."""
    workshop = knoten.workshop(title="Runder Tisch Neuauflage")
    session = knoten.session(workshop, title="Runder Tisch", format="runder_tisch")
    context = contexts.new(TABLET)
    page = context.new_page()
    page.goto(workshop["console_url"])
    page.goto(f"{knoten.url}/w/{workshop['id']}/s/{session['id']}")
    page.evaluate("navigator.serviceWorker.ready")
    page.reload()  # the worker is active: it controls every load from now on (a first load it may not)
    assert page.evaluate("navigator.serviceWorker.controller !== null"), "no service worker controls the console"
    earlier = "/* an earlier release */"
    page.evaluate(  # what an earlier release left in the worker's cache
        """async (earlier) => {
            const cache = await caches.open((await caches.keys())[0]);
            const script = { headers: { "Content-Type": "text/javascript" } };
            await cache.put("/static/console.js", new Response(earlier, script));
        }""",
        earlier,
    )
    kept = "caches.match('/static/console.js').then((response) => response.text())"
    url = page.url
    page.close()  # the next morning: the console is opened again
    page = context.new_page()
    page.goto(url)
    expect(page.locator("#net")).to_contain_text("Online")
    for _ in range(50):  # the new release came from the network and is kept (the worker stores it after)
        if page.evaluate(kept) != earlier:
            break
        page.wait_for_timeout(100)
    assert "knoten console" in page.evaluate(kept)

    context.set_offline(True)  # the next network drop: the console still works, with the new release
    page.reload()
    expect(page.locator("#net")).to_contain_text("Offline")
    assert "knoten console" in page.evaluate(kept)
