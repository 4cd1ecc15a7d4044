"""How the Redis parts are put together from the settings, the same for the API and the worker:
the event store on one Redis or on a Redis Cluster, the plain Redis that holds RQ's queues,
and the durability check of every Redis knoten writes to (docs/scaling.md)."""

from __future__ import annotations

import contextlib

import redis
from rq import Queue

from service.durability import ensure_durable
from service.settings import Settings
from service.store.codec import EventCodec
from service.store.connections import sync_client, sync_cluster_client
from service.store.jobs import enqueue_onto, queue
from service.store.redis import RedisEventStore
from service.store.vault import KeyWrapper


def redis_store(settings: Settings) -> RedisEventStore:
    """The event store, with the jobs its appends call for wired to RQ.

    Without KNOTEN_EVENTS_URL, log and queues share KNOTEN_REDIS_URL and the jobs run in the
    append script. With it, the log is sharded on the cluster and the jobs follow each commit
    to RQ on KNOTEN_REDIS_URL, which stays a plain primary.
    """
    url = settings.events_url or settings.redis_url
    store = RedisEventStore.from_url(url, EventCodec(), KeyWrapper(settings.secret_key), settings.wait_replicas)
    jobs_client = sync_client(settings.redis_url) if settings.events_url else None
    store.enqueue_with(enqueue_onto(_jobs_queue(jobs_client or store.jobs_client)), jobs_client)
    return store


def _jobs_queue(connection: redis.Redis) -> Queue:
    """RQ's queue, with the server version it asks for once per queue asked now: enqueueing
    then only records commands, so the API's event loop never waits for Redis there."""
    jobs = queue(connection)
    with contextlib.suppress(redis.RedisError):  # Redis not up yet: RQ asks on the first enqueue
        jobs.get_redis_server_version()
    return jobs


def ensure_durable_redis(settings: Settings) -> None:
    """Refuse to start unless RQ's Redis and, with a cluster, each of its primaries keeps what
    it acknowledged (AOF on, no eviction); the error says what to change."""
    clients: list[redis.Redis | redis.RedisCluster] = [redis.Redis.from_url(settings.redis_url)]
    try:
        if settings.events_url is not None:
            clients.append(sync_cluster_client(settings.events_url))
        for client in clients:
            ensure_durable(client, settings.allow_volatile_redis)
    finally:
        for client in clients:
            client.close()
