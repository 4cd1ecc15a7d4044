"""Live updates: every event once, in order, resumable with Last-Event-ID."""

from __future__ import annotations

import asyncio
import re

from service.api.stream import live
from service.store.codec import EventCodec
from service.store.redis import RedisEventStore
from service.store.vault import KeyWrapper
from tests.integration.conftest import Api
from tests.integration.sse import Message, collect, messages
from tests.unit.test_rules import created, planned


async def test_the_stream_starts_at_the_beginning_and_shows_names_but_no_emails(api: Api) -> None:
    workshop = await api.workshop(organiser_email="orga@example.org")
    session = await api.session(workshop)
    await api.signup(workshop, session, name="Anna Beispiel", email="anna@example.org", organisation="AWO")
    got = await asyncio.wait_for(
        collect(api.client, f"/api/workshops/{workshop['id']}/stream", 3, headers=workshop["auth"]), 10
    )
    assert [(m.id, m.event) for m in got] == [(1, "workshop_created"), (2, "session_planned"), (3, "signup_recorded")]
    assert got[2].data["person"] == {"name": "Anna Beispiel"}
    assert [(m.data["type"], m.data["v"]) for m in got] == [
        ("workshop_created", 2),
        ("session_planned", 2),
        ("signup_recorded", 1),
    ]
    text = repr([m.data for m in got])
    for hidden in ("anna@example.org", "AWO", "orga@example.org", "token_hash", "email_hash"):
        assert hidden not in text


async def test_a_reconnect_with_the_last_id_gets_every_later_event_exactly_once(api: Api) -> None:
    workshop = await api.workshop()
    session = await api.session(workshop)
    path = f"/api/workshops/{workshop['id']}/stream"
    first = await asyncio.wait_for(collect(api.client, path, 2, headers=workshop["auth"]), 10)
    last_seen = first[-1].id
    # while the tablet is away, more happens (without e-mail addresses, so that a running
    # worker appends no personal-link events in between)
    for i in range(5):
        await api.signup(workshop, session, name=f"Person {i}")

    resumed: list[Message] = []
    headers = {**workshop["auth"], "Last-Event-ID": str(last_seen)}
    async with api.client.stream("GET", path, headers=headers) as response:
        async for message in messages(response):
            resumed.append(message)
            if len(resumed) == 5:  # the five from while it was away: now more happens, live
                for i in range(5, 8):
                    await api.signup(workshop, session, name=f"Person {i}")
            if len(resumed) == 8:
                break
    assert [m.id for m in resumed] == list(range(last_seen + 1, last_seen + 9))
    assert [m.data["person"]["name"] for m in resumed] == [f"Person {i}" for i in range(8)]
    by_query = await asyncio.wait_for(
        collect(api.client, f"{path}?token={workshop['facilitator_token']}&last_event_id=9", 1), 10
    )
    assert by_query[0].id == 10


async def test_the_stream_needs_the_facilitator(api: Api) -> None:
    workshop = await api.workshop()
    session = await api.session(workshop)
    participant = (await api.signup(workshop, session, email="a@example.org")).json()["participant_token"]
    path = f"/api/workshops/{workshop['id']}/stream"
    assert (await api.client.get(path)).status_code == 401
    assert (await api.client.get(path, headers={"Authorization": f"Bearer {participant}"})).status_code == 403
    assert (await api.client.get(path, headers={**workshop["auth"], "Last-Event-ID": "abc"})).status_code == 400


async def test_the_event_catalogue_is_public_and_describes_every_streamed_event(api: Api) -> None:
    workshop = await api.workshop()
    session = await api.session(workshop)
    await api.signup(workshop, session, name="Anna Beispiel")
    got = await asyncio.wait_for(
        collect(api.client, f"/api/workshops/{workshop['id']}/stream", 3, headers=workshop["auth"]), 10
    )
    response = await api.client.get("/schema/events.json")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/schema+json")
    definitions = response.json()["$defs"]
    for message in got:
        definition = definitions[message.event]
        assert list(message.data) == list(definition["properties"])
        assert message.data["v"] == definition["properties"]["v"]["const"]


async def test_an_event_both_in_the_log_read_and_the_live_feed_is_sent_once(redis_url: str) -> None:
    """The stream joins the feed first and then reads the log: what lands in between is in both.
    Here the feed starts at the beginning, so the whole log is in both."""
    store = RedisEventStore.from_url(redis_url, EventCodec(), KeyWrapper("k" * 40))
    await store.append("w1", [created(), planned("s1")], expected_version=0)
    stream = live(store, {}, "w1", after=0, version=0)
    try:
        got = [await anext(stream), await anext(stream)]
        await store.append("w1", [planned("s2")], expected_version=2)
        got.append(await asyncio.wait_for(anext(stream), 10))
    finally:
        await stream.aclose()
        await store.close()
    # A message may carry several events (what queued meanwhile goes out together): count each.
    frames = [frame for m in got for frame in re.split(r"(?:\r?\n){2}", m.encode().decode()) if frame.strip()]
    sent = [dict(line.split(": ", 1) for line in frame.splitlines() if ": " in line) for frame in frames]
    assert [(m["id"], m["event"]) for m in sent] == [
        ("1", "workshop_created"),
        ("2", "session_planned"),
        ("3", "session_planned"),
    ]
