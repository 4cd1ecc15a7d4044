"""The session formats, one module each; `FORMATS` maps a `Format` value to its format, in the
order the pages offer them. docs/architecture.md says how to add one."""

from __future__ import annotations

from service.domain.formats import barcamp, marktplatz, runder_tisch, thementisch, zukunftswerkstatt
from service.domain.formats.base import FORMATS, format_of, takers

__all__ = ["FORMATS", "format_of", "takers"]

MENU = (thementisch, runder_tisch, zukunftswerkstatt, barcamp, marktplatz)
FORMATS.update({module.FORMAT.name: module.FORMAT for module in MENU})
