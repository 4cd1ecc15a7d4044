"""The registered job functions: the worker runs these, and nothing else a job may name.

RQ would import and call whatever dotted path a job's data holds; `RegisteredJob` looks the
name up here instead, so a job written into Redis by anyone else runs no other code.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from rq.job import Job

from workers import (
    backfill,
    digests,
    erasure,
    follow_ups,
    intro_talks,
    mail_jobs,
    network,
    reconcile,
    retention,
    round_table,
    signin_links,
)
from workers.handlers import Handler

REGISTERED: Mapping[Handler, Callable[..., Any]] = {
    Handler.SEND_SIGNUP_CONFIRMATION: mail_jobs.send_signup_confirmation,
    Handler.SEND_WAITLIST_PROMOTION: mail_jobs.send_waitlist_promotion,
    Handler.SEND_SESSION_CHANGE: mail_jobs.send_session_change,
    Handler.SEND_SESSION_CANCELLATION: mail_jobs.send_session_cancellation,
    Handler.SEND_PERSONAL_LINK_AGAIN: mail_jobs.send_personal_link_again,
    Handler.SEND_SESSION_MOVED: mail_jobs.send_session_moved,
    Handler.SEND_FOLLOW_UPS: follow_ups.send_follow_ups,
    Handler.SEND_DUE_REMINDER: follow_ups.send_due_reminder,
    Handler.SEND_INVITATIONS: intro_talks.send_invitations,
    Handler.SEND_CANCELLATIONS: intro_talks.send_cancellations,
    Handler.PRODUCE_SESSION_DIGEST: digests.produce_session_digest,
    Handler.PRODUCE_WORKSHOP_REPORT: digests.produce_workshop_report,
    Handler.SEND_GROUP_DIGEST: digests.send_group_digest,
    Handler.FORGET_HISTORY: erasure.forget_history,
    Handler.RECONCILE: reconcile.reconcile,
    Handler.RETENTION: retention.expire,
    Handler.SEND_SIGNIN_LINK: signin_links.send_signin_link,
    Handler.BACKFILL_INDEXES: backfill.backfill_indexes,
    Handler.SEND_MEETING_INVITATIONS: round_table.send_meeting_invitations,
    Handler.SEND_CONTACT_EXCHANGE: round_table.send_contact_exchange,
    Handler.SEND_PARTICIPANT_DIGESTS: digests.send_participant_digests,
    Handler.PROJECT_MEETING: network.project_meeting,
    Handler.REBUILD_NETWORK: network.rebuild_network,
    Handler.REPROJECT_NETWORK: network.reproject_network,
}


class UnregisteredJob(Exception):
    """A job names a function that is not a registered handler: it fails without running."""


def registered(name: str | None) -> Callable[..., Any]:
    """The registered function of a handler name."""
    try:
        return REGISTERED[Handler(name or "")]
    except ValueError:
        raise UnregisteredJob(f"{name!r} is not a registered job handler") from None


class RegisteredJob(Job):
    """A job that runs only a registered handler and no callbacks, whatever its data names."""

    @property
    def func(self) -> Callable[..., Any]:
        return registered(self.func_name)

    @property
    def success_callback(self) -> None:
        return None

    @property
    def failure_callback(self) -> None:
        return None

    @property
    def stopped_callback(self) -> None:
        return None
