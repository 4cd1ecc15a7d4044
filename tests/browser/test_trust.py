"""Trust at the table, in a real browser: a rotated console link signs every device out while
the console keeps what was typed, pages and URLs hold no token, the service worker keeps no
secret, and a link for someone else asks before it signs the browser in."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import BrowserContext, Page, expect

from tests.browser.conftest import ADMIN, LAPTOP, PHONE, TABLET, Contexts, Knoten
from tests.browser.test_pages import accept_dialogs

CACHED = """async () => {
  const found = [];
  for (const name of await caches.keys()) {
    const cache = await caches.open(name);
    for (const request of await cache.keys()) {
      const response = await cache.match(request);
      found.push({url: request.url, body: await response.text()});
    }
  }
  return found;
}"""


def _add_commitment(page: Page, who: str, text: str) -> None:
    page.locator("#c-who").fill(who)
    page.get_by_label("Was", exact=True).fill(text)
    page.get_by_role("button", name="Zusage festhalten").click()


def _secrets_of(context: BrowserContext) -> list[str]:
    return [cookie["value"] for cookie in context.cookies() if cookie["name"].startswith(("knoten_f_", "knoten_p"))]


def test_rotating_the_token_signs_out_every_device_and_the_console_sends_its_queue_after_signing_in(
    contexts: Contexts, knoten: Knoten
) -> None:
    workshop = knoten.workshop(title="Runder Tisch Vertrauen")
    session = knoten.session(workshop, title="Runder Tisch", format="runder_tisch")
    context = contexts.new(TABLET)
    tablet = context.new_page()
    accept_dialogs(tablet)
    tablet.goto(workshop["console_url"])
    tablet.goto(f"{knoten.url}/w/{workshop['id']}/s/{session['id']}")
    expect(tablet.locator("#net")).to_contain_text("Online")

    context.set_offline(True)
    _add_commitment(tablet, "Emil", "Protokoll verschicken")
    expect(tablet.locator("#net")).to_contain_text("1 warten")
    rotated = knoten.http.post(f"/api/workshops/{workshop['id']}/facilitator-token", headers=workshop["auth"]).json()
    context.set_offline(False)
    tablet.evaluate("window.dispatchEvent(new Event('online'))")
    expect(tablet.locator("#net")).to_contain_text("Abgemeldet", timeout=15_000)
    expect(tablet.locator("#net")).to_contain_text("1 warten")  # kept, not dropped

    stranger = contexts.new(TABLET).new_page()
    stranger.goto(workshop["console_url"])  # the old link
    expect(stranger.locator("h1")).not_to_have_text(workshop["title"])
    stranger.goto(f"{knoten.url}/w/{workshop['id']}")
    expect(stranger.locator("h1")).to_have_text("Bitte nutzen Sie Ihren persönlichen Link")
    assert knoten.full(workshop, session).get("commitments") is None  # the old token is refused too

    tablet.goto(rotated["console_url"])
    expect(tablet.locator("h1")).to_have_text(workshop["title"])
    expect(tablet.locator("#net")).not_to_contain_text("warten", timeout=15_000)
    new_auth = {"Authorization": f"Bearer {rotated['facilitator_token']}"}
    full = knoten.http.get(f"/api/workshops/{workshop['id']}/sessions/{session['id']}", headers=new_auth).json()
    assert [c["text"] for c in full["commitments"]] == ["Protokoll verschicken"]


def test_token_links_leave_no_secret_in_pages_urls_or_the_service_workers_cache(
    contexts: Contexts, knoten: Knoten
) -> None:
    workshop = knoten.workshop(title="Geheimnisse")
    session = knoten.session(workshop, title="Tisch ohne Geheimnis")
    code = workshop["console_url"].rsplit("code=", 1)[1]
    context = contexts.new(TABLET)
    page = context.new_page()
    page.goto(workshop["console_url"])
    expect(page.locator("h1")).to_have_text(workshop["title"])
    assert page.url == f"{knoten.url}/w/{workshop['id']}"
    page.goto(f"{knoten.url}/w/{workshop['id']}/s/{session['id']}")
    page.evaluate("navigator.serviceWorker.ready")
    page.wait_for_function(f"caches.match({page.url!r}).then(Boolean)")  # the worker kept the console
    page.goto(f"{knoten.url}/w/{workshop['id']}/report")
    expect(page.locator("h1")).to_have_text(workshop["title"])
    secrets = [workshop["facilitator_token"], code, *_secrets_of(context)]
    assert len(secrets) == 3
    for shown in (page.content(), page.url):
        assert [s for s in secrets if s in shown] == []
    cached = page.evaluate(CACHED)
    assert any(f"/s/{session['id']}" in item["url"] for item in cached)
    leaks = [item["url"] for item in cached if any(s in item["url"] or s in item["body"] for s in secrets)]
    assert leaks == []
    assert [item["url"] for item in cached if "login" in item["url"] or "token=" in item["url"]] == []

    phone = contexts.new(PHONE).new_page()
    token = _signup(knoten, workshop, session, "Paula Privat")
    phone.goto(f"{knoten.url}/me?token={token}")
    expect(phone.get_by_text("Hallo Paula Privat")).to_be_visible()
    assert phone.url == f"{knoten.url}/me" and token not in phone.content()


def test_the_organisers_pages_hold_a_sign_in_not_the_organiser_token(contexts: Contexts, knoten: Knoten) -> None:
    workshop = knoten.workshop(title="Orga-Sicht")
    context = contexts.new(LAPTOP)
    page = context.new_page()
    knoten.sign_in(page)
    expect(page.get_by_role("heading", name="Fehlgeschlagene Aufträge")).to_be_visible()
    page.goto(f"{knoten.url}/w/{workshop['id']}")
    expect(page.locator("h1")).to_have_text("Orga-Sicht")
    organiser = next(c for c in context.cookies() if c["name"] == "knoten_o")
    assert organiser["value"] != ADMIN and organiser["httpOnly"]
    assert ADMIN not in page.content() and organiser["value"] not in page.content()


def _signup(knoten: Knoten, workshop: dict[str, Any], session: dict[str, Any], name: str) -> str:
    path = f"/api/workshops/{workshop['id']}/sessions/{session['id']}/signups"
    token: str = (
        knoten.http.post(path, json={"name": name, "consent": True}).raise_for_status().json()["participant_token"]
    )
    return token


def test_a_link_of_someone_else_asks_before_it_signs_the_browser_in(contexts: Contexts, knoten: Knoten) -> None:
    workshop = knoten.workshop(title="Nachbarschaftsfest")
    session = knoten.session(workshop)
    other_workshop = knoten.workshop(title="Stadtteilkonferenz")
    mine = _signup(knoten, workshop, session, "Ida Eigen")
    planted = _signup(knoten, other_workshop, knoten.session(other_workshop), "Mallory Fremd")
    for language, question, stay, switch in (
        ("de", "Als jemand anderes anmelden?", "Nein, als Ida Eigen angemeldet bleiben", "Ja, mit dem Link anmelden"),
        ("en", "Sign in as someone else?", "No, stay signed in as Ida Eigen", "Yes, sign in with the link"),
    ):
        phone = contexts.new(PHONE, locale="de-DE" if language == "de" else "en-GB").new_page()
        phone.goto(f"{knoten.url}/me?token={mine}")
        phone.set_content(f'<a href="{knoten.url}/me?token={planted}">link in a mail</a>')  # from elsewhere
        phone.click("a")
        expect(phone.get_by_role("heading", name=question)).to_be_visible()
        expect(phone.locator("main")).to_contain_text("Stadtteilkonferenz")
        assert planted not in phone.content() and "token" not in phone.url
        phone.get_by_role("button", name=stay).click()
        expect(phone.locator("main")).to_contain_text("Ida Eigen")
        expect(phone.locator("main")).not_to_contain_text("Mallory Fremd")
        phone.goto(f"{knoten.url}/me?token={planted}")
        phone.get_by_role("button", name=switch).click()
        expect(phone.locator("main")).to_contain_text("Mallory Fremd")
