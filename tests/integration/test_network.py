"""The network: an organiser makes one, puts workshops into it (their meetings), and keeps its
member organisations; a facilitator of one of its meetings sees it without contact details,
a facilitator of a workshop outside it sees nothing of it."""

from __future__ import annotations

import asyncio
import secrets
from typing import Any

import httpx
import redis

from service.domain.events import Person
from service.store import keys
from service.store.codec import EventCodec
from service.store.vault import KeyWrapper
from tests.integration.conftest import SECRET_KEY, Api
from tests.integration.test_page_errors import csrf
from tests.mail_sink import MailSink, text_of
from tests.processes import WorkerProcess


def readable_people(redis_client: redis.Redis, log_id: str) -> list[Person]:
    """The people a log's sealed entries still open to, with the keys Redis holds now (an
    erased person's key is gone, so nothing of them can be read back)."""
    wrapper = KeyWrapper(SECRET_KEY)
    held: Any = redis_client.hgetall(keys.person_keys_key(log_id))
    ring = {subject.decode(): wrapper.unwrap(subject.decode(), key) for subject, key in held.items()}
    entries: Any = redis_client.xrange(keys.log_key(log_id))
    events = [EventCodec().decode(fields[b"data"], ring) for _id, fields in entries]
    found = [getattr(event, name) for event in events for name in event.__struct_fields__]
    return [person for person in found if isinstance(person, Person) and not person.erased]


async def network(api: Api, **fields: Any) -> dict[str, Any]:
    body = {"name": "Netzwerk Bürgermitwirkung", "city": "Hannover", **fields}
    response = await api.client.post("/api/networks", json=body, headers=api.admin)
    assert response.status_code == 201, response.text
    made: dict[str, Any] = response.json()
    return made


async def member(api: Api, net: dict[str, Any], **fields: Any) -> dict[str, Any]:
    body = {"organisation": "AWO Region Hannover e.V.", **fields}
    response = await api.client.post(f"/api/networks/{net['id']}/members", json=body, headers=api.admin)
    assert response.status_code == 201, response.text
    made: dict[str, Any] = response.json()
    return made


async def test_an_organiser_makes_a_network_and_its_meetings_name_it(api: Api) -> None:
    net = await network(api, description="40 Organisationen")
    assert net["name"] == "Netzwerk Bürgermitwirkung"
    assert net["workshops"] == [] and net["members"] == [] and net["groups"] == []
    listed = await api.client.get("/api/networks", headers=api.admin)
    assert net["id"] in [n["id"] for n in listed.json()]

    spring = await api.workshop(title="Frühjahrstreffen", network_id=net["id"])
    assert spring["network_id"] == net["id"]
    autumn = await api.workshop(
        title="Herbsttreffen", starts_at="2026-10-09T10:00:00+02:00", ends_at="2026-10-09T18:00:00+02:00"
    )
    assert autumn["network_id"] is None
    moved = await api.client.patch(f"/api/workshops/{autumn['id']}", json={"network_id": net["id"]}, headers=api.admin)
    assert moved.status_code == 200, moved.text
    assert moved.json()["network_id"] == net["id"]

    seen = await api.client.get(f"/api/networks/{net['id']}", headers=api.admin)
    assert [w["title"] for w in seen.json()["workshops"]] == ["Frühjahrstreffen", "Herbsttreffen"]
    listed_workshops = (await api.client.get("/api/workshops", headers=api.admin)).json()
    assert {w["id"]: w["network_id"] for w in listed_workshops}[spring["id"]] == net["id"]
    # the network's log is not a workshop
    assert net["id"] not in [w["id"] for w in listed_workshops]

    copy = await api.client.post(
        f"/api/workshops/{autumn['id']}/copy",
        json={"title": "Wintertreffen", "starts_at": "2026-12-04T10:00:00+01:00"},
        headers=api.admin,
    )
    assert copy.status_code == 201, copy.text
    assert copy.json()["network_id"] == net["id"]


async def test_only_an_organiser_puts_a_workshop_into_a_network(api: Api) -> None:
    net = await network(api)
    workshop = await api.workshop()
    refused = await api.client.patch(
        f"/api/workshops/{workshop['id']}", json={"network_id": net["id"]}, headers=workshop["auth"]
    )
    assert refused.status_code == 403
    assert (await api.client.get(f"/api/workshops/{workshop['id']}", headers=workshop["auth"])).json()[
        "network_id"
    ] is None
    unknown = await api.client.patch(
        f"/api/workshops/{workshop['id']}", json={"network_id": "net-nosuchnetwork"}, headers=api.admin
    )
    assert unknown.status_code == 400
    out = await api.client.patch(f"/api/workshops/{workshop['id']}", json={"network_id": ""}, headers=api.admin)
    assert out.status_code == 200 and out.json()["network_id"] is None


async def test_a_facilitator_sees_their_network_without_contacts_and_nothing_of_another(api: Api) -> None:
    net = await network(api)
    await member(api, net, contact_name="Petra Kontakt", contact_email="petra@example.org", role="speaker")
    inside = await api.workshop(network_id=net["id"])
    outside = await api.workshop()

    as_organiser = (await api.client.get(f"/api/networks/{net['id']}", headers=api.admin)).json()
    assert as_organiser["members"][0]["contact_email"] == "petra@example.org"

    seen = await api.client.get(f"/api/networks/{net['id']}", headers=inside["auth"])
    assert seen.status_code == 200, seen.text
    assert seen.json()["members"][0]["organisation"] == "AWO Region Hannover e.V."
    assert "petra" not in seen.text.lower()

    hidden = await api.client.get(f"/api/networks/{net['id']}", headers=outside["auth"])
    assert hidden.status_code == 403
    assert "Bürgermitwirkung" not in hidden.text
    assert (await api.client.get("/api/networks", headers=inside["auth"])).status_code == 403
    assert (await api.client.post("/api/networks", json={"name": "X"}, headers=inside["auth"])).status_code == 403
    assert (await api.client.get(f"/api/networks/{net['id']}")).status_code == 401


async def test_a_retried_create_makes_one_network(api: Api) -> None:
    headers = {**api.admin, "Idempotency-Key": "net-create-once"}
    first = await api.client.post("/api/networks", json={"name": "Bocholt"}, headers=headers)
    again = await api.client.post("/api/networks", json={"name": "Bocholt"}, headers=headers)
    assert first.status_code == again.status_code == 201
    assert first.json()["id"] == again.json()["id"]
    listed = (await api.client.get("/api/networks", headers=api.admin)).json()
    assert [n["name"] for n in listed].count("Bocholt") == 1


async def test_members_with_role_agreement_date_and_a_contact_who_can_be_erased(api: Api, redis_client: Any) -> None:
    net = await network(api)
    awo = await member(
        api,
        net,
        contact_name="Petra Kontakt",
        contact_email="petra@example.org",
        agreement_signed_at="2025-03-01",
        role="speaker",
    )
    assert (awo["role"], awo["agreement_signed_at"], awo["contact_name"]) == ("speaker", "2025-03-01", "Petra Kontakt")
    path = f"/api/networks/{net['id']}/members/{awo['id']}"
    changed = await api.client.patch(
        path, json={"role": "coordinator", "contact_email": "p.k@example.org"}, headers=api.admin
    )
    assert changed.status_code == 200, changed.text
    assert (changed.json()["role"], changed.json()["contact_name"], changed.json()["contact_email"]) == (
        "coordinator",
        "Petra Kontakt",
        "p.k@example.org",
    )
    # the contact person is sealed in the network's log: no address in Redis in the clear
    raw = b"".join(
        value for _id, fields in redis_client.xrange(f"knoten:{{{net['id']}}}:log") for value in fields.values()
    )
    assert b"petra" not in raw.lower() and b"p.k@example.org" not in raw
    assert b"AWO Region Hannover" in raw

    # the address changed: a contact person of their own, the one before erased with their key
    assert [p.email for p in readable_people(redis_client, net["id"])] == ["p.k@example.org"]
    assert redis_client.hget(f"knoten:{{{net['id']}}}:keys", f"contact-{awo['id']}") is None
    removed = await api.client.delete(path, headers=api.admin)
    assert removed.status_code == 200, removed.text
    seen = (await api.client.get(f"/api/networks/{net['id']}", headers=api.admin)).json()
    assert seen["members"] == []
    # the contact person's key is gone: their data cannot be read back from the log
    assert readable_people(redis_client, net["id"]) == []
    assert (await api.client.delete(path, headers=api.admin)).status_code == 404
    bad = await api.client.post(
        f"/api/networks/{net['id']}/members", json={"organisation": "X", "role": "boss"}, headers=api.admin
    )
    assert bad.status_code == 400
    nowhere = await api.client.post("/api/networks/net-nosuch/members", json={"organisation": "X"}, headers=api.admin)
    assert nowhere.status_code == 404


async def group(api: Api, net: dict[str, Any], **fields: Any) -> dict[str, Any]:
    body = {"title": "AG Beteiligung", "patron_name": "Bernd Pate", "patron_email": "bernd@example.org", **fields}
    response = await api.client.post(f"/api/networks/{net['id']}/groups", json=body, headers=api.admin)
    assert response.status_code == 201, response.text
    made: dict[str, Any] = response.json()
    return made


async def test_a_working_group_gathers_its_sessions_people_and_open_commitments_across_meetings(api: Api) -> None:
    net = await network(api)
    ag = await group(api, net)
    assert (ag["title"], ag["patron_name"]) == ("AG Beteiligung", "Bernd Pate")
    spring = await api.workshop(title="Frühjahrstreffen", network_id=net["id"])
    autumn = await api.workshop(
        title="Herbsttreffen",
        network_id=net["id"],
        starts_at="2026-10-09T10:00:00+02:00",
        ends_at="2026-10-09T18:00:00+02:00",
    )
    table = await api.session(spring, title="Thementisch Beteiligung", group_id=ag["id"])
    elsewhere = await api.session(spring, title="Thementisch Sport")
    anna = (await api.signup(spring, table, email="anna@example.org", organisation="AWO")).json()
    await api.signup(spring, elsewhere, name="Carl Anders", email="carl@example.org")
    again = await api.session(autumn, title="AG Beteiligung, zweites Treffen")
    named = await api.client.patch(
        f"/api/workshops/{autumn['id']}/sessions/{again['id']}", json={"group_id": ag["id"]}, headers=autumn["auth"]
    )
    assert named.status_code == 200, named.text
    await api.signup(autumn, again, email="anna@example.org", organisation="AWO Region Hannover")
    await api.signup(autumn, again, name="Dora Neu", email="dora@example.org")
    made = await api.client.post(
        f"/api/workshops/{spring['id']}/sessions/{table['id']}/commitments",
        headers=spring["auth"],
        json={"signup_id": anna["signup_id"], "text": "Leitfaden entwerfen", "due": "2026-06-01"},
    )
    assert made.status_code == 201, made.text

    seen = await api.client.get(f"/api/networks/{net['id']}/groups/{ag['id']}", headers=api.admin)
    assert seen.status_code == 200, seen.text
    view = seen.json()
    assert view["members"] == [
        {"name": "Anna Beispiel", "organisation": "AWO Region Hannover"},
        {"name": "Dora Neu", "organisation": None},
    ]
    assert [(s["workshop_title"], s["title"]) for s in view["sessions"]] == [
        ("Frühjahrstreffen", "Thementisch Beteiligung"),
        ("Herbsttreffen", "AG Beteiligung, zweites Treffen"),
    ]
    assert [(c["owner_name"], c["text"], c["due"]) for c in view["commitments"]] == [
        ("Anna Beispiel", "Leitfaden entwerfen", "2026-06-01")
    ]
    assert view["patron_email"] == "bernd@example.org"
    # a facilitator of a meeting sees the group without the patron's address
    as_facilitator = await api.client.get(f"/api/networks/{net['id']}/groups/{ag['id']}", headers=autumn["auth"])
    assert as_facilitator.status_code == 200 and "bernd@example.org" not in as_facilitator.text
    summary = (await api.client.get(f"/api/networks/{net['id']}", headers=api.admin)).json()
    assert [g["title"] for g in summary["groups"]] == ["AG Beteiligung"]


async def test_a_session_names_only_a_group_of_its_workshops_network(api: Api) -> None:
    net, other = await network(api), await network(api, name="Anderes Netz")
    ag = await group(api, other)
    workshop = await api.workshop(network_id=net["id"])
    refused = await api.client.post(
        f"/api/workshops/{workshop['id']}/sessions",
        json={"title": "T", "format": "thementisch", "group_id": ag["id"]},
        headers=workshop["auth"],
    )
    assert refused.status_code == 400
    assert (await api.client.get(f"/api/networks/{net['id']}/groups/nosuch", headers=api.admin)).status_code == 404


async def test_the_patron_gets_the_digest_of_the_groups_session(
    api: Api, worker_process: WorkerProcess, mail_sink: MailSink
) -> None:
    net = await network(api)
    patron = f"pate-{secrets.token_hex(4)}@example.org"
    ag = await group(api, net, patron_email=patron)
    workshop = await api.workshop(network_id=net["id"])
    table = await api.session(workshop, title="Thementisch Grünflächen", group_id=ag["id"])
    other = await api.session(workshop, title="Thementisch ohne Gruppe")
    base = f"/api/workshops/{workshop['id']}/sessions"
    for session in (other, table):  # the one worker runs jobs in order: any mail about `other` came first
        assert (await api.client.post(f"{base}/{session['id']}/open", headers=workshop["auth"])).status_code == 200
        await api.signup(workshop, session, name="Greta Grün")
        assert (await api.client.post(f"{base}/{session['id']}/close", headers=workshop["auth"])).status_code == 200
    mails = await asyncio.to_thread(mail_sink.wait_for, lambda found: len(found) >= 1, to=patron)
    assert "Thementisch Grünflächen" in mails[0]["Subject"]
    assert "Greta Grün" in text_of(mails[0])
    assert len(mail_sink.messages(patron)) == 1  # nothing about the session without a group


async def test_whoever_left_a_group_and_signs_up_to_a_later_session_of_it_is_listed_again(api: Api) -> None:
    net = await network(api)
    ag = await group(api, net)
    spring = await api.workshop(title="Frühjahrstreffen", network_id=net["id"])
    autumn = await api.workshop(
        title="Herbsttreffen",
        network_id=net["id"],
        starts_at="2026-10-09T10:00:00+02:00",
        ends_at="2026-10-09T18:00:00+02:00",
    )
    table = await api.session(spring, title="Thementisch Beteiligung", group_id=ag["id"])
    again = await api.session(autumn, title="AG Beteiligung, zweites Treffen", group_id=ag["id"])
    address = f"lena-{secrets.token_hex(4)}@example.org"
    joined = (await api.signup(spring, table, name="Lena Lang", email=address)).json()
    group_path = f"/api/networks/{net['id']}/groups/{ag['id']}"

    async def members() -> list[str]:
        return [m["name"] for m in (await api.client.get(group_path, headers=api.admin)).json()["members"]]

    assert await members() == ["Lena Lang"]
    async with httpx.AsyncClient(base_url=str(api.client.base_url), timeout=30) as phone:
        await phone.get("/me", params={"token": joined["participant_token"]})
        personal = await phone.get("/me")
        participant_id = joined["participant_token"].split(".")[2]
        left = await phone.post(
            f"/me/{spring['id']}/{participant_id}/groups/{ag['id']}/leave", data={"_csrf_token": csrf(personal)}
        )
        assert left.status_code == 303, left.text
    assert await members() == []

    signed_up = await api.signup(autumn, again, name="Lena Lang", email=address)
    assert signed_up.status_code == 201, signed_up.text
    assert await members() == ["Lena Lang"]


async def test_a_contact_person_replaced_or_emptied_is_erased_and_the_next_one_sealed_apart(
    api: Api, redis_client: redis.Redis
) -> None:
    net = await network(api)
    awo = await member(api, net, contact_name="Petra Kontakt", contact_email="petra@example.org")
    path = f"/api/networks/{net['id']}/members/{awo['id']}"
    headers = {**api.admin, "Idempotency-Key": f"contact-{secrets.token_hex(4)}"}
    body = {"contact_name": "Olaf Nachfolger", "contact_email": "olaf@example.org"}
    replaced = await api.client.patch(path, json=body, headers=headers)
    assert replaced.status_code == 200, replaced.text
    assert (replaced.json()["contact_name"], replaced.json()["contact_email"]) == (
        "Olaf Nachfolger",
        "olaf@example.org",
    )
    again = await api.client.patch(path, json=body, headers=headers)
    assert again.status_code == 200 and again.json() == replaced.json()  # a retry: its first reply
    assert [(p.name, p.email) for p in readable_people(redis_client, net["id"])] == [
        ("Olaf Nachfolger", "olaf@example.org")
    ]
    seen = (await api.client.get(f"/api/networks/{net['id']}", headers=api.admin)).text
    assert "Petra" not in seen and "petra@example.org" not in seen

    emptied = await api.client.patch(path, json={"contact_name": None, "contact_email": None}, headers=api.admin)
    assert emptied.status_code == 200, emptied.text
    assert (emptied.json().get("contact_name"), emptied.json().get("contact_email")) == (None, None)
    assert readable_people(redis_client, net["id"]) == []
    assert emptied.json()["organisation"] == "AWO Region Hannover e.V."
    # a contact person again, after the erasure: sealed under a new key
    anew = await api.client.patch(path, json={"contact_name": "Rita Neu"}, headers=api.admin)
    assert anew.status_code == 200 and anew.json()["contact_name"] == "Rita Neu"
    assert [p.name for p in readable_people(redis_client, net["id"])] == ["Rita Neu"]
    bad = await api.client.patch(path, json={"contact_email": "not an address"}, headers=api.admin)
    assert bad.status_code == 400


async def test_a_group_gets_a_new_title_and_patron_and_ends_with_its_patron_erased(
    api: Api, redis_client: redis.Redis
) -> None:
    net = await network(api)
    ag = await group(api, net)
    workshop = await api.workshop(network_id=net["id"])
    table = await api.session(workshop, title="Thementisch Beteiligung", group_id=ag["id"])
    path = f"/api/networks/{net['id']}/groups/{ag['id']}"
    body = {"title": "AG Beteiligung und Verkehr", "patron_name": "Berta Patin", "patron_email": "berta@example.org"}
    headers = {**api.admin, "Idempotency-Key": f"group-{secrets.token_hex(4)}"}
    changed = await api.client.patch(path, json=body, headers=headers)
    assert changed.status_code == 200, changed.text
    assert (changed.json()["title"], changed.json()["patron_name"], changed.json()["patron_email"]) == (
        "AG Beteiligung und Verkehr",
        "Berta Patin",
        "berta@example.org",
    )
    assert (await api.client.patch(path, json=body, headers=headers)).json() == changed.json()
    assert [(p.name, p.email) for p in readable_people(redis_client, net["id"])] == [
        ("Berta Patin", "berta@example.org")
    ]
    assert (await api.client.patch(path, json={"title": ""}, headers=api.admin)).status_code == 400
    only_name = await api.client.patch(path, json={"patron_email": None}, headers=api.admin)
    assert only_name.status_code == 200 and only_name.json()["patron_name"] == "Berta Patin"
    assert [p.email for p in readable_people(redis_client, net["id"])] == [None]

    ended = await api.client.delete(path, headers=api.admin)
    assert ended.status_code == 200 and ended.json() == {"id": ag["id"], "status": "ended"}
    assert readable_people(redis_client, net["id"]) == []
    assert (await api.client.get(path, headers=api.admin)).status_code == 404
    assert (await api.client.delete(path, headers=api.admin)).status_code == 404
    assert (await api.client.patch(path, json={"title": "X"}, headers=api.admin)).status_code == 404
    assert (await api.client.get(f"/api/networks/{net['id']}", headers=api.admin)).json()["groups"] == []
    # the session that named it keeps working, without a group
    signed_up = await api.signup(workshop, table, name="Greta Grün")
    assert signed_up.status_code == 201, signed_up.text
    page = await api.client.get(f"/s/{workshop['id']}/{table['id']}")
    assert page.status_code == 200 and "AG Beteiligung" not in page.text
    refused = await api.client.post(
        f"/api/workshops/{workshop['id']}/sessions",
        json={"title": "T", "format": "thementisch", "group_id": ag["id"]},
        headers=workshop["auth"],
    )
    assert refused.status_code == 400
    facilitator = await api.client.patch(path, json={"title": "X"}, headers=workshop["auth"])
    assert facilitator.status_code == 403


async def test_a_changed_patron_gets_the_next_digest_of_the_group_instead_of_the_old_one(
    api: Api, worker_process: WorkerProcess, mail_sink: MailSink
) -> None:
    net = await network(api)
    old, new = (f"{who}-{secrets.token_hex(4)}@example.org" for who in ("alt", "neu"))
    ag = await group(api, net, patron_email=old)
    changed = await api.client.patch(
        f"/api/networks/{net['id']}/groups/{ag['id']}", json={"patron_email": new}, headers=api.admin
    )
    assert changed.status_code == 200, changed.text
    workshop = await api.workshop(network_id=net["id"])
    table = await api.session(workshop, title="Thementisch Grünflächen", group_id=ag["id"])
    base = f"/api/workshops/{workshop['id']}/sessions/{table['id']}"
    assert (await api.client.post(f"{base}/open", headers=workshop["auth"])).status_code == 200
    await api.signup(workshop, table, name="Greta Grün")
    assert (await api.client.post(f"{base}/close", headers=workshop["auth"])).status_code == 200
    mails = await asyncio.to_thread(mail_sink.wait_for, lambda found: len(found) >= 1, to=new)
    assert "Thementisch Grünflächen" in mails[0]["Subject"]
    assert mail_sink.messages(old) == []
