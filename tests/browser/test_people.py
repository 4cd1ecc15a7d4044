"""One device, many people: the sign-up station on a tablet passed around the table, a phone
shared by two people, a phone that signed up at two workshops; newcomers said, not guessed."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.browser.conftest import PHONE, TABLET, Contexts, Knoten, shoot
from tests.mail_sink import text_of


def sign_in(contexts: Contexts, workshop: dict[str, str]) -> Page:
    page = contexts.new(TABLET).new_page()
    page.on("dialog", lambda dialog: dialog.accept())
    page.goto(workshop["console_url"])
    expect(page.locator("h1")).to_have_text(workshop["title"])
    return page


def fill(page: Page, name: str, email: str, new: bool | None = False) -> None:
    page.get_by_label("Ihr Name").fill(name)
    page.get_by_label("E-Mail").fill(email)
    if new is not None:
        page.get_by_text("Ja, ich bin neu hier" if new else "Nein, ich war schon einmal dabei").click()
    page.get_by_text("Ich bin einverstanden").click()
    page.get_by_role("button", name="Eintragen").click()


def test_the_sign_up_station_shows_nobody_the_others_data(
    contexts: Contexts, knoten: Knoten, screenshots: Path
) -> None:
    workshop = knoten.workshop(title="Station")
    session = knoten.session(workshop, title="Nachbarschaftshilfe", capacity=1)
    tablet = sign_in(contexts, workshop)
    tablet.goto(f"{knoten.url}/w/{workshop['id']}/s/{session['id']}")
    tablet.get_by_role("link", name="Eintragestation auf diesem Tablet").click()
    fill(tablet, "Anna Station", "anna.station@example.org", new=True)
    expect(tablet.get_by_text("Danke: Sie haben einen Platz!")).to_be_visible()
    expect(tablet.get_by_label("Ihr Name")).to_have_value("")  # the next person gets an empty form
    expect(tablet.get_by_label("E-Mail")).to_have_value("")
    assert "Anna" not in tablet.content()
    assert tablet.get_by_role("link", name="Meine Eintragungen und Daten").count() == 0
    shoot(tablet, screenshots, "station-after-signup-tablet-1024x768")
    fill(tablet, "Ben Station", "ben.station@example.org")
    expect(tablet.get_by_text("Danke: Sie stehen auf der Warteliste, Platz 1.")).to_be_visible()
    assert not [c for c in tablet.context.cookies() if c["name"] == "knoten_p"]  # the tablet holds no one's link
    (mail,) = knoten.sink.wait_for(lambda found: len(found) == 1, to="anna.station@example.org")
    assert "/me?token=" in text_of(mail)  # the personal link goes by e-mail only
    view = knoten.full(workshop, session)
    assert [s["name"] for s in view["signups"]] == ["Anna Station", "Ben Station"]


def test_a_shared_phone_files_each_person_apart_and_shows_every_workshop(
    contexts: Contexts, knoten: Knoten, screenshots: Path
) -> None:
    first, second = knoten.workshop(title="Erstes Treffen"), knoten.workshop(title="Zweites Treffen")
    table_one, table_two = knoten.session(first, title="Tisch A"), knoten.session(second, title="Tisch B")
    phone = contexts.new(PHONE).new_page()
    phone.goto(table_one["signup_url"])
    fill(phone, "Carla Erste", "carla.shared@example.org")
    expect(phone.get_by_text("Sie haben einen Platz!")).to_be_visible()
    phone.goto(table_one["signup_url"])  # handed to the next person
    fill(phone, "Dana Zweite", "dana.shared@example.org")
    expect(phone.get_by_text("Sie haben einen Platz!")).to_be_visible()
    phone.goto(table_two["signup_url"])  # the same phone at another workshop
    fill(phone, "Carla Erste", "carla.shared@example.org")
    phone.get_by_role("link", name="Meine Eintragungen und Daten").click()
    for title in ("Erstes Treffen", "Zweites Treffen"):
        expect(phone.get_by_role("heading", name=title).first).to_be_visible()
    shoot(phone, screenshots, "me-two-workshops-phone-390x844")
    people = knoten.full(first, table_one)["signups"]
    assert sorted(s["name"] for s in people) == ["Carla Erste", "Dana Zweite"]
    # Dana deletes herself: Carla stays.
    dana = phone.locator("section.person", has_text="Dana Zweite")
    dana.get_by_role("link", name="Mich löschen").click()
    phone.get_by_role("button", name="Ja, meine Daten löschen").click()
    expect(phone.get_by_text("Ihre Daten sind gelöscht.")).to_be_visible()
    names = sorted(s["name"] or "-" for s in knoten.full(first, table_one)["signups"])
    assert names == ["-", "Carla Erste"]


def test_the_form_asks_whether_someone_is_new_and_the_console_corrects_it(
    contexts: Contexts, knoten: Knoten, screenshots: Path
) -> None:
    workshop = knoten.workshop(title="Neu oder nicht")
    session = knoten.session(workshop, title="Thementisch")
    phone = contexts.new(PHONE).new_page()
    phone.goto(session["signup_url"])
    fill(phone, "Emil Eilig", "emil.new@example.org", new=None)  # no answer to the question
    expect(phone.get_by_role("alert")).to_contain_text("Bitte sagen Sie, ob Sie neu hier sind.")
    expect(phone.get_by_label("Ihr Name")).to_have_value("Emil Eilig")
    phone.get_by_text("Nein, ich war schon einmal dabei").click()  # what was typed and ticked stays
    phone.get_by_role("button", name="Eintragen").click()
    expect(phone.get_by_text("Sie haben einen Platz!")).to_be_visible()
    tablet = sign_in(contexts, workshop)
    tablet.goto(f"{knoten.url}/w/{workshop['id']}/s/{session['id']}")
    marking = tablet.get_by_role("button", name="Emil Eilig als neu markieren")
    expect(marking).to_have_text("ist neu")  # an action, not to be read as the badge "neu" beside it
    marking.click()
    expect(tablet.locator("#signups .badge.amber")).to_have_text("neu", timeout=10_000)
    shoot(tablet, screenshots, "console-newcomer-corrected-tablet-1024x768")
    assert knoten.full(workshop, session)["signups"][0]["newcomer"] is True


def test_a_table_code_keeps_a_guessed_link_out_and_the_qr_code_in(contexts: Contexts, knoten: Knoten) -> None:
    workshop = knoten.workshop(title="Tischcode")
    session = knoten.session(workshop, title="Runder Tisch", capacity=3)
    tablet = sign_in(contexts, workshop)
    tablet.goto(f"{knoten.url}/w/{workshop['id']}/s/{session['id']}")
    tablet.get_by_role("button", name="Tischcode verlangen").click()
    code = tablet.locator("strong.code").inner_text()
    assert len(code) == 6
    phone = contexts.new(PHONE).new_page()
    phone.goto(f"{knoten.url}/s/{workshop['id']}/{session['id']}")  # the link without the code
    phone.get_by_label("Tischcode").fill("XXXXXX")
    fill(phone, "Bot", "bot.code@example.org")
    expect(phone.get_by_role("alert")).to_contain_text("Code vom Aushang")
    phone.goto(knoten.full(workshop, session)["signup_url"])  # what the QR code opens
    assert phone.get_by_label("Tischcode").count() == 0
    fill(phone, "Fine Echt", "fine.code@example.org")
    expect(phone.get_by_text("Sie haben einen Platz!")).to_be_visible()
    assert [s["name"] for s in knoten.full(workshop, session)["signups"]] == ["Fine Echt"]


def test_a_phone_that_signed_up_and_then_opens_its_mailed_link_shows_the_person_once(
    contexts: Contexts, knoten: Knoten, screenshots: Path
) -> None:
    workshop = knoten.workshop(title="Einmal reicht")
    table = knoten.session(workshop, title="Tisch E")
    phone = contexts.new(PHONE).new_page()
    phone.goto(table["signup_url"])
    fill(phone, "Mia Einmal", "mia.einmal@example.org")
    expect(phone.get_by_text("Sie haben einen Platz!")).to_be_visible()
    mails = knoten.sink.wait_for(lambda found: len(found) >= 1, to="mia.einmal@example.org")
    link = re.search(r"\S+/me\?token=\S+", text_of(mails[0]))
    assert link is not None
    phone.goto(link.group(0))  # the same person's link, on the phone that holds their sign-up
    expect(phone.get_by_role("heading", name="Hallo Mia Einmal")).to_be_visible()
    expect(phone.get_by_role("button", name="Austragen")).to_have_count(1)
    shoot(phone, screenshots, "me-after-mailed-link-phone-390x844")
