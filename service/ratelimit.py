"""Fixed-window rate limits for public writes (sign-ups): per client and per session.

A port with an in-memory twin and a Redis implementation. The counters of one request share
a scope (the workshop), so on Redis they are counted in one transaction (INCR + EXPIRE each,
one round trip) in the workshop's hash slot, on one Redis and on a cluster alike.
"""

from __future__ import annotations

import time
from abc import ABC, abstractmethod
from collections import defaultdict
from collections.abc import Sequence
from typing import NamedTuple

from service.store import keys
from service.store.redis import AsyncClient


class Limit(NamedTuple):
    name: str
    limit: int  # hits per window


class RateLimiter(ABC):
    @abstractmethod
    async def hit(self, scope: str, limits: Sequence[Limit], window_seconds: int) -> int | None:
        """Count one hit on each limit; None while all are within their limit, else the seconds
        until the window ends."""


def _seconds_left(now: float, window_seconds: int) -> int:
    return window_seconds - int(now) % window_seconds


class MemoryRateLimiter(RateLimiter):
    def __init__(self) -> None:
        self._counts: defaultdict[tuple[str, str, int], int] = defaultdict(int)

    async def hit(self, scope: str, limits: Sequence[Limit], window_seconds: int) -> int | None:
        now = time.time()
        window = int(now // window_seconds)
        over = False
        for name, limit in limits:
            self._counts[(scope, name, window)] += 1
            over = over or self._counts[(scope, name, window)] > limit
        return _seconds_left(now, window_seconds) if over else None


class RedisRateLimiter(RateLimiter):
    def __init__(self, client: AsyncClient) -> None:
        self._client = client

    async def hit(self, scope: str, limits: Sequence[Limit], window_seconds: int) -> int | None:
        now = time.time()
        window = str(int(now // window_seconds))
        async with self._client.pipeline(transaction=True) as pipe:
            for name, _limit in limits:
                key = keys.workshop_key(scope, "rate", name, window)
                pipe.incr(key)
                pipe.expire(key, window_seconds + 1)
            replies = await pipe.execute()
        counts = replies[::2]
        if all(int(count) <= limit for count, (_name, limit) in zip(counts, limits, strict=True)):
            return None
        return _seconds_left(now, window_seconds)
