"""The effect ledger: every effect (a mail, a digest) happens once, however often its job runs.

An effect is claimed with a short lease before it is done and recorded as done after. A job
that finds the effect done does nothing; one that finds a live claim fails and is retried
later, so two runs never act at once. If a worker dies between doing and recording, the
lease runs out and the effect is done again: the window is one SMTP reply long, and mails
carry a Message-ID derived from the effect, so a receiving system can tell the copy.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TypeVar

from service.clock import Clock
from service.store import keys
from service.store.redis import SyncClient

CLAIM_LEASE_SECONDS = 60  # longer than one SMTP delivery (30 s timeout), shorter than abandoned-job pickup
T = TypeVar("T")


class EffectInProgress(Exception):
    """Another run holds the claim on this effect; try again later."""


class Ledger:
    def __init__(self, client: SyncClient, clock: Clock) -> None:
        self._client = client
        self._clock = clock

    def done_at(self, workshop_id: str, effect: str) -> datetime | None:
        raw = self._client.hget(keys.effects_key(workshop_id), effect)
        return None if raw is None else datetime.fromisoformat(raw.decode())  # type: ignore[union-attr]

    def all_done(self, workshop_id: str) -> dict[str, datetime]:
        raw: dict[bytes, bytes] = self._client.hgetall(keys.effects_key(workshop_id))  # type: ignore[assignment]
        return {k.decode(): datetime.fromisoformat(v.decode()) for k, v in raw.items()}

    def once(self, workshop_id: str, effect: str, action: Callable[[], T]) -> bool:
        """Run `action` unless the effect is done already; True when it ran now."""
        if self.done_at(workshop_id, effect) is not None:
            return False
        claim = keys.claim_key(workshop_id, effect)
        if not self._client.set(claim, "1", nx=True, ex=CLAIM_LEASE_SECONDS):
            raise EffectInProgress(effect)
        try:
            if self.done_at(workshop_id, effect) is not None:
                return False
            action()
            self._client.hset(keys.effects_key(workshop_id), effect, self._clock.now().isoformat())
            return True
        finally:
            self._client.delete(claim)
