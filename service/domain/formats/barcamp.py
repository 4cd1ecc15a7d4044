"""Barcamp session: one session of a barcamp; sign-ups, notes and commitments (planning comes later)."""

from service.domain.formats.base import N_, SessionFormat

FORMAT = SessionFormat(name="barcamp", label=N_("Barcamp session"))
