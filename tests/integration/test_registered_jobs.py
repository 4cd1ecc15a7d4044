"""The worker runs the registered job functions and nothing else a job names: whoever can write
to RQ's Redis cannot make the worker import and call arbitrary code."""

from __future__ import annotations

from pathlib import Path

import redis
from rq.job import Job

from service.store.jobs import SERIALIZER, queue
from workers.worker import run_worker


def test_a_job_naming_an_unregistered_function_fails_without_running_it(redis_url: str, tmp_path: Path) -> None:
    kept = tmp_path / "kept"
    kept.mkdir()
    client = redis.Redis.from_url(f"{redis_url.rsplit('/', 1)[0]}/9")  # no other test's worker works database 9
    queue(client).enqueue("shutil.rmtree", str(kept), job_id="foreign")

    run_worker(client, burst=True)

    assert kept.is_dir()
    job = Job.fetch("foreign", connection=client, serializer=SERIALIZER)
    result = job.latest_result()
    assert job.is_failed and result is not None
    assert "'shutil.rmtree' is not a registered job handler" in (result.exc_string or "")
    client.flushdb()
