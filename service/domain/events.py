"""The facts of a workshop: frozen, keyword-only, tagged msgspec Structs in one union.

Events are named in the past tense and only ever gain fields with defaults; a field never
changes type. Each event type has a version `v` (`Event.v`, from 1), raised when it gains a
field, so a reader of the stream knows which fields to expect (docs/events.md). Personal
data (name, e-mail, organisation) lives only in `Person`, which the storage codec seals
before anything reaches Redis.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from typing import ClassVar, Literal

import msgspec

Format = Literal["thementisch", "runder_tisch", "zukunftswerkstatt", "barcamp", "marktplatz"]
Phase = Literal["kritik", "phantasie", "verwirklichung"]
PlacementStatus = Literal["confirmed", "waitlisted"]
OfferKind = Literal["offer", "request"]
Language = Literal["de", "en"]
MailKind = Literal["reminders", "intro_talks", "digests", "waitlist"]  # mails a reader can stop

PHASES: tuple[Phase, ...] = ("kritik", "phantasie", "verwirklichung")


class Person:
    """A person's personal fields, kept together so that they can be sealed as one.

    `subject` is the id the sealing key belongs to (a participant or a named owner). A person
    whose key was erased decodes with every personal field set to None. `email_hash` is the
    keyed hash of the e-mail (newcomer detection, one sign-up per address and session): sealed
    with the rest, so that no one can tell an erased person's address by its hash. `place` is
    where an intro talk's host meets newcomers (it may be their home or phone): sealed likewise.
    """

    __slots__ = ("email", "email_hash", "name", "organisation", "place", "subject")

    def __init__(
        self,
        subject: str,
        name: str | None,
        email: str | None = None,
        organisation: str | None = None,
        email_hash: str | None = None,
        place: str | None = None,
    ) -> None:
        self.subject = subject
        self.name = name
        self.email = email
        self.organisation = organisation
        self.email_hash = email_hash
        self.place = place

    def with_email_hash(self, email_hash: str | None) -> Person:
        return Person(self.subject, self.name, self.email, self.organisation, email_hash, self.place)

    @property
    def erased(self) -> bool:
        return (
            self.name is None
            and self.email is None
            and self.organisation is None
            and self.email_hash is None
            and self.place is None
        )

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Person) and (
            (self.subject, self.name, self.email, self.organisation, self.email_hash, self.place)
            == (other.subject, other.name, other.email, other.organisation, other.email_hash, other.place)
        )

    def __hash__(self) -> int:
        return hash(self.subject)

    def __repr__(self) -> str:
        return f"Person(subject={self.subject!r}, erased={self.erased})"


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


class Event(msgspec.Struct, frozen=True, kw_only=True, tag=_snake, tag_field="type"):
    """Base of every event: when it happened, by the injected clock."""

    v: ClassVar[int] = 1  # the version of the event type: raised with each field it gains
    at: datetime


class WorkshopCreated(Event, frozen=True, kw_only=True):
    v: ClassVar[int] = 2  # 2: digest_wait
    workshop_id: str
    title: str
    starts_at: datetime
    ends_at: datetime
    timezone: str = "Europe/Berlin"
    location: str | None = None
    language: Language = "de"
    follow_up_after: timedelta = timedelta(days=3)
    intro_deadline: timedelta = timedelta(days=14)
    # how long after a session's close its digest waits for more closes, to go out in one mail
    digest_wait: timedelta = timedelta(minutes=10)
    organiser_email: str | None = None  # unused since `organiser`; kept so old logs still decode
    facilitator_token_hash: str
    login_code_hash: str
    organiser: Person | None = None  # the organisers' contact address, sealed like anyone's


class FacilitatorTokensRotated(Event, frozen=True, kw_only=True):
    """Every facilitator token, login code and device sign-in of the workshop stops working
    but this token and this login code (logs from before the code was rotated have none)."""

    token_hash: str
    login_code_hash: str | None = None


class WorkshopChanged(Event, frozen=True, kw_only=True):
    """A facilitator or organiser changed the workshop's details; only the fields given change
    (`location` "" takes the place away). A new `organiser` keeps the organisers' subject."""

    title: str | None = None
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    timezone: str | None = None
    location: str | None = None
    language: Language | None = None
    follow_up_after: timedelta | None = None
    intro_deadline: timedelta | None = None
    digest_wait: timedelta | None = None
    organiser: Person | None = None


class ConsoleLinkIssued(Event, frozen=True, kw_only=True):
    """One more console link for the workshop (an organiser hands the console to a tablet);
    earlier links keep working until the facilitator tokens are rotated."""

    login_code_hash: str


class FacilitatorSignedIn(Event, frozen=True, kw_only=True):
    """A device signed in with the workshop's login code and got a token of its own."""

    token_hash: str


class WorkshopClosed(Event, frozen=True, kw_only=True):
    pass


class SessionPlanned(Event, frozen=True, kw_only=True):
    v: ClassVar[int] = 2  # 2: dot_budget

    session_id: str
    title: str
    format: Format
    room: str | None = None
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    capacity: int | None = None
    host: str | None = None
    next_meeting_at: datetime | None = None
    table_code: str | None = None  # when set, a sign-up must bring it (the QR code and link carry it)
    short_code: str | None = None  # the code of its short link; None before sessions carried one
    dot_budget: int = 5  # the dots each participant may give over the whole session


class SessionChanged(Event, frozen=True, kw_only=True):
    """A facilitator changed a planned or open session after planning: only the fields that changed
    carry a value; `cleared` names the fields that have none any more (no room, no capacity limit).
    `sequence` is the session's calendar SEQUENCE after the change: it rises with a new time or room,
    and then everyone signed up gets the updated entry."""

    session_id: str
    title: str | None = None
    room: str | None = None
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    capacity: int | None = None
    host: str | None = None
    next_meeting_at: datetime | None = None
    dot_budget: int | None = None
    cleared: tuple[str, ...] = ()
    sequence: int = 0


class SessionCancelled(Event, frozen=True, kw_only=True):
    """The session will not take place: no more sign-ups, everyone signed up is told, its calendar
    entry is cancelled (`sequence` is the cancellation's SEQUENCE)."""

    session_id: str
    sequence: int = 1


class TableCodeChanged(Event, frozen=True, kw_only=True):
    """The session's table code: required from now on (a new code), or no longer (None)."""

    session_id: str
    table_code: str | None = None


class SessionOpened(Event, frozen=True, kw_only=True):
    session_id: str


class PhaseAdvanced(Event, frozen=True, kw_only=True):
    session_id: str
    phase: Phase


class SessionClosed(Event, frozen=True, kw_only=True):
    session_id: str


class SignupRecorded(Event, frozen=True, kw_only=True):
    signup_id: str
    session_id: str
    participant_id: str
    person: Person
    email_hash: str | None = None
    newcomer: bool
    status: PlacementStatus
    language: Language = "de"
    consent: bool = True
    token_hash: str | None = None
    privacy_version: str | None = None  # the privacy notice consented to
    newcomer_known: bool = True  # False: nobody said whether the person is new (then `newcomer` is False)
    share_contact: bool = False  # after the session, exchange contacts with the others present who chose it
    wants_digest: bool = False  # after the session, mail the person the digest for participants


class NewcomerCorrected(Event, frozen=True, kw_only=True):
    """The facilitator says whether a person is new to the network (all their sign-ups here)."""

    participant_id: str
    newcomer: bool


class ParticipantLinkIssued(Event, frozen=True, kw_only=True):
    """A personal link (a participant token) was made for a mail; only its hash is kept."""

    participant_id: str
    token_hash: str


class EarlierLinksEnded(Event, frozen=True, kw_only=True):
    """Every earlier personal link (participant token) of the person stops working but this one."""

    participant_id: str
    token_hash: str


class SignupWithdrawn(Event, frozen=True, kw_only=True):
    signup_id: str


class AttendanceMarked(Event, frozen=True, kw_only=True):
    """The facilitator says whether a person came. A sign-up made while its session is open
    counts as present without this mark."""

    signup_id: str
    present: bool


class PlaceReleased(Event, frozen=True, kw_only=True):
    """A confirmed person was not there when the session started: their place went to the
    waitlist (the promotions follow as their own events). The sign-up counts as withdrawn."""

    signup_id: str


class WaitlistPromoted(Event, frozen=True, kw_only=True):
    signup_id: str


class CommitmentMade(Event, frozen=True, kw_only=True):
    commitment_id: str
    session_id: str
    owner: Person
    signup_id: str | None = None
    text: str
    due: date | None = None
    match_id: str | None = None


class CommitmentCompleted(Event, frozen=True, kw_only=True):
    commitment_id: str


class CommitmentCorrected(Event, frozen=True, kw_only=True):
    """A facilitator corrected what was typed; only the fields given change. A new owner comes
    with their sign-up (`signup_id`) or typed (`signup_id` None)."""

    commitment_id: str
    text: str | None = None
    due: date | None = None
    owner: Person | None = None
    signup_id: str | None = None


class CommitmentWithdrawn(Event, frozen=True, kw_only=True):
    """A facilitator took a commitment back: no reminder goes out, reports leave it out."""

    commitment_id: str


class CommitmentReopened(Event, frozen=True, kw_only=True):
    """A withdrawn or done commitment is open again."""

    commitment_id: str


class NoteTaken(Event, frozen=True, kw_only=True):
    note_id: str
    session_id: str
    text: str
    phase: Phase | None = None


class CardAdded(Event, frozen=True, kw_only=True):
    """A card, by the facilitator or (`participant_id`) by a participant from their phone."""

    card_id: str
    session_id: str
    phase: Phase
    text: str
    participant_id: str | None = None


class CardVoted(Event, frozen=True, kw_only=True):
    """Dots given (count > 0) or taken back; `participant_id`: the person's own dots, within
    the session's dot budget (None: the facilitator's, for the room)."""

    card_id: str
    count: int
    participant_id: str | None = None


class NoteRemoved(Event, frozen=True, kw_only=True):
    """A facilitator took a note back: gone from the session, its digest and the report."""

    note_id: str


class CardRemoved(Event, frozen=True, kw_only=True):
    """A facilitator took a card back, with its dots."""

    card_id: str


class OfferRemoved(Event, frozen=True, kw_only=True):
    """A facilitator took an unmatched offer or request back."""

    offer_id: str


class PhotoAttached(Event, frozen=True, kw_only=True):
    """A photo (of a flipchart) attached to a session. The image itself is kept outside the log,
    sealed (service/store/photos.py); the log records only that it exists."""

    session_id: str
    photo_id: str
    content_type: str
    width: int
    height: int
    size: int


class PhotoRemoved(Event, frozen=True, kw_only=True):
    """A facilitator deleted a session's photo; its image is deleted with it."""

    session_id: str
    photo_id: str


class OfferPosted(Event, frozen=True, kw_only=True):
    offer_id: str
    session_id: str
    kind: OfferKind
    text: str
    owner: Person | None = None
    signup_id: str | None = None


class MatchMade(Event, frozen=True, kw_only=True):
    match_id: str
    offer_id: str
    request_id: str


class MatchUndone(Event, frozen=True, kw_only=True):
    """A facilitator took a match back: its offer and request are open again (its commitments
    are withdrawn by their own events, just before)."""

    match_id: str


class AgendaItemAdded(Event, frozen=True, kw_only=True):
    """A round table's agenda item, with its time box in minutes."""

    session_id: str
    item_id: str
    title: str
    minutes: int | None = None


class AgendaItemStarted(Event, frozen=True, kw_only=True):
    """The agenda item now under discussion (highlighted on console and projector)."""

    session_id: str
    item_id: str


class DecisionRecorded(Event, frozen=True, kw_only=True):
    """What a round table decided, with the votes when counted."""

    session_id: str
    decision_id: str
    text: str
    yes: int | None = None
    no: int | None = None
    abstain: int | None = None


class DatePollOpened(Event, frozen=True, kw_only=True):
    """The dates for the next meeting that participants choose from (2 to 5); replaces an open poll."""

    session_id: str
    options: tuple[datetime, ...]


class DatePollAnswered(Event, frozen=True, kw_only=True):
    """The options (indices) a participant can make; their earlier answer is replaced."""

    session_id: str
    participant_id: str
    options: tuple[int, ...]


class DateFixed(Event, frozen=True, kw_only=True):
    """The facilitator fixed the next meeting: every confirmed person gets an invitation."""

    session_id: str
    option: int
    next_meeting_at: datetime


class IntroSlotOffered(Event, frozen=True, kw_only=True):
    """A host offers a time for intro talks with newcomers."""

    slot_id: str
    host: Person
    starts_at: datetime
    duration: timedelta = timedelta(minutes=30)
    capacity: int = 1
    language: Language = "de"
    # where the talk happens (a room, an address, a phone or video link): since it may be the
    # host's home, it is sealed in `host.place`; only slots offered before that carry it here
    place: str | None = None


class IntroSlotWithdrawn(Event, frozen=True, kw_only=True):
    slot_id: str


class IntroTalkScheduled(Event, frozen=True, kw_only=True):
    """A newcomer's intro talk got a slot; `sequence` rises each time it moves."""

    participant_id: str
    slot_id: str
    sequence: int = 0
    previous_slot_id: str | None = None


class IntroTalkCancelled(Event, frozen=True, kw_only=True):
    """A newcomer's talk has no slot any more (the slot went, or they are no newcomer here now)."""

    participant_id: str
    slot_id: str
    sequence: int
    reason: str


class MailsStopped(Event, frozen=True, kw_only=True):
    """Someone stopped one kind of this workshop's mails to their address (keyed hash only);
    `subjects` are the people of the workshop with that address, so erasing one forgets it.
    The hash is sealed in `who` (the first of them), so that after their erasure the log holds no
    readable hash of their address; `email_hash` in clear only when no person has the address."""

    email_hash: str = ""
    kind: MailKind
    subjects: tuple[str, ...] = ()
    who: Person | None = None


class GridRoom(msgspec.Struct, frozen=True, kw_only=True):
    """A room of a barcamp's session grid."""

    name: str
    capacity: int


class GridSlot(msgspec.Struct, frozen=True, kw_only=True):
    """A time slot of a barcamp's session grid (numbered from 0 in the order given)."""

    starts_at: datetime
    ends_at: datetime


class GridSet(Event, frozen=True, kw_only=True):
    """The barcamp's rooms (with capacity) and time slots: the cells sessions are placed in."""

    rooms: tuple[GridRoom, ...]
    slots: tuple[GridSlot, ...]


class ProposalMade(Event, frozen=True, kw_only=True):
    """A barcamp session was pitched. The proposer is a participant of the workshop (by reference,
    so their name is sealed and erased with them), a person the facilitator named by typing
    (`proposer`, sealed, no sign-up needed), or nobody (the facilitator's own idea)."""

    v: ClassVar[int] = 2  # 2: proposer
    proposal_id: str
    title: str
    description: str | None = None
    proposer_id: str | None = None  # a participant id
    signup_id: str | None = None  # the proposer's sign-up it was made with or for
    proposer: Person | None = None  # a proposer by name only, entered by the facilitator


class ProposalWithdrawn(Event, frozen=True, kw_only=True):
    proposal_id: str


class InterestShown(Event, frozen=True, kw_only=True):
    """A participant wants to go to a proposed session (once per person)."""

    proposal_id: str
    participant_id: str


class InterestWithdrawn(Event, frozen=True, kw_only=True):
    proposal_id: str
    participant_id: str


class HandsCounted(Event, frozen=True, kw_only=True):
    """The hands raised for a proposal at the pitch; its interest is the larger of this and the phones'."""

    proposal_id: str
    count: int


class ProposalPlaced(Event, frozen=True, kw_only=True):
    """A proposal's session is in this room and slot (the first placement plans the session just
    before; a later one moves it, with the cell's times and capacity, and the calendar entry's
    new `sequence`: the move is mailed as any change of time or room is)."""

    v: ClassVar[int] = 2  # 2: sequence
    proposal_id: str
    session_id: str
    room: str
    slot: int
    starts_at: datetime
    ends_at: datetime
    capacity: int
    moved: bool = False
    sequence: int | None = None  # a move: the session's calendar SEQUENCE from now on


class ProposalUnplaced(Event, frozen=True, kw_only=True):
    """A placed proposal was taken out of the grid again: it is proposed once more; its session
    was cancelled just before (everyone signed up is told), a new placement plans a new one."""

    proposal_id: str
    session_id: str


class WorkshopNetworkSet(Event, frozen=True, kw_only=True):
    """An organiser put the workshop into a network (`network_id`), or took it out (None)."""

    network_id: str | None = None


class SessionGroupNamed(Event, frozen=True, kw_only=True):
    """The session is a meeting of a working group of the workshop's network (None: no more);
    its confirmed people join the group."""

    session_id: str
    group_id: str | None = None


class GroupLeft(Event, frozen=True, kw_only=True):
    """A participant left a working group from their personal page."""

    participant_id: str
    group_id: str


MemberRole = Literal["member", "speaker", "coordinator"]


class NetworkCreated(Event, frozen=True, kw_only=True):
    """A network of workshops: its own aggregate with its own log (the first event there)."""

    network_id: str
    name: str
    city: str | None = None
    description: str | None = None


class NetworkMemberAdded(Event, frozen=True, kw_only=True):
    """An organisation joined the network's cooperation agreement; its contact person is
    personal data, sealed like anyone's."""

    member_id: str
    organisation: str
    role: MemberRole = "member"
    agreement_signed_at: date | None = None
    contact: Person | None = None


class NetworkMemberChanged(Event, frozen=True, kw_only=True):
    """Only the fields given change; a new `contact` takes the place of the old one."""

    member_id: str
    organisation: str | None = None
    role: MemberRole | None = None
    agreement_signed_at: date | None = None
    contact: Person | None = None


class NetworkMemberRemoved(Event, frozen=True, kw_only=True):
    member_id: str


class WorkingGroupFormed(Event, frozen=True, kw_only=True):
    """A working group (Arbeitsgruppe) under the network's roof, with its patron."""

    group_id: str
    title: str
    patron: Person | None = None


class WorkingGroupChanged(Event, frozen=True, kw_only=True):
    """Only the fields given change; a new `patron` takes the place of the old one (whose
    personal data is erased in the same batch)."""

    group_id: str
    title: str | None = None
    patron: Person | None = None


class WorkingGroupEnded(Event, frozen=True, kw_only=True):
    """The working group is over: its patron is erased with it; sessions that named it stay."""

    group_id: str


class PersonErased(Event, frozen=True, kw_only=True):
    """The tombstone of an erased person: their personal fields are gone from every view;
    what they did (sign-ups, commitments) stays, without their name. `tombstone`: a random id
    the erasure of one person across a network's meetings gives each of them, so that the network
    report still counts them once (it is not derived from their address)."""

    subject: str
    tombstone: str | None = None


AnyEvent = (
    WorkshopCreated
    | WorkshopClosed
    | WorkshopChanged
    | ConsoleLinkIssued
    | FacilitatorSignedIn
    | FacilitatorTokensRotated
    | SessionPlanned
    | SessionOpened
    | PhaseAdvanced
    | SessionClosed
    | SessionChanged
    | SessionCancelled
    | TableCodeChanged
    | SignupRecorded
    | NewcomerCorrected
    | ParticipantLinkIssued
    | EarlierLinksEnded
    | SignupWithdrawn
    | WaitlistPromoted
    | AttendanceMarked
    | PlaceReleased
    | CommitmentMade
    | CommitmentCompleted
    | CommitmentCorrected
    | CommitmentWithdrawn
    | CommitmentReopened
    | NoteTaken
    | CardAdded
    | CardVoted
    | OfferPosted
    | NoteRemoved
    | CardRemoved
    | OfferRemoved
    | PhotoAttached
    | PhotoRemoved
    | MatchMade
    | MatchUndone
    | AgendaItemAdded
    | AgendaItemStarted
    | DecisionRecorded
    | DatePollOpened
    | DatePollAnswered
    | DateFixed
    | IntroSlotOffered
    | IntroSlotWithdrawn
    | IntroTalkScheduled
    | IntroTalkCancelled
    | MailsStopped
    | GridSet
    | ProposalMade
    | ProposalWithdrawn
    | InterestShown
    | InterestWithdrawn
    | HandsCounted
    | ProposalPlaced
    | WorkshopNetworkSet
    | SessionGroupNamed
    | GroupLeft
    | NetworkCreated
    | NetworkMemberAdded
    | NetworkMemberChanged
    | NetworkMemberRemoved
    | WorkingGroupFormed
    | WorkingGroupChanged
    | WorkingGroupEnded
    | ProposalUnplaced
    | PersonErased
)


NETWORK_EVENTS: tuple[type[Event], ...] = (
    NetworkCreated,
    NetworkMemberAdded,
    NetworkMemberChanged,
    NetworkMemberRemoved,
    WorkingGroupFormed,
    WorkingGroupChanged,
    WorkingGroupEnded,
)
"""The events of a network's own log (domain/network.py), not of a workshop's."""


def event_type(event: Event) -> str:
    """The tag an event is stored and streamed under, e.g. `signup_recorded`."""
    return _snake(type(event).__name__)
