"""Every mail that does not answer the reader's own action can be stopped with one click
(RFC 8058), and a stop is honoured: the next mail of that kind to that address is not sent."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from typing import Any

import pytest
import redis

from tests.integration.conftest import Api, log_length
from tests.mail_sink import MailSink, html_of, text_of

pytestmark = pytest.mark.usefixtures("worker_process")

ONE_CLICK = {"content-type": "application/x-www-form-urlencoded"}


def soon(hours: float) -> str:
    return (datetime.now(UTC) + timedelta(hours=hours)).replace(microsecond=0).isoformat()


def stop_link(mail: EmailMessage) -> str:
    """The mail's one-click stop link, checked to be the same in the headers and both parts."""
    header = str(mail["List-Unsubscribe"])
    assert header.startswith("<http://knoten.test/unsubscribe/") and header.endswith(">"), header
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    url = header[1:-1]
    assert url in text_of(mail) and url in html_of(mail)
    return url.removeprefix("http://knoten.test")


def one(mails: list[EmailMessage], subject_part: str) -> EmailMessage:
    (found,) = [m for m in mails if subject_part in str(m["Subject"])]
    return found


async def test_mails_the_reader_did_not_ask_for_carry_a_one_click_stop_and_answers_to_their_action_none(
    api: Api, mail_sink: MailSink
) -> None:
    workshop = await api.workshop(
        title="Netzwerktreffen", organiser_email="orga.stops@example.org", follow_up_after="PT1S", digest_wait="PT1S"
    )
    session = await api.session(workshop, title="AG Garten", capacity=1, next_meeting_at=soon(72))
    base = f"/api/workshops/{workshop['id']}"
    auth = workshop["auth"]
    first = (await api.signup(workshop, session, name="Ada", email="ada.stops@example.org", newcomer=False)).json()
    await api.signup(workshop, session, name="Nils Neu", email="nils.stops@example.org", newcomer=True)
    await api.client.post(
        f"{base}/intro-slots",
        headers=auth,
        json={"host_name": "Agnes W.", "host_email": "agnes.stops@example.org", "starts_at": soon(24)},
    )
    await api.client.post(
        f"{base}/sessions/{session['id']}/commitments",
        headers=auth,
        json={"owner_name": "Ben", "owner_email": "ben.stops@example.org", "text": "Beet anlegen"},
    )
    await api.client.delete(f"{base}/signups/{first['signup_id']}", headers=auth)  # Nils moves up
    await api.client.post(f"{base}/sessions/{session['id']}/close", headers=auth)

    nils = mail_sink.wait_for(lambda found: len(found) == 3, to="nils.stops@example.org")
    promotion, intro = one(nils, "frei geworden"), one(nils, "Einführungsgespräch")
    (confirmation,) = [m for m in nils if m not in (promotion, intro)]
    assert confirmation["List-Unsubscribe"] is None  # the answer to Nils' own sign-up
    (ada,) = mail_sink.wait_for(lambda found: len(found) == 1, to="ada.stops@example.org")
    assert ada["List-Unsubscribe"] is None and "/unsubscribe/" not in text_of(ada)
    stoppable = [
        promotion,
        intro,
        *mail_sink.wait_for(lambda found: len(found) == 1, to="agnes.stops@example.org"),
        *mail_sink.wait_for(lambda found: len(found) == 1, to="ben.stops@example.org"),  # the follow-up
        *mail_sink.wait_for(lambda found: len(found) == 1, to="orga.stops@example.org"),  # the digest
    ]
    assert len({stop_link(mail) for mail in stoppable}) == len(stoppable)


def _wait_for_effect(redis_client: redis.Redis, workshop_id: str, prefix: str) -> str:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        effects = [key.decode() for key in redis_client.hkeys(f"knoten:{{{workshop_id}}}:effects")]
        found = [effect for effect in effects if effect.startswith(prefix)]
        if found:
            return found[0]
        time.sleep(0.05)
    raise AssertionError(f"no effect {prefix}… in {workshop_id}")


async def _reminded(api: Api, workshop: dict[str, Any], title: str, email: str) -> None:
    session = await api.session(workshop, title=title)
    base = f"/api/workshops/{workshop['id']}"
    await api.client.post(
        f"{base}/sessions/{session['id']}/commitments",
        headers=workshop["auth"],
        json={"owner_name": "Bea", "owner_email": email, "text": "Protokoll schreiben"},
    )
    await api.client.post(f"{base}/sessions/{session['id']}/close", headers=workshop["auth"])


async def test_a_one_click_stop_is_honoured_and_opening_the_link_changes_nothing(
    api: Api, mail_sink: MailSink, redis_client: redis.Redis
) -> None:
    workshop = await api.workshop(follow_up_after="PT1S")
    await _reminded(api, workshop, "Runde eins", "bea.stops@example.org")
    (reminder,) = mail_sink.wait_for(lambda found: len(found) == 1, to="bea.stops@example.org")
    link = stop_link(reminder)

    before = log_length(redis_client, workshop["id"])
    opened = await api.client.get(link)  # what a mail scanner does
    assert opened.status_code == 200 and '<form method="post"' in opened.text
    assert log_length(redis_client, workshop["id"]) == before
    forged = link.replace(".reminders.", ".digests.")
    assert (await api.client.post(forged, content=b"List-Unsubscribe=One-Click", headers=ONE_CLICK)).status_code == 404
    for _ in range(2):  # the mail program's one-click POST, and again: stopped once
        stopped = await api.client.post(link, content=b"List-Unsubscribe=One-Click", headers=ONE_CLICK)
        assert stopped.status_code == 200 and "keine Mails dieser Art mehr" in stopped.text
    assert log_length(redis_client, workshop["id"]) == before + 1

    await _reminded(api, workshop, "Runde zwei", "bea.stops@example.org")
    _wait_for_effect(redis_client, workshop["id"], "stopped:mail:follow-up:")
    assert len(mail_sink.messages("bea.stops@example.org")) == 1


async def test_erasing_the_person_forgets_their_stop(api: Api, mail_sink: MailSink) -> None:
    workshop = await api.workshop()
    base = f"/api/workshops/{workshop['id']}"
    auth = workshop["auth"]

    async def promoted(title: str) -> dict[str, Any]:
        """Pia waits for a place at a full table and gets it."""
        session = await api.session(workshop, title=title, capacity=1)
        other = (await api.signup(workshop, session, name="Ole", email=f"ole.{title}@example.org")).json()
        pia = (await api.signup(workshop, session, name="Pia", email="pia.stops@example.org")).json()
        await api.client.delete(f"{base}/signups/{other['signup_id']}", headers=auth)
        return dict(pia)

    pia = await promoted("eins")
    mails = mail_sink.wait_for(lambda found: len(found) == 2, to="pia.stops@example.org")
    link = stop_link(one(mails, "frei geworden"))
    assert (await api.client.post(link, content=b"List-Unsubscribe=One-Click", headers=ONE_CLICK)).status_code == 200
    erased = await api.client.delete("/api/me", headers={"Authorization": f"Bearer {pia['participant_token']}"})
    assert erased.status_code == 200

    await promoted("zwei")  # a new person with the same address: the stop went with the old one
    mails = mail_sink.wait_for(lambda found: len(found) == 4, to="pia.stops@example.org")
    assert sum("frei geworden" in str(m["Subject"]) for m in mails) == 2
