"""Request and response bodies of the HTTP API, kept apart from events and read models.

Unknown fields are rejected; limits are declared here so that the OpenAPI document shows them.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from functools import cache
from typing import Annotated, Any, Literal, get_args, get_type_hints

import msgspec

from service.domain.events import Format, Language, OfferKind, Phase
from service.domain.views import WorkshopView


class SingleLine:
    """Marks a field that is one line of plain text: it goes into mail headers, calendar
    entries, CSV cells and headings, where a line break or a direction override would act."""


SINGLE_LINE = SingleLine()
SINGLE_LINE_RULE = "must be one line of text without control characters or direction overrides, and not blank"
_REFUSED = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def one_line(max_length: int, min_length: int = 1) -> msgspec.Meta:
    """The limits of a single-line field; the field also carries the `SINGLE_LINE` mark."""
    return msgspec.Meta(min_length=min_length, max_length=max_length, description=f"One line; {SINGLE_LINE_RULE}.")


def is_single_line(value: str) -> bool:
    return not _REFUSED.search(value) and not value.isspace()


Aware = Annotated[datetime, msgspec.Meta(tz=True, description="ISO 8601 with an offset")]
Duration = Annotated[timedelta, msgspec.Meta(description="ISO 8601 duration, e.g. P3D, PT2H, PT5S")]
Title = Annotated[str, one_line(200), SINGLE_LINE]
Name = Annotated[str, one_line(120), SINGLE_LINE]
Short = Annotated[str, one_line(200, min_length=0), SINGLE_LINE]
Room = Annotated[str, one_line(100, min_length=0), SINGLE_LINE]
TimeZone = Annotated[str, one_line(64), SINGLE_LINE]
Version = Annotated[str, one_line(32, min_length=0), SINGLE_LINE]
Email = Annotated[str, msgspec.Meta(max_length=254)]
Ident = Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
Text = Annotated[str, msgspec.Meta(min_length=1, max_length=500)]
NoteText = Annotated[str, msgspec.Meta(min_length=1, max_length=2000)]


class Input(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    def __post_init__(self) -> None:
        """Refuse a single-line field that is not one line (msgspec names it in its error)."""
        for name in _single_line_fields(type(self)):
            value = getattr(self, name)
            if isinstance(value, str) and not is_single_line(value):
                raise ValueError(f"field `{name}` {SINGLE_LINE_RULE}")


def breaks_single_line(cls: type[Input], field: str, value: Any) -> bool:
    """Whether `value` is refused for `field` of `cls` because it is not one line."""
    return field in _single_line_fields(cls) and isinstance(value, str) and not is_single_line(value)


@cache
def _single_line_fields(cls: type[Input]) -> tuple[str, ...]:
    def marked(hint: Any) -> bool:
        return SINGLE_LINE in getattr(hint, "__metadata__", ()) or any(marked(arg) for arg in get_args(hint))

    return tuple(name for name, hint in get_type_hints(cls, include_extras=True).items() if marked(hint))


class OrganiserIn(Input):
    email: Email
    name: Name
    network_id: Ident | None = None  # a network coordinator: an organiser limited to this network


class LoginIn(Input):
    email: Email


class WorkshopIn(Input):
    title: Title
    starts_at: Aware
    ends_at: Aware
    timezone: TimeZone = "Europe/Berlin"
    location: Short | None = None
    language: Language = "de"
    follow_up_after: Duration = timedelta(days=3)
    intro_deadline: Duration = timedelta(days=14)
    digest_wait: Duration = timedelta(minutes=10)
    organiser_email: Email | None = None
    network_id: Ident | None = None  # an organiser's only


class WorkshopPatch(Input):
    """A change of the workshop: any field of the create body; absent or null leaves it as it is,
    `location` "" takes the place away."""

    title: Title | None = None
    starts_at: Aware | None = None
    ends_at: Aware | None = None
    timezone: TimeZone | None = None
    location: Short | None = None
    language: Language | None = None
    follow_up_after: Duration | None = None
    intro_deadline: Duration | None = None
    digest_wait: Duration | None = None
    organiser_email: Email | None = None
    network_id: Annotated[str, msgspec.Meta(max_length=64)] | None = None  # an organiser's only; "" takes it out


class WorkshopCopyIn(Input):
    """A copy of the workshop under a new title, starting at `starts_at`: every time moves by the
    same offset of the local clock in the workshop's time zone."""

    title: Title
    starts_at: Aware


class WorkshopCreatedOut(WorkshopView, kw_only=True):
    """The new workshop, with what only its creator gets to see once."""

    facilitator_token: str
    console_url: str
    report_url: str


Capacity = Annotated[int, msgspec.Meta(ge=1, le=100_000)]
DotBudget = Annotated[int, msgspec.Meta(ge=1, le=50, description="dots per participant over the whole session")]
Unset = msgspec.UnsetType
UNSET = msgspec.UNSET


class SessionIn(Input):
    title: Title
    format: Format
    room: Room | None = None
    starts_at: Aware | None = None
    ends_at: Aware | None = None
    capacity: Capacity | None = None
    host: Name | None = None
    next_meeting_at: Aware | None = None
    require_table_code: bool = False
    dot_budget: DotBudget = 5
    group_id: Ident | None = None  # a working group of the workshop's network


class SessionPatchIn(Input):
    """A change of a session after planning: only the fields given change; null (or an empty
    room or host) empties a field that may be empty."""

    title: Title | Unset = UNSET
    room: Room | Unset | None = UNSET
    starts_at: Aware | Unset | None = UNSET
    ends_at: Aware | Unset | None = UNSET
    capacity: Capacity | Unset | None = UNSET
    host: Annotated[str, one_line(120, min_length=0), SINGLE_LINE] | Unset | None = UNSET
    next_meeting_at: Aware | Unset | None = UNSET
    dot_budget: DotBudget | Unset = UNSET
    group_id: Annotated[str, msgspec.Meta(max_length=64)] | Unset = UNSET  # "" takes it out of its group

    def given(self) -> dict[str, Any]:
        """The fields the body named, with their values."""
        return {name: value for name in self.__struct_fields__ if (value := getattr(self, name)) is not UNSET}


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
    privacy_version: Version | None = None
    table_code: Annotated[str, msgspec.Meta(max_length=32)] | None = None
    present: bool | None = None  # a facilitator adding a walk-in: the person is here (true)
    share_contact: bool = False
    wants_digest: bool = False


class AttendanceIn(Input):
    present: bool


class AttendanceOut(msgspec.Struct, kw_only=True):
    signup_id: str
    present: bool


class PersonRef(msgspec.Struct, kw_only=True):
    signup_id: str
    name: str | None


class ReleaseOut(msgspec.Struct, kw_only=True):
    """Who lost their place for not being there, and who got one from the waitlist."""

    released: list[PersonRef]
    promoted: list[PersonRef]


class LinkAgainIn(Input):
    email: Email


class SignupPatch(Input):
    newcomer: bool


class SignupOut(msgspec.Struct, kw_only=True):
    signup_id: str
    status: str
    waitlist_position: int | None
    participant_token: str | None
    newcomer: bool | None


class StatusOut(msgspec.Struct, kw_only=True):
    """Where a thing stands after a correction, e.g. a commitment `withdrawn` or `open`."""

    status: str


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


class CommitmentPatch(Input):
    """A correction of a commitment: only the fields given change."""

    text: Text | None = None
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
    count: Annotated[int, msgspec.Meta(ge=-5, le=5)]  # not 0: the rules refuse it


class OfferIn(Input):
    kind: OfferKind
    text: Text
    signup_id: Ident | None = None
    owner_name: Name | None = None
    owner_email: Email | None = None


Count = Annotated[int, msgspec.Meta(ge=0, le=100_000)]
DateIndex = Annotated[int, msgspec.Meta(ge=0, le=4)]


class AgendaIn(Input):
    title: Title
    minutes: Annotated[int, msgspec.Meta(ge=1, le=600)] | None = None


class DecisionIn(Input):
    text: Text
    yes: Count | None = None
    no: Count | None = None
    abstain: Count | None = None


class DatePollIn(Input):
    options: Annotated[list[Aware], msgspec.Meta(min_length=2, max_length=5)]


class DatePollVotesIn(Input):
    options: Annotated[list[DateIndex], msgspec.Meta(max_length=5)]


class DateFixIn(Input):
    option: DateIndex


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
    place: Short | None = None  # a room, an address, a phone number or a video link


class IntroSlotOut(msgspec.Struct, kw_only=True):
    id: str
    host_name: str | None
    host_email: str | None
    starts_at: datetime
    duration: str
    capacity: int
    language: Language
    place: str | None
    talks: int
    withdrawn: bool


class RoomIn(Input):
    name: Annotated[str, one_line(100), SINGLE_LINE]
    capacity: Annotated[int, msgspec.Meta(ge=1, le=100_000)]


class SlotIn(Input):
    starts_at: Aware
    ends_at: Aware


class GridIn(Input):
    """A barcamp's rooms (each with its capacity) and time slots (numbered from 0 as given)."""

    rooms: Annotated[list[RoomIn], msgspec.Meta(max_length=50)]
    slots: Annotated[list[SlotIn], msgspec.Meta(max_length=50)]


class ProposalIn(Input):
    title: Title
    description: Annotated[str, msgspec.Meta(max_length=1000)] | None = None
    proposer_signup_id: Ident | None = None  # the facilitator enters a proposal for someone
    proposer_name: Name | None = None  # or for someone by name, without a sign-up


class HandsIn(Input):
    count: Annotated[int, msgspec.Meta(ge=0, le=100_000)]


class PlaceIn(Input):
    room: Annotated[str, one_line(100), SINGLE_LINE]
    slot: Annotated[int, msgspec.Meta(ge=0, le=1000)]


class InterestOut(msgspec.Struct, kw_only=True):
    interest: int


class PlacedOut(msgspec.Struct, kw_only=True):
    proposal_id: str
    room: str
    slot: int


class UnplacedOut(msgspec.Struct, kw_only=True):
    proposal_id: str
    reason: str


class AutoPlacedOut(msgspec.Struct, kw_only=True):
    placed: list[PlacedOut]
    unplaced: list[UnplacedOut]


MemberRole = Literal["member", "speaker", "coordinator"]


class NetworkIn(Input):
    name: Title
    city: Short | None = None
    description: NoteText | None = None


class MemberIn(Input):
    """An organisation of the network's cooperation agreement; its contact person is personal data."""

    organisation: Title
    contact_name: Name | None = None
    contact_email: Email | None = None
    agreement_signed_at: date | None = None
    role: MemberRole = "member"


class MemberPatch(Input):
    """A change of a member: absent or null leaves a field as it is, but for the contact
    person's fields, where null empties the field (a contact with neither is erased)."""

    organisation: Title | None = None
    contact_name: Name | Unset | None = UNSET
    contact_email: Email | Unset | None = UNSET
    agreement_signed_at: date | None = None
    role: MemberRole | None = None


class GroupIn(Input):
    """A working group (Arbeitsgruppe) with its patron, who gets the group's digest."""

    title: Title
    patron_name: Name | None = None
    patron_email: Email | None = None


class GroupPatch(Input):
    """A change of a working group: absent leaves a field as it is; null empties a patron's field
    (a patron with neither name nor address is erased)."""

    title: Title | Unset = UNSET
    patron_name: Name | Unset | None = UNSET
    patron_email: Email | Unset | None = UNSET


class PostponeIn(Input):
    """A carried commitment's new due date."""

    due: date


class ReassignIn(Input):
    """Who takes a carried commitment over (typed: they need not be signed up anywhere)."""

    owner_name: Name
    owner_email: Email | None = None
