"""What every job needs, built once per worker process from the environment: settings,
the event store, the effect ledger, the mailer and the clock."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache, wraps
from typing import Concatenate, ParamSpec, TypeVar

from rq import get_current_job

from service.clock import Clock, SystemClock
from service.domain import effects
from service.domain import events as e
from service.domain.events import MailKind
from service.domain.links import Links
from service.domain.reactions import settle
from service.domain.rules import erased_email_hashes, fold
from service.domain.state import WorkshopState
from service.mail_stops import StopLink, stop_url
from service.security import email_hash, new_token, token_hash
from service.settings import Settings
from service.store import keys
from service.store.base import LogRewound, VersionConflict
from service.store.redis import RedisEventStore
from service.wiring import redis_store
from workers.dispatch import dispatch
from workers.ledger import Ledger
from workers.mail import Mail, Mailer, build_message, mailer_for, with_stop_link

log = logging.getLogger("knoten.worker")
APPEND_ATTEMPTS = 20
CACHED_WORKSHOPS = 64


@dataclass
class Context:
    settings: Settings
    store: RedisEventStore
    ledger: Ledger
    mailer: Mailer
    clock: Clock
    states: dict[str, WorkshopState] = field(default_factory=dict)

    def state(self, workshop_id: str) -> WorkshopState:
        """The workshop as its log says now: the cached fold, caught up with what is new.

        Jobs only read the state; it changes only by folding the log.
        """
        state = self.states.pop(workshop_id, None) or WorkshopState(id=workshop_id)
        try:
            recorded = self.store.read_sync(workshop_id, after=state.version)
        except LogRewound:  # a failover lost entries this worker had folded
            state = WorkshopState(id=workshop_id)
            recorded = self.store.read_sync(workshop_id)
        fold(state, recorded)
        self.states[workshop_id] = state
        while len(self.states) > CACHED_WORKSHOPS:
            self.states.pop(next(iter(self.states)))
        return state

    def record(self, workshop_id: str, *events: e.Event) -> None:
        """Append events decided by a job, with the reactions they call for (as the API's
        commands get them) and the jobs of all of them."""
        for _ in range(APPEND_ATTEMPTS):
            state = self.state(workshop_id)
            version = state.version
            try:
                forget_emails = erased_email_hashes(state, events)  # from the state before the erasure
                settled = settle(state, list(events), self.clock.now())
                jobs = dispatch(state, list(enumerate(settled, start=version + 1)))
                self.store.append_sync(
                    workshop_id, settled, expected_version=version, jobs=jobs, forget_emails=forget_emails
                )
                return
            except VersionConflict:
                # Drop the tentative fold and rebuild it from the log now, so that the next attempt
                # only catches up on what is new: refolding between its read and its append made
                # that window as long as the whole fold, and two workers kept colliding in it.
                self.states.pop(workshop_id, None)
                self.state(workshop_id)
            except BaseException:
                self.states.pop(workshop_id, None)
                raise
        raise VersionConflict(-1, -1)

    def personal_link(self, workshop_id: str, participant_id: str) -> str:
        """A fresh personal link for a mail; the token's hash goes into the log."""
        token = new_token("p", workshop_id, participant_id)
        self.record(
            workshop_id,
            e.ParticipantLinkIssued(
                at=self.clock.now(),
                participant_id=participant_id,
                token_hash=token_hash(self.settings.secret_key, token),
            ),
        )
        return Links(self.settings.base_url).personal_link(token)

    def send_once(self, workshop_id: str, effect: str, compose: Callable[[], Mail]) -> bool:
        """Compose and send a mail unless the ledger says it went out; True when it went now.

        Composing happens only when the mail is really sent, so a personal link is made once.
        """

        def deliver() -> None:
            self.mailer.send(build_message(compose(), self.settings.mail_from, self.clock))

        return self.ledger.once(workshop_id, effect, deliver)

    def send_stoppable(
        self, state: WorkshopState, kind: MailKind, to: str, language: str, effect: str, compose: Callable[[], Mail]
    ) -> bool:
        """Like `send_once`, for a mail that does not answer the reader's own action: it carries a
        link that stops its kind, and is not sent (the ledger notes why) once they used it."""
        hashed = email_hash(self.settings.secret_key, to)
        if (kind, hashed) in state.mail_stops:
            log.info("%s of workshop %s not sent: its recipient stopped %s mails", effect, state.id, kind)
            self.ledger.once(state.id, effects.mail_stopped(effect), lambda: None)
            return False
        link = StopLink(workshop_id=state.id, kind=kind, email_hash=hashed)
        url = stop_url(self.settings.base_url, self.settings.secret_key, link)
        return self.send_once(state.id, effect, lambda: with_stop_link(compose(), url, language))


@cache
def context() -> Context:
    settings = Settings.from_env()
    store = redis_store(settings)
    clock = SystemClock()
    return Context(settings, store, Ledger(store.sync_client, clock), mailer_for(settings), clock)


P = ParamSpec("P")
R = TypeVar("R")


def job(handler: Callable[Concatenate[str, P], R]) -> Callable[Concatenate[str, P], R]:
    """Mark a job handler: when it returns, its job id is recorded as done for reconcile."""

    @wraps(handler)
    def run(workshop_id: str, *args: P.args, **kwargs: P.kwargs) -> R:
        result = handler(workshop_id, *args, **kwargs)
        current = get_current_job()
        if current is not None:
            context().store.sync_client.sadd(keys.jobs_done_key(workshop_id), current.id)
        return result

    return run  # type: ignore[return-value]
