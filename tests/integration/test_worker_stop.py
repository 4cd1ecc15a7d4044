"""A worker asked to stop stops quietly, wherever in RQ's loop the signal finds it."""

from __future__ import annotations

import pytest
import redis
from rq.exceptions import StopRequested

from workers import worker


def test_a_stop_between_two_turns_of_rqs_loop_ends_the_worker_without_a_traceback(
    monkeypatch: pytest.MonkeyPatch, redis_url: str
) -> None:
    # RQ catches StopRequested inside a turn of its loop; a SIGTERM that lands on the loop's own
    # line raises it out of `work` (seen once in CI: a traceback in the worker's JSON log).
    started: list[bool] = []

    def work(self: worker.KnotenWorker, **_: object) -> bool:
        started.append(True)
        raise StopRequested()

    monkeypatch.setattr(worker.KnotenWorker, "work", work)
    worker.run_worker(redis.Redis.from_url(redis_url))
    assert started == [True]  # returned after one worker, not restarted as after a lost Redis
