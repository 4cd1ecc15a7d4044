"""The sign-up rate limits, the same on the in-memory twin, one Redis and a Redis Cluster."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from service.ratelimit import Limit, MemoryRateLimiter, RateLimiter, RedisRateLimiter
from service.store.connections import async_client, async_cluster_client
from service.store.pipelined import Pipelined


@pytest.fixture(params=["memory", "redis", "redis pipelined", "cluster", "cluster pipelined"])
async def limiter(request: pytest.FixtureRequest) -> AsyncIterator[RateLimiter]:
    if request.param == "memory":
        yield MemoryRateLimiter()
        return
    if request.param.startswith("redis"):
        client = async_client(request.getfixturevalue("redis_url"))
    else:
        client = async_cluster_client(request.getfixturevalue("cluster_url"))
    yield RedisRateLimiter(client, Pipelined(client) if request.param.endswith("pipelined") else None)
    await client.aclose()


WINDOW = 3600  # an hour: the window does not roll over during the test


def per_client_and_session(client: int) -> list[Limit]:
    return [Limit(f"s1:client:{client}", 2), Limit("s1", 3)]


async def test_a_refused_client_does_not_use_up_the_sessions_share(limiter: RateLimiter) -> None:
    first = per_client_and_session(1)
    assert [await limiter.hit("w1", first, WINDOW) for _ in range(2)] == [None, None]
    refused = [await limiter.hit("w1", first, WINDOW) for _ in range(5)]
    assert all(0 < (retry_after or 0) <= WINDOW for retry_after in refused)
    assert await limiter.hit("w1", per_client_and_session(2), WINDOW) is None  # the session's third place
    assert (await limiter.hit("w1", per_client_and_session(3), WINDOW) or 0) > 0  # the session is full
    assert await limiter.hit("w2", per_client_and_session(3), WINDOW) is None  # another workshop counts apart
