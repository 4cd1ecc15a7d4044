"""The organiser's report page: sessions as the day ran, tables a screen reader can name, and
downloads that arrive as files with names that say what they are."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import expect

from tests.browser.conftest import LAPTOP, PHONE, Contexts, Knoten, shoot


def test_the_report_lists_sessions_in_time_order_and_downloads_markdown_as_a_named_file(
    contexts: Contexts, knoten: Knoten, screenshots: Path
) -> None:
    workshop = knoten.workshop(title="Netzwerktreffen Süd")
    for title, hour in (("Abschlussrunde", 16), ("Auftakt im Plenum", 10), ("Marktplatz der Ideen", 13)):
        knoten.session(workshop, title=title, starts_at=f"2026-05-09T{hour}:00:00+02:00")
    for language, markdown in (("de", "bericht"), ("en", "report")):
        laptop = contexts.new(LAPTOP, locale="de-DE" if language == "de" else "en-GB").new_page()
        laptop.goto(workshop["report_url"])
        laptop.goto(f"{knoten.url}/w/{workshop['id']}/report?lang={language}")
        sessions = laptop.locator("table").first
        expect(sessions.locator("caption")).to_be_visible()
        expect(sessions.locator("tbody th[scope=row]")).to_have_count(3)
        titles = [t.split("·")[0].strip() for t in sessions.locator("tbody th[scope=row]").all_inner_texts()]
        assert titles == ["Auftakt im Plenum", "Marktplatz der Ideen", "Abschlussrunde"]
        expect(sessions.locator("thead th[scope=col]")).to_have_count(8)
        shoot(laptop, screenshots, f"report-laptop-1366x900-{language}")
        with laptop.expect_download() as download:
            laptop.get_by_role("link", name="Markdown").click()
        assert download.value.suggested_filename == f"{markdown}-netzwerktreffen-sued-2026-05-09.md"
        with laptop.expect_download() as download:
            laptop.get_by_role("link", name="CSV").click()
        assert download.value.suggested_filename == f"{markdown}-netzwerktreffen-sued-2026-05-09.csv"

    phone = contexts.new(PHONE).new_page()
    phone.goto(workshop["report_url"])
    expect(phone.locator("h1")).to_have_text("Netzwerktreffen Süd")
    shoot(phone, screenshots, "report-phone-390x844-de")
