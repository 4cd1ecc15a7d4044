"""The effect ledger port: which effects (a mail, a digest) of a workshop happened and when,
and short claims that keep two runs of one effect apart. The workers write it
(`workers.ledger.Ledger.once`), the pages and reports read it. `MemoryEffectLedger` and
`RedisEffectLedger` both pass tests/contract/test_ledgers.py."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from service.store import keys
from service.store.connections import AsyncClient, SyncClient


class EffectLedger(ABC):
    @abstractmethod
    def done(self, workshop_id: str) -> dict[str, datetime]:
        """Every effect of the workshop that happened, and when."""

    @abstractmethod
    async def done_async(self, workshop_id: str) -> dict[str, datetime]:
        """`done` for the API's event loop."""

    def done_at(self, workshop_id: str, effect: str) -> datetime | None:
        return self.done(workshop_id).get(effect)

    @abstractmethod
    def record(self, workshop_id: str, effect: str, at: datetime) -> None:
        """Note that the effect happened at `at`."""

    @abstractmethod
    def record_all(self, workshop_id: str, effects: Sequence[str], at: datetime) -> None:
        """Note that several effects happened together at `at`: all of them or none."""

    @abstractmethod
    def claim(self, workshop_id: str, effect: str, lease_seconds: int) -> bool:
        """Claim the effect for `lease_seconds`; False while another run holds it."""

    @abstractmethod
    def release(self, workshop_id: str, effect: str) -> None:
        """Give the claim up."""


class MemoryEffectLedger(EffectLedger):
    """The twin for tests and single-process development; claims do not expire."""

    def __init__(self) -> None:
        self._done: dict[str, dict[str, datetime]] = defaultdict(dict)
        self._claims: set[tuple[str, str]] = set()

    def done(self, workshop_id: str) -> dict[str, datetime]:
        return dict(self._done.get(workshop_id, {}))

    async def done_async(self, workshop_id: str) -> dict[str, datetime]:
        return self.done(workshop_id)

    def record(self, workshop_id: str, effect: str, at: datetime) -> None:
        self._done[workshop_id][effect] = at

    def record_all(self, workshop_id: str, effects: Sequence[str], at: datetime) -> None:
        self._done[workshop_id].update(dict.fromkeys(effects, at))

    def claim(self, workshop_id: str, effect: str, lease_seconds: int) -> bool:
        if (workshop_id, effect) in self._claims:
            return False
        self._claims.add((workshop_id, effect))
        return True

    def release(self, workshop_id: str, effect: str) -> None:
        self._claims.discard((workshop_id, effect))


class RedisEffectLedger(EffectLedger):
    """A hash per workshop (effect → ISO time) and a key with a lease per claim, all in the
    workshop's hash slot."""

    def __init__(self, sync_client: SyncClient, async_client: AsyncClient) -> None:
        self._sync = sync_client
        self._async = async_client

    def done(self, workshop_id: str) -> dict[str, datetime]:
        return _times(self._sync.hgetall(keys.effects_key(workshop_id)))

    async def done_async(self, workshop_id: str) -> dict[str, datetime]:
        return _times(await self._async.hgetall(keys.effects_key(workshop_id)))

    def done_at(self, workshop_id: str, effect: str) -> datetime | None:
        raw: Any = self._sync.hget(keys.effects_key(workshop_id), effect)
        return None if raw is None else datetime.fromisoformat(raw.decode())

    def record(self, workshop_id: str, effect: str, at: datetime) -> None:
        self._sync.hset(keys.effects_key(workshop_id), effect, at.isoformat())

    def record_all(self, workshop_id: str, effects: Sequence[str], at: datetime) -> None:
        if effects:  # one HSET: every field or none
            self._sync.hset(keys.effects_key(workshop_id), mapping=dict.fromkeys(effects, at.isoformat()))

    def claim(self, workshop_id: str, effect: str, lease_seconds: int) -> bool:
        return bool(self._sync.set(keys.claim_key(workshop_id, effect), "1", nx=True, ex=lease_seconds))

    def release(self, workshop_id: str, effect: str) -> None:
        self._sync.delete(keys.claim_key(workshop_id, effect))


def _times(raw: Any) -> dict[str, datetime]:
    return {k.decode(): datetime.fromisoformat(v.decode()) for k, v in raw.items()}
