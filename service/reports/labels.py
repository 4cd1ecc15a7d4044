"""Words for the values that digests show, marked for translation."""

from __future__ import annotations

from service.domain.formats import FORMATS as SESSION_FORMATS
from service.i18n import N_, gettext

# the formats' own words: their names and the values they show (a future workshop's phases)
FORMATS = {name: session_format.label for name, session_format in SESSION_FORMATS.items()}
FORMAT_VALUES = {
    value: word for session_format in SESSION_FORMATS.values() for value, word in session_format.labels.items()
}
STATUSES = {
    "planned": N_("planned"),
    "running": N_("running"),
    "open": N_("open"),
    "closed": N_("closed"),
    "over": N_("over, not closed"),
    "begun": N_("begun, no session open"),
    "cancelled": N_("cancelled"),
    "confirmed": N_("confirmed"),
    "waitlisted": N_("waitlist"),
    "done": N_("done"),
    "overdue": N_("overdue"),
    "scheduled": N_("scheduled"),
    "sent": N_("sent"),
    "unscheduled": N_("not scheduled"),
}

# a member organisation's role in a network
ROLES = {
    "member": N_("member"),
    "speaker": N_("speaker"),
    "coordinator": N_("coordinator"),
}


REASONS = {
    "no_slots": N_("no intro slots offered yet"),
    "none_before_deadline": N_("no slot before the deadline"),
    "all_full": N_("every slot before the deadline is full"),
    "no_longer_newcomer": N_("no longer signed up as a newcomer"),
}


def label(language: str, value: str | None) -> str:
    """The translated word for a format, phase, status or reason."""
    if value is None:
        return ""
    for table in (FORMATS, FORMAT_VALUES, STATUSES, ROLES, REASONS):
        if value in table:
            return gettext(language, table[value])
    return value
