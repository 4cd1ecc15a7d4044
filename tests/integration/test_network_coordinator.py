"""A network coordinator is an organiser limited to one network: signed in by the mailed link,
they see and make only that network's workshops, and nothing of another network."""

from __future__ import annotations

import secrets

import httpx
import pytest

from tests.integration.conftest import Api
from tests.integration.test_network import network
from tests.integration.test_organisers import _csrf, _mailed_link
from tests.mail_sink import MailSink
from tests.processes import WorkerProcess


@pytest.fixture(autouse=True)
def _worker(worker_process: WorkerProcess) -> WorkerProcess:
    return worker_process


async def test_a_coordinator_sees_and_makes_only_their_networks_workshops(api: Api, mail_sink: MailSink) -> None:
    ours, theirs = await network(api, name="Netzwerk Hannover"), await network(api, name="Netzwerk Bocholt")
    inside = await api.workshop(title="Treffen Hannover", network_id=ours["id"])
    outside = await api.workshop(title="Treffen Bocholt", network_id=theirs["id"])
    alone = await api.workshop(title="Einzelveranstaltung")
    email = f"coord-{secrets.token_hex(6)}@example.org"
    body = {"email": email, "name": "Clara Koordination", "network_id": ours["id"]}
    added = await api.client.post("/api/organisers", json=body, headers=api.admin)
    assert added.status_code == 201 and added.json()["network_id"] == ours["id"]
    assert (
        await api.client.post(
            "/api/organisers", json={**body, "email": "x@example.org", "network_id": "net-nosuch"}, headers=api.admin
        )
    ).status_code == 400

    path = await _mailed_link(api.client, mail_sink, email)
    async with httpx.AsyncClient(base_url=str(api.client.base_url), timeout=30) as browser:
        opened = await browser.get(path)
        assert (await browser.post(path, data={"_csrf_token": _csrf(opened)})).status_code == 303
        listed = {w["title"] for w in (await browser.get("/api/workshops")).json()}
        assert "Treffen Hannover" in listed and not listed & {"Treffen Bocholt", "Einzelveranstaltung"}
        assert [n["id"] for n in (await browser.get("/api/networks")).json()] == [ours["id"]]
        assert (await browser.get(f"/api/networks/{ours['id']}")).status_code == 200
        assert (await browser.get(f"/api/networks/{theirs['id']}")).status_code == 403
        assert (await browser.get(f"/api/workshops/{inside['id']}")).status_code == 200
        for other in (outside, alone):
            assert (await browser.get(f"/api/workshops/{other['id']}")).status_code == 403
        assert (await browser.get("/api/organisers")).status_code == 403

        home = await browser.get("/admin")
        assert "Treffen Hannover" in home.text and "Treffen Bocholt" not in home.text
        assert "Netzwerk Bocholt" not in home.text and "Fehlgeschlagene Aufträge" not in home.text
        form = {
            "_csrf_token": _csrf(home),
            "title": "Nächstes Treffen Hannover",
            "starts_at": "2027-03-19T16:00",
            "ends_at": "2027-03-19T20:00",
            "timezone": "Europe/Berlin",
        }
        made = await browser.post("/admin/workshops", data=form)
        assert made.status_code == 303, made.text
        new_id = made.headers["location"].split("/admin/workshops/", 1)[1].split("?", 1)[0]
        assert (await api.client.get(f"/api/workshops/{new_id}", headers=api.admin)).json()["network_id"] == ours["id"]
        refused = await browser.post("/admin/networks", data={"_csrf_token": _csrf(home), "name": "Eigenes Netz"})
        assert refused.status_code == 403
