"""Connections to Redis: clients with retries for one Redis, and for a Redis Cluster named by
a `redis+cluster://` URL (docs/scaling.md)."""

from __future__ import annotations

from typing import Any

import hiredis
import redis
import redis.asyncio
from redis.asyncio.cluster import RedisCluster as AsyncRedisCluster
from redis.asyncio.connection import Connection as AsyncConnection
from redis.asyncio.retry import Retry as AsyncRetry
from redis.backoff import ExponentialBackoff
from redis.cluster import RedisCluster
from redis.retry import Retry

SyncClient = redis.Redis | RedisCluster
AsyncClient = redis.asyncio.Redis | AsyncRedisCluster

# A restarted Redis breaks pooled connections: retry such commands a few times, backing off.
# The append script is among them: sent again, it finds its own entries and writes nothing.
RETRIES = 6
RETRY_ON = [redis.ConnectionError, redis.TimeoutError]


TAIL_BLOCK_MS = 10_000  # how long a live tail's XREAD blocks
CLUSTER_SCHEMES = {"redis+cluster": "redis", "rediss+cluster": "rediss"}
# Per node and process. Each open live stream holds one connection in a blocking XREAD, and
# redis-py's asyncio cluster client refuses a command beyond this (default 100) instead of
# waiting; the servers' `maxclients` (10000 by default) is the bound that matters.
CLUSTER_MAX_CONNECTIONS = 10_000


def sync_client(url: str) -> redis.Redis:
    retry = Retry(ExponentialBackoff(cap=2.0, base=0.05), RETRIES)
    return redis.Redis.from_url(url, retry=retry, retry_on_error=RETRY_ON, health_check_interval=30)


class HiredisPackedConnection(AsyncConnection):
    """redis-py's asyncio connection, packing commands with hiredis as its synchronous one does.

    The asyncio connection packs in Python, joining a growing buffer argument by argument: the
    append script's call for a batch of sign-ups (hundreds of arguments: events, idempotency
    records, jobs) took ≈0.1–0.2 ms of the API's CPU per call (bench/results.md, section 1).
    hiredis writes the same bytes for the types knoten sends (bytes, str, int, float); anything
    else goes the Python way, with redis-py's own errors."""

    def pack_command(self, *args: Any) -> list[bytes]:
        if isinstance(args[0], str):
            args = (*args[0].encode().split(), *args[1:])
        elif b" " in args[0]:
            args = (*args[0].split(), *args[1:])
        try:
            return [hiredis.pack_command(args)]
        except TypeError:
            return super().pack_command(*args)


def async_client(url: str) -> redis.asyncio.Redis:
    retry = AsyncRetry(ExponentialBackoff(cap=2.0, base=0.05), RETRIES)
    # TLS and Unix-socket URLs bring their own connection class (and pack in Python)
    return redis.asyncio.Redis.from_url(
        url,
        retry=retry,
        retry_on_error=RETRY_ON,
        health_check_interval=30,
        connection_class=HiredisPackedConnection,
    )


def is_cluster_url(url: str) -> bool:
    """`redis+cluster://host:port` (or `rediss+cluster://`) names a node of a Redis Cluster."""
    return url.split("://", 1)[0] in CLUSTER_SCHEMES


def _node_url(url: str) -> str:
    """The cluster URL as redis-py reads it: the same node, with the plain scheme."""
    scheme, rest = url.split("://", 1)
    return f"{CLUSTER_SCHEMES[scheme]}://{rest}"


def sync_cluster_client(url: str) -> RedisCluster:
    """A cluster client that learns every node and slot from the one node in `url`."""
    retry = Retry(ExponentialBackoff(cap=2.0, base=0.05), RETRIES)
    return RedisCluster.from_url(_node_url(url), retry=retry)


class _SlotsFirstCluster(AsyncRedisCluster):
    """The asyncio cluster client, learning the slot table before its first command.

    redis-py 8.1 decides where a command goes before it initialises: commands issued at once
    on a fresh client go to the wrong nodes, and the refresh their redirects trigger closes
    the connections the others are using (seen as "Connection closed by server" and
    AttributeError under 200 concurrent first commands). `initialize` is idempotent and cheap
    once done.
    """

    async def execute_command(self, *args: Any, **kwargs: Any) -> Any:
        await self.initialize()
        return await super().execute_command(*args, **kwargs)


def async_cluster_client(url: str) -> AsyncRedisCluster:
    """Like `sync_cluster_client`; its reads wait longer than the tail's blocking XREAD."""
    retry = AsyncRetry(ExponentialBackoff(cap=2.0, base=0.05), RETRIES)
    return _SlotsFirstCluster.from_url(
        _node_url(url), retry=retry, socket_timeout=TAIL_BLOCK_MS / 1000 + 5, max_connections=CLUSTER_MAX_CONNECTIONS
    )
