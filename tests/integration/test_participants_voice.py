"""Participants acting from their phones (issue 14): cards and dots within the session's dot
budget in a Zukunftswerkstatt, Biete/Suche on the Marktplatz, each only with a confirmed place
in an open session; and a round table's agenda, decisions and date poll."""

from __future__ import annotations

import uuid
from typing import Any

import redis

from tests.integration.conftest import Api, log_length
from tests.integration.sse import collect


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _key() -> dict[str, str]:
    return {"Idempotency-Key": uuid.uuid4().hex}


async def _phone(api: Api, workshop: dict[str, Any], session: dict[str, Any], name: str) -> dict[str, str]:
    # without an address: no confirmation mail, so no worker appends a link to the log meanwhile
    response = await api.signup(workshop, session, name=name)
    assert response.status_code == 201, response.text
    return _bearer(response.json()["participant_token"])


async def test_a_phone_adds_cards_and_gives_dots_within_the_budget(api: Api, redis_client: redis.Redis) -> None:
    workshop = await api.workshop()
    base = f"/api/workshops/{workshop['id']}"
    future = await api.session(workshop, format="zukunftswerkstatt", dot_budget=3)
    spath = f"{base}/sessions/{future['id']}"
    anna = await _phone(api, workshop, future, "Anna")
    ben = await _phone(api, workshop, future, "Ben")

    early = await api.client.post(f"{spath}/cards", headers=anna, json={"text": "Zu laut"})
    assert early.status_code == 409 and "not open" in early.json()["detail"]
    assert (await api.client.post(f"{spath}/open", headers=workshop["auth"])).status_code == 200

    card = await api.client.post(f"{spath}/cards", headers=anna, json={"text": "Zu laut"})
    assert card.status_code == 201 and card.json()["phase"] == "kritik"
    other = (await api.client.post(f"{spath}/cards", headers=ben, json={"text": "Kein Grün"})).json()

    given = await api.client.post(f"{base}/cards/{other['id']}/votes", headers=anna, json={"count": 2}, params={})
    assert given.status_code == 200 and given.json()["votes"] == 2 and given.json()["dots_left"] == 1
    before = log_length(redis_client, workshop["id"])
    over = await api.client.post(f"{base}/cards/{card.json()['id']}/votes", headers=anna, json={"count": 2})
    assert over.status_code == 409 and "1 of 3" in over.json()["detail"]
    assert log_length(redis_client, workshop["id"]) == before  # nothing written

    # moving dots: take back from one card, give to another
    back = await api.client.post(f"{base}/cards/{other['id']}/votes", headers=anna, json={"count": -1})
    assert back.json()["votes"] == 1 and back.json()["dots_left"] == 2
    moved = await api.client.post(f"{base}/cards/{card.json()['id']}/votes", headers=anna, json={"count": 2})
    assert moved.json()["votes"] == 2 and moved.json()["dots_left"] == 0
    not_mine = await api.client.post(f"{base}/cards/{other['id']}/votes", headers=ben, json={"count": -1})
    assert not_mine.status_code == 409  # Ben has no dots on it to take back

    # a retry with the same key is the first answer, not a second dot
    key = _key()
    first = await api.client.post(f"{base}/cards/{other['id']}/votes", headers={**ben, **key}, json={"count": 1})
    again = await api.client.post(f"{base}/cards/{other['id']}/votes", headers={**ben, **key}, json={"count": 1})
    assert first.json() == again.json() and again.json()["votes"] == 2

    before = log_length(redis_client, workshop["id"])
    someone_elses = await api.client.delete(f"{base}/cards/{other['id']}", headers=anna)
    assert someone_elses.status_code == 403
    assert log_length(redis_client, workshop["id"]) == before  # nothing written
    own = await api.client.delete(f"{base}/cards/{card.json()['id']}", headers=anna)
    assert own.status_code == 200
    view = (await api.client.get(spath, headers=workshop["auth"])).json()
    assert [(c["text"], c["votes"]) for c in view["cards"]] == [("Kein Grün", 2)]
    assert view["dot_budget"] == 3


async def test_only_a_confirmed_place_lets_a_phone_take_part(api: Api) -> None:
    workshop = await api.workshop()
    base = f"/api/workshops/{workshop['id']}"
    future = await api.session(workshop, format="zukunftswerkstatt", capacity=1)
    spath = f"{base}/sessions/{future['id']}"
    await _phone(api, workshop, future, "Anna")
    waiting = await _phone(api, workshop, future, "Carla")  # waitlisted
    elsewhere = await _phone(api, workshop, await api.session(workshop), "Dora")
    await api.client.post(f"{spath}/open", headers=workshop["auth"])
    for phone in (waiting, elsewhere):
        refused = await api.client.post(f"{spath}/cards", headers=phone, json={"text": "x"})
        assert refused.status_code == 403 and "confirmed place" in refused.json()["detail"]
    facilitators = await api.client.post(f"{spath}/cards", headers=workshop["auth"], json={"text": "Lärm"})
    assert facilitators.status_code == 201
    dots = await api.client.post(f"{base}/cards/{facilitators.json()['id']}/votes", headers=waiting, json={"count": 1})
    assert dots.status_code == 403


async def test_a_phone_posts_biete_and_suche_as_itself_and_removes_only_its_own(
    api: Api, redis_client: redis.Redis
) -> None:
    workshop = await api.workshop()
    base = f"/api/workshops/{workshop['id']}"
    market = await api.session(workshop, format="marktplatz")
    spath = f"{base}/sessions/{market['id']}"
    anna = await _phone(api, workshop, market, "Anna")
    ben = await _phone(api, workshop, market, "Ben")
    await api.client.post(f"{spath}/open", headers=workshop["auth"])
    offer = await api.client.post(
        f"{spath}/offers", headers=anna, json={"kind": "offer", "text": "Lastenrad", "owner_name": "Someone Else"}
    )
    assert offer.status_code == 201 and offer.json()["owner_name"] == "Anna"
    request = (
        await api.client.post(f"{spath}/offers", headers=ben, json={"kind": "request", "text": "Transport"})
    ).json()
    assert request["owner_name"] == "Ben"
    before = log_length(redis_client, workshop["id"])
    assert (await api.client.delete(f"{base}/offers/{request['id']}", headers=anna)).status_code == 403
    assert log_length(redis_client, workshop["id"]) == before  # nothing written
    assert (await api.client.delete(f"{base}/offers/{request['id']}", headers=ben)).status_code == 200
    hidden = await api.client.delete(f"{base}/offers/{offer.json()['id']}", headers=workshop["auth"])
    assert hidden.status_code == 200  # the facilitator hides a post
    assert (await api.client.get(spath, headers=workshop["auth"])).json()["offers"] == []


async def test_a_round_table_keeps_agenda_decisions_and_a_date_poll(api: Api) -> None:
    workshop = await api.workshop()
    table = await api.session(workshop, format="runder_tisch", title="Runder Tisch Nord")
    spath = f"/api/workshops/{workshop['id']}/sessions/{table['id']}"
    auth = workshop["auth"]
    item = await api.client.post(f"{spath}/agenda", headers=auth, json={"title": "Arbeitsprogramm 2027", "minutes": 20})
    assert item.status_code == 201 and item.json()["minutes"] == 20 and item.json()["current"] is False
    current = await api.client.post(f"{spath}/agenda/{item.json()['id']}/current", headers=auth)
    assert current.status_code == 200 and current.json()["current"] is True
    decision = await api.client.post(
        f"{spath}/decisions",
        headers=auth,
        json={"text": "Arbeitsprogramm beschlossen", "yes": 9, "no": 1, "abstain": 2},
    )
    assert decision.status_code == 201 and decision.json()["yes"] == 9
    one = await api.client.post(f"{spath}/date-poll", headers=auth, json={"options": ["2026-06-01T18:00:00+02:00"]})
    assert one.status_code == 400
    poll = await api.client.post(
        f"{spath}/date-poll",
        headers=auth,
        json={"options": ["2026-06-08T18:00:00+02:00", "2026-06-01T18:00:00+02:00"]},
    )
    assert poll.status_code == 201 and [o["starts_at"][:10] for o in poll.json()["options"]] == [
        "2026-06-01",
        "2026-06-08",
    ]
    anna = await _phone(api, workshop, table, "Anna")
    assert (await api.client.post(f"{spath}/date-poll/votes", headers=anna, json={"options": [1]})).status_code == 409
    await api.client.post(f"{spath}/open", headers=auth)
    voted = await api.client.post(f"{spath}/date-poll/votes", headers=anna, json={"options": [1]})
    assert voted.status_code == 200 and [o["answers"] for o in voted.json()["options"]] == [0, 1]
    assert voted.json()["options"][1]["mine"] is True
    assert (await api.client.post(f"{spath}/date-poll/votes", headers=auth, json={"options": [1]})).status_code == 403
    bad = await api.client.post(f"{spath}/date-poll/votes", headers=anna, json={"options": [3]})
    assert bad.status_code == 400
    fixed = await api.client.post(f"{spath}/date-poll/fix", headers=auth, json={"option": 1})
    assert fixed.status_code == 200 and fixed.json()["fixed"] == 1
    view = (await api.client.get(spath, headers=auth)).json()
    assert view["next_meeting_at"].startswith("2026-06-08")
    assert view["round_table"]["agenda"][0]["current"] is True
    assert view["round_table"]["decisions"][0]["text"] == "Arbeitsprogramm beschlossen"
    assert (await api.client.post(f"{spath}/date-poll/fix", headers=auth, json={"option": 0})).status_code == 409
    await api.client.post(f"{spath}/close", headers=auth)
    digest = (await api.client.get(f"{spath}/digest", headers=auth)).json()
    assert digest["agenda"] == [{"title": "Arbeitsprogramm 2027", "minutes": 20}]
    assert digest["decisions"] == [{"text": "Arbeitsprogramm beschlossen", "yes": 9, "no": 1, "abstain": 2}]
    assert digest["next_meeting_at"].startswith("2026-06-08")
    markdown = (await api.client.get(f"{spath}/digest.md", headers=auth, params={"lang": "de"})).text
    assert "## Tagesordnung" in markdown and "- Arbeitsprogramm 2027 (20 min)" in markdown
    assert "Arbeitsprogramm beschlossen (ja 9 · nein 1 · enthalten 2)" in markdown
    assert "**Nächstes Treffen:** " in markdown
    assert (await api.client.get(f"{spath}/digest.pdf", headers=auth)).status_code == 200


async def test_a_phone_hears_that_something_changed_but_not_who(api: Api) -> None:
    workshop = await api.workshop()
    future = await api.session(workshop, format="zukunftswerkstatt")
    spath = f"/api/workshops/{workshop['id']}/sessions/{future['id']}"
    anna = await _phone(api, workshop, future, "Anna")
    await api.client.post(f"{spath}/open", headers=workshop["auth"])
    assert (await api.client.get(f"/api/workshops/{workshop['id']}/stream", headers=anna)).status_code == 403
    history = await collect(api.client, f"{spath}/live", 4, headers=anna)
    assert [m.event for m in history] == ["workshop_created", "session_planned", "signup_recorded", "session_opened"]
    assert all(m.data == {} for m in history)
    last = history[-1].id
    await api.client.post(f"{spath}/cards", headers=workshop["auth"], json={"text": "Lärm"})
    (live,) = await collect(api.client, f"{spath}/live", 1, headers={**anna, "Last-Event-ID": str(last)})
    assert (live.event, live.data, live.id) == ("card_added", {}, last + 1)
