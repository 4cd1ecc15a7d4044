"""What the API and the pages check in what people typed before it becomes a command: e-mail
addresses, time zones, people; and the workshop a request names."""

from __future__ import annotations

import functools
import importlib
import zoneinfo
from typing import Any

from email_validator import EmailNotValidError, validate_email

from service.domain.errors import Invalid, NotFound
from service.domain.events import Person
from service.domain.state import WorkshopState
from service.security import email_hash
from service.settings import Settings


def _remember_domains() -> None:
    """email-validator checks each address's domain anew (IDNA, length and special-use rules: 33 of
    the 53 µs an address takes here). The check is a pure function of the domain, and sign-ups'
    domains repeat (a few mail providers, a network's own domains): it is remembered for the
    last 4,096 domains that passed it (a refused domain raises and is checked again next time).
    `validate_email` calls it by the name its module imported, which is the name replaced here;
    tests/unit/test_inputs.py notices a release of email-validator where that no longer holds."""
    validating: Any = importlib.import_module("email_validator.validate_email")  # the module, not the function
    check = getattr(validating, "validate_email_domain_name", None)
    if check is not None and not hasattr(check, "cache_info"):
        validating.validate_email_domain_name = functools.lru_cache(maxsize=4096)(check)


_remember_domains()


def existing(state: WorkshopState) -> WorkshopState:
    if not state.exists:
        raise NotFound("workshop", state.id)
    return state


def checked_email(value: str | None, field: str) -> str | None:
    if value is None:
        return None
    try:
        return validate_email(value, check_deliverability=False).normalized
    except EmailNotValidError as exc:
        raise Invalid(field, str(exc)) from exc


def checked_timezone(value: str) -> str:
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise Invalid("timezone", f"unknown time zone {value!r}") from exc
    return value


def person(subject: str, name: str, email: str | None, organisation: str | None, field: str) -> Person:
    return checked_person(subject, name, checked_email(email, field), organisation)


def checked_person(subject: str, name: str, email: str | None, organisation: str | None) -> Person:
    """A person from form fields whose e-mail address `checked_email` has already normalised."""
    return Person(subject, name.strip(), email, (organisation or "").strip() or None)


def hashed_email(settings: Settings, email: str | None) -> str | None:
    return None if email is None else email_hash(settings.secret_key, email)


def organiser_subject(workshop_id: str) -> str:
    return f"organiser-{workshop_id}"


def organiser(workshop_id: str, email: str | None) -> Person | None:
    return None if email is None else Person(organiser_subject(workshop_id), None, email)
