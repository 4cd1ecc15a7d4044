"""Translations from the Babel catalogues in `service/locales`, and locale-aware formatting.

Message ids are English; German is the default language of the UI. The `.po` files are
compiled in memory when first used, so the repository holds no binary catalogues.
"""

from __future__ import annotations

import io
from datetime import date, datetime
from functools import cache, lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime, format_time
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

LOCALES = Path(__file__).parent / "locales"
LANGUAGES = ("de", "en")
DEFAULT_LANGUAGE = "de"
PRIVACY_VERSION = "2026-11"  # the version of the privacy notice that sign-ups consent to


def N_(message: str) -> str:
    """Mark a string for the catalogue; it is translated where it is shown."""
    return message


def language_or_default(language: str | None) -> str:
    return language if language in LANGUAGES else DEFAULT_LANGUAGE


def accepted_language(header: str) -> str | None:
    """The first of our languages in an Accept-Language header, by the reader's weights."""
    ranked = []
    for part in header.split(","):
        tag, _, weight = part.strip().partition(";q=")
        try:
            ranked.append((float(weight) if weight else 1.0, tag.split("-")[0].lower()))
        except ValueError:
            continue
    for _, tag in sorted(ranked, key=lambda item: -item[0]):
        if tag in LANGUAGES:
            return tag
    return None


@cache
def translations(language: str) -> Translations:
    """The compiled catalogue of one language."""
    path = LOCALES / language_or_default(language) / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as po:
        catalog = read_po(po, locale=language_or_default(language))
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(compiled, domain="messages")


def gettext(language: str, message: str) -> str:
    return translations(language).gettext(message)


# Dates and moments are formatted again and again in a report (the same due days, the same
# slot times): Babel takes about 0.1 ms each, so the formatted forms are cached. A moment's form
# depends only on the instant (it is shown in `timezone`), so equal instants may share it.
FORMATTED = 4096


def when(value: datetime | None, language: str, timezone: str) -> str:
    """A moment as the reader expects it: in the workshop's time zone and the reader's locale,
    e.g. "Samstag, 9. Mai 2026, 10:00" or "Saturday, May 9, 2026, 10:00 AM"."""
    return "" if value is None else _when(value, language_or_default(language), timezone)


@lru_cache(maxsize=FORMATTED)
def _when(value: datetime, locale: str, timezone: str) -> str:
    local = value.astimezone(ZoneInfo(timezone))
    return f"{format_date(local, 'full', locale=locale)}, {format_time(local, 'short', locale=locale)}"


def short_when(value: datetime | None, language: str, timezone: str) -> str:
    """A moment in tables: "09.05.26, 10:00"."""
    return "" if value is None else _short_when(value, language_or_default(language), timezone)


@lru_cache(maxsize=FORMATTED)
def _short_when(value: datetime, locale: str, timezone: str) -> str:
    return format_datetime(value, "short", tzinfo=ZoneInfo(timezone), locale=locale)


def day(value: date | None, language: str) -> str:
    if value is None:
        return ""
    if type(value) is not date:  # a datetime: its day depends on its offset, which equality ignores
        return format_date(value, "medium", locale=language_or_default(language))
    return _day(value, language_or_default(language))


@lru_cache(maxsize=FORMATTED)
def _day(value: date, locale: str) -> str:
    return format_date(value, "medium", locale=locale)
