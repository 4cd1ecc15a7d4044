"""Waiting for replicas (`KNOTEN_WAIT_REPLICAS`): no write is acknowledged before that many
replicas of its primary have it.

WAIT counts the replicas that have the writes of its own connection; a marker written in the
workshop's slot on that connection, after the writes to be covered, makes it cover those as
well, whoever wrote them (the primary replicates in order).
"""

from __future__ import annotations

from typing import Any

import anyio.to_thread
import redis
from redis.asyncio.cluster import RedisCluster as AsyncRedisCluster

from service.store import keys
from service.store.cluster import primary_for
from service.store.connections import AsyncClient, SyncClient

REPLICA_WAIT_MS = 1000


class NotReplicated(redis.RedisError):
    """Fewer replicas than `wait_replicas` confirmed a write within REPLICA_WAIT_MS: it is not
    acknowledged. It may have landed on the primary; a retry with the same Idempotency-Key
    finds it there and answers once the replicas have it."""


class Replicas:
    """Confirms that `wait_replicas` replicas have a workshop's writes (0: confirms at once)."""

    def __init__(self, sync_client: SyncClient, async_client: AsyncClient, wait_replicas: int) -> None:
        self._sync = sync_client
        self._async = async_client
        self._wait_replicas = wait_replicas

    def confirm_sync(self, workshop_id: str) -> None:
        """Return once `wait_replicas` replicas have every write the primary of this workshop
        took so far (this process's and the ones it read), else raise NotReplicated."""
        if not self._wait_replicas:
            return
        client: redis.Redis = primary_for(self._sync, keys.replicated_key(workshop_id))
        with client.pipeline(transaction=False) as pipe:
            self._check(workshop_id, self._wait_on(pipe, workshop_id).execute())

    async def confirm(self, workshop_id: str) -> None:
        if not self._wait_replicas:
            return
        if isinstance(self._async, AsyncRedisCluster):  # WAIT must reach the slot's primary: routed by hand
            await anyio.to_thread.run_sync(self.confirm_sync, workshop_id)
            return
        async with self._async.pipeline(transaction=False) as pipe:
            self._check(workshop_id, await self._wait_on(pipe, workshop_id).execute())

    def _wait_on(self, pipe: Any, workshop_id: str) -> Any:
        """The marker, then WAIT, on one pipeline (one connection), sync or asyncio alike."""
        pipe.set(keys.replicated_key(workshop_id), b"", px=REPLICA_WAIT_MS)
        pipe.execute_command("WAIT", self._wait_replicas, REPLICA_WAIT_MS)
        return pipe

    def _check(self, workshop_id: str, replies: list[Any]) -> None:
        acknowledged = replies[-1]
        if int(acknowledged) < self._wait_replicas:
            raise NotReplicated(
                f"{acknowledged} of {self._wait_replicas} replicas confirmed the writes of workshop {workshop_id} "
                f"within {REPLICA_WAIT_MS} ms"
            )
