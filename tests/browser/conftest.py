"""Real headless Chromium (Debian's) against a running knoten: API, worker, Redis, SMTP sink."""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, expect, sync_playwright

from tests.mail_sink import MailSink, text_of
from tests.processes import ApiProcess, RedisProcess, WorkerProcess

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ADMIN = "browser-admin-" + secrets.token_urlsafe(24)
PHONE = {"width": 390, "height": 844}
TABLET = {"width": 1024, "height": 768}
TABLET_PORTRAIT = {"width": 820, "height": 1180}
LAPTOP = {"width": 1366, "height": 900}

# What a page shows after a live event goes through the stream, a debounced panel fetch and a
# render, on a machine that runs the whole suite on two cores: 5 s (Playwright's default) was
# seen too short there. A thing that never appears still fails, only later.
expect.set_options(timeout=10_000)


class Knoten:
    """The running service and what tests need to set up workshops through its API."""

    def __init__(self, api: ApiProcess, sink: MailSink) -> None:
        self.url = api.url
        self.sink = sink
        self.http = httpx.Client(base_url=api.url, timeout=30)

    def workshop(self, **fields: Any) -> dict[str, Any]:
        body = {
            "title": "Netzwerktreffen",
            "starts_at": "2026-05-09T10:00:00+02:00",
            "ends_at": "2026-05-09T18:00:00+02:00",
            "location": "Rathaus",
            **fields,
        }
        workshop: dict[str, Any] = (
            self.http.post("/api/workshops", json=body, headers={"Authorization": f"Bearer {ADMIN}"})
            .raise_for_status()
            .json()
        )
        workshop["auth"] = {"Authorization": f"Bearer {workshop['facilitator_token']}"}
        return workshop

    def session(self, workshop: dict[str, Any], **fields: Any) -> dict[str, Any]:
        body = {"title": "Nachbarschaftshilfe", "format": "thementisch", "room": "Saal 2", **fields}
        session: dict[str, Any] = (
            self.http.post(f"/api/workshops/{workshop['id']}/sessions", json=body, headers=workshop["auth"])
            .raise_for_status()
            .json()
        )
        return session

    def sign_in(self, page: Page) -> None:
        """Sign the page's browser in as a new organiser, by the link mailed to them."""
        email = f"orga-{secrets.token_hex(6)}@example.org"
        organiser = {"email": email, "name": "Olga Orga"}
        self.http.post(
            "/api/organisers", json=organiser, headers={"Authorization": f"Bearer {ADMIN}"}
        ).raise_for_status()
        assert self.http.post("/api/login", json={"email": email}).status_code == 202
        mail = self.sink.wait_for(lambda found: len(found) == 1, to=email)[0]
        link = re.search(r"http\S+/admin/signin/\S+", text_of(mail))
        assert link is not None
        page.goto(link.group(0))
        page.get_by_role("button", name="Anmelden").click()

    def full(self, workshop: dict[str, Any], session: dict[str, Any]) -> dict[str, Any]:
        view: dict[str, Any] = self.http.get(
            f"/api/workshops/{workshop['id']}/sessions/{session['id']}", headers=workshop["auth"]
        ).json()
        return view


@pytest.fixture(scope="session")
def knoten(tmp_path_factory: pytest.TempPathFactory, artifacts: Path) -> Iterator[Knoten]:
    redis = RedisProcess(tmp_path_factory.mktemp("browser-redis")).start()
    sink = MailSink().start()
    env = {
        "KNOTEN_REDIS_URL": redis.url,
        "KNOTEN_ADMIN_TOKEN": ADMIN,
        "KNOTEN_SECRET_KEY": secrets.token_urlsafe(48),
        "KNOTEN_SMTP_URL": sink.url,
    }
    api = ApiProcess(env, artifacts / "api-browser.log")
    api.env["KNOTEN_BASE_URL"] = api.url  # links in pages and QR codes point at this server
    api.start()
    worker = WorkerProcess({**env, "KNOTEN_BASE_URL": api.url}, artifacts / "worker-browser.log").start()
    running = Knoten(api, sink)
    yield running
    running.http.close()
    worker.stop()
    api.stop()
    sink.stop()
    redis.stop()


@pytest.fixture(scope="module")
def playwright() -> Iterator[Playwright]:
    """Module-scoped: Playwright's sync API runs an event loop that must be gone before
    any asyncio test runs."""
    with sync_playwright() as running:
        yield running


@pytest.fixture(scope="module")
def browser(playwright: Playwright) -> Iterator[Browser]:
    launched = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
    yield launched
    launched.close()


class Contexts:
    """Browser contexts that record every request, so a test can check none left this host."""

    def __init__(self, browser: Browser, knoten: Knoten) -> None:
        self.browser = browser
        self.host = urlsplit(knoten.url).hostname
        self.foreign: list[str] = []
        self.opened: list[BrowserContext] = []

    def new(self, viewport: dict[str, int], locale: str = "de-DE") -> BrowserContext:
        context = self.browser.new_context(viewport=viewport, locale=locale, service_workers="allow")
        context.on("request", self._check)
        self.opened.append(context)
        return context

    def _check(self, request: Any) -> None:
        host = urlsplit(request.url).hostname
        if request.url.startswith(("http:", "https:", "ws:", "wss:")) and host != self.host:
            self.foreign.append(request.url)

    def close(self) -> None:
        for context in self.opened:
            context.close()


@pytest.fixture
def contexts(browser: Browser, knoten: Knoten) -> Iterator[Contexts]:
    made = Contexts(browser, knoten)
    yield made
    made.close()
    assert made.foreign == [], f"requests left for other hosts: {made.foreign}"


@pytest.fixture(scope="session")
def screenshots(artifacts: Path) -> Path:
    path = artifacts / "screenshots"
    path.mkdir(exist_ok=True)
    return path


def shoot(page: Page, folder: Path, name: str) -> None:
    page.screenshot(path=str(folder / f"{name}.png"), full_page=True)
