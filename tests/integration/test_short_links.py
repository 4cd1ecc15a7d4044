"""A session's short link for the room: `{base}/t/{code}`, typable, to its sign-up page."""

from __future__ import annotations

import io
import re

from pypdf import PdfReader

from tests.integration.conftest import Api

SHORT_URL = re.compile(r"^http://knoten\.test/t/([23456789ABCDEFGHJKMNPQRSTUVWXYZ]{4,8})$")


def code_of(session: dict[str, object]) -> str:
    match = SHORT_URL.match(str(session["short_url"]))
    assert match is not None, session["short_url"]
    return match.group(1)


async def test_a_session_has_a_short_url_with_a_typable_code_in_every_view(api: Api) -> None:
    workshop = await api.workshop()
    session = await api.session(workshop)
    code = code_of(session)
    assert not set(code) & set("0O1lI")
    path = f"/api/workshops/{workshop['id']}/sessions/{session['id']}"
    public = (await api.client.get(path)).json()
    full = (await api.client.get(path, headers=workshop["auth"])).json()
    listed = (await api.client.get(f"/api/workshops/{workshop['id']}", headers=workshop["auth"])).json()
    assert public["short_url"] == full["short_url"] == listed["sessions"][0]["short_url"] == session["short_url"]


async def test_the_short_link_redirects_to_the_sign_up_page_also_typed_in_lower_case(api: Api) -> None:
    workshop = await api.workshop()
    session = await api.session(workshop)
    other = await api.session(workshop, title="Zweiter Tisch")
    for typed in (code_of(session), code_of(session).lower()):
        response = await api.client.get(f"/t/{typed}")
        assert response.status_code == 303
        assert response.headers["location"] == f"/s/{workshop['id']}/{session['id']}"
    assert (await api.client.get(f"/t/{code_of(other)}")).headers["location"].endswith(other["id"])
    page = await api.client.get(f"/t/{code_of(session).lower()}", follow_redirects=True)
    assert page.status_code == 200 and session["title"] in page.text


async def test_the_short_link_carries_the_table_code_a_session_requires(api: Api) -> None:
    workshop = await api.workshop()
    session = await api.session(workshop, require_table_code=True)
    response = await api.client.get(f"/t/{code_of(session)}")
    assert response.status_code == 303
    assert response.headers["location"] == f"/s/{workshop['id']}/{session['id']}?code={session['table_code']}"


async def test_an_unknown_short_code_is_a_404_page(api: Api) -> None:
    for typed in ("ZZZZZZZZ", "0OIl", "x", "ABCDEFGHJK"):
        response = await api.client.get(f"/t/{typed}", headers={"Accept": "text/html"})
        assert response.status_code == 404
        assert response.headers["content-type"].startswith("text/html")


def poster_pages(content: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(content)).pages]


async def test_the_posters_are_one_a4_page_per_session_with_title_room_time_and_short_link(api: Api) -> None:
    workshop = await api.workshop(timezone="Europe/Berlin")
    table = await api.session(workshop, room="Saal 2", starts_at="2026-05-09T12:30:00Z")
    market = await api.session(workshop, title="Markt der Möglichkeiten", format="marktplatz", room="Foyer")
    response = await api.client.get(f"/api/workshops/{workshop['id']}/posters.pdf", headers=workshop["auth"])
    assert response.status_code == 200 and response.headers["content-type"] == "application/pdf"
    expected = 'attachment; filename="plakate-barcamp-engagierte-stadt-2026-05-09.pdf"'
    assert response.headers["content-disposition"] == expected
    reader = PdfReader(io.BytesIO(response.content))
    assert [(round(p.mediabox.width), round(p.mediabox.height)) for p in reader.pages] == [(595, 842)] * 2
    first, second = (" ".join(page.extract_text().split()) for page in reader.pages)
    assert "Nachbarschaftshilfe" in first and "Raum: Saal 2" in first and "14:30" in first
    assert f"knoten.test/t/{code_of(table)}" in first and "eintippen" in first
    assert "Markt der Möglichkeiten" in second and "Raum: Foyer" in second
    assert f"knoten.test/t/{code_of(market)}" in second


async def test_the_posters_speak_english_for_an_english_workshop_and_need_a_facilitator(api: Api) -> None:
    workshop = await api.workshop(language="en")
    session = await api.session(workshop, room="Hall 1")
    path = f"/api/workshops/{workshop['id']}/posters.pdf"
    assert (await api.client.get(path)).status_code == 401
    (text,) = poster_pages((await api.client.get(path, headers=workshop["auth"])).content)
    assert "Room: Hall 1" in text and "or type" in text and code_of(session) in text
