"""The network's pages: a working group's page (members, sessions held, open commitments across
meetings) linked from the network page; a facilitator reaches the network of their workshop from
its console and sees it without contact details; nothing of a network their workshop is not in."""

from __future__ import annotations

from typing import Any

from tests.integration.conftest import Api
from tests.integration.test_network import group, member, network


async def _history(api: Api) -> dict[str, Any]:
    """A network with a member (and its contact), a group with a patron, and two meetings whose
    group sessions have people and a commitment."""
    net = await network(api)
    await member(api, net, contact_name="Petra Kontakt", contact_email="petra@example.org")
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
    greta = (await api.signup(spring, table, name="Greta Grün", email="greta@example.org", organisation="AWO")).json()
    await api.signup(autumn, again, name="Hans Hafen", organisation="Stadtteilverein Linden")
    made = await api.client.post(
        f"/api/workshops/{spring['id']}/sessions/{table['id']}/commitments",
        headers=spring["auth"],
        json={"signup_id": greta["signup_id"], "text": "Leitfaden entwerfen", "due": "2026-06-01"},
    )
    assert made.status_code == 201, made.text
    return {"net": net, "group": ag, "spring": spring, "autumn": autumn}


async def test_the_group_page_lists_members_sessions_and_open_commitments_and_is_linked(api: Api) -> None:
    world = await _history(api)
    nid, gid = world["net"]["id"], world["group"]["id"]
    network_page = await api.client.get(f"/admin/networks/{nid}", headers=api.admin)
    assert f'href="/admin/networks/{nid}/groups/{gid}"' in network_page.text
    page = await api.client.get(f"/admin/networks/{nid}/groups/{gid}", headers=api.admin)
    assert page.status_code == 200, page.text
    text = page.text
    for shown in (
        "AG Beteiligung",
        "Greta Grün",
        "Hans Hafen",
        "Stadtteilverein Linden",
        "Thementisch Beteiligung",
        "AG Beteiligung, zweites Treffen",
        "Herbsttreffen",
        "Leitfaden entwerfen",
        "bernd@example.org",  # the organiser sees the patron's address
    ):
        assert shown in text, shown
    assert (await api.client.get(f"/admin/networks/{nid}/groups/nosuch", headers=api.admin)).status_code == 404


async def test_a_facilitator_reaches_the_network_from_the_console_without_contact_details(api: Api) -> None:
    world = await _history(api)
    spring, gid = world["spring"], world["group"]["id"]
    wid = spring["id"]
    board = await api.client.get(f"/w/{wid}", headers=spring["auth"])
    assert f'href="/w/{wid}/network"' in board.text
    seen = await api.client.get(f"/w/{wid}/network", headers=spring["auth"])
    assert seen.status_code == 200, seen.text
    assert "Netzwerk Bürgermitwirkung" in seen.text and "AWO Region Hannover e.V." in seen.text
    assert "Herbsttreffen" in seen.text and f'href="/w/{wid}/network/groups/{gid}"' in seen.text
    for hidden in ("Petra Kontakt", "petra@example.org", "bernd@example.org", "Mitgliedsorganisation eintragen"):
        assert hidden not in seen.text, hidden
    group_page = await api.client.get(f"/w/{wid}/network/groups/{gid}", headers=spring["auth"])
    assert group_page.status_code == 200, group_page.text
    assert "Greta Grün" in group_page.text and "Leitfaden entwerfen" in group_page.text
    assert "bernd@example.org" not in group_page.text

    alone = await api.workshop(title="Einzelveranstaltung")
    assert (await api.client.get(f"/w/{alone['id']}/network", headers=alone["auth"])).status_code == 404
    assert (await api.client.get(f"/w/{alone['id']}", headers=alone["auth"])).text.count("/network") == 0
    assert (await api.client.get(f"/w/{wid}/network", headers=alone["auth"])).status_code in {401, 403}


async def test_a_new_network_without_members_does_not_claim_every_member_came(api: Api) -> None:
    net = await network(api)
    page = await api.client.get(f"/admin/networks/{net['id']}", headers=api.admin)
    assert "Noch keine Mitgliedsorganisationen." in page.text
    assert f'href="/api/networks/{net["id"]}/report.pdf?lang=de"' in page.text  # the report, from the page
    assert "Seit einem Jahr nicht gesehen" not in page.text and "Jedes Mitglied" not in page.text
    await member(api, net)
    page = await api.client.get(f"/admin/networks/{net['id']}", headers=api.admin)
    assert "Seit einem Jahr nicht gesehen" in page.text
