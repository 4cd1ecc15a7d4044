"""What someone asks a workshop to do. Commands carry every new id and secret hash they
need, so that deciding stays a pure function of state, command and time."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import msgspec

from service.domain.events import Format, GridRoom, GridSlot, Language, MailKind, OfferKind, Person, Phase


class Command(msgspec.Struct, frozen=True, kw_only=True):
    pass


class CreateWorkshop(Command, frozen=True, kw_only=True):
    workshop_id: str
    title: str
    starts_at: datetime
    ends_at: datetime
    timezone: str = "Europe/Berlin"
    location: str | None = None
    language: Language = "de"
    follow_up_after: timedelta = timedelta(days=3)
    intro_deadline: timedelta = timedelta(days=14)
    digest_wait: timedelta = timedelta(minutes=10)
    organiser: Person | None = None
    facilitator_token_hash: str
    login_code_hash: str
    network_id: str | None = None  # the network the workshop is a meeting of


class CloseWorkshop(Command, frozen=True, kw_only=True):
    pass


class ChangeWorkshop(Command, frozen=True, kw_only=True):
    """A change of the workshop's details: None leaves a field as it is; `location` "" clears it."""

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
    network_id: str | None = None  # "" takes the workshop out of its network (an organiser only)


class IssueConsoleLink(Command, frozen=True, kw_only=True):
    login_code_hash: str


class PlanSession(Command, frozen=True, kw_only=True):
    session_id: str
    title: str
    format: Format
    room: str | None = None
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    capacity: int | None = None
    host: str | None = None
    next_meeting_at: datetime | None = None
    table_code: str | None = None
    short_code: str | None = None
    dot_budget: int = 5
    group_id: str | None = None  # a working group of the workshop's network


class ChangeSession(Command, frozen=True, kw_only=True):
    """Set the fields given (None: leave it as it is); `cleared` names the fields to empty."""

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
    group_id: str | None = None  # "" takes the session out of its working group


class CancelSession(Command, frozen=True, kw_only=True):
    session_id: str


class SetTableCode(Command, frozen=True, kw_only=True):
    session_id: str
    table_code: str | None


class OpenSession(Command, frozen=True, kw_only=True):
    session_id: str


class CloseSession(Command, frozen=True, kw_only=True):
    session_id: str


class AdvancePhase(Command, frozen=True, kw_only=True):
    session_id: str
    phase: Phase


class RecordSignup(Command, frozen=True, kw_only=True):
    """A sign-up. `participant_id`, `person` and `token_hash` are for a new person; an e-mail
    address that already belongs to a participant of the workshop joins that person instead."""

    signup_id: str
    session_id: str
    participant_id: str
    person: Person
    email_hash: str | None = None
    newcomer: bool | None = None  # the person's own answer; None: not given
    email_seen_before: bool = False
    language: Language = "de"
    consent: bool
    token_hash: str | None = None
    privacy_version: str | None = None
    table_code: str | None = None
    present: bool = False  # a walk-in the facilitator adds: here, whether the session is open or not
    share_contact: bool = False
    wants_digest: bool = False


class MarkAttendance(Command, frozen=True, kw_only=True):
    signup_id: str
    present: bool


class ReleaseAbsent(Command, frozen=True, kw_only=True):
    """The places of confirmed people not marked present go to the waitlist."""

    session_id: str


class CorrectNewcomer(Command, frozen=True, kw_only=True):
    signup_id: str
    newcomer: bool


class WithdrawSignup(Command, frozen=True, kw_only=True):
    signup_id: str


class MakeCommitment(Command, frozen=True, kw_only=True):
    commitment_id: str
    session_id: str
    text: str
    signup_id: str | None = None
    owner: Person | None = None
    due: date | None = None


class CompleteCommitment(Command, frozen=True, kw_only=True):
    commitment_id: str


class CorrectCommitment(Command, frozen=True, kw_only=True):
    commitment_id: str
    text: str | None = None
    due: date | None = None
    signup_id: str | None = None
    owner: Person | None = None


class PostponeCommitment(Command, frozen=True, kw_only=True):
    """At a later meeting of the network: an open commitment gets a new due date (also when the
    meeting where it was made is closed)."""

    commitment_id: str
    due: date


class HandOverCommitment(Command, frozen=True, kw_only=True):
    """At a later meeting of the network: an open commitment goes to someone else (typed)."""

    commitment_id: str
    owner: Person


class WithdrawCommitment(Command, frozen=True, kw_only=True):
    commitment_id: str


class ReopenCommitment(Command, frozen=True, kw_only=True):
    commitment_id: str


class TakeNote(Command, frozen=True, kw_only=True):
    note_id: str
    session_id: str
    text: str
    phase: Phase | None = None


class AddCard(Command, frozen=True, kw_only=True):
    """`participant_id`: a participant adds it from their phone (a confirmed place, the session open)."""

    card_id: str
    session_id: str
    text: str
    participant_id: str | None = None


class VoteCard(Command, frozen=True, kw_only=True):
    """`participant_id`: the person's own dots, within the session's dot budget."""

    card_id: str
    count: int
    participant_id: str | None = None


class UndoMatch(Command, frozen=True, kw_only=True):
    match_id: str


class RemoveNote(Command, frozen=True, kw_only=True):
    note_id: str


class RemoveCard(Command, frozen=True, kw_only=True):
    """`participant_id`: a participant removes a card of their own."""

    card_id: str
    participant_id: str | None = None


class AttachPhoto(Command, frozen=True, kw_only=True):
    """A photo of a session (its image already checked, downscaled and stored by the caller)."""

    session_id: str
    photo_id: str
    content_type: str
    width: int
    height: int
    size: int


class RemovePhoto(Command, frozen=True, kw_only=True):
    session_id: str
    photo_id: str


class RemoveOffer(Command, frozen=True, kw_only=True):
    """`participant_id`: a participant removes an offer or request of their own."""

    offer_id: str
    participant_id: str | None = None


class PostOffer(Command, frozen=True, kw_only=True):
    offer_id: str
    session_id: str
    kind: OfferKind
    text: str
    signup_id: str | None = None
    owner: Person | None = None
    participant_id: str | None = None  # posted from a participant's phone: the owner is themselves


class MakeMatch(Command, frozen=True, kw_only=True):
    match_id: str
    offer_id: str
    request_id: str
    commitment_ids: tuple[str, str]


class AddAgendaItem(Command, frozen=True, kw_only=True):
    session_id: str
    item_id: str
    title: str
    minutes: int | None = None


class StartAgendaItem(Command, frozen=True, kw_only=True):
    session_id: str
    item_id: str


class RecordDecision(Command, frozen=True, kw_only=True):
    session_id: str
    decision_id: str
    text: str
    yes: int | None = None
    no: int | None = None
    abstain: int | None = None


class OpenDatePoll(Command, frozen=True, kw_only=True):
    session_id: str
    options: tuple[datetime, ...]


class AnswerDatePoll(Command, frozen=True, kw_only=True):
    session_id: str
    participant_id: str
    options: tuple[int, ...]


class FixDate(Command, frozen=True, kw_only=True):
    session_id: str
    option: int


class OfferIntroSlot(Command, frozen=True, kw_only=True):
    slot_id: str
    host: Person
    starts_at: datetime
    duration: timedelta = timedelta(minutes=30)
    capacity: int = 1
    language: Language = "de"
    place: str | None = None


class WithdrawIntroSlot(Command, frozen=True, kw_only=True):
    slot_id: str


class StopMails(Command, frozen=True, kw_only=True):
    """One kind of the workshop's mails is not to go to this address (keyed hash) any more."""

    email_hash: str
    kind: MailKind
    subjects: tuple[str, ...] = ()


class ErasePerson(Command, frozen=True, kw_only=True):
    subject: str
    tombstone: str | None = None  # the same in every meeting of a network the person is erased from


class ExpirePersonalData(Command, frozen=True, kw_only=True):
    """Retention: erase everyone the workshop names, `retention` after it ended."""

    retention: timedelta


class SignInFacilitator(Command, frozen=True, kw_only=True):
    login_code_hash: str
    token_hash: str


class EndEarlierLinks(Command, frozen=True, kw_only=True):
    """The person keeps only the personal link `token_hash`; every earlier one stops working."""

    participant_id: str
    token_hash: str


class RotateFacilitatorToken(Command, frozen=True, kw_only=True):
    token_hash: str
    login_code_hash: str


class CopyWorkshop(Command, frozen=True, kw_only=True):
    """A new workshop made from another: created, with these sessions and intro slots planned
    in the same append (their times already shifted, their ids new; see domain/copies.py)."""

    create: CreateWorkshop
    sessions: tuple[PlanSession, ...] = ()
    intro_slots: tuple[OfferIntroSlot, ...] = ()


class SetGrid(Command, frozen=True, kw_only=True):
    """The barcamp's rooms and time slots."""

    rooms: tuple[GridRoom, ...]
    slots: tuple[GridSlot, ...]


class MakeProposal(Command, frozen=True, kw_only=True):
    """A pitch: by a participant (`proposer_id`) or for one (`signup_id`), or the facilitator's own."""

    proposal_id: str
    title: str
    description: str | None = None
    proposer_id: str | None = None
    signup_id: str | None = None
    proposer: Person | None = None  # typed by the facilitator: someone without a sign-up


class WithdrawProposal(Command, frozen=True, kw_only=True):
    proposal_id: str


class ShowInterest(Command, frozen=True, kw_only=True):
    proposal_id: str
    participant_id: str


class WithdrawInterest(Command, frozen=True, kw_only=True):
    proposal_id: str
    participant_id: str


class CountHands(Command, frozen=True, kw_only=True):
    proposal_id: str
    count: int


class PlaceProposal(Command, frozen=True, kw_only=True):
    """Place a proposal into a cell of the grid; a placed one moves. The new session (first
    placement only) gets `session_id` and `short_code`."""

    proposal_id: str
    room: str
    slot: int
    session_id: str
    short_code: str | None = None


class UnplaceProposal(Command, frozen=True, kw_only=True):
    """Take a placed proposal out of the grid: its session is cancelled, the proposal waits again."""

    proposal_id: str


class PlaceAutomatically(Command, frozen=True, kw_only=True):
    """Place every proposal not placed yet (`service.domain.placement`). The sessions it plans take
    their ids and short codes from the front of these pools."""

    session_ids: tuple[str, ...]
    short_codes: tuple[str, ...] = ()


class LeaveGroup(Command, frozen=True, kw_only=True):
    """A participant leaves a working group (from their personal page)."""

    participant_id: str
    group_id: str
