"""Tests do not reach each other through Redis: a test's own database is not the shared stack's."""

from __future__ import annotations

import redis

from tests.processes import RedisProcess


def test_what_a_test_leaves_in_its_own_database_never_reaches_the_shared_workers_queue(
    redis_url: str, redis_server: RedisProcess
) -> None:
    own = redis.Redis.from_url(redis_url)
    own.set("rq:queue:knoten", "not a list")  # what the wrong-type contract test leaves
    shared = redis.Redis.from_url(redis_server.url)
    assert shared.type("rq:queue:knoten") in {b"list", b"none"}
    own.close()
    shared.close()
