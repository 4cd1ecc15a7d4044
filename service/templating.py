"""One Jinja2 environment per language for mails, reports and pages, with Babel's
translations installed and the locale-aware date helpers every template uses."""

from __future__ import annotations

from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

import jinja2

from service.i18n import day, language_or_default, short_when, translations, when
from service.reports import markdown


@cache
def environment(language: str) -> jinja2.Environment:
    """Templates for one language; `.html` is autoescaped, `.txt` and `.md` are not."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("service", "templates"),
        extensions=["jinja2.ext.i18n"],
        autoescape=jinja2.select_autoescape(["html"], default_for_string=False),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["md"] = markdown.escape
    env.install_gettext_translations(translations(language_or_default(language)), newstyle=True)  # type: ignore[attr-defined]
    return env


def helpers(language: str, timezone: str) -> dict[str, Any]:
    language = language_or_default(language)
    return {
        "when": lambda value: when(value, language, timezone),
        "short_when": lambda value: short_when(value, language, timezone),
        "day": lambda value: day(value, language),
        "clock": lambda value: "" if value is None else value.astimezone(ZoneInfo(timezone)).strftime("%H:%M"),
        "language": language,
    }


def render(name: str, language: str, timezone: str, **context: Any) -> str:
    return (
        environment(language_or_default(language)).get_template(name).render(**helpers(language, timezone), **context)
    )
