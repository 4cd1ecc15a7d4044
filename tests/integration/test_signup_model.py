"""A hypothesis state machine drives sign-ups, withdrawals and retries against the running
API and compares every answer with a model of one session: never overbooked, the waitlist in
order, every acknowledged command in the log exactly once (the log holds exactly the sign-up,
withdrawal and promotion events the model expects, so a retried or duplicated command would
show; a worker, if one runs, adds only events of other kinds, such as personal links).
"""

from __future__ import annotations

import secrets
from collections import Counter
from typing import Any

import httpx
import pytest
import redis
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from tests.integration.conftest import ADMIN_TOKEN
from tests.processes import RedisProcess

MODELLED = ("signup_recorded", "signup_withdrawn", "waitlist_promoted")
PEOPLE = [f"person{i}.model@example.org" for i in range(6)]


class SessionModel(RuleBasedStateMachine):
    """What a facilitator expects of one session; the API must agree at every step."""

    acknowledged = 0  # over all runs, for the printed figure

    def __init__(self, url: str, redis_client: redis.Redis) -> None:
        super().__init__()
        self.http = httpx.Client(base_url=url, timeout=30)
        self.redis = redis_client
        self.confirmed: list[str] = []
        self.waitlist: list[str] = []
        self.by_email: dict[str, str] = {}  # active sign-ups that have an e-mail address
        self.withdrawn: list[str] = []
        self.events: Counter[str] = Counter()

    @initialize(capacity=st.integers(min_value=1, max_value=4))
    def workshop(self, capacity: int) -> None:
        admin = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
        body = {"title": "Model", "starts_at": "2026-05-09T10:00:00+02:00", "ends_at": "2026-05-09T18:00:00+02:00"}
        self.workshop_id = self.http.post("/api/workshops", json=body, headers=admin).json()["id"]
        self.base = f"/api/workshops/{self.workshop_id}"
        session = self.http.post(
            f"{self.base}/sessions", json={"title": "T", "format": "thementisch", "capacity": capacity}, headers=admin
        ).json()
        self.path = f"{self.base}/sessions/{session['id']}"
        self.auth = admin
        self.capacity = capacity

    def _post(self, path: str, body: dict[str, Any], retried: bool) -> httpx.Response:
        """One command; `retried`: the answer was lost and the same request is sent again."""
        headers = {"Idempotency-Key": secrets.token_urlsafe(16)}
        response = self.http.post(path, json=body, headers=headers)
        if retried:
            again = self.http.post(path, json=body, headers=headers)
            assert (again.status_code, again.text) == (response.status_code, response.text)
        return response

    @rule(email=st.sampled_from([*PEOPLE, None]), retried=st.booleans())
    def sign_up(self, email: str | None, retried: bool) -> None:
        body: dict[str, Any] = {"name": "Jemand", "consent": True} | ({"email": email} if email else {})
        response = self._post(f"{self.path}/signups", body, retried)
        answer = response.json()
        if email in self.by_email:  # the same person again: their sign-up, nothing new
            assert response.status_code == 200 and answer["signup_id"] == self.by_email[email]
            return
        assert response.status_code == 201, response.text
        if len(self.confirmed) < self.capacity:
            assert (answer["status"], answer["waitlist_position"]) == ("confirmed", None)
            self.confirmed.append(answer["signup_id"])
        else:
            assert (answer["status"], answer["waitlist_position"]) == ("waitlisted", len(self.waitlist) + 1)
            self.waitlist.append(answer["signup_id"])
        if email:
            self.by_email[email] = answer["signup_id"]
        self.events["signup_recorded"] += 1
        SessionModel.acknowledged += 1

    @precondition(lambda self: self.confirmed or self.waitlist)
    @rule(data=st.data(), retried=st.booleans())
    def withdraw(self, data: st.DataObject, retried: bool) -> None:
        signup_id = data.draw(st.sampled_from(self.confirmed + self.waitlist))  # ids are random: keep model order
        headers = {**self.auth, "Idempotency-Key": secrets.token_urlsafe(16)}
        response = self.http.delete(f"{self.base}/signups/{signup_id}", headers=headers)
        if retried:
            again = self.http.delete(f"{self.base}/signups/{signup_id}", headers=headers)
            assert (again.status_code, again.text) == (response.status_code, response.text)
        assert response.status_code == 200, response.text
        self.events["signup_withdrawn"] += 1
        SessionModel.acknowledged += 1
        if signup_id in self.confirmed:
            self.confirmed.remove(signup_id)
            if self.waitlist:  # the first in line moves up
                self.confirmed.append(self.waitlist.pop(0))
                self.events["waitlist_promoted"] += 1
        else:
            self.waitlist.remove(signup_id)
        self.by_email = {email: s for email, s in self.by_email.items() if s != signup_id}
        self.withdrawn.append(signup_id)

    @precondition(lambda self: self.withdrawn)
    @rule(data=st.data())
    def withdraw_again(self, data: st.DataObject) -> None:
        signup_id = data.draw(st.sampled_from(self.withdrawn))
        response = self.http.delete(f"{self.base}/signups/{signup_id}", headers=self.auth)
        assert response.status_code == 200  # nothing left to do, and nothing done

    @invariant()
    def the_session_is_what_the_model_says(self) -> None:
        if not hasattr(self, "path"):
            return
        full = self.http.get(self.path, headers=self.auth).json()
        confirmed = sorted(s["signup_id"] for s in full["signups"] if s["status"] == "confirmed")
        assert full["confirmed"] == len(confirmed) <= self.capacity
        assert confirmed == sorted(self.confirmed)
        assert [s["signup_id"] for s in full["waitlist"]] == self.waitlist
        assert [s["waitlist_position"] for s in full["waitlist"]] == list(range(1, len(self.waitlist) + 1))
        logged = Counter(
            fields[b"type"].decode() for _, fields in self.redis.xrange(f"knoten:{{{self.workshop_id}}}:log")
        )
        assert {kind: logged[kind] for kind in MODELLED} == {kind: self.events[kind] for kind in MODELLED}

    def teardown(self) -> None:
        self.http.close()


@pytest.mark.slow
def test_sign_ups_withdrawals_and_retries_agree_with_the_model(
    unlimited_api_url: str, redis_server: RedisProcess
) -> None:
    run_state_machine_as_test(
        lambda: SessionModel(unlimited_api_url, redis_server.client()),
        settings=settings(
            max_examples=40,
            stateful_step_count=25,
            deadline=None,
            database=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )
    print(f"\nstate machine: {SessionModel.acknowledged} acknowledged sign-ups and withdrawals, each logged once")
