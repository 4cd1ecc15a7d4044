"""The organiser's home groups workshops as running, upcoming and past; its forms refuse what does
not fit with a page in the reader's words and change nothing."""

from __future__ import annotations

import re
import secrets
from collections.abc import AsyncIterator

import httpx
import pytest

from tests.integration.conftest import ADMIN_TOKEN, Api
from tests.processes import ApiProcess


@pytest.fixture
async def organiser(api_process: ApiProcess) -> AsyncIterator[tuple[httpx.AsyncClient, str]]:
    """A browser-like client signed in as organiser, and the CSRF token of its forms."""
    async with httpx.AsyncClient(base_url=api_process.url, timeout=30) as http:
        csrf = _csrf((await http.get("/admin")).text)
        signed_in = await http.post("/admin/login", data={"token": ADMIN_TOKEN, "_csrf_token": csrf})
        assert signed_in.status_code == 303
        yield http, _csrf((await http.get("/admin")).text)


def _csrf(html: str) -> str:
    found = re.search(r'name="_csrf_token" value="([^"]+)"', html)
    assert found is not None
    return found.group(1)


def _section(html: str, heading: str) -> str:
    """The part of the home under one group's heading."""
    return html.split(f">{heading} <", 1)[1].split("</section>", 1)[0]


async def test_the_home_groups_workshops_as_running_upcoming_and_past_with_their_counts(
    api: Api, organiser: tuple[httpx.AsyncClient, str]
) -> None:
    http, _ = organiser
    tag = secrets.token_hex(3)
    past = await api.workshop(title=f"Frühjahr 2020 {tag}", starts_at="2020-03-20T16:00:00+01:00")
    upcoming = await api.workshop(
        title=f"Herbst 2099 {tag}", starts_at="2099-10-01T16:00:00+02:00", ends_at="2099-10-01T20:00:00+02:00"
    )
    running = await api.workshop(
        title=f"Heute {tag}", starts_at="2099-11-01T16:00:00+01:00", ends_at="2099-11-01T20:00:00+01:00"
    )
    session = await api.session(running)
    await api.client.post(f"/api/workshops/{running['id']}/sessions/{session['id']}/open", headers=running["auth"])
    assert (await api.signup(running, session, email=f"home-{tag}@example.org")).status_code == 201

    home = (await http.get("/admin")).text
    assert past["title"] in _section(home, "Vergangen") and past["title"] not in _section(home, "Demnächst")
    assert upcoming["title"] in _section(home, "Demnächst")
    row = _section(home, "Läuft gerade").split(running["title"], 1)[1].split("</tr>", 1)[0]
    assert "läuft" in row and re.findall(r"<td[^>]*>(\d+)</td>", row) == ["1", "1"]  # one session, one sign-up


async def test_the_forms_refuse_what_does_not_fit_in_the_readers_words_and_change_nothing(
    api: Api, organiser: tuple[httpx.AsyncClient, str]
) -> None:
    http, csrf = organiser
    before = len((await api.client.get("/api/workshops", headers=api.admin)).json())
    form = {
        "_csrf_token": csrf,
        "title": "Falsch herum",
        "starts_at": "2027-03-19T16:00",
        "ends_at": "2027-03-19T10:00",
        "timezone": "Europe/Berlin",
    }
    backwards = await http.post("/admin/workshops", data=form)
    assert backwards.status_code == 400 and "Das Ende darf nicht vor dem Beginn liegen." in backwards.text
    no_end = await http.post("/admin/workshops", data={**form, "ends_at": ""})
    assert no_end.status_code == 400 and "Bitte geben Sie Datum und Uhrzeit für Beginn und Ende an." in no_end.text
    assert len((await api.client.get("/api/workshops", headers=api.admin)).json()) == before

    workshop = await api.workshop(title="Richtig herum")
    path = f"/admin/workshops/{workshop['id']}"
    zone = await http.post(f"{path}/edit", data={**form, "ends_at": "2027-03-19T20:00", "timezone": "Mars/Olympus"})
    assert zone.status_code == 400 and "Bitte wählen Sie eine Zeitzone aus der Liste." in zone.text
    no_day = await http.post(f"{path}/copy", data={"_csrf_token": csrf, "title": "Kopie", "starts_on": ""})
    assert no_day.status_code == 400 and "Bitte geben Sie das neue Anfangsdatum an." in no_day.text
    view = (await api.client.get(f"/api/workshops/{workshop['id']}", headers=workshop["auth"])).json()
    assert view["title"] == "Richtig herum" and view["timezone"] == "Europe/Berlin"
    assert len((await api.client.get("/api/workshops", headers=api.admin)).json()) == before + 1

    saved = await http.post(f"{path}/edit", data={**form, "ends_at": "2027-03-19T20:00", "follow_up_days": "5"})
    assert saved.status_code == 303 and saved.headers["location"] == f"{path}?done=saved"
    view = (await api.client.get(f"/api/workshops/{workshop['id']}", headers=workshop["auth"])).json()
    assert (view["title"], view["follow_up_after"]) == ("Falsch herum", "P5D")
