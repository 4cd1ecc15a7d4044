"""The network in real Chromium: the organiser's home lists the network with its meetings and
plans the next one as a copy of the last; the network page shows the members, who came to which
meeting and who has not come for a year; a group's sign-up page says that signing up joins the
group, and the person leaves it from their personal page."""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from tests.browser.conftest import ADMIN, LAPTOP, PHONE, TABLET, Contexts, Knoten, shoot

# one name per run: the browser tests share one knoten, whose home lists every network by name
NAME = f"Netzwerk Bürgermitwirkung {secrets.token_hex(2)}"
OTHER = f"Netzwerk Bürgerbeteiligung {secrets.token_hex(2)}"

ADMIN_AUTH = {"Authorization": f"Bearer {ADMIN}"}


def _post(knoten: Knoten, path: str, body: dict[str, Any], headers: dict[str, str] = ADMIN_AUTH) -> dict[str, Any]:
    found: dict[str, Any] = knoten.http.post(path, json=body, headers=headers).raise_for_status().json()
    return found


def _meeting_with(knoten: Knoten, network_id: str, title: str, day: str, organisation: str) -> dict[str, Any]:
    """A past meeting of the network at which someone of `organisation` was present."""
    workshop = knoten.workshop(
        title=title, starts_at=f"{day}T17:00:00+01:00", ends_at=f"{day}T21:00:00+01:00", network_id=network_id
    )
    session = knoten.session(workshop, title="Thementisch Beteiligung")
    base = f"/api/workshops/{workshop['id']}/sessions/{session['id']}"
    knoten.http.post(f"{base}/open", headers=workshop["auth"]).raise_for_status()
    _post(knoten, f"{base}/signups", {"name": "Olaf Da", "organisation": organisation, "consent": True}, {})
    workshop["session_base"] = base
    return workshop


def test_the_network_page_shows_members_who_came_and_who_stayed_away(
    contexts: Contexts, knoten: Knoten, screenshots: Path
) -> None:
    network = _post(knoten, "/api/networks", {"name": NAME, "city": "Hannover"})
    nid = network["id"]
    for organisation, signed in (
        ("AWO Region Hannover e.V.", "2023-05-01"),
        ("Freiwilligenzentrum Hannover", "2023-05-01"),
        ("Stadtteilverein Linden", "2023-01-15"),
    ):
        body = {"organisation": organisation, "agreement_signed_at": signed, "contact_name": "Petra Kontakt"}
        _post(knoten, f"/api/networks/{nid}/members", body)
    _post(knoten, f"/api/networks/{nid}/groups", {"title": "AG Beteiligung", "patron_name": "Bernd Pate"})
    # within the retention period: after it, the names and organisations of a meeting are erased
    winter = _meeting_with(knoten, nid, "Wintertreffen 2025", "2025-12-05", "Stadtteilverein Linden")
    knoten.http.post(f"{winter['session_base']}/close", headers=winter["auth"]).raise_for_status()
    last = _meeting_with(knoten, nid, "Herbsttreffen 2026", "2026-11-06", "AWO")

    page = contexts.new(LAPTOP).new_page()
    knoten.sign_in(page)
    page.goto(f"{knoten.url}/admin")
    card = page.locator(".card", has=page.get_by_role("link", name=NAME))
    expect(card.get_by_role("link", name="Herbsttreffen 2026")).to_be_visible()
    card.scroll_into_view_if_needed()
    card.screenshot(path=str(screenshots / "network-home-de.png"))
    card.get_by_label("Nächstes Treffen: Titel").fill("Frühjahrstreffen 2027")
    card.get_by_label("am").fill("2027-03-12")
    card.get_by_role("button", name="Nächstes Treffen als Kopie des letzten planen").click()
    expect(page.get_by_role("heading", name="Frühjahrstreffen 2027")).to_be_visible()
    copy = knoten.http.get("/api/workshops", headers=ADMIN_AUTH).json()
    assert {w["title"]: w["network_id"] for w in copy}["Frühjahrstreffen 2027"] == nid
    assert last["id"] != page.url.rsplit("/", 1)[1]

    page.goto(f"{knoten.url}/admin/networks/{nid}")
    expect(page.get_by_role("heading", name=NAME, level=1)).to_be_visible()
    meetings = page.locator("#meetings").locator("xpath=..")
    expect(meetings.get_by_role("link", name="Frühjahrstreffen 2027")).to_be_visible()
    expect(meetings.get_by_role("row", name="Frühjahrstreffen 2027")).to_contain_text("geplant")
    expect(meetings.get_by_role("row", name="Herbsttreffen 2026")).to_contain_text("läuft")  # its session is open
    expect(meetings.get_by_role("row", name="Wintertreffen 2025")).to_contain_text("vorbei, nicht abgeschlossen")
    table = page.get_by_role("table", name="Wer zu welchem Treffen kam")
    awo = table.get_by_role("row", name="AWO Region Hannover e.V.")
    cells = awo.get_by_role("cell").all_inner_texts()[3:]  # after role, agreement and contact: the meetings
    assert [cell.split()[-1] for cell in cells] == ["da", "gekommen", "da"]  # "nicht da", "gekommen"
    linden = table.get_by_role("row", name="Stadtteilverein Linden")
    assert [cell.split()[-1] for cell in linden.get_by_role("cell").all_inner_texts()[3:]] == ["gekommen", "da", "da"]
    expect(linden.get_by_text("seit einem Jahr nicht da")).to_have_count(0)
    never = table.get_by_role("row", name="Freiwilligenzentrum Hannover")
    expect(never.get_by_text("seit einem Jahr nicht da")).to_be_visible()  # a member since 2023, never came
    away = page.locator("h3", has_text="Seit einem Jahr nicht gesehen").locator("xpath=following-sibling::ul[1]")
    assert away.locator("li").all_inner_texts() == ["Freiwilligenzentrum Hannover"]
    expect(page.get_by_role("heading", name="AG Beteiligung")).to_be_visible()
    shoot(page, screenshots, "network-de")
    page.get_by_role("link", name="Netzwerkbericht").click()
    expect(page.get_by_role("heading", name=NAME, level=1)).to_be_visible()
    expect(page.get_by_role("img", name="Personen je Treffen")).to_be_visible()
    page.go_back()

    page.get_by_text("Mitgliedsorganisation eintragen").click()
    page.get_by_label("Organisation", exact=True).fill("Caritas Hannover")
    page.get_by_label("Rolle").select_option("speaker")
    page.get_by_role("button", name="Mitglied eintragen").click()
    expect(page.get_by_text("Die Mitgliedsorganisation ist eingetragen.")).to_be_visible()
    expect(page.get_by_role("row", name="Caritas Hannover")).to_contain_text("Sprecher:in")

    page.goto(f"{knoten.url}/admin/networks/{nid}?lang=en")
    expect(page.get_by_role("heading", name="Member organisations")).to_be_visible()
    shoot(page, screenshots, "network-en")


def test_signing_up_to_a_groups_session_joins_it_and_the_person_leaves_it_from_their_page(
    contexts: Contexts, knoten: Knoten, screenshots: Path
) -> None:
    network = _post(knoten, "/api/networks", {"name": "Netzwerk Bocholt"})
    group = _post(knoten, f"/api/networks/{network['id']}/groups", {"title": "AG Stadtgrün"})
    workshop = knoten.workshop(network_id=network["id"])
    session = knoten.session(workshop, title="Thementisch Stadtgrün", group_id=group["id"])

    phone = contexts.new(PHONE).new_page()
    phone.goto(session["signup_url"])
    expect(phone.get_by_text("Arbeitsgruppe „AG Stadtgrün“ von Netzwerk Bocholt")).to_be_visible()
    consent = phone.get_by_label("der Arbeitsgruppe „AG Stadtgrün“ beitrete", exact=False)
    shoot(phone, screenshots, "group-signup-de")
    phone.get_by_label("Ihr Name").fill("Greta Grün")
    phone.get_by_text("Nein, ich war schon einmal da").click()
    consent.check()
    phone.get_by_role("button", name="Eintragen").click()
    members = f"/api/networks/{network['id']}/groups/{group['id']}"
    assert knoten.http.get(members, headers=ADMIN_AUTH).json()["members"] == [
        {"name": "Greta Grün", "organisation": None}
    ]

    phone.goto(f"{knoten.url}/me")
    groups = phone.locator("h3", has_text="Meine Arbeitsgruppen").locator("xpath=following-sibling::div[1]")
    expect(groups).to_contain_text("AG Stadtgrün")
    groups.get_by_role("button", name="Gruppe verlassen").click()
    expect(phone.get_by_text("Sie haben die Arbeitsgruppe verlassen.")).to_be_visible()
    expect(phone.get_by_text("Meine Arbeitsgruppen")).to_have_count(0)
    assert knoten.http.get(members, headers=ADMIN_AUTH).json()["members"] == []
    group_page = knoten.http.get(f"/admin/networks/{network['id']}/groups/{group['id']}", headers=ADMIN_AUTH)
    assert "Thementisch Stadtgrün" in group_page.text and "Greta Grün" not in group_page.text


def test_the_organiser_and_a_facilitator_see_the_network_and_its_group_and_only_the_organiser_its_contacts(
    contexts: Contexts, knoten: Knoten, screenshots: Path
) -> None:
    network = _post(knoten, "/api/networks", {"name": OTHER, "city": "Hannover"})
    nid = network["id"]
    for organisation, contact in (
        ("AWO Region Hannover e.V.", "Petra Kontakt"),
        ("Stadtteilverein Linden", "Lars Linden"),
    ):
        body = {"organisation": organisation, "agreement_signed_at": "2024-03-01", "contact_name": contact}
        _post(knoten, f"/api/networks/{nid}/members", {**body, "contact_email": "kontakt@example.org"})
    group = _post(
        knoten,
        f"/api/networks/{nid}/groups",
        {"title": "AG Beteiligung", "patron_name": "Bernd Pate", "patron_email": "bernd@example.org"},
    )
    workshop = _meeting_with(knoten, nid, "Herbsttreffen 2026", "2026-11-06", "AWO")
    session = knoten.session(workshop, title="Thementisch Leitlinien", group_id=group["id"])
    base = f"/api/workshops/{workshop['id']}/sessions/{session['id']}"
    greta = _post(knoten, f"{base}/signups", {"name": "Greta Grün", "organisation": "AWO", "consent": True}, {})
    promise = {"signup_id": greta["signup_id"], "text": "Leitlinien-Entwurf rundschicken", "due": "2026-12-15"}
    _post(knoten, f"{base}/commitments", promise, workshop["auth"])

    laptop = contexts.new(LAPTOP).new_page()
    knoten.sign_in(laptop)
    laptop.goto(f"{knoten.url}/admin/networks/{nid}")
    expect(laptop.get_by_role("row", name="AWO Region Hannover e.V.")).to_contain_text("Petra Kontakt")
    laptop.get_by_role("link", name="AG Beteiligung").click()
    expect(laptop.get_by_role("heading", name="AG Beteiligung", level=1)).to_be_visible()
    expect(laptop.get_by_role("row", name="Greta Grün AWO", exact=True)).to_be_visible()
    expect(laptop.get_by_role("row", name="Thementisch Leitlinien")).to_contain_text("Herbsttreffen 2026")
    expect(laptop.get_by_role("row", name="Leitlinien-Entwurf rundschicken")).to_contain_text("Greta Grün")
    expect(laptop.get_by_role("link", name="bernd@example.org")).to_be_visible()
    shoot(laptop, screenshots, "network-group-de")
    laptop.goto(f"{laptop.url}?lang=en")
    expect(laptop.get_by_role("heading", name="Open commitments")).to_be_visible()
    shoot(laptop, screenshots, "network-group-en")

    tablet = contexts.new(TABLET).new_page()
    tablet.goto(workshop["console_url"])
    tablet.get_by_role("link", name="Netzwerk", exact=True).click()
    expect(tablet.get_by_role("heading", name=OTHER, level=1)).to_be_visible()
    table = tablet.get_by_role("table", name="Wer zu welchem Treffen kam")
    expect(table.get_by_role("row", name="AWO Region Hannover e.V.")).to_contain_text("gekommen")
    for hidden in ("Petra Kontakt", "Lars Linden", "kontakt@example.org", "Mitgliedsorganisation eintragen"):
        expect(tablet.get_by_text(hidden)).to_have_count(0)
    shoot(tablet, screenshots, "network-console-de")
    tablet.get_by_role("link", name="AG Beteiligung").click()
    expect(tablet.get_by_role("row", name="Greta Grün AWO", exact=True)).to_be_visible()
    expect(tablet.get_by_text("bernd@example.org")).to_have_count(0)
    shoot(tablet, screenshots, "network-group-console-de")
    tablet.goto(f"{knoten.url}/w/{workshop['id']}/network?lang=en")
    expect(tablet.get_by_role("heading", name="Member organisations")).to_be_visible()
    expect(tablet.get_by_text("Petra Kontakt")).to_have_count(0)
    shoot(tablet, screenshots, "network-console-en")

    phone = contexts.new(PHONE).new_page()  # a facilitator's phone: the tables stack, nothing runs off the side
    phone.goto(workshop["console_url"])
    phone.goto(f"{knoten.url}/w/{workshop['id']}/network/groups/{group['id']}")
    expect(phone.get_by_text("Leitlinien-Entwurf rundschicken")).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    shoot(phone, screenshots, "network-group-phone-de")


def test_the_organiser_changes_and_removes_a_member_and_changes_and_ends_a_group_in_the_browser(
    contexts: Contexts, knoten: Knoten, screenshots: Path
) -> None:
    network = _post(knoten, "/api/networks", {"name": f"Netzwerk Pflege {secrets.token_hex(2)}"})
    nid = network["id"]
    body = {"organisation": "Tafel Linden", "contact_name": "Paula Alt", "contact_email": "paula.alt@example.org"}
    member = _post(knoten, f"/api/networks/{nid}/members", body)
    _post(knoten, f"/api/networks/{nid}/members", {"organisation": "Kulturzentrum Faust"})
    group = _post(knoten, f"/api/networks/{nid}/groups", {"title": "AG Wohnen", "patron_name": "Peter Pate"})
    page = contexts.new(LAPTOP).new_page()
    page.on("dialog", lambda dialog: dialog.accept())
    knoten.sign_in(page)

    page.goto(f"{knoten.url}/admin/networks/{nid}")
    page.get_by_role("link", name="Tafel Linden").click()
    expect(page.get_by_label("Ansprechperson", exact=False).first).to_have_value("Paula Alt")
    page.get_by_label("Ansprechperson", exact=False).first.fill("Nina Neu")
    page.get_by_label("E-Mail der Ansprechperson").fill("nina.neu@example.org")
    page.get_by_label("Rolle").select_option("speaker")
    shoot(page, screenshots, "network-member-de")
    page.get_by_role("button", name="Speichern").click()
    expect(page.get_by_text("Die Mitgliedsorganisation ist geändert.")).to_be_visible()
    expect(page.get_by_label("Ansprechperson", exact=False).first).to_have_value("Nina Neu")
    contact = knoten.http.get(f"/api/networks/{nid}", headers=ADMIN_AUTH).json()["members"]
    changed = next(m for m in contact if m["id"] == member["id"])
    assert (changed["role"], changed["contact_name"], changed["contact_email"]) == (
        "speaker",
        "Nina Neu",
        "nina.neu@example.org",
    )

    page.goto(f"{knoten.url}/admin/networks/{nid}")
    page.get_by_role("link", name="Kulturzentrum Faust").click()
    page.get_by_text("Aus dem Netzwerk entfernen").click()
    page.get_by_role("button", name="Ja, Kulturzentrum Faust entfernen").click()
    expect(page.get_by_text("Die Mitgliedsorganisation ist entfernt")).to_be_visible()
    expect(page.get_by_role("row", name="Kulturzentrum Faust")).to_have_count(0)

    page.goto(f"{knoten.url}/admin/networks/{nid}/groups/{group['id']}")
    page.get_by_text("Gruppe ändern").click()
    expect(page.get_by_label("Pate/Patin", exact=False).first).to_have_value("Peter Pate")
    page.get_by_label("Pate/Patin", exact=False).first.fill("")
    page.get_by_role("button", name="Speichern").click()
    expect(page.get_by_text("Die Arbeitsgruppe ist geändert.")).to_be_visible()
    expect(page.get_by_text("Peter Pate")).to_have_count(0)  # emptied: the patron is gone
    page.get_by_text("Gruppe beenden", exact=True).click()
    shoot(page, screenshots, "network-group-end-de")
    page.get_by_role("button", name="Ja, Gruppe beenden").click()
    expect(page.get_by_text("Die Arbeitsgruppe ist beendet")).to_be_visible()
    expect(page.get_by_role("heading", name="AG Wohnen")).to_have_count(0)
    assert knoten.http.get(f"/api/networks/{nid}/groups/{group['id']}", headers=ADMIN_AUTH).status_code == 404
