"""Error paths of every page speak the reader's language (German by default, English on
request) and say what is wrong with which field; never the API's English problem detail."""

from __future__ import annotations

import html
import re
from collections.abc import AsyncIterator
from urllib.parse import urlsplit

import httpx
import pytest

from tests.integration.conftest import Api
from tests.processes import ApiProcess

GERMAN = {"accept-language": "de-DE,de;q=0.9"}
ENGLISH = {"accept-language": "en-GB,en;q=0.9"}
GOOD = {"name": "Anna Beispiel", "email": "anna@example.org", "newcomer": "no", "consent": "yes"}


def main_text(page: httpx.Response) -> str:
    """The words a reader sees in the page's main part."""
    main = re.search(r"<main[^>]*>(.*)</main>", page.text, re.S)
    assert main is not None, page.text[:300]
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", main.group(1))).split())


def csrf(page: httpx.Response) -> str:
    found = re.search(r'name="_csrf_token" value="([^"]+)"', page.text)
    assert found is not None, (page.status_code, main_text(page))
    return found.group(1)


@pytest.fixture
async def browser(api_process: ApiProcess) -> AsyncIterator[httpx.AsyncClient]:
    """A client that keeps cookies like a browser and reads pages in German unless told."""
    async with httpx.AsyncClient(base_url=api_process.url, timeout=30, headers=GERMAN) as client:
        yield client


async def submit_signup(api: Api, browser: httpx.AsyncClient, language: dict[str, str], **form: str) -> httpx.Response:
    workshop = await api.workshop()
    session = await api.session(workshop)
    path = f"/s/{workshop['id']}/{session['id']}"
    token = csrf(await browser.get(path, headers=language))
    return await browser.post(path, data={**form, "_csrf_token": token}, headers=language)


@pytest.mark.parametrize(
    ("form", "german", "english"),
    [
        (
            {**GOOD, "email": "anna@example.invalid"},  # the validator's reason says "reserved name"
            "Diese E-Mail-Adresse scheint nicht zu stimmen.",
            "This e-mail address does not look right.",
        ),
        ({**GOOD, "name": ""}, "Bitte geben Sie Ihren Namen ein.", "Please enter your name."),
        ({**GOOD, "name": "x" * 121}, "Bitte geben Sie Ihren Namen ein.", "Please enter your name."),
        (
            {key: value for key, value in GOOD.items() if key != "consent"},
            "Bitte stimmen Sie dem Datenschutzhinweis zu",
            "Please agree to the privacy notice",
        ),
        (
            {**GOOD, "organisation": "x" * 201},
            "Bitte geben Sie die Organisation in einer Zeile an",
            "Please give the organisation on one line",
        ),
        (
            {**GOOD, "organisation": "Verein\nfür alle"},
            "Bitte schreiben Sie Name und Organisation in eine Zeile",
            "Please write your name and organisation on one line",
        ),
    ],
    ids=["email", "no-name", "long-name", "no-consent", "long-organisation", "organisation-on-two-lines"],
)
async def test_the_signup_form_names_the_field_that_is_wrong_in_the_readers_language(
    api: Api, browser: httpx.AsyncClient, form: dict[str, str], german: str, english: str
) -> None:
    wrong_messages = {"Bitte geben Sie Ihren Namen ein.", "Please enter your name."} - {german, english}
    for language, expected in ((GERMAN, german), (ENGLISH, english)):
        page = await submit_signup(api, browser, language, **form)
        assert page.status_code == 400
        alert = re.search(r'role="alert">([^<]*)<', page.text)
        assert alert is not None and expected in html.unescape(alert.group(1)), page.text
        assert not wrong_messages & {html.unescape(alert.group(1))}


async def test_a_console_link_with_a_wrong_code_says_so_in_the_readers_language(
    api: Api, browser: httpx.AsyncClient
) -> None:
    workshop = await api.workshop()
    for language, heading, text in (
        (GERMAN, "Bitte prüfen Sie Ihre Angaben", "Dieser Anmeldelink ist nicht (mehr) gültig."),
        (ENGLISH, "Please check your entries", "This sign-in link is not (or no longer) valid."),
    ):
        page = await browser.get(f"/w/{workshop['id']}/login", params={"code": "not-the-code"}, headers=language)
        assert page.status_code == 400
        words = main_text(page)
        assert heading in words and text in words, words
        assert "code:" not in words and "Something went wrong" not in words


async def test_the_intro_slot_form_says_what_is_wrong_in_the_readers_language(
    api: Api, browser: httpx.AsyncClient
) -> None:
    workshop = await api.workshop()
    console = urlsplit(workshop["console_url"])
    assert (
        await browser.get(f"{console.path}?{console.query}", follow_redirects=True)
    ).status_code == 200  # signs this client in
    cases = [
        ({"starts_at": "", "host_name": "Agnes"}, "Bitte geben Sie Datum und Uhrzeit", "Please give a date and a time"),
        (
            {"starts_at": "2026-05-20T10:00", "minutes": "999", "host_name": "Agnes"},
            "Bitte geben Sie 5 bis 240 Minuten",
            "Please give 5 to 240 minutes",
        ),
        (
            {"starts_at": "2026-05-20T10:00", "host_name": "Agnes", "host_email": "agnes@"},
            "Die E-Mail-Adresse der Gastgeberin oder des Gastgebers sieht nicht richtig aus.",
            "The host's e-mail address does not look right.",
        ),
    ]
    for form, german, english in cases:
        for language, expected in ((GERMAN, german), (ENGLISH, english)):
            token = csrf(await browser.get(f"/w/{workshop['id']}/intro", headers=language))
            page = await browser.post(
                f"/w/{workshop['id']}/intro", data={**form, "_csrf_token": token}, headers=language
            )
            assert page.status_code == 400
            words = main_text(page)
            assert expected in words, (form, words)
            assert "Something went wrong" not in words and "starts_at" not in words


async def test_a_wrong_organiser_token_is_refused_on_the_sign_in_form_in_the_readers_language(
    browser: httpx.AsyncClient,
) -> None:
    for language, expected in (
        (GERMAN, "Das ist nicht das Token des Orga-Teams."),
        (ENGLISH, "That is not the organiser token."),
    ):
        token = csrf(await browser.get("/admin", headers=language))
        page = await browser.post("/admin/login", data={"token": "guess", "_csrf_token": token}, headers=language)
        assert page.status_code == 401
        assert expected in main_text(page)
        assert 'name="email"' in page.text  # the sign-in form again: a link by e-mail


@pytest.mark.parametrize(
    ("path", "status", "german", "english"),
    [
        (
            "/me",
            200,
            "Öffnen Sie den persönlichen Link aus Ihrer Bestätigungs-E-Mail",
            "Open the personal link from your confirmation e-mail",
        ),
        ("/s/nowhere/nothing", 404, "Diese Seite gibt es nicht (mehr).", "This page does not exist (any more)."),
        ("/w/nowhere", 401, "Bitte nutzen Sie Ihren persönlichen Link", "Please use your personal link"),
    ],
)
async def test_error_pages_speak_the_readers_language(
    browser: httpx.AsyncClient, path: str, status: int, german: str, english: str
) -> None:
    for language, expected in ((GERMAN, german), (ENGLISH, english)):
        page = await browser.get(path, headers=language)
        assert page.status_code == status
        assert page.headers["content-type"].startswith("text/html")
        assert expected in main_text(page)


async def test_a_page_that_may_not_be_used_with_this_link_says_so_in_german(
    api: Api, browser: httpx.AsyncClient
) -> None:
    workshop = await api.workshop()
    session = await api.session(workshop)
    first = (await api.signup(workshop, session, email="erste@example.org")).json()
    second = (await api.signup(workshop, session, email="zweite@example.org")).json()
    await browser.get("/me", params={"token": second["participant_token"]})  # the second person's browser
    token = csrf(await browser.get("/me"))
    first_person = first["participant_token"].split(".")[2]
    path = f"/me/{workshop['id']}/{first_person}/signups/{first['signup_id']}/withdraw"
    page = await browser.post(path, data={"_csrf_token": token})
    assert page.status_code == 403
    words = main_text(page)
    assert "Ihr Link erlaubt das nicht." in words and "Not your sign-up" not in words


async def test_a_personal_link_with_a_token_no_cookie_can_hold_leads_to_the_personal_page(
    browser: httpx.AsyncClient,
) -> None:
    """A non-ASCII "token" (found by the fuzz test) used to end in a 500 while setting the cookie."""
    response = await browser.get("/me", params={"token": "\u0663"})
    assert (response.status_code, response.headers["location"]) == (303, "/me")
    assert not any(c.startswith("knoten_p=") for c in response.headers.get_list("set-cookie"))
