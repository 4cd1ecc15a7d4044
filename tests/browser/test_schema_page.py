"""The API documentation (/schema) comes from knoten itself: with every other host blocked it
renders in Chromium, on a laptop and a phone, and asks for nothing elsewhere."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Route, expect

from tests.browser.conftest import LAPTOP, PHONE, Contexts, Knoten, shoot


@pytest.mark.parametrize(("device", "viewport"), [("laptop", LAPTOP), ("phone", PHONE)])
def test_the_schema_page_renders_with_the_network_to_anything_but_knoten_blocked(
    contexts: Contexts, knoten: Knoten, screenshots: Path, device: str, viewport: dict[str, int]
) -> None:
    host = urlsplit(knoten.url).hostname
    blocked: list[str] = []

    def only_knoten(route: Route) -> None:
        if urlsplit(route.request.url).hostname == host:
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort()

    context = contexts.new(viewport, locale="en-GB")
    context.route("**/*", only_knoten)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{knoten.url}/schema")

    expect(page.locator(".swagger-ui .info .title")).to_contain_text("knoten")
    expect(page.locator(".opblock-summary-path", has_text="/api/workshops").first).to_be_visible()
    page.locator(".opblock-summary-path", has_text="/api/workshops").first.click()  # an operation opens
    expect(page.locator(".opblock-body").first).to_be_visible()
    assert blocked == [] and errors == []
    shoot(page, screenshots, f"schema-{device}")
