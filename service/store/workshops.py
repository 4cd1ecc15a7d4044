"""The workshop registry port: which workshops the deployment holds, the heads and lengths of
their logs, and what the periodic passes noted about each (reconcile: the head at which every
job had finished; retention: the end and log version at which it last looked).
`MemoryWorkshops` and `RedisWorkshops` both pass tests/contract/test_workshops.py."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from typing import Any

from service.domain.network import is_network_id
from service.store import keys
from service.store.connections import SyncClient

READ_BATCH = 1000


class Workshops(ABC):
    def ids(self) -> list[str]:
        """Every workshop this deployment holds, sorted (networks have logs too: not these)."""
        return [log_id for log_id in self.log_ids() if not is_network_id(log_id)]

    def network_ids(self) -> list[str]:
        """Every network this deployment holds (each has a log of its own), sorted."""
        return [log_id for log_id in self.log_ids() if is_network_id(log_id)]

    @abstractmethod
    def log_ids(self) -> list[str]:
        """Every log this deployment holds, a workshop's or a network's, sorted."""

    @abstractmethod
    def heads(self, workshop_ids: Sequence[str]) -> dict[str, str]:
        """Per workshop, `<position>:<append id>` of its newest entry ('' for an empty log). A log
        that lost entries in a failover and grew back to the same length has another head."""

    @abstractmethod
    def length(self, workshop_id: str) -> int:
        """How many entries the workshop's log holds."""

    @abstractmethod
    def settled(self) -> dict[str, str]:
        """Per workshop, the head at which reconcile found every job finished."""

    @abstractmethod
    def settle(self, workshop_id: str, head: str) -> None:
        """Note that every job of the workshop finished at this head."""

    @abstractmethod
    def retention_notes(self) -> dict[str, str]:
        """Per workshop, what retention noted: `<end of the workshop>:<log version>`."""

    @abstractmethod
    def note_retention(self, workshop_id: str, noted: str) -> None:
        """Note what retention found."""


class MemoryWorkshops(Workshops):
    """The twin over the memory store's logs (`lengths`); their entries have no append ids."""

    def __init__(self, lengths: Callable[[], dict[str, int]]) -> None:
        self._lengths = lengths
        self._settled: dict[str, str] = {}
        self._retention: dict[str, str] = {}

    def log_ids(self) -> list[str]:
        return sorted(self._lengths())

    def heads(self, workshop_ids: Sequence[str]) -> dict[str, str]:
        return {w: f"{n}:" if (n := self.length(w)) else "" for w in workshop_ids}

    def length(self, workshop_id: str) -> int:
        return self._lengths().get(workshop_id, 0)

    def settled(self) -> dict[str, str]:
        return dict(self._settled)

    def settle(self, workshop_id: str, head: str) -> None:
        self._settled[workshop_id] = head

    def retention_notes(self) -> dict[str, str]:
        return dict(self._retention)

    def note_retention(self, workshop_id: str, noted: str) -> None:
        self._retention[workshop_id] = noted


class RedisWorkshops(Workshops):
    def __init__(self, client: SyncClient) -> None:
        self._client = client

    def log_ids(self) -> list[str]:
        members: set[bytes] = self._client.smembers(keys.workshops_key())  # type: ignore[assignment]
        return sorted(member.decode() for member in members)

    def heads(self, workshop_ids: Sequence[str]) -> dict[str, str]:
        """READ_BATCH workshops per round trip."""
        heads: dict[str, str] = {}
        for start in range(0, len(workshop_ids), READ_BATCH):
            batch = workshop_ids[start : start + READ_BATCH]
            with self._client.pipeline(transaction=False) as pipe:
                for workshop_id in batch:
                    pipe.xrevrange(keys.log_key(workshop_id), count=1)
                for workshop_id, newest in zip(batch, pipe.execute(), strict=True):
                    heads[workshop_id] = _head(newest[0]) if newest else ""
        return heads

    def length(self, workshop_id: str) -> int:
        return int(self._client.xlen(keys.log_key(workshop_id)))

    def settled(self) -> dict[str, str]:
        return _decoded(self._client.hgetall(keys.reconciled_key()))

    def settle(self, workshop_id: str, head: str) -> None:
        self._client.hset(keys.reconciled_key(), workshop_id, head)

    def retention_notes(self) -> dict[str, str]:
        return _decoded(self._client.hgetall(keys.retention_key()))

    def note_retention(self, workshop_id: str, noted: str) -> None:
        self._client.hset(keys.retention_key(), workshop_id, noted)


def position(stream_id: bytes) -> int:
    """The log position of a stream id (`n-0`)."""
    return int(stream_id.split(b"-", 1)[0])


def _head(entry: tuple[bytes, dict[bytes, bytes]]) -> str:
    stream_id, fields = entry
    return f"{position(stream_id)}:{fields.get(b'append', b'').decode()}"


def _decoded(raw: Any) -> dict[str, str]:
    return {key.decode(): value.decode() for key, value in raw.items()}
