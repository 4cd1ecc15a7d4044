"""The network projection port: per network, one record per meeting (workshop), kept by a
worker from the workshops' logs and rebuildable from them (docs/architecture.md). The records
are opaque bytes here; what they hold is `service.domain.network_report.MeetingSummary`.
`MemoryProjections` is the twin for tests and single-process development."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections import defaultdict
from typing import Any

from service.store import keys
from service.store.connections import AsyncClient, SyncClient
from service.store.vault import KeyWrapper


class Projections(ABC):
    @abstractmethod
    def put(self, network_id: str, workshop_id: str, record: bytes, version: int) -> bool:
        """Keep the meeting's record, made at the workshop's log `version`, in place of the one
        before; False (nothing written) when the one kept was made at a later version (two jobs
        of one workshop that finished out of order)."""

    @abstractmethod
    def drop(self, network_id: str, workshop_id: str) -> None:
        """The workshop is no meeting of the network (any more)."""

    @abstractmethod
    def home(self, workshop_id: str) -> str | None:
        """The network whose projection holds the workshop's record."""

    @abstractmethod
    def set_home(self, workshop_id: str, network_id: str | None) -> None:
        """Note the network whose projection holds the workshop's record (None: none)."""

    @abstractmethod
    def record(self, network_id: str, workshop_id: str) -> bytes | None:
        """The workshop's record in the network's projection, if any."""

    @abstractmethod
    def records(self, network_id: str) -> dict[str, bytes]:
        """Workshop id → record."""

    @abstractmethod
    async def records_async(self, network_id: str) -> dict[str, bytes]:
        """`records` for the API's event loop."""


class MemoryProjections(Projections):
    def __init__(self) -> None:
        self._records: dict[str, dict[str, bytes]] = defaultdict(dict)
        self._versions: dict[str, dict[str, int]] = defaultdict(dict)
        self._homes: dict[str, str] = {}

    def home(self, workshop_id: str) -> str | None:
        return self._homes.get(workshop_id)

    def set_home(self, workshop_id: str, network_id: str | None) -> None:
        if network_id is None:
            self._homes.pop(workshop_id, None)
        else:
            self._homes[workshop_id] = network_id

    def put(self, network_id: str, workshop_id: str, record: bytes, version: int) -> bool:
        if self._versions[network_id].get(workshop_id, -1) > version:
            return False
        self._records[network_id][workshop_id] = record
        self._versions[network_id][workshop_id] = version
        return True

    def drop(self, network_id: str, workshop_id: str) -> None:
        self._records[network_id].pop(workshop_id, None)
        self._versions[network_id].pop(workshop_id, None)

    def record(self, network_id: str, workshop_id: str) -> bytes | None:
        return self._records.get(network_id, {}).get(workshop_id)

    def records(self, network_id: str) -> dict[str, bytes]:
        return dict(self._records.get(network_id, {}))

    async def records_async(self, network_id: str) -> dict[str, bytes]:
        return self.records(network_id)


_PUT = """
local kept = tonumber(redis.call('HGET', KEYS[2], ARGV[1]) or '-1')
if tonumber(ARGV[3]) < kept then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('HSET', KEYS[2], ARGV[1], ARGV[3])
return 1
"""
"""A record replaces only one made at the same or an earlier log version."""


class RedisProjections(Projections):
    """A hash per network in the network's hash slot, beside the log version each record was made at.
    Each record is sealed under the deployment key, bound to its network and workshop: the
    keyed e-mail hashes, names and organisations it holds are never in Redis in clear (an
    erasure rewrites the record without the person)."""

    def __init__(self, sync_client: SyncClient, async_client: AsyncClient, wrapper: KeyWrapper) -> None:
        self._sync = sync_client
        self._async = async_client
        self._wrapper = wrapper
        self._put = sync_client.register_script(_PUT)

    def put(self, network_id: str, workshop_id: str, record: bytes, version: int) -> bool:
        key = keys.network_meetings_key(network_id)
        sealed = self._wrapper.seal_blob(f"{key}/{workshop_id}", record)
        versions = keys.network_versions_key(network_id)
        return bool(self._put(keys=[key, versions], args=[workshop_id, sealed, version]))

    def drop(self, network_id: str, workshop_id: str) -> None:
        self._sync.hdel(keys.network_meetings_key(network_id), workshop_id)
        self._sync.hdel(keys.network_versions_key(network_id), workshop_id)

    def home(self, workshop_id: str) -> str | None:
        raw: Any = self._sync.get(keys.workshop_network_key(workshop_id))
        return None if raw is None else bytes(raw).decode()

    def set_home(self, workshop_id: str, network_id: str | None) -> None:
        if network_id is None:
            self._sync.delete(keys.workshop_network_key(workshop_id))
        else:
            self._sync.set(keys.workshop_network_key(workshop_id), network_id)

    def record(self, network_id: str, workshop_id: str) -> bytes | None:
        key = keys.network_meetings_key(network_id)
        raw: Any = self._sync.hget(key, workshop_id)
        return None if raw is None else self._wrapper.open_blob(f"{key}/{workshop_id}", bytes(raw))

    def records(self, network_id: str) -> dict[str, bytes]:
        key = keys.network_meetings_key(network_id)
        return self._opened(key, self._sync.hgetall(key))

    async def records_async(self, network_id: str) -> dict[str, bytes]:
        key = keys.network_meetings_key(network_id)
        return self._opened(key, await self._async.hgetall(key))

    def _opened(self, key: str, raw: Any) -> dict[str, bytes]:
        return {k.decode(): self._wrapper.open_blob(f"{key}/{k.decode()}", bytes(v)) for k, v in raw.items()}
