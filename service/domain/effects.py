"""Names of effects in the ledger, shared by the jobs that cause them and the views that
report them: one mail or one digest is one effect."""

from __future__ import annotations


def signup_confirmation(signup_id: str) -> str:
    return f"mail:signup:{signup_id}"


def waitlist_promotion(signup_id: str) -> str:
    return f"mail:promotion:{signup_id}"


def session_change(signup_id: str, sequence: int) -> str:
    """The mail telling a person signed up of a session's new time or room (its calendar SEQUENCE)."""
    return f"mail:session-change:{signup_id}:{sequence}"


def session_cancellation(signup_id: str) -> str:
    return f"mail:session-cancel:{signup_id}"


def personal_links_again(request_id: str) -> str:
    """The mail with the personal links sent again on one request (`POST /api/me/link`)."""
    return f"mail:links-again:{request_id}"


def follow_up(session_id: str, subject: str) -> str:
    return f"mail:follow-up:{session_id}:{subject}"


def due_reminder(commitment_id: str, due: str, owner: str) -> str:
    """The reminder on one due date to one owner: a commitment postponed or handed to someone
    else (at the next meeting of a network) gets a reminder of its own."""
    return f"mail:due:{commitment_id}:{due}:{owner}"


def session_digest(session_id: str) -> str:
    return f"digest:session:{session_id}"


def workshop_report() -> str:
    return "digest:workshop"


def digest_mailing() -> str:
    """The claim held while the organisers' digests and report are mailed: one such mail at a time."""
    return "digest:mailing"


def intro_invitation(talk_id: str, sequence: int, role: str) -> str:
    return f"mail:intro:{talk_id}:{sequence}:{role}"


def intro_cancellation(talk_id: str, sequence: int, role: str) -> str:
    return f"mail:intro-cancel:{talk_id}:{sequence}:{role}"


def meeting_invitation(session_id: str, signup_id: str) -> str:
    """The invitation to a round table's next meeting, once its date is fixed."""
    return f"mail:next-meeting:{session_id}:{signup_id}"


def contact_exchange(session_id: str, signup_id: str) -> str:
    """The contacts of the others present who chose to share theirs, after the session."""
    return f"mail:contacts:{session_id}:{signup_id}"


def group_digest(session_id: str) -> str:
    """A working group's session digest, to the group's patron."""
    return f"mail:digest:group:{session_id}"


def participant_digest(session_id: str, signup_id: str) -> str:
    """The digest for participants, to one who asked for it on signing up."""
    return f"mail:digest:{session_id}:{signup_id}"


def mail_stopped(effect: str) -> str:
    """A mail not sent because its recipient stopped that kind of mail."""
    return f"stopped:{effect}"


def session_moved(session_id: str, position: str, signup_id: str) -> str:
    """The mail that a barcamp session moved (the move at this log position), to one sign-up."""
    return f"mail:moved:{session_id}:{position}:{signup_id}"
