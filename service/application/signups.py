"""Signing up, for the API and the sign-up page alike."""

from __future__ import annotations

import time
from typing import Any, NamedTuple

import msgspec
from litestar import Request
from litestar.exceptions import TooManyRequestsException

from service.application.inputs import checked_email, checked_person, existing, hashed_email
from service.application.network_people import known_in_network
from service.application.outcomes import Admission, RateLimited
from service.application.runner import Idempotency, Outcome, Reply, WorkshopService
from service.domain import commands as c
from service.domain.errors import Invalid
from service.domain.events import SignupRecorded
from service.domain.lookups import session_of
from service.domain.rules import check_table_code, decide, existing_signup
from service.domain.state import SignupState, WorkshopState
from service.domain.views import waitlist_position
from service.i18n import PRIVACY_VERSION
from service.ratelimit import Limit, RateLimiter
from service.schemas import SignupIn, SignupOut
from service.security import new_id, new_token, token_hash
from service.settings import Settings
from service.store.base import Counter


class Signed(NamedTuple):
    """A sign-up's reply as stored for its Idempotency-Key, for the API to send as it is."""

    reply: Reply

    @property
    def signup(self) -> SignupOut:
        """What the reply says, for a page. A retry after the person's erasure answers without
        the sign-up (its body says `personal_data: erased`), so only pages ask for it."""
        return msgspec.json.decode(self.reply.body, type=SignupOut)


def signup_out(state: WorkshopState, signup: SignupState, token: str | None) -> SignupOut:
    return SignupOut(
        signup_id=signup.id,
        status=signup.status,
        waitlist_position=waitlist_position(state.sessions[signup.session_id], signup.id),
        participant_token=token,
        newcomer=signup.newcomer,
    )


WINDOW_SECONDS = 60


def _limits(request: Request[Any, Any, Any], settings: Settings, session_id: str) -> list[Limit]:
    """Public sign-up is limited per client and per session, in windows of a minute."""
    client = request.client.host if request.client else "unknown"
    return [
        Limit(f"signup:{session_id}:{client}", settings.signups_per_client_minute),
        Limit(f"signup:{session_id}", settings.signups_per_session_minute),
    ]


def _too_many(retry_after: int) -> TooManyRequestsException:
    return TooManyRequestsException(
        "Too many sign-ups in a short time; please try again shortly.",
        headers={"Retry-After": str(retry_after)},
    )


async def limit_signups(request: Request[Any, Any, Any], settings: Settings, workshop_id: str, session_id: str) -> None:
    """Count a sign-up that no append counted (429 with Retry-After when it is over)."""
    limiter: RateLimiter = request.app.state.limiter
    retry_after = await limiter.hit(workshop_id, _limits(request, settings, session_id), WINDOW_SECONDS)
    if retry_after is not None:
        raise _too_many(retry_after)


async def record_signup(
    request: Request[Any, Any, Any],
    service: WorkshopService,
    settings: Settings,
    workshop_id: str,
    session_id: str,
    data: SignupIn,
    idempotency: Idempotency | None,
    walk_in: bool = False,
) -> Signed:
    """Sign someone up (for the API and the sign-up page alike); 201 new, 200 already there.

    An e-mail address that belongs to a participant of the workshop joins that person: the
    answer then carries no token (whoever knows an address must not get into that person's
    data); the personal link goes to the address with the confirmation mail.
    Someone who signed up to another meeting of the workshop's network is no newcomer here,
    whatever they answered.
    A walk-in (`walk_in`: a facilitator adds someone who is here) counts as present, also when
    their address was signed up already.

    The rate limits count every request. A sign-up that appends is counted by its append, which
    also checks that an address decided on as never seen is still unseen: one round trip for
    the common case. One refused or answered without an append is counted on its own, and a
    request over its limit is answered 429 before anything else.
    """
    refused: Invalid | None = None
    try:
        email = checked_email(data.email, "email")
    except Invalid as invalid:
        email, refused = None, invalid
    if not data.consent:
        refused = Invalid("consent", "must be true: we need your consent to store your sign-up")
    if refused is not None:
        await limit_signups(request, settings, workshop_id, session_id)
        raise refused
    ehash = None if email is None else hashed_email(settings, email)
    counters = tuple(Counter(*limit) for limit in _limits(request, settings, session_id))
    admission = Admission(counters, WINDOW_SECONDS, time.time(), ehash if data.newcomer is None else None)
    newcomer = data.newcomer
    if newcomer and await known_in_network(service, workshop_id, ehash):
        newcomer = False  # new to this evening, not to the network
    pid = new_id()
    token = new_token("p", workshop_id, pid)
    signup_id = new_id()
    command = c.RecordSignup(
        signup_id=signup_id,
        session_id=session_id,
        participant_id=pid,
        person=checked_person(pid, data.name, email, data.organisation),
        email_hash=ehash,
        newcomer=newcomer,
        privacy_version=data.privacy_version or PRIVACY_VERSION,
        email_seen_before=False,
        language=data.language,
        consent=data.consent,
        token_hash=token_hash(settings.secret_key, token),
        table_code=data.table_code,
        present=walk_in,
        share_contact=data.share_contact,
        wants_digest=data.wants_digest,
    )

    def plan(state: WorkshopState) -> Outcome:
        now = service.clock.now()
        check_table_code(session_of(existing(state), session_id), data.table_code)
        if (already := existing_signup(state, session_id, ehash)) is not None:
            marked = decide(state, c.MarkAttendance(signup_id=already.id, present=True), now) if walk_in else []
            return Outcome(marked, lambda s: (200, signup_out(s, already, None)), (already.participant_id,))
        decided = msgspec.structs.replace(command, email_seen_before=True) if admission.seen else command
        events = decide(state, decided, now)
        new_person = _participant_of(events) == pid
        return Outcome(events, lambda s: (201, signup_out(s, s.signups[signup_id], token if new_person else None)))

    try:
        reply = await service.execute(workshop_id, plan, idempotency, admission)
    except RateLimited as limited:
        raise _too_many(limited.retry_after) from None
    except Exception:
        if not admission.counted:
            await limit_signups(request, settings, workshop_id, session_id)
        raise
    if not admission.counted:
        await limit_signups(request, settings, workshop_id, session_id)
    return Signed(reply)


def _participant_of(events: list[Any]) -> str | None:
    return next((event.participant_id for event in events if isinstance(event, SignupRecorded)), None)
