"""The contract of the jobs port: the memory twin and RQ on Redis run the same suite. Reconcile
and retention see the queue only through it, the dead-letter pages too."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
import redis

from service.store.job_spec import JobSpec
from service.store.jobs import Jobs, MemoryJobs, RedisJobs, enqueue_onto, queue
from workers.handlers import Handler
from workers.worker import run_worker

AT = datetime(2026, 5, 9, 10, 0, tzinfo=UTC)
OWN_DATABASE = 9  # no worker of another test (they work database 0) takes these jobs


@pytest.fixture
def client(redis_url: str) -> Iterator[redis.Redis]:
    own = redis.Redis.from_url(f"{redis_url.rsplit('/', 1)[0]}/{OWN_DATABASE}")
    yield own
    own.flushdb()
    own.close()


@pytest.fixture(params=["memory", "redis"])
def jobs(request: pytest.FixtureRequest) -> Iterator[Jobs]:
    if request.param == "memory":
        yield MemoryJobs()
        return
    client = request.getfixturevalue("client")
    yield RedisJobs(client, client, enqueue_onto(queue(client)))


def confirmation(workshop_id: str) -> JobSpec:
    return JobSpec(f"{workshop_id}-1-send_signup_confirmation", Handler.SEND_SIGNUP_CONFIRMATION, (workshop_id, "a"))


def test_an_enqueued_job_is_known_until_it_is_gone(jobs: Jobs) -> None:
    assert jobs.known(["w1-1-send_signup_confirmation"]) == set()
    jobs.enqueue([confirmation("w1")])
    assert jobs.known(["w1-1-send_signup_confirmation", "w2-1-send_signup_confirmation"]) == {
        "w1-1-send_signup_confirmation"
    }


def test_a_periodic_pass_is_scheduled_once_however_many_workers_ask(jobs: Jobs) -> None:
    for _ in range(3):
        jobs.schedule("knoten-reconcile-1", Handler.RECONCILE, AT, description="reconcile every workshop")
    assert jobs.known(["knoten-reconcile-1"]) == {"knoten-reconcile-1"}


def test_finished_jobs_are_noted_per_workshop(jobs: Jobs) -> None:
    jobs.mark_done("w1", "w1-1-send_signup_confirmation")
    jobs.mark_done("w1", "w1-1-send_signup_confirmation")
    assert jobs.done("w1") == {"w1-1-send_signup_confirmation"}
    assert jobs.done("w2") == set()


def test_there_are_no_dead_letters_to_retry_on_a_fresh_queue(jobs: Jobs) -> None:
    jobs.enqueue([confirmation("w1")])
    assert jobs.failed() == []
    assert jobs.retry("w1-1-send_signup_confirmation") is False


def test_a_dead_letter_is_listed_with_its_reason_and_a_retry_queues_it_again_once(client: redis.Redis) -> None:
    jobs = RedisJobs(client, client, enqueue_onto(queue(client)))
    queue(client).enqueue("os.getcwd", job_id="dead")  # fails: not a registered handler
    run_worker(client, burst=True)
    (letter,) = jobs.failed()
    assert (letter.job_id, letter.handler) == ("dead", "os.getcwd")
    assert "not a registered job handler" in letter.reason and letter.failed_at is not None

    assert jobs.retry("dead") is True
    assert jobs.failed() == [] and queue(client).get_job_ids() == ["dead"]
    assert jobs.retry("dead") is False
