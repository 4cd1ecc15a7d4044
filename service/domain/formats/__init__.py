"""The session formats, one module each; `FORMATS` maps a `Format` value to its format, in the
order the pages offer them. docs/architecture.md says how to add one."""

from __future__ import annotations

from service.domain import commands as c
from service.domain.formats import barcamp, marktplatz, runder_tisch, thementisch, zukunftswerkstatt
from service.domain.formats.base import SessionFormat

FORMATS: dict[str, SessionFormat] = {
    module.FORMAT.name: module.FORMAT for module in (thementisch, runder_tisch, zukunftswerkstatt, barcamp, marktplatz)
}


def format_of(name: str) -> SessionFormat:
    return FORMATS[name]


def takers(command: type[c.Command]) -> str:
    """The formats whose sessions take a command, for the message that refuses it elsewhere."""
    return " or ".join(name for name, session_format in FORMATS.items() if session_format.takes(command))
