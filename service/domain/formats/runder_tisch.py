"""Round table: sign-ups, notes and commitments, nothing of its own (yet: agendas and decisions)."""

from service.domain.formats.base import N_, SessionFormat

FORMAT = SessionFormat(name="runder_tisch", label=N_("Round table"))
