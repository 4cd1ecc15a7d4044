"""Refuse to run on a Redis that could lose acknowledged events, and say how to fix it."""

from __future__ import annotations

import redis
from redis.cluster import RedisCluster


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


def cluster_durability_problems(cluster: RedisCluster) -> list[str]:
    """The problems of every primary of a cluster, each named by its node."""
    return [
        f"{node.name}: {problem}"
        for node in cluster.get_primaries()  # type: ignore[no-untyped-call]
        for problem in durability_problems(cluster.get_redis_connection(node))
    ]


def ensure_durable(client: redis.Redis | RedisCluster, allow_volatile: bool) -> None:
    """Raise UnsafeRedis, saying what to change, unless the Redis (each primary of a cluster) is safe."""
    problems = cluster_durability_problems(client) if isinstance(client, RedisCluster) else durability_problems(client)
    if problems and not allow_volatile:
        raise UnsafeRedis(
            "knoten refuses to start on this Redis, because acknowledged sign-ups could be lost:\n- "
            + "\n- ".join(problems)
            + "\n(For a throw-away development setup only: KNOTEN_ALLOW_VOLATILE_REDIS=1.)"
        )
