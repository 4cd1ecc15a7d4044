"""The network projection port: per network, one record per meeting (workshop), kept by a
worker from the workshops' logs and rebuildable from them (docs/architecture.md). The records
are opaque bytes here; what they hold is `service.domain.network_report.MeetingSummary`.
`MemoryProjections` is the twin for tests and single-process development."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections import defaultdict
from collections.abc import Mapping
from typing import Any

from service.store import keys
from service.store.connections import AsyncClient, SyncClient
from service.store.vault import KeyWrapper


class Projections(ABC):
    @abstractmethod
    def put(self, network_id: str, workshop_id: str, record: bytes) -> None:
        """Keep the meeting's record (replacing the one before)."""

    @abstractmethod
    def drop(self, network_id: str, workshop_id: str) -> None:
        """The workshop is no meeting of the network (any more)."""

    @abstractmethod
    def replace(self, network_id: str, records: Mapping[str, bytes]) -> None:
        """The network's records, all at once (a rebuild): every old one goes."""

    @abstractmethod
    def home(self, workshop_id: str) -> str | None:
        """The network whose projection holds the workshop's record."""

    @abstractmethod
    def set_home(self, workshop_id: str, network_id: str | None) -> None:
        """Note the network whose projection holds the workshop's record (None: none)."""

    @abstractmethod
    def records(self, network_id: str) -> dict[str, bytes]:
        """Workshop id → record."""

    @abstractmethod
    async def records_async(self, network_id: str) -> dict[str, bytes]:
        """`records` for the API's event loop."""


class MemoryProjections(Projections):
    def __init__(self) -> None:
        self._records: dict[str, dict[str, bytes]] = defaultdict(dict)
        self._homes: dict[str, str] = {}

    def home(self, workshop_id: str) -> str | None:
        return self._homes.get(workshop_id)

    def set_home(self, workshop_id: str, network_id: str | None) -> None:
        if network_id is None:
            self._homes.pop(workshop_id, None)
        else:
            self._homes[workshop_id] = network_id

    def put(self, network_id: str, workshop_id: str, record: bytes) -> None:
        self._records[network_id][workshop_id] = record

    def drop(self, network_id: str, workshop_id: str) -> None:
        self._records[network_id].pop(workshop_id, None)

    def replace(self, network_id: str, records: Mapping[str, bytes]) -> None:
        self._records[network_id] = dict(records)

    def records(self, network_id: str) -> dict[str, bytes]:
        return dict(self._records.get(network_id, {}))

    async def records_async(self, network_id: str) -> dict[str, bytes]:
        return self.records(network_id)


_REPLACE = """
redis.call('DEL', KEYS[1])
if #ARGV > 0 then redis.call('HSET', KEYS[1], unpack(ARGV)) end
return #ARGV / 2
"""
"""One script, so that no reader sees the projection empty halfway through a rebuild."""


class RedisProjections(Projections):
    """A hash per network in the network's hash slot: a rebuild replaces it in one script.
    Each record is sealed under the deployment key, bound to its network and workshop: the
    keyed e-mail hashes, names and organisations it holds are never in Redis in clear (an
    erasure rewrites the record without the person)."""

    def __init__(self, sync_client: SyncClient, async_client: AsyncClient, wrapper: KeyWrapper) -> None:
        self._sync = sync_client
        self._async = async_client
        self._wrapper = wrapper
        self._replace = sync_client.register_script(_REPLACE)

    def put(self, network_id: str, workshop_id: str, record: bytes) -> None:
        key = keys.network_meetings_key(network_id)
        self._sync.hset(key, workshop_id, self._wrapper.seal_blob(f"{key}/{workshop_id}", record))

    def drop(self, network_id: str, workshop_id: str) -> None:
        self._sync.hdel(keys.network_meetings_key(network_id), workshop_id)

    def replace(self, network_id: str, records: Mapping[str, bytes]) -> None:
        key = keys.network_meetings_key(network_id)
        sealed = [(wid, self._wrapper.seal_blob(f"{key}/{wid}", record)) for wid, record in records.items()]
        self._replace(keys=[key], args=[part for pair in sealed for part in pair])

    def home(self, workshop_id: str) -> str | None:
        raw: Any = self._sync.get(keys.workshop_network_key(workshop_id))
        return None if raw is None else bytes(raw).decode()

    def set_home(self, workshop_id: str, network_id: str | None) -> None:
        if network_id is None:
            self._sync.delete(keys.workshop_network_key(workshop_id))
        else:
            self._sync.set(keys.workshop_network_key(workshop_id), network_id)

    def records(self, network_id: str) -> dict[str, bytes]:
        key = keys.network_meetings_key(network_id)
        return self._opened(key, self._sync.hgetall(key))

    async def records_async(self, network_id: str) -> dict[str, bytes]:
        key = keys.network_meetings_key(network_id)
        return self._opened(key, await self._async.hgetall(key))

    def _opened(self, key: str, raw: Any) -> dict[str, bytes]:
        return {k.decode(): self._wrapper.open_blob(f"{key}/{k.decode()}", bytes(v)) for k, v in raw.items()}
