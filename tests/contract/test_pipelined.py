"""Small commands of concurrent requests share one pipeline: one round trip, each caller its own
reply or error."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
import redis.asyncio
from redis.exceptions import ResponseError

from service.store.connections import async_client
from service.store.pipelined import Pipelined


@pytest.fixture
async def client(redis_url: str) -> AsyncIterator[redis.asyncio.Redis]:
    plain = async_client(redis_url)
    assert isinstance(plain, redis.asyncio.Redis)
    yield plain
    await plain.aclose()


def counting(client: redis.asyncio.Redis) -> list[int]:
    """How many commands each pipeline the client sends holds."""
    sent: list[int] = []
    pipeline = client.pipeline

    def counted(*args: Any, **options: Any) -> Any:
        pipe = pipeline(*args, **options)
        execute = pipe.execute

        async def executed(*a: Any, **o: Any) -> Any:
            sent.append(len(pipe.command_stack))
            return await execute(*a, **o)

        pipe.execute = executed  # type: ignore[method-assign]
        return pipe

    client.pipeline = counted  # type: ignore[method-assign]
    return sent


async def test_commands_of_the_same_moment_go_in_one_round_trip_each_with_its_reply(
    client: redis.asyncio.Redis,
) -> None:
    await client.sadd("seen", "a", "c")
    sent = counting(client)
    pipelined = Pipelined(client)

    replies = await asyncio.gather(*(pipelined.execute_command("SISMEMBER", "seen", m) for m in "abcd"))

    assert replies == [1, 0, 1, 0]
    assert sent == [4]


async def test_a_command_that_fails_fails_alone_and_later_ones_go_in_the_next_pipeline(
    client: redis.asyncio.Redis,
) -> None:
    await client.sadd("a set", "x")
    sent = counting(client)
    pipelined = Pipelined(client)

    first = await asyncio.gather(
        pipelined.execute_command("INCR", "counter"),
        pipelined.execute_command("INCR", "a set"),  # the wrong type
        pipelined.execute_command("INCR", "counter"),
        return_exceptions=True,
    )
    later = await pipelined.execute_command("INCR", "counter")

    assert first[0] == 1 and isinstance(first[1], ResponseError) and first[2] == 2
    assert later == 3
    assert sent == [3, 1]
