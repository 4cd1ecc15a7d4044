"""What every job needs, built once per worker process from the environment: settings,
the event store, the effect ledger, the mailer and the clock."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache, wraps
from typing import Concatenate, ParamSpec, TypeVar

from rq import get_current_job

from service.application.command_path import CommandPath, run_sync
from service.application.outcomes import Outcome
from service.clock import Clock, SystemClock
from service.domain import effects
from service.domain import events as e
from service.domain.events import MailKind
from service.domain.links import Links
from service.domain.state import WorkshopState
from service.mail_stops import StopLink, stop_url
from service.security import email_hash, new_token, token_hash
from service.settings import Settings
from service.store.base import EventStore, SyncEventLog
from service.wiring import redis_store
from workers.dispatch import dispatch
from workers.ledger import Ledger
from workers.mail import Mail, Mailer, build_message, mailer_for, with_stop_link

log = logging.getLogger("knoten.worker")
CACHED_WORKSHOPS = 64


def _no_reply(_state: WorkshopState) -> tuple[int, None]:
    return 204, None


@dataclass
class Context:
    settings: Settings
    store: EventStore  # its ledger, jobs and workshop registry
    log: SyncEventLog  # the same log's synchronous side
    ledger: Ledger
    mailer: Mailer
    clock: Clock
    path: CommandPath = field(init=False)

    def __post_init__(self) -> None:
        self.path = CommandPath(self.clock, self.settings.secret_key, dispatch, CACHED_WORKSHOPS)

    def state(self, workshop_id: str) -> WorkshopState:
        """The workshop as its log says now: the cached fold, caught up with what is new.

        Jobs only read the state; it changes only by folding the log.
        """
        return run_sync(self.log, self.path.state(workshop_id))

    def record(self, workshop_id: str, *events: e.Event) -> None:
        """Append events decided by a job, with the reactions they call for and the jobs of all
        of them: the API's command path, without a reply to keep."""
        decided = list(events)
        run_sync(self.log, self.path.execute(workshop_id, lambda _state: Outcome(decided, _no_reply), None))

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

    def send_stoppable_together(
        self,
        state: WorkshopState,
        kind: MailKind,
        to: str,
        language: str,
        pending: Callable[[dict[str, datetime]], list[str]],
        compose: Callable[[list[str]], Mail],
    ) -> list[str]:
        """Like `send_stoppable`, for one mail that is several effects (the digests of sessions
        closed together, the report): each goes out once, in whichever mail took it first."""
        hashed = email_hash(self.settings.secret_key, to)
        lock = effects.digest_mailing()
        if (kind, hashed) in state.mail_stops:
            log.info("%s mail of workshop %s not sent: its recipient stopped them", kind, state.id)

            def stopped(done: dict[str, datetime]) -> list[str]:
                return [effects.mail_stopped(effect) for effect in pending(done)]

            self.ledger.together(state.id, lock, stopped, lambda _effects: None)
            return []
        url = stop_url(
            self.settings.base_url,
            self.settings.secret_key,
            StopLink(workshop_id=state.id, kind=kind, email_hash=hashed),
        )

        def deliver(due: list[str]) -> None:
            mail = with_stop_link(compose(due), url, language)
            self.mailer.send(build_message(mail, self.settings.mail_from, self.clock))

        return self.ledger.together(state.id, lock, pending, deliver)


@cache
def context() -> Context:
    settings = Settings.from_env()
    store = redis_store(settings)
    clock = SystemClock()
    return Context(settings, store, store, Ledger(store.ledger, clock), mailer_for(settings), clock)


P = ParamSpec("P")
R = TypeVar("R")


def job(handler: Callable[Concatenate[str, P], R]) -> Callable[Concatenate[str, P], R]:
    """Mark a job handler: when it returns, its job id is recorded as done for reconcile."""

    @wraps(handler)
    def run(workshop_id: str, *args: P.args, **kwargs: P.kwargs) -> R:
        result = handler(workshop_id, *args, **kwargs)
        current = get_current_job()
        if current is not None:
            context().store.jobs.mark_done(workshop_id, current.id)
        return result

    return run  # type: ignore[return-value]
