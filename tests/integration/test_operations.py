"""What an operator sees (docs/operations.md): GET /metrics for the organiser's token and on the
internal listener without one, job figures from RQ and the workers, JSON log lines with a request
id and without a token, an address or a secret path segment."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from service.store.jobs import queue
from tests.integration.conftest import ADMIN_TOKEN, knoten_env
from tests.integration.stack import Stack
from tests.processes import ApiProcess, free_port
from tests.waiting import wait_until

ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
WORKSHOP = {"title": "T", "starts_at": "2026-05-09T10:00:00+02:00", "ends_at": "2026-05-09T12:00:00+02:00"}


def sample(text: str, name: str, labels: str = "") -> float | None:
    """The value of one sample in Prometheus text, or None when it is not there."""
    found = re.search(rf"^{re.escape(name + labels)} (\S+)$", text, re.MULTILINE)
    return float(found.group(1)) if found else None


def sign_up(http: httpx.Client, email: str | None = None, headers: dict[str, str] | None = None) -> dict[str, str]:
    workshop = http.post("/api/workshops", json=WORKSHOP, headers=ADMIN).json()
    auth = {"Authorization": f"Bearer {workshop['facilitator_token']}"}
    sessions = f"/api/workshops/{workshop['id']}/sessions"
    session = http.post(sessions, json={"title": "S", "format": "barcamp"}, headers=auth).json()
    body = {"name": "Anna", "consent": True, **({"email": email} if email else {})}
    answer = http.post(f"{sessions}/{session['id']}/signups", json=body, headers=headers or {})
    assert answer.status_code == 201, answer.text
    return {"workshop": workshop["id"], "facilitator_token": workshop["facilitator_token"], **answer.json()}


@pytest.fixture
def own_api(redis_url: str, tmp_path: Path) -> Iterator[ApiProcess]:
    """An API of the test's own with its metrics listener, trusting 127.0.0.1 as its proxy."""
    metrics_port = free_port()
    env = {
        **knoten_env(redis_url),
        "KNOTEN_METRICS_ADDR": f"127.0.0.1:{metrics_port}",
        "KNOTEN_TRUSTED_PROXIES": "127.0.0.1",
    }
    process = ApiProcess(env, tmp_path / "api.log").start()
    process.metrics_port = metrics_port  # type: ignore[attr-defined]
    yield process
    process.stop()


def test_metrics_need_the_organisers_token_and_count_appends_signups_and_requests(own_api: ApiProcess) -> None:
    with httpx.Client(base_url=own_api.url, timeout=30) as http:
        signed = sign_up(http)
        assert http.get("/metrics").status_code == 401
        facilitator = {"Authorization": f"Bearer {signed['facilitator_token']}"}
        assert http.get("/metrics", headers=facilitator).status_code in {401, 403}
        answer = http.get("/metrics", headers=ADMIN)
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/plain; version=")
    text = answer.text
    assert sample(text, "knoten_appends_total") == 3  # workshop, session, sign-up
    assert sample(text, "knoten_signups_total") == 1
    assert sample(text, "knoten_queue_depth") is not None  # read from RQ (no worker here)
    assert sample(text, "knoten_dead_letters") == 0
    assert sample(text, "knoten_job_duration_seconds_count") == 0
    signups = 'app_name="knoten",method="POST",path="/api/workshops/{workshop_id}/sessions/{session_id}/signups"'
    assert sample(text, "knoten_request_duration_seconds_count", f'{{{signups},status_code="201"}}') == 1
    assert signed["workshop"] not in text and signed["participant_token"] not in text


def test_the_internal_listener_serves_the_metrics_without_a_token(own_api: ApiProcess) -> None:
    with httpx.Client(base_url=own_api.url, timeout=30) as http:
        sign_up(http)
    port = own_api.metrics_port  # type: ignore[attr-defined]
    text = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=10).text
    assert sample(text, "knoten_signups_total") == 1
    assert sample(text, "knoten_dead_letters") == 0


@pytest.mark.stack(workers=1)
def test_job_figures_come_from_the_workers_and_rq(stack: Stack) -> None:
    with httpx.Client(base_url=stack.api.url, timeout=30) as http:
        sign_up(http, email="berta@example.org")
        stack.sink.wait_for(lambda mails: len(mails) == 1, to="berta@example.org")
        queue(stack.redis.client()).enqueue("os.system", "true", job_id="foreign")

        def figures() -> str:
            return http.get("/metrics", headers=ADMIN).text

        wait_until(lambda: sample(figures(), "knoten_dead_letters") == 1, "the foreign job among the dead letters")
        text = figures()
    assert sample(text, "knoten_jobs_done_total", '{handler="send_signup_confirmation"}') == 1
    assert sample(text, "knoten_jobs_failed_total", '{handler="unregistered"}') == 1
    assert (sample(text, "knoten_job_duration_seconds_count") or 0) >= 2
    assert sample(text, "knoten_queue_depth") == 0


def test_log_lines_are_json_with_a_request_id_and_no_token_address_or_secret_path(own_api: ApiProcess) -> None:
    client_address = "203.0.113.77"
    with httpx.Client(base_url=own_api.url, timeout=30) as http:
        signed = sign_up(http, email="carla.secret@example.org", headers={"X-Forwarded-For": client_address})
        token = signed["participant_token"]
        me = http.get("/api/me", headers={"Authorization": f"Bearer {token}", "X-Request-ID": "trace-42"})
        assert me.headers["x-request-id"] == "trace-42"
        fresh = http.get("/health")
        assert re.fullmatch(r"[0-9a-f]{32}", fresh.headers["x-request-id"])
        refused = http.get("/health", headers={"X-Request-ID": "no spaces\tor tabs"})
        assert refused.headers["x-request-id"] != "no spaces\tor tabs"
        http.get(f"/unsubscribe/{token}")
        http.get("/admin/signin/LinkIdThatIsASecret1234")
        http.get(f"/me?token={token}")
    own_api.stop()  # every line written

    log = own_api.log.read_text()
    lines = [line for line in log.splitlines() if line.strip()]
    entries = [json.loads(line) for line in lines]  # every line is one JSON object
    for secret in (token, token.rsplit(".", 1)[-1], "carla.secret", client_address, "LinkIdThatIsASecret1234"):
        assert secret not in log
    requests = [entry for entry in entries if entry["logger"] == "knoten.requests"]
    assert {"method", "route", "status", "duration_ms", "request_id"} <= set(requests[0])
    assert any(e["request_id"] == "trace-42" and e["route"] == "/api/me" and e["status"] == 200 for e in requests)
    routes = {entry["route"] for entry in requests}
    assert {"/unsubscribe/{token}", "/admin/signin/{link_id}"} <= routes


def test_a_trusted_proxy_names_the_client_and_an_untrusted_peer_does_not(redis_url: str, tmp_path: Path) -> None:
    """The per-client sign-up limit (1 a minute here) tells clients apart by X-Forwarded-For only
    when the peer (127.0.0.1) is a trusted proxy."""
    answers = {}
    for trusted in ("", "127.0.0.1"):
        env = {
            **knoten_env(redis_url),
            "KNOTEN_TRUSTED_PROXIES": trusted,
            "KNOTEN_SIGNUPS_PER_CLIENT_MINUTE": "1",
        }
        api = ApiProcess(env, tmp_path / f"api-{trusted or 'none'}.log").start()
        try:
            with httpx.Client(base_url=api.url, timeout=30) as http:
                workshop = http.post("/api/workshops", json=WORKSHOP, headers=ADMIN).json()
                auth = {"Authorization": f"Bearer {workshop['facilitator_token']}"}
                sessions = f"/api/workshops/{workshop['id']}/sessions"
                session = http.post(sessions, json={"title": "S", "format": "barcamp"}, headers=auth).json()
                path = f"{sessions}/{session['id']}/signups"
                answers[trusted] = [
                    http.post(
                        path, json={"name": f"P{i}", "consent": True}, headers={"X-Forwarded-For": f"198.51.100.{i}"}
                    ).status_code
                    for i in range(2)
                ]
        finally:
            api.stop()
    assert answers[""] == [201, 429]  # one client, however it names itself
    assert answers["127.0.0.1"] == [201, 201]  # two clients, as the proxy says
