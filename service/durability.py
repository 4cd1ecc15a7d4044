"""Refuse to run on a Redis that could lose acknowledged events, and say how to fix it."""

from __future__ import annotations

import redis


class UnsafeRedis(RuntimeError):
    pass


def durability_problems(client: redis.Redis) -> list[str]:
    """What is wrong with this Redis for knoten: AOF must be on, eviction off."""
    persistence = client.info("persistence")
    memory = client.info("memory")
    problems = []
    if int(persistence.get("aof_enabled", 0)) != 1:
        problems.append("AOF is off: set `appendonly yes` (redis.conf) or run `CONFIG SET appendonly yes`.")
    policy = memory.get("maxmemory_policy", "noeviction")
    if policy != "noeviction":
        problems.append(f"maxmemory-policy is {policy!r}, which may evict events: set `maxmemory-policy noeviction`.")
    return problems


def ensure_durable(client: redis.Redis, allow_volatile: bool) -> None:
    problems = durability_problems(client)
    if problems and not allow_volatile:
        raise UnsafeRedis(
            "knoten refuses to start on this Redis, because acknowledged sign-ups could be lost:\n- "
            + "\n- ".join(problems)
            + "\n(For a throw-away development setup only: KNOTEN_ALLOW_VOLATILE_REDIS=1.)"
        )
