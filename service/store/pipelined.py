"""Commands that concurrent requests send to Redis at the same moment share one pipeline.

The rate limiter's counts (sign-in links, a sign-up that appends nothing; a sign-up that appends
is counted by its append) are small commands that many requests send at once. Sent one by
one, each is a round trip of its own, and under load the API spends its time in socket
writes. `Pipelined` queues the commands of one turn of the event
loop and sends them as one pipeline: one round trip for all of them, each caller still gets
its own reply (or its own error). Commands that come while a pipeline is in flight go in the
next one. A Redis Cluster client sends each command on its own (its pipeline is per node).
"""

from __future__ import annotations

import asyncio
from typing import Any

import redis.asyncio

from service.store.connections import AsyncClient


class Pipelined:
    def __init__(self, client: AsyncClient) -> None:
        self._client = client
        self._plain = isinstance(client, redis.asyncio.Redis)
        self._queued: list[tuple[tuple[Any, ...], asyncio.Future[Any]]] = []
        self._sending: asyncio.Task[None] | None = None

    async def execute_command(self, *command: Any) -> Any:
        """The reply to one command, sent together with whatever else is queued now."""
        if not self._plain:
            return await self._client.execute_command(*command)
        reply: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._queued.append((command, reply))
        if self._sending is None:
            self._sending = asyncio.create_task(self._send())
        return await reply

    async def _send(self) -> None:
        try:
            while self._queued:
                batch, self._queued = self._queued, []
                try:
                    async with self._client.pipeline(transaction=False) as pipe:
                        for command, _reply in batch:
                            pipe.execute_command(*command)
                        replies = await pipe.execute(raise_on_error=False)
                except Exception as error:  # noqa: BLE001 - every caller of the batch hears of it
                    for _command, reply in batch:
                        if not reply.done():
                            reply.set_exception(error)
                    continue
                for (_command, reply), result in zip(batch, replies, strict=True):
                    if reply.done():  # its caller went away
                        continue
                    if isinstance(result, Exception):
                        reply.set_exception(result)
                    else:
                        reply.set_result(result)
        finally:
            self._sending = None
            for _command, reply in self._queued:  # cancelled with callers still waiting
                reply.cancel()
            self._queued = []
