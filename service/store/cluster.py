"""Routing on a Redis Cluster: a workshop's keys share its hash tag, so its append script runs
on the primary that owns the slot; what lies in other slots (the seen set) and RQ's jobs
follow right after the commit (docs/scaling.md)."""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Sequence
from typing import Any, cast

import redis
from redis.backoff import ExponentialBackoff
from redis.cluster import RedisCluster
from redis.commands.core import Script
from redis.exceptions import AskError, ClusterDownError, TryAgainError

from service.store import keys
from service.store.connections import RETRIES, SyncClient
from service.store.job_spec import JobSpec
from service.store.jobs import Enqueue

log = logging.getLogger("knoten.store")

# On a cluster, an append whose slot moved (resharding) or whose primary failed over is run
# again after the slot table is refreshed, a few times, backing off like the retries above.
# AskError covers MovedError; ConnectionError covers a primary that is gone.
CLUSTER_REROUTE_ON = (AskError, TryAgainError, ClusterDownError, redis.ConnectionError, redis.TimeoutError)


def primary_for(client: SyncClient, key: str) -> redis.Redis:
    """The client itself on one Redis; on a cluster the connection to the primary of `key`'s slot."""
    if isinstance(client, RedisCluster):
        return client.get_redis_connection(client.get_node_from_key(key))  # type: ignore[no-untyped-call]
    return client


def run_on_slot_primary(
    cluster: RedisCluster, script: Script, script_keys: list[str], arguments: list[Any]
) -> list[Any]:
    """The append's script on the primary that owns the workshop's slot.

    When the slot moved or its primary is gone, the slot table is refreshed and the script
    is sent again: if the first one ran, the second finds its entries and writes nothing.
    """
    backoff = ExponentialBackoff(cap=2.0, base=0.05)
    for attempt in range(1, RETRIES + 1):
        try:
            primary = primary_for(cluster, script_keys[0])
            return cast(list[Any], script(script_keys, arguments, client=primary))
        except CLUSTER_REROUTE_ON:
            if attempt == RETRIES:
                raise
            time.sleep(backoff.compute(attempt))
            with contextlib.suppress(*CLUSTER_REROUTE_ON):  # still moving: the next attempt tells
                cluster.nodes_manager.initialize()
    raise AssertionError("unreachable")


def index_short_links(cluster: RedisCluster, links: dict[str, str]) -> None:
    """The short links of the sessions just planned (keys in other slots), right after the commit;
    a failure is logged (the events are committed)."""
    try:
        for code, target in links.items():
            cluster.set(keys.short_link_key(code), target, nx=True)
    except redis.RedisError:
        log.exception("the short links %s are not indexed", sorted(links))


def after_commit(
    cluster: RedisCluster,
    workshop_id: str,
    seen: tuple[Sequence[str], Sequence[str]],
    jobs: Sequence[JobSpec],
    enqueue: tuple[Enqueue, redis.Redis] | None,
) -> None:
    """The seen set (a key in another slot) gains the sign-ups' and loses the erased people's
    e-mail hashes, and so do the hashes' workshops; the jobs go in a transaction of their own on RQ's Redis (`enqueue`).

    The events are committed, so a failure here does not fail the append: the jobs follow
    from the log, and the next reconcile pass enqueues whatever did not arrive. An e-mail
    not marked seen only makes its next sign-up count as a newcomer's; an erased one not
    forgotten still counts as known (both are logged).
    """
    added, forgotten = seen
    try:
        if added:
            cluster.sadd(keys.seen_emails_key(), *added)
        for hashed in added:
            cluster.sadd(keys.email_workshops_key(hashed), workshop_id)
        if forgotten:
            cluster.srem(keys.seen_emails_key(), *forgotten)
            cluster.set(keys.forgotten_key(), b"1")
        for hashed in forgotten:
            cluster.srem(keys.email_workshops_key(hashed), workshop_id)
    except redis.RedisError:
        log.exception("the seen e-mails of %s are not updated", workshop_id)
    if not jobs or enqueue is None:
        return
    put, jobs_client = enqueue
    try:
        with jobs_client.pipeline(transaction=True) as pipe:
            put(pipe, jobs)
            pipe.execute()
    except redis.RedisError:
        log.exception("jobs %s are logged but not queued; reconcile will queue them", [j.job_id for j in jobs])
