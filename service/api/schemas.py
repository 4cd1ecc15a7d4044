"""Request and response bodies of the HTTP API, kept apart from events and read models.

Unknown fields are rejected; limits are declared here so that the OpenAPI document shows them.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Annotated

import msgspec

from service.domain.events import Format, Language, OfferKind, Phase
from service.domain.views import WorkshopView

Aware = Annotated[datetime, msgspec.Meta(tz=True, description="ISO 8601 with an offset")]
Duration = Annotated[timedelta, msgspec.Meta(description="ISO 8601 duration, e.g. P3D, PT2H, PT5S")]
Title = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
Name = Annotated[str, msgspec.Meta(min_length=1, max_length=120)]
Short = Annotated[str, msgspec.Meta(max_length=200)]
Email = Annotated[str, msgspec.Meta(max_length=254)]
Ident = Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
Text = Annotated[str, msgspec.Meta(min_length=1, max_length=500)]
NoteText = Annotated[str, msgspec.Meta(min_length=1, max_length=2000)]


class Input(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    pass


class WorkshopIn(Input):
    title: Title
    starts_at: Aware
    ends_at: Aware
    timezone: Annotated[str, msgspec.Meta(min_length=1, max_length=64)] = "Europe/Berlin"
    location: Short | None = None
    language: Language = "de"
    follow_up_after: Duration = timedelta(days=3)
    intro_deadline: Duration = timedelta(days=14)
    organiser_email: Email | None = None


class WorkshopCreatedOut(WorkshopView, kw_only=True):
    """The new workshop, with what only its creator gets to see once."""

    facilitator_token: str
    console_url: str
    report_url: str


class SessionIn(Input):
    title: Title
    format: Format
    room: Annotated[str, msgspec.Meta(max_length=100)] | None = None
    starts_at: Aware | None = None
    ends_at: Aware | None = None
    capacity: Annotated[int, msgspec.Meta(ge=1, le=100_000)] | None = None
    host: Name | None = None
    next_meeting_at: Aware | None = None
    require_table_code: bool = False


class TableCodeIn(Input):
    required: bool


class TableCodeOut(msgspec.Struct, kw_only=True):
    table_code: str | None
    signup_url: str


class PhaseIn(Input):
    phase: Phase


class SignupIn(Input):
    name: Name
    consent: bool
    email: Email | None = None
    organisation: Short | None = None
    newcomer: bool | None = None
    language: Language = "de"
    privacy_version: Annotated[str, msgspec.Meta(max_length=32)] | None = None
    table_code: Annotated[str, msgspec.Meta(max_length=32)] | None = None


class SignupPatch(Input):
    newcomer: bool


class SignupOut(msgspec.Struct, kw_only=True):
    signup_id: str
    status: str
    waitlist_position: int | None
    participant_token: str | None
    newcomer: bool | None


class WithdrawalOut(msgspec.Struct, kw_only=True):
    signup_id: str
    status: str
    promoted_signup_id: str | None


class CommitmentIn(Input):
    text: Text
    signup_id: Ident | None = None
    owner_name: Name | None = None
    owner_email: Email | None = None
    due: date | None = None


class NoteIn(Input):
    text: NoteText
    phase: Phase | None = None


class CardIn(Input):
    text: Annotated[str, msgspec.Meta(min_length=1, max_length=300)]


class VoteIn(Input):
    count: Annotated[int, msgspec.Meta(ge=1, le=5)]


class OfferIn(Input):
    kind: OfferKind
    text: Text
    signup_id: Ident | None = None
    owner_name: Name | None = None
    owner_email: Email | None = None


class MatchIn(Input):
    offer_id: Ident
    request_id: Ident


class Health(msgspec.Struct):
    status: str
    redis: str
    version: str


class IntroSlotIn(Input):
    host_name: Name
    host_email: Email
    starts_at: Aware
    duration: Duration = timedelta(minutes=30)
    capacity: Annotated[int, msgspec.Meta(ge=1, le=1000)] = 1
    language: Language = "de"


class IntroSlotOut(msgspec.Struct, kw_only=True):
    id: str
    host_name: str | None
    host_email: str | None
    starts_at: datetime
    duration: str
    capacity: int
    language: Language
    talks: int
    withdrawn: bool
