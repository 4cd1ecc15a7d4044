"""Participants' own voice, in real Chromium: five phones add cards and give dots within the
budget while the console follows live (a phone that lost the Wi-Fi sends its taps later, and the
budget still holds); a round table whose phones answer the date poll, the facilitator fixes the
date, and the invitations arrive."""

from __future__ import annotations

import re
import secrets
from pathlib import Path
from typing import Any

from playwright.sync_api import BrowserContext, Page, expect

from tests.browser.conftest import PHONE, TABLET, Contexts, Knoten, shoot
from tests.mail_sink import attachments_of

TEXTS = {
    "de": {"name": "Ihr Name", "new": "Nein, ich war schon", "consent": "Ich bin einverstanden", "submit": "Eintragen"},
    "en": {"name": "Your name", "new": "No, I have been here before", "consent": "I agree", "submit": "Sign up"},
}


def _phone_signs_up(
    contexts: Contexts, session: dict[str, Any], name: str, email: str = "", language: str = "de"
) -> tuple[BrowserContext, Page]:
    """A phone scans the QR code, signs up, and goes on to the session's page."""
    context = contexts.new(PHONE, locale="de-DE" if language == "de" else "en-GB")
    page = context.new_page()
    page.goto(f"{session['signup_url']}?lang={language}")
    words = TEXTS[language]
    page.get_by_label(words["name"]).fill(name)
    if email:
        page.get_by_label("E-Mail").fill(email)
    page.get_by_text(words["new"]).click()
    page.get_by_text(words["consent"]).click()
    page.get_by_role("button", name=words["submit"], exact=True).click()
    page.get_by_role("link", name="Zur Runde" if language == "de" else "To the session").click()
    expect(page.locator("#panel")).to_be_visible()
    return context, page


def _console(contexts: Contexts, knoten: Knoten, workshop: dict[str, Any], session: dict[str, Any]) -> Page:
    console = contexts.new(TABLET).new_page()
    console.goto(workshop["console_url"])
    console.goto(f"{knoten.url}/w/{workshop['id']}/s/{session['id']}")
    console.on("dialog", lambda dialog: dialog.accept())
    return console


def _shoot(page: Page, folder: Path, name: str) -> None:
    page.evaluate("window.scrollTo(0, 0)")  # the sticky header stays at the top of a full-page shot
    shoot(page, folder, name)


def _row(page: Page, text: str) -> Any:
    return page.locator("#ranking li").filter(has_text=text)


def test_five_phones_add_cards_and_give_dots_within_the_budget_and_the_console_follows_live(
    contexts: Contexts, knoten: Knoten, screenshots: Path
) -> None:
    workshop = knoten.workshop(title="Zukunft Quartier")
    session = knoten.session(workshop, title="Zukunftswerkstatt Wohnen", format="zukunftswerkstatt", dot_budget=3)
    console = _console(contexts, knoten, workshop, session)
    console.get_by_role("button", name="Runde eröffnen").click()
    expect(console.get_by_text("offen", exact=True)).to_be_visible()

    phones = [_phone_signs_up(contexts, session, f"Person {i}")[1] for i in range(5)]
    for i, phone in enumerate(phones):
        expect(phone.get_by_text("Noch 3 Punkte")).to_be_visible()
        phone.get_by_label("Ihre Karte").fill(f"Karte {i}")
        phone.get_by_role("button", name="Karte hinzufügen").click()
    for i in range(5):
        expect(console.locator("#panel")).to_contain_text(f"Karte {i}")  # live on the console
        expect(phones[0].locator("#ranking")).to_contain_text(f"Karte {i}")  # and on every phone

    first = phones[0]
    for _ in range(3):
        _row(first, "Karte 1").get_by_role("button", name="+1").click()
    expect(first.get_by_text("Noch 0 Punkte")).to_be_visible()
    expect(_row(first, "Karte 2").get_by_role("button", name="+1")).to_be_disabled()
    expect(console.locator("#panel li").filter(has_text="Karte 1")).to_contain_text("● 3")
    expect(phones[1].locator("#ranking li").first).to_contain_text("Karte 1")  # the ranking, live

    # the venue Wi-Fi drops: four taps wait on the phone; back online, three count and the fourth is refused
    offline = phones[2]
    offline.context.set_offline(True)
    expect(offline.locator("#net")).to_contain_text("Offline")
    for _ in range(4):
        _row(offline, "Karte 3").get_by_role("button", name="+1").click()
    expect(offline.locator("#net")).to_contain_text("4 warten")
    offline.context.set_offline(False)
    offline.evaluate("window.dispatchEvent(new Event('online'))")
    expect(offline.get_by_role("alert")).to_contain_text("dot budget")
    expect(offline.get_by_text("Noch 0 Punkte")).to_be_visible()
    expect(console.locator("#panel li").filter(has_text="Karte 3")).to_contain_text("● 3")

    # moving a dot: take one back from one card, give it to another
    _row(first, "Karte 1").get_by_role("button", name="−1").click()
    expect(first.get_by_text("Noch 1 Punkt", exact=True)).to_be_visible()
    _row(first, "Karte 4").get_by_role("button", name="+1").click()
    expect(console.locator("#panel li").filter(has_text="Karte 4")).to_contain_text("● 1")
    expect(_row(first, "Karte 2").get_by_role("button", name="Zurücknehmen", exact=True)).to_have_count(0)  # not theirs

    own = phones[4]
    own.on("dialog", lambda dialog: dialog.accept())
    _row(own, "Karte 4").get_by_role("button", name="Zurücknehmen", exact=True).click()
    expect(console.locator("#panel")).not_to_contain_text("Karte 4")
    expect(first.get_by_text("Noch 1 Punkt", exact=True)).to_be_visible()  # its dot went back
    view = knoten.full(workshop, session)
    assert sorted((c["text"], c["votes"]) for c in view["cards"]) == [
        ("Karte 0", 0),
        ("Karte 1", 2),
        ("Karte 2", 0),
        ("Karte 3", 3),
    ]

    _shoot(first, screenshots, "participant-cards-phone-de")
    first.goto(f"{session['signup_url']}?lang=en")
    expect(first.get_by_text("1 dot left")).to_be_visible()
    _shoot(first, screenshots, "participant-cards-phone-en")
    tablet = contexts.new(TABLET).new_page()
    tablet.context.add_cookies(first.context.cookies())
    tablet.goto(f"{session['signup_url']}?lang=de")
    _shoot(tablet, screenshots, "participant-cards-tablet-de")
    tablet.goto(f"{session['signup_url']}?lang=en")
    _shoot(tablet, screenshots, "participant-cards-tablet-en")
    _shoot(console, screenshots, "participant-cards-console-de")


def test_a_round_table_fixes_the_next_date_from_the_phones_answers_and_the_invitations_arrive(
    contexts: Contexts, knoten: Knoten, screenshots: Path
) -> None:
    workshop = knoten.workshop(title="Netzwerk Nord")
    session = knoten.session(
        workshop,
        title="Runder Tisch Wohnen",
        format="runder_tisch",
        starts_at="2026-05-09T10:00:00+02:00",
        ends_at="2026-05-09T12:00:00+02:00",
    )
    console = _console(contexts, knoten, workshop, session)
    console.get_by_label("Tagesordnungspunkt").fill("Arbeitsprogramm 2027")
    console.get_by_label("Minuten").fill("20")
    console.get_by_role("button", name="Punkt hinzufügen").click()
    console.get_by_label("Tagesordnungspunkt").fill("Nächstes Treffen")
    console.get_by_role("button", name="Punkt hinzufügen").click()
    console.get_by_label("Termin 1", exact=True).fill("2026-06-01T18:00")
    console.get_by_label("Termin 2", exact=True).fill("2026-06-08T18:00")
    console.get_by_role("button", name="Auf den Handys abfragen").click()
    expect(console.get_by_role("button", name="Termin festlegen")).to_have_count(2)
    console.get_by_role("button", name="Runde eröffnen").click()
    console.get_by_role("button", name="Jetzt besprechen: Arbeitsprogramm 2027").click()
    expect(console.locator("ol.agenda li.current")).to_contain_text("Arbeitsprogramm 2027")

    mark = secrets.token_hex(4)
    people = [("Anna", "de"), ("Ben", "en"), ("Carla", "de")]
    emails = [f"{name.lower()}.{mark}@example.org" for name, _ in people]
    phones = [
        _phone_signs_up(contexts, session, name, email, language)[1]
        for (name, language), email in zip(people, emails, strict=True)
    ]
    expect(phones[0].locator("ol.agenda li.current")).to_contain_text("Arbeitsprogramm 2027")
    phones[0].get_by_role("button", name="Montag, 8. Juni 2026").click()
    phones[1].get_by_role("button", name="Monday, June 8, 2026").click()
    phones[2].get_by_role("button", name="Montag, 1. Juni 2026").click()
    phones[2].get_by_role("button", name="Montag, 8. Juni 2026").click()
    expect(phones[2].get_by_role("button", name="Montag, 8. Juni 2026")).to_have_attribute("aria-pressed", "true")
    expect(console.locator("#panel li").filter(has_text="8. Juni 2026")).to_contain_text("3 können")
    expect(console.locator("#panel li").filter(has_text="1. Juni 2026")).to_contain_text("1 kann")
    _shoot(phones[0], screenshots, "participant-round-table-phone-de")
    _shoot(phones[1], screenshots, "participant-round-table-phone-en")

    console.get_by_label("Beschluss").fill("Arbeitsprogramm 2027 beschlossen")
    console.get_by_label("ja", exact=True).fill("9")
    console.get_by_label("nein", exact=True).fill("0")
    console.get_by_role("button", name="Beschluss festhalten").click()
    console.locator("#panel li").filter(has_text="8. Juni 2026").get_by_role("button", name="Termin festlegen").click()
    expect(console.locator("#fixed-date")).to_contain_text("8. Juni 2026")
    expect(phones[1].locator("#fixed-date")).to_contain_text("June 8, 2026")
    expect(phones[0].get_by_text("Arbeitsprogramm 2027 beschlossen")).to_be_visible()
    _shoot(console, screenshots, "participant-round-table-console-de")
    _shoot(phones[0], screenshots, "participant-round-table-fixed-phone-de")

    for email in emails:
        mails = knoten.sink.wait_for(
            lambda found: any("next-meeting.ics" in attachments_of(m) for m in found), to=email
        )
        assert len([m for m in mails if "next-meeting.ics" in attachments_of(m)]) == 1


def test_a_phone_posts_biete_and_suche_and_the_console_shows_it_live(
    contexts: Contexts, knoten: Knoten, screenshots: Path
) -> None:
    workshop = knoten.workshop(title="Markt der Möglichkeiten")
    session = knoten.session(workshop, title="Marktplatz Ehrenamt", format="marktplatz")
    console = _console(contexts, knoten, workshop, session)
    console.get_by_role("button", name="Runde eröffnen").click()
    _, anna = _phone_signs_up(contexts, session, "Anna Arendt")
    _, ben = _phone_signs_up(contexts, session, "Ben Bauer", language="en")
    anna.get_by_label("Was", exact=True).fill("Lastenrad fürs Wochenende")
    anna.get_by_role("button", name="Als Anna Arendt eintragen").click()
    ben.get_by_text("I am looking for").click()
    ben.get_by_label("What", exact=True).fill("Help moving boxes")
    ben.get_by_role("button", name="Post as Ben Bauer").click()
    expect(console.locator("#panel")).to_contain_text("Lastenrad fürs Wochenende (Anna Arendt)")
    expect(console.locator("#panel")).to_contain_text("Help moving boxes (Ben Bauer)")
    # live on the other phone (a slow machine under the whole suite took more than the default 5 s)
    expect(anna.locator("#requests")).to_contain_text("Help moving boxes", timeout=15_000)
    expect(anna.locator("#requests").get_by_role("button", name="Zurücknehmen", exact=True)).to_have_count(
        0
    )  # not hers
    _shoot(anna, screenshots, "participant-market-phone-de")
    _shoot(ben, screenshots, "participant-market-phone-en")
    ben.on("dialog", lambda dialog: dialog.accept())
    ben.locator("#requests").get_by_role("button", name="Take back", exact=True).click()
    expect(console.locator("#panel")).not_to_contain_text("Help moving boxes")


def test_a_date_tapped_on_a_phone_stays_tapped_when_another_phones_answer_arrives_before_it(
    contexts: Contexts, knoten: Knoten
) -> None:
    """The live refresh shows the server's state; a tap the server has not had yet must survive it,
    or the next tap sends the older choice and the first date is lost."""
    workshop = knoten.workshop(title="Netzwerk Süd")
    session = knoten.session(workshop, title="Runder Tisch Verkehr", format="runder_tisch")
    console = _console(contexts, knoten, workshop, session)
    console.get_by_label("Termin 1", exact=True).fill("2026-06-01T18:00")
    console.get_by_label("Termin 2", exact=True).fill("2026-06-08T18:00")
    console.get_by_role("button", name="Auf den Handys abfragen").click()
    expect(console.get_by_role("button", name="Termin festlegen")).to_have_count(2)
    console.get_by_role("button", name="Runde eröffnen").click()
    first = _phone_signs_up(contexts, session, "Anna")[1]
    second = _phone_signs_up(contexts, session, "Ben")[1]

    held: list[Any] = []  # the second phone's first answer is slow on the venue Wi-Fi

    def hold_the_first(route: Any) -> None:
        if held:
            route.continue_()
        else:
            held.append(route)

    second.route("**/date-poll/votes", hold_the_first)
    second.get_by_role("button", name="Montag, 1. Juni 2026").click()
    for _ in range(100):
        if held:
            break
        second.wait_for_timeout(50)
    assert held, "the second phone's answer was not sent"
    first.get_by_role("button", name="Montag, 8. Juni 2026").click()
    expect(second.locator("#panel li").filter(has_text="8. Juni 2026")).to_contain_text("1 kann")  # refreshed live
    expect(second.get_by_role("button", name="Montag, 1. Juni 2026")).to_have_attribute("aria-pressed", "true")
    second.get_by_role("button", name="Montag, 8. Juni 2026").click()
    held[0].continue_()

    expect(console.locator("#panel li").filter(has_text="8. Juni 2026")).to_contain_text("2 können")
    expect(console.locator("#panel li").filter(has_text="1. Juni 2026")).to_contain_text("1 kann")
    expect(second.get_by_role("button", name="Montag, 1. Juni 2026")).to_have_attribute("aria-pressed", "true")
    expect(second.get_by_role("button", name="Montag, 8. Juni 2026")).to_have_attribute("aria-pressed", "true")


def test_an_offer_tapped_on_the_console_stays_marked_while_phones_post_and_the_match_is_made(
    contexts: Contexts, knoten: Knoten
) -> None:
    workshop = knoten.workshop(title="Markt im Quartier")
    session = knoten.session(workshop, title="Marktplatz Nachbarschaft", format="marktplatz")
    console = _console(contexts, knoten, workshop, session)
    console.get_by_role("button", name="Runde eröffnen").click()
    anna = _phone_signs_up(contexts, session, "Anna Arendt")[1]
    anna.get_by_label("Was", exact=True).fill("Werkzeugkiste")
    anna.get_by_role("button", name="Als Anna Arendt eintragen").click()
    offer = console.get_by_role("button", name=re.compile("^Werkzeugkiste"))
    offer.click()
    expect(offer).to_have_class(re.compile(r"\bselected\b"))

    ben = _phone_signs_up(contexts, session, "Ben Bauer", language="en")  # the console refreshes live meanwhile
    ben[1].get_by_text("I am looking for").click()
    ben[1].get_by_label("What", exact=True).fill("Bohrmaschine")
    ben[1].get_by_role("button", name="Post as Ben Bauer").click()
    request = console.get_by_role("button", name=re.compile("^Bohrmaschine"))
    expect(request).to_be_visible()
    expect(offer).to_have_class(re.compile(r"\bselected\b"))  # still the one the facilitator tapped
    request.click()
    expect(console.locator("#commitments")).to_contain_text("Werkzeugkiste ↔ Bohrmaschine")
    assert [o["match_id"] is not None for o in knoten.full(workshop, session)["offers"]] == [True, True]
