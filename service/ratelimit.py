"""Fixed-window rate limits for public writes (sign-ups): per client and per session.

A port with an in-memory twin and a Redis implementation. The limits of one request are
counted in order and counting stops at the first one exceeded, so a client that is refused
does not use up the session's share. They share a scope (the workshop), so on Redis one small
script counts them all in one round trip in the workshop's hash slot, on one Redis and on a
cluster alike.
"""

from __future__ import annotations

import time
from abc import ABC, abstractmethod
from collections import defaultdict
from collections.abc import Sequence
from typing import Any, NamedTuple

from redis.exceptions import NoScriptError

from service.store import keys
from service.store.connections import AsyncClient
from service.store.pipelined import Pipelined


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
    """`counts`: shared with the in-memory event store, whose appends count sign-ups' guards."""

    def __init__(self, counts: defaultdict[tuple[str, str, int], int] | None = None) -> None:
        self._counts = defaultdict(int) if counts is None else counts

    async def hit(self, scope: str, limits: Sequence[Limit], window_seconds: int) -> int | None:
        now = time.time()
        window = int(now // window_seconds)
        for name, limit in limits:
            self._counts[(scope, name, window)] += 1
            if self._counts[(scope, name, window)] > limit:
                return _seconds_left(now, window_seconds)
        return None


# KEYS: the counters in order; ARGV[1]: the window in seconds, ARGV[1 + i]: the limit of KEYS[i].
# Answers 0, or the number of the first counter over its limit (the later ones are not counted).
COUNT_SCRIPT = """
for i, key in ipairs(KEYS) do
  local count = redis.call('INCR', key)
  if count == 1 then redis.call('EXPIRE', key, tonumber(ARGV[1]) + 1) end
  if count > tonumber(ARGV[i + 1]) then return i end
end
return 0
"""


class RedisRateLimiter(RateLimiter):
    """`pipelined`: the counts go in the pipeline that other commands of the moment share."""

    def __init__(self, client: AsyncClient, pipelined: Pipelined | None = None) -> None:
        self._count = client.register_script(COUNT_SCRIPT)
        self._pipelined = pipelined

    async def hit(self, scope: str, limits: Sequence[Limit], window_seconds: int) -> int | None:
        now = time.time()
        window = str(int(now // window_seconds))
        counters = [keys.rate_key(scope, name, window) for name, _limit in limits]
        arguments = [window_seconds, *(limit for _name, limit in limits)]
        over = await self._counted(counters, arguments)
        return None if int(over) == 0 else _seconds_left(now, window_seconds)

    async def _counted(self, counters: list[str], arguments: list[int]) -> Any:
        if self._pipelined is None:
            return await self._count(counters, arguments)
        try:
            return await self._pipelined.execute_command(
                "EVALSHA", self._count.sha, len(counters), *counters, *arguments
            )
        except NoScriptError:  # Redis restarted: the script loads again
            return await self._count(counters, arguments)
