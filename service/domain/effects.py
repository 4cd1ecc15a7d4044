"""Names of effects in the ledger, shared by the jobs that cause them and the views that
report them: one mail or one digest is one effect."""

from __future__ import annotations


def signup_confirmation(signup_id: str) -> str:
    return f"mail:signup:{signup_id}"


def waitlist_promotion(signup_id: str) -> str:
    return f"mail:promotion:{signup_id}"


def personal_link_again(participant_id: str, request_id: str) -> str:
    """The personal link sent again on one request (`POST /api/me/link`)."""
    return f"mail:link-again:{participant_id}:{request_id}"


def follow_up(session_id: str, subject: str) -> str:
    return f"mail:follow-up:{session_id}:{subject}"


def due_reminder(commitment_id: str) -> str:
    return f"mail:due:{commitment_id}"


def session_digest(session_id: str) -> str:
    return f"digest:session:{session_id}"


def workshop_report() -> str:
    return "digest:workshop"


def intro_invitation(talk_id: str, sequence: int, role: str) -> str:
    return f"mail:intro:{talk_id}:{sequence}:{role}"


def intro_cancellation(talk_id: str, sequence: int, role: str) -> str:
    return f"mail:intro-cancel:{talk_id}:{sequence}:{role}"


def mail_stopped(effect: str) -> str:
    """A mail not sent because its recipient stopped that kind of mail."""
    return f"stopped:{effect}"


def session_moved(session_id: str, position: str, signup_id: str) -> str:
    """The mail that a barcamp session moved (the move at this log position), to one sign-up."""
    return f"mail:moved:{session_id}:{position}:{signup_id}"
