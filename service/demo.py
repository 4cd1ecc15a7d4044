"""The demo workshop `knoten dev` creates through the public API, so it shows real flows."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
from litestar import Litestar

from service.application.signin_links import SigninLinkRequest
from service.security import email_hash
from service.settings import Settings

SESSIONS: list[dict[str, Any]] = [
    {
        "title": "Nachbarschaftshilfe im Quartier",
        "format": "thementisch",
        "room": "Saal 2",
        "capacity": 12,
        "host": "Agnes W.",
    },
    {"title": "Runder Tisch Ehrenamt", "format": "runder_tisch", "room": "Ratssaal", "host": "Bernd K."},
    {
        "title": "Engagement 2030",
        "format": "zukunftswerkstatt",
        "room": "Werkstatt",
        "capacity": 20,
        "host": "Carla M.",
    },
    {"title": "Vereine und Schulen: Nachwuchs gewinnen", "format": "barcamp", "room": "Raum 1.04", "capacity": 15},
    {"title": "Engagement-Marktplatz", "format": "marktplatz", "room": "Foyer"},
]

PEOPLE = [
    ("Anna Beispiel", "AWO", True),
    ("Jonas Muster", "Sportverein Nord", False),
    ("Leyla Demir", "Migrantenverein Miteinander", True),
    ("Peter Probe", "Freiwilligenagentur", False),
]


MEMBERS = [  # organisation, role, days since it signed the agreement (over a year and never came: flagged)
    ("AWO Region Hannover e.V.", "speaker", 60),
    ("Freiwilligenagentur Hannover", "member", 60),
    ("Sportverein Nord", "member", 500),
]


async def _network(client: httpx.AsyncClient, admin: dict[str, str], now: datetime) -> dict[str, Any]:
    """The demo's network: member organisations with their cooperation agreement, a working
    group with its patron; the demo workshop is one of its meetings."""
    body = {"name": "Netzwerk Engagierte Stadt", "city": "Hannover"}
    network = (await client.post("/api/networks", headers=admin, json=body)).raise_for_status().json()
    base = f"/api/networks/{network['id']}"
    for organisation, role, days in MEMBERS:
        signed = (now - timedelta(days=days)).date().isoformat()
        member = {"organisation": organisation, "role": role, "agreement_signed_at": signed}
        (await client.post(f"{base}/members", headers=admin, json=member)).raise_for_status()
    group = {"title": "AG Nachbarschaft", "patron_name": "Agnes W."}
    made = (await client.post(f"{base}/groups", headers=admin, json=group)).raise_for_status().json()
    return {"id": network["id"], "name": network["name"], "group_id": made["id"]}


async def _create(client: httpx.AsyncClient, settings: Settings) -> dict[str, Any]:
    now = datetime.now(UTC).replace(microsecond=0)
    admin = {"Authorization": f"Bearer {settings.admin_token}"}
    network = await _network(client, admin, now)
    workshop = (
        (
            await client.post(
                "/api/workshops",
                headers=admin,
                json={
                    "title": "Barcamp Engagierte Stadt",
                    "starts_at": now.isoformat(),
                    "ends_at": (now + timedelta(hours=8)).isoformat(),
                    "location": "Rathaus",
                    "organiser_email": "orga@example.org",
                    "network_id": network["id"],
                },
            )
        )
        .raise_for_status()
        .json()
    )
    facilitator = {"Authorization": f"Bearer {workshop['facilitator_token']}"}
    base = f"/api/workshops/{workshop['id']}"
    sessions = []
    for spec in SESSIONS:
        body = {
            **spec,
            "starts_at": (now + timedelta(hours=1)).isoformat(),
            "ends_at": (now + timedelta(hours=2)).isoformat(),
        }
        if spec["format"] == "thementisch":
            body["next_meeting_at"] = (now + timedelta(days=10)).isoformat()
            body["group_id"] = network["group_id"]  # its people join the network's working group
        sessions.append(
            (await client.post(f"{base}/sessions", headers=facilitator, json=body)).raise_for_status().json()
        )
    table = sessions[0]
    for i, (name, organisation, newcomer) in enumerate(PEOPLE):
        email = f"demo{i + 1}@example.org"
        signup = (
            (
                await client.post(
                    f"{base}/sessions/{table['id']}/signups",
                    json={
                        "name": name,
                        "email": email,
                        "organisation": organisation,
                        "newcomer": newcomer,
                        "consent": True,
                    },
                )
            )
            .raise_for_status()
            .json()
        )
        if i == 0:
            await client.post(
                f"{base}/sessions/{table['id']}/commitments",
                headers=facilitator,
                json={
                    "signup_id": signup["signup_id"],
                    "text": "Aushang im Treppenhaus entwerfen",
                    "due": (now + timedelta(days=7)).date().isoformat(),
                },
            )
    workshop["sessions"] = [{"id": s["id"], "title": s["title"], "signup_url": s["signup_url"]} for s in sessions]
    workshop["network"] = network
    created: dict[str, Any] = workshop
    return created


async def seed_demo(settings: Settings, saved: Path) -> dict[str, Any]:
    """The demo workshop: the one kept in `saved` while it still exists, else a new one."""
    logging.getLogger("httpx").setLevel(logging.WARNING)
    async with httpx.AsyncClient(base_url=settings.base_url, timeout=10) as client:
        workshop = json.loads(saved.read_text()) if saved.exists() else None
        if workshop is not None:
            check = await client.get(
                f"/api/workshops/{workshop['id']}", headers={"Authorization": f"Bearer {workshop['facilitator_token']}"}
            )
            workshop = workshop if check.status_code == 200 else None
        if workshop is None:
            workshop = await _create(client, settings)
            saved.write_text(json.dumps(workshop, indent=2))
            saved.chmod(0o600)
        await client.post("/api/organisers", json=DEMO_ORGANISER, headers=_admin(settings))  # 400 once there
    kept: dict[str, Any] = workshop
    return kept


DEMO_ORGANISER = {"email": "orga@example.org", "name": "Orga Demo"}


def _admin(settings: Settings) -> dict[str, str]:
    return {"Authorization": f"Bearer {settings.admin_token}"}


def _here(settings: Settings, url: str) -> str:
    """`url` on this run's base URL: a demo saved by an earlier run may have had another port."""
    parts = urlsplit(url)
    return settings.base_url + parts.path + (f"?{parts.query}" if parts.query else "")


def _mail(settings: Settings) -> list[str]:
    if settings.smtp_url:
        server = urlsplit(settings.smtp_url)
        return [f"  Mail:               sent to {server.hostname}:{server.port or 25} (KNOTEN_SMTP_URL)"]
    return [
        f"  Outbox (mails):     {settings.base_url}/dev/outbox (after signing in at /admin)",
        f"                      files: {Path(settings.outbox_dir).resolve()}",
    ]


def _network_lines(settings: Settings, workshop: dict[str, Any]) -> list[str]:
    network = workshop.get("network")  # a demo saved before networks existed has none
    if network is None:
        return []
    return [
        f"  Network page:       {settings.base_url}/admin/networks/{network['id']} ({network['name']}: members,",
        "                      who came, working groups; the network report from there)",
    ]


def where_to_go(settings: Settings, workshop: dict[str, Any], signin_link: str | None) -> str:
    """The banner of `knoten dev`: every page with what it takes to open it."""
    signups = [f"    {s['title']}: {_here(settings, s['signup_url'])}" for s in workshop["sessions"]]
    lines = [
        "",
        f"knoten is running at {settings.base_url}",
        "",
        f"  Demo workshop:      {workshop['title']} ({workshop['id']})",
        f"  Console (tablet):   {_here(settings, workshop['console_url'])}",
        f"  Report (organiser): {_here(settings, workshop['report_url'])}",
        "  Sign-up pages (phone):",
        *signups,
        "",
        f"  Organiser page:     {settings.base_url}/admin (your workshops: new, change, copy, close,",
        "                      hand the console to a tablet; failed jobs, outbox)",
        *_network_lines(settings, workshop),
        f"  Sign-in link:       {_here(settings, signin_link) if signin_link else '-'}  "
        f"(as {DEMO_ORGANISER['email']}; once, within {settings.signin_link_seconds // 60} minutes)",
        f"  Organiser token:    {settings.admin_token}  (API: Authorization: Bearer …)",
        *_mail(settings),
        "",
        f"  API docs:           {settings.base_url}/schema",
        f"  Health:             {settings.base_url}/health",
        f"  Facilitator token:  {workshop['facilitator_token']}  (API: Authorization: Bearer …)",
        "",
        "Stop with Ctrl+C; data stays in .knoten/.",
    ]
    return "\n".join(lines)


async def dev_signin_link(app: Litestar) -> str | None:
    """A fresh sign-in link for the demo organiser, minted in the running app."""
    request: SigninLinkRequest = app.state.signin_link_request
    organiser = await request.organisers.find_by_email(email_hash(request.settings.secret_key, DEMO_ORGANISER["email"]))
    return None if organiser is None else await request.new_link(organiser)
