"""The network report on a history made through the API: three meetings of one network, people
who come back, a person without an address, an erased person counted but not named; the
projection the worker keeps, deleted and rebuilt to the same report."""

from __future__ import annotations

import secrets
import subprocess
import sys
from typing import Any

import pytest
import redis

from service.store import keys
from tests.integration.conftest import Api, knoten_env
from tests.integration.test_pdf_words import words_in
from tests.processes import RedisProcess
from tests.waiting import eventually

pytestmark = pytest.mark.usefixtures("worker_process")


def keyed(headers: dict[str, str]) -> dict[str, str]:
    return {**headers, "Idempotency-Key": secrets.token_hex(16)}


async def network(api: Api, name: str) -> str:
    made = await api.client.post("/api/networks", json={"name": name}, headers=keyed(api.admin))
    assert made.status_code == 201, made.text
    nid: str = made.json()["id"]
    member = {"organisation": "AWO Region Hannover e.V.", "role": "member"}
    added = await api.client.post(f"/api/networks/{nid}/members", json=member, headers=keyed(api.admin))
    assert added.status_code == 201, added.text
    return nid


async def meeting(api: Api, nid: str, day: str, people: list[dict[str, Any]]) -> dict[str, Any]:
    workshop = await api.workshop(
        title=f"Netzwerktreffen {day}",
        starts_at=f"{day}T17:00:00+02:00",
        ends_at=f"{day}T20:00:00+02:00",
        network_id=nid,
    )
    session = await api.session(workshop, title="Thementisch Wohnen")
    workshop["signups"] = []
    for person in people:
        signed = await api.signup(workshop, session, **person)
        assert signed.status_code == 201, signed.text
        workshop["signups"].append(signed.json())
    workshop["session"] = session
    return workshop


async def report(api: Api, nid: str) -> dict[str, Any]:
    answer = await api.client.get(f"/api/networks/{nid}/report", headers=api.admin)
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    body.pop("generated_at")
    return body


async def test_the_report_counts_people_across_meetings_and_an_erased_person_without_a_name(
    api: Api, redis_client: redis.Redis
) -> None:
    tag = secrets.token_hex(4)
    anna = {"name": "Anna Netz", "email": f"anna-{tag}@example.org", "organisation": "AWO Region Hannover e.V."}
    ben = {"name": "Ben Netz", "email": f"ben-{tag}@example.org", "organisation": "Nachbarschaftsladen"}
    cem = {"name": "Cem Netz", "email": f"cem-{tag}@example.org", "organisation": "awo region hannover e.v."}
    nobody = {"name": "Dora ohne Adresse"}
    gul = {"name": "Gül Netz", "email": f"guel-{tag}@example.org", "organisation": "Nachbarschaftsladen"}
    nid = await network(api, f"Netzwerk {tag}")
    first = await meeting(api, nid, "2026-03-10", [anna, ben, nobody])
    second = await meeting(api, nid, "2026-09-10", [anna, cem, nobody])
    third = await meeting(api, nid, "2027-02-10", [anna, gul])
    base = f"/api/workshops/{first['id']}"
    promise = {"signup_id": first["signups"][1]["signup_id"], "text": "Flyer drucken", "due": "2026-04-01"}
    made = await api.client.post(
        f"{base}/sessions/{first['session']['id']}/commitments", json=promise, headers=keyed(first["auth"])
    )
    assert made.status_code == 201, made.text
    ben_first = {"Authorization": f"Bearer {first['signups'][1]['participant_token']}"}
    assert (await api.client.delete("/api/me", headers=keyed(ben_first))).status_code == 200

    async def settled() -> bool:
        found = await report(api, nid)
        # eventually consistent: a re-projection in flight may show fewer meetings for a moment
        return (
            found["totals"]["meetings"] == 3
            and found["totals"]["participants"] == 6
            and found["meetings"][0]["open_commitments"][:1]
            == [
                {
                    "id": made.json()["id"],
                    "owner_name": None,
                    "text": "Flyer drucken",
                    "due": "2026-04-01",
                    "overdue": True,
                }
            ]
        )

    await eventually(settled, "the projection to hold all three meetings and the erasure")
    found = await report(api, nid)
    # Anna by address (3 meetings), Cem, Gül; Ben (erased: his address went with him) and Dora
    # (no address) count once per meeting.
    assert found["totals"] == {
        "meetings": 3,
        "participants": 6,
        "returning": 1,
        "organisations": 2,
        "commitments_made": 1,
        "commitments_done": 0,
        "commitments_overdue": 1,
        "member_organisations": 1,
        "intro_talks_held": 0,
    }
    assert [m["workshop_id"] for m in found["meetings"]] == [first["id"], second["id"], third["id"]]
    assert [m["participants"] for m in found["meetings"]] == [3, 3, 2]
    assert [m["returning"] for m in found["meetings"]] == [0, 1, 1]
    assert [y["year"] for y in found["years"]] == [2026, 2027]
    everything = str(found)
    assert "Ben Netz" not in everything and f"ben-{tag}" not in everything
    for kind in ("html", "csv"):
        document = await api.client.get(f"/api/networks/{nid}/report.{kind}", headers=api.admin)
        assert document.status_code == 200 and "Ben Netz" not in document.text
    printed = await api.client.get(f"/api/networks/{nid}/report.pdf", headers=api.admin)
    words = words_in(printed.content)
    assert {"Flyer", "Netzwerktreffen"} <= words and "Ben" not in words
    assert (
        "Netzwerktreffen 2026-09-10"
        in (await api.client.get(f"/api/networks/{nid}/report.csv", headers=api.admin)).text
    )


def _without_names(found: dict[str, Any]) -> dict[str, Any]:
    """The report with the owners of open commitments left out: what an erasure may change."""
    meetings = [
        {**m, "open_commitments": [{**c, "owner_name": "?"} for c in m["open_commitments"]]} for m in found["meetings"]
    ]
    return {**found, "meetings": meetings}


async def test_an_erasure_across_the_network_leaves_every_figure_of_the_report(
    api: Api, redis_client: redis.Redis
) -> None:
    tag = secrets.token_hex(4)
    anna = {"name": "Anna Netz", "email": f"anna-{tag}@example.org", "organisation": "AWO Region Hannover e.V."}
    ben = {"name": "Ben Netz", "email": f"ben-{tag}@example.org", "organisation": "Nachbarschaftsladen"}
    nobody = {"name": "Dora ohne Adresse", "organisation": "Kirchengemeinde"}
    nid = await network(api, f"Netzwerk {tag}")
    first = await meeting(api, nid, "2026-03-10", [anna, ben, nobody])
    second = await meeting(api, nid, "2026-09-10", [anna, ben])
    third = await meeting(api, nid, "2027-02-10", [anna, ben, nobody])
    promise = {"signup_id": second["signups"][1]["signup_id"], "text": "Flyer drucken", "due": "2026-10-01"}
    made = await api.client.post(
        f"/api/workshops/{second['id']}/sessions/{second['session']['id']}/commitments",
        json=promise,
        headers=keyed(second["auth"]),
    )
    assert made.status_code == 201, made.text

    async def projected() -> bool:
        """The projection holds each meeting at its log's end: the record an erasure is made over."""
        versions = redis_client.hgetall(keys.network_versions_key(nid))
        return all(
            int(versions.get(w["id"].encode(), -1)) == int(redis_client.xlen(keys.log_key(w["id"])))
            for w in (first, second, third)
        )

    await eventually(projected, "the worker to project the three meetings")
    before = await report(api, nid)
    # Anna and Ben by address at all three, Dora twice without one
    assert (before["totals"]["participants"], before["totals"]["returning"]) == (4, 2)
    assert (before["totals"]["organisations"], before["totals"]["member_organisations"]) == (3, 1)
    assert [(m["member_organisations"], m["other_organisations"]) for m in before["meetings"]] == [
        (1, 2),
        (1, 1),
        (1, 2),
    ]
    assert [m["returning"] for m in before["meetings"]] == [0, 2, 2]
    assert before["meetings"][0]["newcomers_came_back"] == 2

    ben_third = {"Authorization": f"Bearer {third['signups'][1]['participant_token']}"}
    assert (await api.client.delete("/api/me", headers=keyed(ben_third))).status_code == 200

    async def erased() -> bool:
        found = await report(api, nid)
        return found["meetings"][1]["open_commitments"][0]["owner_name"] is None

    await eventually(erased, "the erasure in every meeting")
    after = await report(api, nid)
    assert _without_names(after) == _without_names(before)
    assert "Ben Netz" in str(before) and "Ben Netz" not in str(after)
    for kind in ("html", "csv"):
        document = await api.client.get(f"/api/networks/{nid}/report.{kind}", headers=api.admin)
        assert document.status_code == 200 and "Ben Netz" not in document.text
    printed = await api.client.get(f"/api/networks/{nid}/report.pdf", headers=api.admin)
    assert "Ben" not in words_in(printed.content)


async def test_the_projection_deleted_is_rebuilt_from_the_logs_to_the_same_report(
    api: Api, redis_client: redis.Redis, redis_server: RedisProcess
) -> None:
    tag = secrets.token_hex(4)
    nid = await network(api, f"Netzwerk {tag}")
    for day in ("2026-03-10", "2026-06-10"):
        await meeting(api, nid, day, [{"name": "Eva", "email": f"eva-{tag}@example.org"}, {"name": "Fritz"}])
    projection = keys.network_meetings_key(nid)

    async def projected() -> bool:
        return int(redis_client.hlen(projection)) == 2

    await eventually(projected, "the worker to project both meetings")
    before = await report(api, nid)
    assert before["totals"]["participants"] == 3 and before["totals"]["returning"] == 1

    redis_client.delete(projection)
    assert await report(api, nid) == before  # read from the logs while the projection is gone
    rebuilt = subprocess.run(
        [sys.executable, "-m", "service.cli", "rebuild-network", nid],
        env=knoten_env(redis_server.url),
        capture_output=True,
        text=True,
        check=True,
    )
    assert "2 meetings" in rebuilt.stdout
    assert int(redis_client.hlen(projection)) == 2
    assert await report(api, nid) == before


async def test_only_an_organiser_reads_the_network_report(api: Api) -> None:
    tag = secrets.token_hex(4)
    nid = await network(api, f"Netzwerk {tag}")
    inside = await meeting(api, nid, "2026-03-10", [])
    assert (await api.client.get(f"/api/networks/{nid}/report", headers=inside["auth"])).status_code == 403
    assert (await api.client.get(f"/api/networks/{nid}/report")).status_code == 401
    assert (await api.client.get("/api/networks/net-nothing/report", headers=api.admin)).status_code == 404
