"""Who came to which meeting outlives retention: the network projection records the member
organisations present while what people typed exists, and the network page and the network
report read it after retention erased the old meeting's names and organisations."""

from __future__ import annotations

import re
import secrets
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import redis

from service.store import keys
from tests.integration.conftest import Api, knoten_env
from tests.processes import RedisProcess
from tests.waiting import eventually

pytestmark = pytest.mark.usefixtures("worker_process")


def keyed(headers: dict[str, str]) -> dict[str, str]:
    return {**headers, "Idempotency-Key": secrets.token_hex(16)}


async def _meeting(api: Api, nid: str, title: str, starts: datetime, *organisations: str) -> dict[str, Any]:
    """A meeting of the network at which someone of each organisation was present (signed up at the open table)."""
    workshop = await api.workshop(
        title=title, starts_at=starts.isoformat(), ends_at=(starts + timedelta(hours=3)).isoformat(), network_id=nid
    )
    session = await api.session(workshop, title="Thementisch Beteiligung")
    base = f"/api/workshops/{workshop['id']}/sessions/{session['id']}"
    opened = await api.client.post(f"{base}/open", headers=keyed(workshop["auth"]))
    assert opened.status_code == 200, opened.text
    for organisation in organisations:
        signed = await api.signup(workshop, session, name=f"Olaf {organisation}", organisation=organisation)
        assert signed.status_code == 201, signed.text
    return workshop


def _row(html: str, organisation: str) -> list[str]:
    """What a screen reader hears in the member's row of the attendance table, after the organisation."""
    row = next(r for r in html.split("<tr>") if re.search(rf'<th scope="row">(<a [^>]*>)?{re.escape(organisation)}', r))
    return re.findall(r'class="sr-only">([^<]+)<', row)


async def test_a_member_seen_only_before_retention_still_came_and_is_not_seen_for_a_year(
    api: Api, redis_server: RedisProcess, redis_client: redis.Redis
) -> None:
    async def first_retention_pass_done() -> bool:
        """The worker's own pass at its start: it would erase the old meeting at a moment of its
        choosing, before or after the projection saw it, when it ran while this test does. Done:
        the worker scheduled it (its job exists), and none is due within the minute (the next is
        an hour on), waiting or running."""
        passes = list(redis_client.scan_iter("rq:job:knoten-retention-*"))
        soon = datetime.now(UTC).timestamp() + 60
        for registry in redis_client.scan_iter("rq:scheduled:*"):
            if any(job.startswith(b"knoten-retention-") for job in redis_client.zrangebyscore(registry, "-inf", soon)):
                return False
        return bool(passes) and not any(redis_client.hget(job, "status") in {b"queued", b"started"} for job in passes)

    await eventually(first_retention_pass_done, "the worker's first retention pass")
    tag = secrets.token_hex(4)
    made = await api.client.post("/api/networks", json={"name": f"Netzwerk {tag}"}, headers=keyed(api.admin))
    nid = made.json()["id"]
    for organisation in ("AWO Region Hannover e.V.", "Stadtteilverein Linden"):
        body = {"organisation": organisation, "agreement_signed_at": "2024-01-15"}
        added = await api.client.post(f"/api/networks/{nid}/members", json=body, headers=keyed(api.admin))
        assert added.status_code == 201, added.text
    now = datetime.now(UTC).replace(microsecond=0)
    old = await _meeting(api, nid, "Treffen vor 14 Monaten", now - timedelta(days=425), "AWO", "Nachbarschaftsladen")
    await _meeting(api, nid, "Treffen vor 2 Monaten", now - timedelta(days=60), "Stadtteilverein Linden")

    async def projected() -> bool:
        report = (await api.client.get(f"/api/networks/{nid}/report", headers=api.admin)).json()
        return [m["participants"] for m in report["meetings"]] == [2, 1]

    await eventually(projected, "the worker to project both meetings with their people")
    # a member added after the meeting: the projection is made again, noting it came while that shows
    late = {"organisation": "Nachbarschaftsladen"}
    assert (
        await api.client.post(f"/api/networks/{nid}/members", json=late, headers=keyed(api.admin))
    ).status_code == 201

    async def rebuilt() -> bool:
        done = redis_client.smembers(keys.jobs_done_key(nid))
        return any(job.endswith(b"-reproject_network") for job in done)

    await eventually(rebuilt, "the worker to make the network's projection again")

    expired = subprocess.run(
        [sys.executable, "-c", f"from workers.retention import expire_workshop; print(expire_workshop({old['id']!r}))"],
        env=knoten_env(redis_server.url),
        capture_output=True,
        text=True,
        check=True,
    )
    assert int(expired.stdout.split()[-1]) > 0  # the old meeting's people were erased

    async def erased_and_projected() -> bool:
        versions = redis_client.hgetall(keys.network_versions_key(nid))
        return int(versions.get(old["id"].encode(), -1)) == int(redis_client.xlen(keys.log_key(old["id"])))

    await eventually(erased_and_projected, "the worker to project the erased meeting")
    report = (await api.client.get(f"/api/networks/{nid}/report", headers=api.admin)).json()
    # made again without what was typed, the record keeps the organisations it counted
    assert (report["meetings"][0]["member_organisations"], report["meetings"][0]["other_organisations"]) == (2, 0)
    told = await api.client.get(f"/api/workshops/{old['id']}/report", headers=old["auth"])
    assert told.status_code == 200 and "AWO" not in told.text and "Olaf" not in told.text

    page = await api.client.get(f"/admin/networks/{nid}", headers=api.admin)
    assert page.status_code == 200, page.text
    assert _row(page.text, "AWO Region Hannover e.V.") == ["gekommen", "nicht da"]
    assert _row(page.text, "Stadtteilverein Linden") == ["nicht da", "gekommen"]
    assert _row(page.text, "Nachbarschaftsladen") == ["gekommen", "nicht da"]
    away = page.text.split("Seit einem Jahr nicht gesehen</h3>", 1)[1].split("</ul>", 1)[0]
    assert re.findall(r"<li>([^<]+)</li>", away) == ["AWO Region Hannover e.V."]  # Nachbarschaftsladen: new
