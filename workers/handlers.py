"""The names of the job handlers: what dispatch, reconcile and retention enqueue, and what the
worker looks up in `workers.registry`. A name's value is the handler's dotted path, as RQ
stores it, so jobs queued before handlers had names keep running."""

from __future__ import annotations

from enum import StrEnum


class Handler(StrEnum):
    SEND_SIGNUP_CONFIRMATION = "workers.mail_jobs.send_signup_confirmation"
    SEND_WAITLIST_PROMOTION = "workers.mail_jobs.send_waitlist_promotion"
    SEND_SESSION_CHANGE = "workers.mail_jobs.send_session_change"
    SEND_SESSION_CANCELLATION = "workers.mail_jobs.send_session_cancellation"
    SEND_PERSONAL_LINK_AGAIN = "workers.mail_jobs.send_personal_link_again"
    SEND_SESSION_MOVED = "workers.mail_jobs.send_session_moved"
    SEND_FOLLOW_UPS = "workers.follow_ups.send_follow_ups"
    SEND_DUE_REMINDER = "workers.follow_ups.send_due_reminder"
    SEND_INVITATIONS = "workers.intro_talks.send_invitations"
    SEND_CANCELLATIONS = "workers.intro_talks.send_cancellations"
    PRODUCE_SESSION_DIGEST = "workers.digests.produce_session_digest"
    PRODUCE_WORKSHOP_REPORT = "workers.digests.produce_workshop_report"
    FORGET_HISTORY = "workers.erasure.forget_history"
    RECONCILE = "workers.reconcile.reconcile"
    RETENTION = "workers.retention.expire"
    SEND_SIGNIN_LINK = "workers.signin_links.send_signin_link"
    BACKFILL_INDEXES = "workers.backfill.backfill_indexes"
    SEND_MEETING_INVITATIONS = "workers.round_table.send_meeting_invitations"
    SEND_CONTACT_EXCHANGE = "workers.round_table.send_contact_exchange"
    SEND_PARTICIPANT_DIGESTS = "workers.digests.send_participant_digests"
    SEND_GROUP_DIGEST = "workers.digests.send_group_digest"
    PROJECT_MEETING = "workers.network.project_meeting"
    REBUILD_NETWORK = "workers.network.rebuild_network"
    REPROJECT_NETWORK = "workers.network.reproject_network"

    @property
    def short(self) -> str:
        """The function's own name, as job ids and descriptions show it."""
        return self.value.rsplit(".", 1)[-1]
