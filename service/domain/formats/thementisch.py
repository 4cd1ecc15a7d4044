"""Topic table: a table around one topic; sign-ups, notes and commitments, nothing of its own."""

from service.domain.formats.base import N_, SessionFormat

FORMAT = SessionFormat(name="thementisch", label=N_("Topic table"))
