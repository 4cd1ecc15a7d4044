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
from service.store.ledger import EffectLedger

CLAIM_LEASE_SECONDS = 60  # longer than one SMTP delivery (30 s timeout), shorter than abandoned-job pickup
T = TypeVar("T")


class EffectInProgress(Exception):
    """Another run holds the claim on this effect; try again later."""


class Ledger:
    """The policy of effects once, over the effect ledger port."""

    def __init__(self, effects: EffectLedger, clock: Clock) -> None:
        self._effects = effects
        self._clock = clock

    def done_at(self, workshop_id: str, effect: str) -> datetime | None:
        return self._effects.done_at(workshop_id, effect)

    def all_done(self, workshop_id: str) -> dict[str, datetime]:
        return self._effects.done(workshop_id)

    def together(
        self,
        workshop_id: str,
        lock: str,
        pending: Callable[[dict[str, datetime]], list[str]],
        action: Callable[[list[str]], object],
    ) -> list[str]:
        """Do several effects in one action, each once: under the claim on `lock`, `pending`
        picks from what is done the effects still to do, `action` does them, and they are
        recorded as done together. The effects it did now (none when nothing was pending)."""
        if not self._effects.claim(workshop_id, lock, CLAIM_LEASE_SECONDS):
            raise EffectInProgress(lock)
        try:
            effects = pending(self.all_done(workshop_id))
            if effects:
                action(effects)
                self._effects.record_all(workshop_id, effects, self._clock.now())
            return effects
        finally:
            self._effects.release(workshop_id, lock)

    def once(self, workshop_id: str, effect: str, action: Callable[[], T]) -> bool:
        """Run `action` unless the effect is done already; True when it ran now."""
        if self.done_at(workshop_id, effect) is not None:
            return False
        if not self._effects.claim(workshop_id, effect, CLAIM_LEASE_SECONDS):
            raise EffectInProgress(effect)
        try:
            if self.done_at(workshop_id, effect) is not None:
                return False
            action()
            self._effects.record(workshop_id, effect, self._clock.now())
            return True
        finally:
            self._effects.release(workshop_id, effect)
