"""People, not sign-ups: one address is one person in a workshop; newcomers are what people
say (or what the facilitator corrects); a table code keeps bots off a session."""

from __future__ import annotations

import secrets
from typing import Any

import pytest

from tests.integration.conftest import Api
from tests.mail_sink import MailSink, text_of

pytestmark = pytest.mark.usefixtures("worker_process")


def address(name: str) -> str:
    return f"{name}.{secrets.token_hex(4)}@example.org"


async def test_one_address_at_four_tables_is_one_person_with_one_page_and_no_token_for_others(
    api: Api, mail_sink: MailSink
) -> None:
    workshop = await api.workshop()
    tables = [await api.session(workshop, title=f"Tisch {n}") for n in range(4)]
    email = address("vier")
    first = (await api.signup(workshop, tables[0], email=email, organisation="AWO")).json()
    assert first["participant_token"]
    later = [(await api.signup(workshop, table, email=email, organisation="AWO")).json() for table in tables[1:]]
    # Whoever knows someone's address must not get into their data: no token in these answers.
    assert [reply["participant_token"] for reply in later] == [None, None, None]
    report = (await api.client.get(f"/api/workshops/{workshop['id']}/report", headers=workshop["auth"])).json()
    assert (report["totals"]["participants"], report["totals"]["signups"]) == (1, 4)
    assert report["organisations"] == [{"name": "AWO", "people": 1}]
    me = (await api.client.get("/api/me", headers={"Authorization": f"Bearer {first['participant_token']}"})).json()
    assert sorted(s["session_title"] for s in me["signups"]) == [f"Tisch {n}" for n in range(4)]
    # Each confirmation carries the personal link: it goes to the address, not into the answer.
    mails = mail_sink.wait_for(lambda found: len(found) == 4, to=email)
    assert all("/me?token=" in text_of(mail) for mail in mails)


async def test_the_facilitator_corrects_a_newcomer_and_the_intro_talk_follows(api: Api) -> None:
    workshop = await api.workshop()
    session = await api.session(workshop, next_meeting_at="2030-06-01T18:00:00+02:00")
    base = f"/api/workshops/{workshop['id']}"
    slot = {"host_name": "Agnes", "host_email": address("agnes"), "starts_at": "2030-05-20T17:00:00+02:00"}
    assert (await api.client.post(f"{base}/intro-slots", json=slot, headers=workshop["auth"])).status_code == 201
    unknown = (await api.signup(workshop, session, name="Ohne Angabe", email=address("ohne"))).json()
    assert unknown["newcomer"] is None

    async def talks() -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = (await api.client.get(f"{base}/intro-talks", headers=workshop["auth"])).json()
        return found

    assert await talks() == []  # not answering makes nobody a newcomer
    marked = await api.client.patch(
        f"{base}/signups/{unknown['signup_id']}", json={"newcomer": True}, headers=workshop["auth"]
    )
    assert marked.status_code == 200 and marked.json()["newcomer"] is True
    (talk,) = await talks()
    assert (talk["signup_id"], talk["status"], talk["host_name"]) == (unknown["signup_id"], "scheduled", "Agnes")
    report = (await api.client.get(f"{base}/report", headers=workshop["auth"])).json()
    assert (report["totals"]["newcomers"], report["totals"]["newcomers_unknown"]) == (1, 0)
    unmarked = await api.client.patch(
        f"{base}/signups/{unknown['signup_id']}", json={"newcomer": False}, headers=workshop["auth"]
    )
    assert unmarked.status_code == 200
    assert await talks() == []
    assert (
        await api.client.patch(
            f"{base}/signups/{unknown['signup_id']}", json={"newcomer": "ja"}, headers=workshop["auth"]
        )
    ).status_code == 400
    participant = {"Authorization": f"Bearer {unknown['participant_token']}"}
    refused = await api.client.patch(
        f"{base}/signups/{unknown['signup_id']}", json={"newcomer": True}, headers=participant
    )
    assert refused.status_code == 403


async def test_unknown_newcomers_are_counted_apart_in_the_report(api: Api) -> None:
    workshop = await api.workshop()
    session = await api.session(workshop)
    await api.signup(workshop, session, name="Neu", email=address("neu"), newcomer=True)
    await api.signup(workshop, session, name="Alt", email=address("alt"), newcomer=False)
    await api.signup(workshop, session, name="Unbekannt", email=address("unbekannt"))
    report = (await api.client.get(f"/api/workshops/{workshop['id']}/report", headers=workshop["auth"])).json()
    assert (report["totals"]["newcomers"], report["totals"]["newcomers_unknown"]) == (1, 1)
    html = (await api.client.get(f"/api/workshops/{workshop['id']}/report.html", headers=workshop["auth"])).text
    assert "ohne Angabe, ob neu" in html


async def test_a_session_with_a_table_code_refuses_sign_ups_without_it(api: Api) -> None:
    workshop = await api.workshop()
    session = await api.session(workshop, capacity=3, require_table_code=True)
    code = session["table_code"]
    assert code and f"?code={code}" in session["signup_url"]
    path = f"/api/workshops/{workshop['id']}/sessions/{session['id']}"
    public = (await api.client.get(path)).json()
    assert code not in str(public) and public["table_code_required"] is True
    refused = await api.signup(workshop, session, name="Bot")
    assert refused.status_code == 403 and refused.headers["content-type"].startswith("application/problem+json")
    assert (await api.signup(workshop, session, name="Bot", table_code="AAAAAA")).status_code == 403
    assert (await api.client.get(path)).json()["confirmed"] == 0  # nothing was written
    assert (await api.signup(workshop, session, name="Mia", table_code=code)).status_code == 201
    page = await api.client.post(
        f"/s/{workshop['id']}/{session['id']}",
        data={"name": "Bot", "newcomer": "no", "consent": "yes"},
        headers={"Accept": "text/html"},
    )
    assert page.status_code in (403, 400)  # no CSRF token from this client, or no code: refused either way
    stopped = await api.client.post(f"{path}/table-code", json={"required": False}, headers=workshop["auth"])
    assert stopped.status_code == 200 and stopped.json()["table_code"] is None
    assert (await api.signup(workshop, session, name="Ohne Code")).status_code == 201
