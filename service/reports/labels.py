"""Words for the values that digests show, marked for translation."""

from __future__ import annotations

from service.i18n import N_, gettext

FORMATS = {
    "thementisch": N_("Topic table"),
    "runder_tisch": N_("Round table"),
    "zukunftswerkstatt": N_("Future workshop"),
    "barcamp": N_("Barcamp session"),
    "marktplatz": N_("Market place"),
}
PHASES = {"kritik": N_("Critique"), "phantasie": N_("Fantasy"), "verwirklichung": N_("Implementation")}
STATUSES = {
    "planned": N_("planned"),
    "open": N_("open"),
    "closed": N_("closed"),
    "confirmed": N_("confirmed"),
    "waitlisted": N_("waitlist"),
    "done": N_("done"),
    "overdue": N_("overdue"),
    "scheduled": N_("scheduled"),
    "sent": N_("sent"),
    "unscheduled": N_("not scheduled"),
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
    for table in (FORMATS, PHASES, STATUSES, REASONS):
        if value in table:
            return gettext(language, table[value])
    return value
