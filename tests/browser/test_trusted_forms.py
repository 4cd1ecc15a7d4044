"""Forms that refuse what would turn a name into something else, and say why."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.conftest import PHONE, TABLET, Contexts, Knoten


def test_the_signup_form_refuses_a_name_with_a_direction_override_and_says_why(
    contexts: Contexts, knoten: Knoten
) -> None:
    workshop = knoten.workshop()
    session = knoten.session(workshop)
    phone = contexts.new(PHONE).new_page()
    phone.goto(session["signup_url"])
    phone.get_by_label("Ihr Name").fill("Mia \u202eretsuM")
    phone.get_by_text("Nein, ich war schon einmal dabei").click()
    phone.get_by_text("Ich bin einverstanden").click()
    phone.get_by_role("button", name="Eintragen").click()
    expect(phone.get_by_text("Bitte schreiben Sie Name und Organisation in eine Zeile")).to_be_visible()
    assert knoten.full(workshop, session)["signups"] == []


def test_the_facilitator_offers_an_intro_slot_with_a_place(contexts: Contexts, knoten: Knoten) -> None:
    workshop = knoten.workshop()
    tablet = contexts.new(TABLET).new_page()
    tablet.goto(workshop["console_url"])
    tablet.goto(f"{knoten.url}/w/{workshop['id']}/intro")
    tablet.locator("#h-name").fill("Agnes W.")
    tablet.locator("#h-email").fill("agnes.place@example.org")
    tablet.locator("#h-place").fill("Stadtteilbüro, Raum 3")
    tablet.locator("#h-start").fill("2030-01-07T10:00")
    tablet.get_by_role("button", name="Termin anbieten").click()
    expect(tablet.get_by_text("Agnes W. · Stadtteilbüro, Raum 3")).to_be_visible()
    slots = knoten.http.get(f"/api/workshops/{workshop['id']}/intro-slots", headers=workshop["auth"]).json()
    assert [s["place"] for s in slots] == ["Stadtteilbüro, Raum 3"]


def test_a_stop_link_opened_in_a_browser_asks_first_and_then_stops(contexts: Contexts, knoten: Knoten) -> None:
    workshop = knoten.workshop(follow_up_after="PT1S")
    session = knoten.session(workshop)
    base = f"/api/workshops/{workshop['id']}"
    commitment = {"owner_name": "Bea", "owner_email": "bea.browser@example.org", "text": "Protokoll"}
    knoten.http.post(f"{base}/sessions/{session['id']}/commitments", json=commitment, headers=workshop["auth"])
    knoten.http.post(f"{base}/sessions/{session['id']}/close", headers=workshop["auth"])
    (reminder,) = knoten.sink.wait_for(lambda found: len(found) == 1, to="bea.browser@example.org")
    link = str(reminder["List-Unsubscribe"]).strip("<>")

    page = contexts.new(PHONE).new_page()
    page.goto(link)
    expect(page.locator("h1")).to_have_text("Diese Mails abbestellen?")
    page.get_by_role("button", name="Ja, abbestellen").click()
    expect(page.locator("h1")).to_have_text("Abbestellt")
    expect(page.get_by_text("Erinnerungen an Ihre Zusagen")).to_be_visible()
