"""A phone without the personal link asks for it again, in German, and ends the earlier links."""

from __future__ import annotations

import re
import secrets
from pathlib import Path

from playwright.sync_api import expect

from tests.browser.conftest import PHONE, Contexts, Knoten, shoot
from tests.mail_sink import text_of


def test_a_phone_gets_its_link_again_and_ends_the_earlier_ones(
    contexts: Contexts, knoten: Knoten, screenshots: Path
) -> None:
    email = f"wieder.{secrets.token_hex(4)}@example.org"
    workshop = knoten.workshop(title="Runder Tisch Ost")
    session = knoten.session(workshop)
    signup = {"name": "Wiebke", "email": email, "consent": True}
    knoten.http.post(f"/api/workshops/{workshop['id']}/sessions/{session['id']}/signups", json=signup)
    phone = contexts.new(PHONE).new_page()

    phone.goto(f"{knoten.url}/me")
    expect(phone.get_by_role("heading", name="Keine Eintragungen auf diesem Gerät")).to_be_visible()
    phone.get_by_role("link", name="Link erneut senden").click()
    phone.get_by_label("E-Mail").fill(email)
    shoot(phone, screenshots, "me-link-again-form-phone-390x844")
    phone.get_by_role("button", name="Link erneut senden").click()
    expect(phone.get_by_text("Wenn die Adresse bei uns bekannt ist, kommt gleich eine E-Mail.")).to_be_visible()
    shoot(phone, screenshots, "me-link-again-sent-phone-390x844")

    mails = knoten.sink.wait_for(lambda found: any("Runder Tisch Ost" in str(m["Subject"]) for m in found), to=email)
    again = next(m for m in mails if str(m["Subject"]) == "Ihr persönlicher Link für Runder Tisch Ost")
    link = re.search(r"\S+/me\?token=\S+", text_of(again))
    assert link is not None
    phone.goto(link.group(0))
    expect(phone.get_by_role("heading", name="Hallo Wiebke")).to_be_visible()
    phone.get_by_role("button", name="Alle früheren Links beenden").click()
    expect(phone.get_by_text("Alle früheren Links sind beendet. Dieses Gerät bleibt angemeldet.")).to_be_visible()
    shoot(phone, screenshots, "me-earlier-links-ended-phone-390x844")
    expect(phone.get_by_role("heading", name="Hallo Wiebke")).to_be_visible()

    other = contexts.new(PHONE).new_page()
    other.goto(link.group(0))
    expect(other.get_by_role("heading", name="Keine Eintragungen auf diesem Gerät")).to_be_visible()
