"""The organiser's home on a laptop: signed in by the mailed link, they create a workshop in the
form, copy it to a day in summer time and find its sessions at the same local times, hand the
console to a tablet by link and QR code, renew that link, change and close the workshop."""

from __future__ import annotations

import re
import secrets
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from playwright.sync_api import Page, expect

from tests.browser.conftest import ADMIN, LAPTOP, PHONE, TABLET, Contexts, Knoten
from tests.browser.conftest import shoot as shoot_scrolled
from tests.mail_sink import text_of

BERLIN = ZoneInfo("Europe/Berlin")


def _sign_in_by_mail(page: Page, knoten: Knoten, screenshots: Path | None = None) -> None:
    """Ask for a sign-in link on /admin, open it from the mail and press its button."""
    email = f"orga-{secrets.token_hex(6)}@example.org"
    knoten.http.post(
        "/api/organisers", json={"email": email, "name": "Olga Orga"}, headers={"Authorization": f"Bearer {ADMIN}"}
    ).raise_for_status()
    page.goto(f"{knoten.url}/admin")
    page.get_by_label("Ihre E-Mail-Adresse").fill(email)
    if screenshots:
        shoot(page, screenshots, "organiser-sign-in-form-de")
    page.get_by_role("button", name="Anmeldelink schicken").click()
    if screenshots:
        shoot(page, screenshots, "organiser-sign-in-link-sent-de")
    mail = knoten.sink.wait_for(lambda found: len(found) == 1, to=email)[0]
    link = re.search(r"http\S+/admin/signin/\S+", text_of(mail))
    assert link is not None
    page.goto(link.group(0))
    if screenshots:
        shoot(page, screenshots, "organiser-sign-in-button-de")
    page.get_by_role("button", name="Anmelden").click()
    expect(page.get_by_role("heading", name="Ihre Veranstaltungen", level=1)).to_be_visible()


def shoot(page: Page, folder: Path, name: str) -> None:
    """A full-page screenshot from the top, so that the sticky bar stays at the top."""
    page.evaluate("window.scrollTo(0, 0)")
    shoot_scrolled(page, folder, name)


def _sessions(page: Page) -> list[str]:
    return [row.inner_text().split("\t")[0] for row in page.locator("#sessions tbody tr").all()]


def test_the_organiser_creates_copies_hands_over_and_closes_a_workshop_from_the_home(
    contexts: Contexts, knoten: Knoten, screenshots: Path
) -> None:
    page = contexts.new(LAPTOP).new_page()
    _sign_in_by_mail(page, knoten, screenshots)
    title = f"Netzwerktreffen März {secrets.token_hex(2)}"

    if not page.get_by_label("Titel", exact=True).is_visible():  # open by itself while there is none
        page.get_by_text("Neue Veranstaltung", exact=True).click()
    page.get_by_label("Titel", exact=True).fill(title)
    page.get_by_label("Beginn", exact=True).fill("2027-03-19T16:00")
    page.get_by_label("Ende", exact=True).fill("2027-03-19T21:00")
    expect(page.get_by_label("Zeitzone")).to_have_value("Europe/Berlin")
    page.get_by_label("Ort", exact=True).fill("Rathaus, Saal 1")
    page.get_by_label("E-Mail-Adresse des Orga-Teams").fill("orga@example.org")
    shoot(page, screenshots, "organiser-new-workshop-de")
    page.get_by_role("button", name="Veranstaltung anlegen").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(title)
    expect(page.get_by_role("status")).to_contain_text("Die Veranstaltung ist angelegt")
    wid = page.url.split("/admin/workshops/")[1].split("?")[0]

    admin = {"Authorization": f"Bearer {ADMIN}"}
    for name, starts, ends in (("Thementisch Wohnen", "18:00", "19:00"), ("Runder Tisch Ehrenamt", "19:30", "20:45")):
        body = {
            "title": name,
            "format": "thementisch",
            "room": "Saal 2",
            "starts_at": f"2027-03-19T{starts}:00+01:00",
            "ends_at": f"2027-03-19T{ends}:00+01:00",
        }
        knoten.http.post(f"/api/workshops/{wid}/sessions", json=body, headers=admin).raise_for_status()
    page.reload()
    assert _sessions(page) == ["19.03.27, 18:00", "19.03.27, 19:30"]

    page.get_by_text("Veranstaltung kopieren").click()
    page.get_by_label("Titel der Kopie").fill(title.replace("März", "April"))
    page.get_by_label("Neues Anfangsdatum").fill("2027-04-16")
    page.get_by_role("button", name="Kopieren", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(title.replace("März", "April"))
    expect(page.get_by_role("status")).to_contain_text("Das ist die Kopie")
    copy_id = page.url.split("/admin/workshops/")[1].split("?")[0]
    assert copy_id != wid
    assert _sessions(page) == ["16.04.27, 18:00", "16.04.27, 19:30"]  # summer time, the same local times
    expect(page.get_by_text("Freitag, 16. April 2027, 16:00")).to_be_visible()
    posters = page.get_by_role("link", name="Plakate für die Räume (PDF)")  # the organiser finds them here too
    answer = page.request.get(f"{knoten.url}{posters.get_attribute('href')}")
    assert answer.status == 200 and answer.headers["content-type"] == "application/pdf"
    shoot(page, screenshots, "organiser-workshop-de")

    page.get_by_role("button", name="Konsolen-Link und QR-Code zeigen").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Konsole übergeben")
    expect(page.locator(".qr svg")).to_be_visible()
    console_url = page.get_by_label("Konsolen-Link").input_value()
    assert console_url.startswith(f"{knoten.url}/w/{copy_id}/login?code=")
    shoot(page, screenshots, "organiser-handover-de")
    tablet = contexts.new(TABLET).new_page()
    tablet.goto(console_url)
    expect(tablet.locator("h1")).to_have_text(title.replace("März", "April"))
    expect(tablet.get_by_text("Thementisch Wohnen")).to_be_visible()

    own = page.context.new_page()  # the organiser tries the link in their own browser too
    own.goto(console_url)
    expect(own.locator("h1")).to_have_text(title.replace("März", "April"))
    page.get_by_role("link", name="Zurück zur Veranstaltung").click()  # still the organiser here
    page.get_by_text("Link erneuern").click()
    expect(page.get_by_text("Alle früheren Konsolen-Links hören auf zu funktionieren")).to_be_visible()
    page.get_by_role("button", name="Link jetzt erneuern").click()
    expect(page.get_by_role("status")).to_contain_text("Der Link ist erneuert")
    renewed = page.get_by_label("Konsolen-Link").input_value()
    assert renewed != console_url
    late = contexts.new(TABLET).new_page()
    late.goto(console_url)
    expect(late.get_by_role("heading", level=1)).not_to_have_text(title.replace("März", "April"))
    assert tablet.request.get(f"{knoten.url}/w/{copy_id}/board").status == 401  # the tablet is signed out

    page.get_by_role("link", name="Zurück zur Veranstaltung").click()
    page.get_by_text("Veranstaltung ändern").click()
    expect(page.get_by_label("Beginn", exact=True)).to_have_value("2027-04-16T16:00")
    page.get_by_label("Ort", exact=True).fill("Bürgerhaus")
    page.get_by_role("button", name="Änderungen speichern").click()
    expect(page.get_by_role("status")).to_contain_text("Ihre Änderungen sind gespeichert")
    expect(page.locator(".facts")).to_contain_text("Bürgerhaus")
    assert _sessions(page) == ["16.04.27, 18:00", "16.04.27, 19:30"]

    page.get_by_role("link", name="Ihre Veranstaltungen").first.click()
    upcoming = page.locator("section", has=page.get_by_role("heading", name=re.compile("^Demnächst")))
    row = upcoming.get_by_role("row", name=re.compile(re.escape(title.replace("März", "April"))))
    expect(row).to_contain_text("geplant")
    expect(row.get_by_role("cell").nth(3)).to_have_text("2")  # sessions
    expect(row.get_by_role("cell").nth(4)).to_have_text("0")  # sign-ups: nobody came along
    shoot(page, screenshots, "organiser-home-de")

    row.get_by_role("link").click()
    page.get_by_text("Veranstaltung abschließen", exact=True).click()
    page.get_by_role("button", name="Ja, Veranstaltung abschließen").click()
    expect(page.get_by_role("status")).to_contain_text("Die Veranstaltung ist abgeschlossen")
    expect(page.get_by_role("heading", level=1)).to_contain_text("abgeschlossen")
    page.get_by_role("link", name="Ihre Veranstaltungen").first.click()
    past = page.locator("section", has=page.get_by_role("heading", name=re.compile("^Vergangen")))
    expect(past.get_by_role("row", name=re.compile(re.escape(title.replace("März", "April"))))).to_be_visible()


def test_the_home_and_its_forms_in_english(contexts: Contexts, knoten: Knoten, screenshots: Path) -> None:
    page = contexts.new(LAPTOP).new_page()
    knoten.sign_in(page)
    page.goto(f"{knoten.url}/admin?lang=en")
    expect(page.get_by_role("heading", name="Your workshops", level=1)).to_be_visible()
    if not page.get_by_label("Title", exact=True).is_visible():
        page.get_by_text("New workshop", exact=True).click()
    expect(page.get_by_role("button", name="Create workshop")).to_be_visible()
    shoot(page, screenshots, "organiser-home-en")
    workshop = knoten.workshop(
        title="Network meeting", starts_at="2027-03-19T16:00:00+01:00", ends_at="2027-03-19T21:00:00+01:00"
    )
    page.goto(f"{knoten.url}/admin/workshops/{workshop['id']}")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Network meeting")
    for form in ("Change the workshop", "Copy the workshop", "Close the workshop"):
        page.get_by_text(form, exact=True).click()
    expect(page.get_by_role("button", name="Yes, close the workshop")).to_be_visible()
    shoot(page, screenshots, "organiser-workshop-en")
    page.get_by_role("button", name="Show console link and QR code").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Hand over the console")
    shoot(page, screenshots, "organiser-handover-en")


def test_the_home_and_a_workshop_fit_a_phone_and_a_tablet(
    contexts: Contexts, knoten: Knoten, screenshots: Path
) -> None:
    title = "Netzwerktreffen mit einem recht langen Titel"
    workshop = knoten.workshop(title=title, starts_at="2027-03-19T16:00:00+01:00", ends_at="2027-03-19T21:00:00+01:00")
    knoten.session(workshop, starts_at="2027-03-19T18:00:00+01:00")
    for name, viewport in (("phone", PHONE), ("tablet", TABLET)):
        page = contexts.new(viewport).new_page()
        knoten.sign_in(page)
        for path, shot in (("/admin", "organiser-home"), (f"/admin/workshops/{workshop['id']}", "organiser-workshop")):
            page.goto(f"{knoten.url}{path}")
            for summary in page.locator("details > summary").all():
                summary.click()
            wider = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert wider <= 0, f"{path} is {wider}px wider than a {name}"
            shoot(page, screenshots, f"{shot}-{name}-de")


def test_a_session_added_on_the_board_is_at_the_time_typed_in_the_workshops_season(
    contexts: Contexts, knoten: Knoten
) -> None:
    summer_now = datetime.now(BERLIN).dst() != timedelta(0)
    day = "2027-01-15" if summer_now else "2027-07-02"  # the other season than now
    offset = "+01:00" if summer_now else "+02:00"
    workshop = knoten.workshop(
        title="Saisontreffen", starts_at=f"{day}T16:00:00{offset}", ends_at=f"{day}T21:00:00{offset}"
    )
    page = contexts.new(LAPTOP).new_page()
    knoten.sign_in(page)
    page.goto(f"{knoten.url}/admin/workshops/{workshop['id']}")
    page.get_by_role("link", name="Übersicht öffnen").click()
    page.get_by_text("Neue Runde").click()
    page.get_by_label("Titel").fill("Abendrunde")
    page.get_by_label("Beginn").fill(f"{day}T18:00")
    page.get_by_role("button", name="Runde anlegen").click()
    expect(page.get_by_text("Abendrunde")).to_be_visible()
    page.goto(f"{knoten.url}/admin/workshops/{workshop['id']}")
    assert _sessions(page) == [f"{day[8:10]}.{day[5:7]}.27, 18:00"]


def test_a_workshop_whose_day_began_says_no_session_is_open_yet(
    contexts: Contexts, knoten: Knoten, screenshots: Path
) -> None:
    """Listed under "running" by its day, its badge does not say "planned" (which read as a contradiction)."""
    now = datetime.now(BERLIN).replace(microsecond=0)
    title = f"Begonnen {secrets.token_hex(2)}"
    workshop = knoten.workshop(
        title=title, starts_at=(now - timedelta(hours=1)).isoformat(), ends_at=(now + timedelta(hours=5)).isoformat()
    )
    knoten.session(workshop)
    page = contexts.new(LAPTOP).new_page()
    knoten.sign_in(page)
    running = page.locator("section", has=page.get_by_role("heading", name=re.compile("^Läuft gerade")))
    row = running.get_by_role("row", name=re.compile(re.escape(title)))
    expect(row.get_by_role("cell").nth(2)).to_have_text("begonnen, keine Runde offen")
    shoot(page, screenshots, "organiser-home-begun-de")
