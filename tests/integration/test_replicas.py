"""KNOTEN_WAIT_REPLICAS: with a replica behind the primary, a sign-up is acknowledged only once
the replica has it, so a failover to that replica cannot lose it. A replica that does not
answer turns writes into 503s (try again) rather than into promises Redis might not keep."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.integration.conftest import ADMIN_TOKEN, knoten_env
from tests.processes import ApiProcess, RedisProcess


@pytest.fixture
def primary_and_replica(tmp_path: Path) -> Iterator[tuple[RedisProcess, RedisProcess]]:
    primary = RedisProcess(tmp_path / "primary").start()
    replica = RedisProcess(tmp_path / "replica", extra_args=["--replicaof", "127.0.0.1", str(primary.port)]).start()
    deadline = time.monotonic() + 20
    while replica.client().info("replication").get("master_link_status") != "up":
        assert time.monotonic() < deadline, "the replica did not connect"
        time.sleep(0.05)
    yield primary, replica
    assert replica.process is not None
    os.kill(replica.process.pid, signal.SIGCONT)
    replica.stop()
    primary.stop()


async def _session(client: httpx.AsyncClient) -> tuple[dict[str, Any], str]:
    admin = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    body = {"title": "Replicas", "starts_at": "2026-05-09T10:00:00+02:00", "ends_at": "2026-05-09T18:00:00+02:00"}
    workshop = (await client.post("/api/workshops", json=body, headers=admin)).json()
    auth = {"Authorization": f"Bearer {workshop['facilitator_token']}"}
    session = (
        await client.post(
            f"/api/workshops/{workshop['id']}/sessions", headers=auth, json={"title": "T", "format": "barcamp"}
        )
    ).json()
    return workshop, f"/api/workshops/{workshop['id']}/sessions/{session['id']}/signups"


async def test_a_signup_is_acknowledged_only_once_a_replica_has_it(
    primary_and_replica: tuple[RedisProcess, RedisProcess], artifacts: Path
) -> None:
    primary, replica = primary_and_replica
    api = ApiProcess({**knoten_env(primary.url), "KNOTEN_WAIT_REPLICAS": "1"}, artifacts / "api-replicas.log").start()
    try:
        async with httpx.AsyncClient(base_url=api.url, timeout=30) as client:
            workshop, signups = await _session(client)
            log = f"knoten:{{{workshop['id']}}}:log"
            first = await client.post(signups, json={"name": "Ada", "consent": True}, headers={"Idempotency-Key": "k1"})
            assert first.status_code == 201
            assert replica.client().xlen(log) == primary.client().xlen(log)  # at the moment of the answer

            assert replica.process is not None
            os.kill(replica.process.pid, signal.SIGSTOP)  # the replica stops acknowledging
            body, key = {"name": "Bea", "consent": True}, {"Idempotency-Key": "k2"}
            before = primary.client().xlen(log)
            try:
                refused = await client.post(signups, json=body, headers=key)
                assert refused.status_code == 503 and refused.headers["retry-after"] == "5"
                landed = primary.client().xlen(log)
                assert landed == before + 1  # written on the primary, but not promised to anyone
                again = await client.post(signups, json=body, headers=key)  # it landed on the primary only:
                assert again.status_code == 503  # the stored reply is not given before a replica has it
            finally:
                os.kill(replica.process.pid, signal.SIGCONT)

            retried = await client.post(signups, json=body, headers=key)
            assert retried.status_code == 201 and retried.json()["status"] == "confirmed"
            assert primary.client().xlen(log) == landed  # the retry found the first attempt: nothing twice
            assert replica.client().xlen(log) == landed
            view = (await client.get(signups.removesuffix("/signups"))).json()
            assert view["confirmed"] == 2
    finally:
        api.stop()
