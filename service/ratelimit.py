"""Fixed-window rate limits for public writes (sign-ups): per client and per session.

A port with an in-memory twin and a Redis implementation (INCR + EXPIRE, one round trip).
"""

from __future__ import annotations

import time
from abc import ABC, abstractmethod
from collections import defaultdict

from service.store import keys
from service.store.redis import AsyncClient


class RateLimiter(ABC):
    @abstractmethod
    async def hit(self, name: str, limit: int, window_seconds: int) -> int | None:
        """Count one hit; None while under `limit`, else the seconds until the window ends."""


class MemoryRateLimiter(RateLimiter):
    def __init__(self) -> None:
        self._counts: defaultdict[tuple[str, int], int] = defaultdict(int)

    async def hit(self, name: str, limit: int, window_seconds: int) -> int | None:
        window = int(time.time() // window_seconds)
        self._counts[(name, window)] += 1
        if self._counts[(name, window)] <= limit:
            return None
        return window_seconds - int(time.time()) % window_seconds


class RedisRateLimiter(RateLimiter):
    def __init__(self, client: AsyncClient) -> None:
        self._client = client

    async def hit(self, name: str, limit: int, window_seconds: int) -> int | None:
        now = time.time()
        window = int(now // window_seconds)
        key = keys.global_key("rate", name, str(window))
        async with self._client.pipeline(transaction=True) as pipe:
            pipe.incr(key)
            pipe.expire(key, window_seconds + 1)
            count, _ = await pipe.execute()
        if int(count) <= limit:
            return None
        return window_seconds - int(now) % window_seconds
