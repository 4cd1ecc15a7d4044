"""The state of one workshop, folded from its events.

State objects are plain mutable dataclasses: `evolve` updates them in place, because a
large workshop holds tens of thousands of sign-ups and copying them per event would be
quadratic. Whoever holds a state must not share it across concurrent deciders.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Literal

from service.domain.events import Format, GridRoom, GridSlot, Language, MailKind, OfferKind, Person, Phase

SessionStatus = Literal["planned", "open", "closed", "cancelled"]
SignupStatus = Literal["confirmed", "waitlisted", "withdrawn"]
CommitmentStatus = Literal["open", "done", "withdrawn"]
ProposalStatus = Literal["proposed", "placed", "withdrawn"]


@dataclass(slots=True)
class AgendaItemState:
    id: str
    title: str
    minutes: int | None
    added_at: datetime
    started_at: datetime | None = None


@dataclass(slots=True)
class DecisionState:
    id: str
    text: str
    yes: int | None
    no: int | None
    abstain: int | None
    recorded_at: datetime


@dataclass(slots=True)
class PhotoState:
    """A photo of the session; its image is in the photo store, under the workshop and this id."""

    id: str
    content_type: str
    width: int
    height: int
    size: int
    attached_at: datetime


@dataclass(slots=True)
class DatePollState:
    options: tuple[datetime, ...]
    opened_at: datetime
    answers: dict[str, tuple[int, ...]] = field(default_factory=dict)  # participant id → options they can make
    fixed: int | None = None


@dataclass(slots=True)
class SessionState:
    id: str
    title: str
    format: Format
    room: str | None
    starts_at: datetime | None
    ends_at: datetime | None
    capacity: int | None
    host: str | None
    next_meeting_at: datetime | None
    planned_at: datetime
    table_code: str | None = None
    short_code: str = ""
    dot_budget: int = 5
    group_id: str | None = None  # the network's working group this session is a meeting of
    sequence: int = 0  # the calendar entry's SEQUENCE: rises with each new time or room, and with a cancellation
    status: SessionStatus = "planned"
    phase: Phase | None = None
    opened_at: datetime | None = None
    closed_at: datetime | None = None
    cancelled_at: datetime | None = None
    confirmed: list[str] = field(default_factory=list)
    waitlist: list[str] = field(default_factory=list)
    signups: list[str] = field(default_factory=list)
    commitments: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    cards: list[str] = field(default_factory=list)
    offers: list[str] = field(default_factory=list)
    signups_by_email: dict[str, list[str]] = field(default_factory=dict)  # keyed e-mail hash → sign-ups here
    dots: dict[str, dict[str, int]] = field(default_factory=dict)  # participant id → card id → their dots
    agenda: list[AgendaItemState] = field(default_factory=list)
    current_item: str | None = None
    decisions: list[DecisionState] = field(default_factory=list)
    date_poll: DatePollState | None = None
    photos: dict[str, PhotoState] = field(default_factory=dict)  # in the order attached
    proposal_id: str | None = None  # a barcamp session placed from a proposal: its host is the proposer

    def has_room(self) -> bool:
        return self.capacity is None or len(self.confirmed) < self.capacity

    def takes_signups(self) -> bool:
        return self.status in ("planned", "open")


@dataclass(slots=True)
class SignupState:
    id: str
    session_id: str
    participant_id: str
    person: Person
    email_hash: str | None
    newcomer: bool | None  # the answer given with this sign-up (or corrected since); None: unknown
    status: SignupStatus
    language: Language
    recorded_at: datetime
    privacy_version: str | None = None
    withdrawn_at: datetime | None = None
    promoted_at: datetime | None = None
    present: bool | None = None  # None: not marked (a sign-up while the session is open is present)
    released_at: datetime | None = None  # their place went to the waitlist: not there at the start
    share_contact: bool = False
    wants_digest: bool = False


def present(signup: SignupState, session: SessionState) -> bool:
    """Whether the person came: as the facilitator marked them, else whether they signed up
    while the session was open."""
    if signup.present is not None:
        return signup.present
    return session.opened_at is not None and signup.recorded_at >= session.opened_at


def joined_at(signup: SignupState) -> datetime:
    """When a confirmed sign-up put its person into the session (and into its working group):
    when it was recorded, or when its person moved up from the waitlist."""
    return signup.promoted_at or signup.recorded_at


@dataclass(slots=True)
class ParticipantState:
    """One person in a workshop: one e-mail address (by its keyed hash), however many sign-ups."""

    id: str
    person: Person
    email_hash: str | None = None
    newcomer: bool | None = None  # their latest answer, or the facilitator's correction; None: unknown
    token_hashes: set[str] = field(default_factory=set)
    signups: list[str] = field(default_factory=list)
    tombstone: str | None = None  # once erased across a network: the random id all their meetings share


@dataclass(slots=True)
class CommitmentState:
    id: str
    session_id: str
    owner: Person
    signup_id: str | None
    text: str
    due: date | None
    made_at: datetime
    match_id: str | None = None
    status: CommitmentStatus = "open"
    completed_at: datetime | None = None


@dataclass(slots=True)
class NoteState:
    id: str
    session_id: str
    text: str
    phase: Phase | None
    taken_at: datetime


@dataclass(slots=True)
class CardState:
    id: str
    session_id: str
    phase: Phase
    text: str
    added_at: datetime
    votes: int = 0
    participant_id: str | None = None  # who added it from their phone


@dataclass(slots=True)
class OfferState:
    id: str
    session_id: str
    kind: OfferKind
    text: str
    owner: Person | None
    signup_id: str | None
    posted_at: datetime
    match_id: str | None = None


@dataclass(slots=True)
class MatchState:
    id: str
    offer_id: str
    request_id: str
    made_at: datetime
    commitment_ids: list[str] = field(default_factory=list)


@dataclass(slots=True)
class IntroSlotState:
    id: str
    host: Person
    starts_at: datetime
    duration: timedelta
    capacity: int
    language: Language
    offered_at: datetime
    place: str | None = None
    withdrawn: bool = False
    talks: set[str] = field(default_factory=set)  # participant ids


@dataclass(slots=True)
class IntroTalkState:
    participant_id: str
    slot_id: str | None
    sequence: int
    changed_at: datetime
    reason: str | None = None
    previous_slot_id: str | None = None


@dataclass(slots=True)
class ProposalState:
    """A barcamp proposal; `interest` is the larger of the phones' and the hands' count."""

    id: str
    title: str
    description: str | None
    proposer_id: str | None
    signup_id: str | None
    made_at: datetime
    proposer: Person | None = None  # a proposer named by the facilitator, without a sign-up
    status: ProposalStatus = "proposed"
    interested: set[str] = field(default_factory=set)  # participant ids
    hands: int = 0
    session_id: str | None = None
    room: str | None = None
    slot: int | None = None

    @property
    def interest(self) -> int:
        return max(len(self.interested), self.hands)


@dataclass(slots=True)
class WorkshopState:
    """Everything a workshop knows. `version` is the log position of the last event folded."""

    id: str
    version: int = 0
    exists: bool = False
    title: str = ""
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    timezone: str = "Europe/Berlin"
    location: str | None = None
    language: Language = "de"
    follow_up_after: timedelta = timedelta(days=3)
    intro_deadline: timedelta = timedelta(days=14)
    digest_wait: timedelta = timedelta(minutes=10)
    organiser_email: str | None = None
    organiser: Person | None = None
    status: Literal["planned", "closed"] = "planned"
    created_at: datetime | None = None
    closed_at: datetime | None = None
    facilitator_token_hashes: set[str] = field(default_factory=set)
    login_code_hashes: set[str] = field(default_factory=set)
    sessions: dict[str, SessionState] = field(default_factory=dict)
    signups: dict[str, SignupState] = field(default_factory=dict)
    participants: dict[str, ParticipantState] = field(default_factory=dict)
    participants_by_email: dict[str, str] = field(default_factory=dict)  # keyed e-mail hash → participant id
    commitments: dict[str, CommitmentState] = field(default_factory=dict)
    notes: dict[str, NoteState] = field(default_factory=dict)
    cards: dict[str, CardState] = field(default_factory=dict)
    offers: dict[str, OfferState] = field(default_factory=dict)
    # owners no view shows any more (a removed offer's, a corrected commitment's): still erasable
    former_owners: list[Person] = field(default_factory=list)
    matches: dict[str, MatchState] = field(default_factory=dict)
    intro_slots: dict[str, IntroSlotState] = field(default_factory=dict)
    intro_talks: dict[str, IntroTalkState] = field(default_factory=dict)  # by participant id
    # (kind, keyed e-mail hash) of mails not to send → the subjects with that address
    mail_stops: dict[tuple[MailKind, str], tuple[str, ...]] = field(default_factory=dict)
    # the barcamp's session grid and its proposals
    rooms: tuple[GridRoom, ...] = ()
    slots: tuple[GridSlot, ...] = ()
    proposals: dict[str, ProposalState] = field(default_factory=dict)
    network_id: str | None = None  # the network the workshop is a meeting of
    left_groups: dict[tuple[str, str], datetime] = field(default_factory=dict)  # (participant, group) → last left


def groups_of(workshop: WorkshopState, participant_id: str) -> list[str]:
    """The working groups a participant of a workshop is in there: those of the sessions they
    have a confirmed place in, unless they left the group after they last joined it."""
    participant = workshop.participants.get(participant_id)
    if participant is None:
        return []
    joined: dict[str, datetime] = {}
    for signup_id in participant.signups:
        signup = workshop.signups[signup_id]
        group_id = workshop.sessions[signup.session_id].group_id
        if signup.status == "confirmed" and group_id is not None:
            joined[group_id] = max(joined_at(signup), joined.get(group_id, joined_at(signup)))
    return sorted(
        group_id
        for group_id, at in joined.items()
        if (left := workshop.left_groups.get((participant_id, group_id))) is None or at > left
    )
