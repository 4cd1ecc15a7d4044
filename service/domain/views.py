"""Read models folded from workshop state: what facilitators, participants and the public see.

These are not events and not request schemas; the API returns them as JSON. Links are
built from a `Links` value the edge passes in, so this module stays pure.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

import msgspec

from service.domain import effects
from service.domain.events import (
    AgendaItemAdded,
    AgendaItemStarted,
    AttendanceMarked,
    CardAdded,
    CardRemoved,
    CardVoted,
    CommitmentCompleted,
    CommitmentCorrected,
    CommitmentMade,
    CommitmentReopened,
    CommitmentWithdrawn,
    ConsoleLinkIssued,
    DateFixed,
    DatePollAnswered,
    DatePollOpened,
    DecisionRecorded,
    EarlierLinksEnded,
    Event,
    FacilitatorSignedIn,
    FacilitatorTokensRotated,
    Format,
    GridSet,
    GroupLeft,
    HandsCounted,
    InterestShown,
    InterestWithdrawn,
    IntroSlotOffered,
    IntroSlotWithdrawn,
    IntroTalkCancelled,
    IntroTalkScheduled,
    Language,
    MailsStopped,
    MatchMade,
    MatchUndone,
    NetworkCreated,
    NetworkMemberAdded,
    NetworkMemberChanged,
    NetworkMemberRemoved,
    NewcomerCorrected,
    NoteRemoved,
    NoteTaken,
    OfferKind,
    OfferPosted,
    OfferRemoved,
    ParticipantLinkIssued,
    Person,
    PersonErased,
    Phase,
    PhaseAdvanced,
    PhotoAttached,
    PhotoRemoved,
    PlaceReleased,
    ProposalMade,
    ProposalPlaced,
    ProposalUnplaced,
    ProposalWithdrawn,
    SessionCancelled,
    SessionChanged,
    SessionClosed,
    SessionGroupNamed,
    SessionOpened,
    SessionPlanned,
    SignupRecorded,
    SignupWithdrawn,
    TableCodeChanged,
    WaitlistPromoted,
    WorkingGroupChanged,
    WorkingGroupEnded,
    WorkingGroupFormed,
    WorkshopChanged,
    WorkshopClosed,
    WorkshopCreated,
    WorkshopNetworkSet,
)
from service.domain.formats.barcamp import host_of
from service.domain.links import Links
from service.domain.state import (
    AgendaItemState,
    CardState,
    CommitmentState,
    DecisionState,
    NoteState,
    OfferState,
    SessionState,
    SignupState,
    WorkshopState,
    present,
)
from service.domain.timing import due_reminder_at, follow_up_at, local_today


class PublicSession(msgspec.Struct, kw_only=True):
    id: str
    title: str
    format: Format
    room: str | None
    starts_at: datetime | None
    ends_at: datetime | None
    host: str | None
    status: str
    phase: Phase | None
    capacity: int | None
    confirmed: int
    waitlisted: int
    seats_left: int | None
    signup_url: str
    qr_url: str
    short_url: str
    table_code_required: bool = False
    dot_budget: int = 5


class SignupEntry(msgspec.Struct, kw_only=True):
    signup_id: str
    name: str | None
    email: str | None
    organisation: str | None
    newcomer: bool | None  # None: nobody said
    status: str
    language: Language
    signed_up_at: datetime
    waitlist_position: int | None = None
    present: bool = False  # came: marked so, or signed up while the session was open


class CommitmentEntry(msgspec.Struct, kw_only=True):
    id: str
    session_id: str
    owner_name: str | None
    signup_id: str | None
    text: str
    due: date | None
    status: str
    made_at: datetime
    completed_at: datetime | None
    match_id: str | None
    reachable: bool = False  # the owner has an e-mail address: reminders and follow-ups reach them


class NoteEntry(msgspec.Struct, kw_only=True):
    id: str
    text: str
    phase: Phase | None
    taken_at: datetime


class CardEntry(msgspec.Struct, kw_only=True):
    id: str
    phase: Phase
    text: str
    votes: int
    added_at: datetime


class OfferEntry(msgspec.Struct, kw_only=True):
    id: str
    kind: OfferKind
    text: str
    owner_name: str | None
    signup_id: str | None
    match_id: str | None
    posted_at: datetime


class VoteOut(CardEntry, kw_only=True):
    """A card after a vote; `dots_left`: the voter's dots still to give (a participant's)."""

    dots_left: int | None = None


class AgendaItemEntry(msgspec.Struct, kw_only=True):
    id: str
    title: str
    minutes: int | None
    current: bool
    started_at: datetime | None


class DecisionEntry(msgspec.Struct, kw_only=True):
    id: str
    text: str
    yes: int | None
    no: int | None
    abstain: int | None
    recorded_at: datetime


class PhotoEntry(msgspec.Struct, kw_only=True):
    """A session's photo: its image is at `url` (facilitator)."""

    id: str
    session_id: str
    content_type: str
    width: int
    height: int
    size: int
    attached_at: datetime
    url: str


class DateOption(msgspec.Struct, kw_only=True):
    index: int
    starts_at: datetime
    answers: int  # how many can make it
    mine: bool = False  # the asking participant can make it


class DatePollView(msgspec.Struct, kw_only=True):
    options: list[DateOption]
    answered: int  # how many people answered
    fixed: int | None
    next_meeting_at: datetime | None


class RoundTableView(msgspec.Struct, kw_only=True):
    agenda: list[AgendaItemEntry]
    decisions: list[DecisionEntry]
    date_poll: DatePollView | None


class FullSession(PublicSession, kw_only=True):
    next_meeting_at: datetime | None
    table_code: str | None
    newcomers: int
    signups: list[SignupEntry]
    waitlist: list[SignupEntry]
    commitments: list[CommitmentEntry]
    notes: list[NoteEntry]
    cards: list[CardEntry]
    offers: list[OfferEntry]
    round_table: RoundTableView | None = None


class PanelCard(CardEntry, kw_only=True):
    mine: bool  # added by the asking participant
    my_dots: int


class PanelOffer(OfferEntry, kw_only=True):
    mine: bool


class ParticipantPanel(msgspec.Struct, kw_only=True):
    """What a participant's phone shows of a session: their place, the cards with the ranking
    and their dots, the market's posts, the round table's agenda and date poll."""

    confirmed: bool  # a confirmed place here: may take part
    dots_left: int
    dot_budget: int
    cards: list[PanelCard]
    offers: list[PanelOffer]
    round_table: RoundTableView | None


class SessionSummary(PublicSession, kw_only=True):
    next_meeting_at: datetime | None
    table_code: str | None
    newcomers: int
    commitments: int


class WorkshopView(msgspec.Struct, kw_only=True):
    id: str
    title: str
    starts_at: datetime | None
    ends_at: datetime | None
    timezone: str
    location: str | None
    language: Language
    follow_up_after: str
    intro_deadline: str
    digest_wait: str
    organiser_email: str | None
    status: str
    created_at: datetime | None
    closed_at: datetime | None
    sessions: list[SessionSummary]
    network_id: str | None = None


def iso_duration(seconds: float) -> str:
    """ISO 8601 duration as the API writes it (`P3D`, `PT2H`, `PT5S`, `P1DT2H`)."""
    total = int(seconds)
    days, rest = divmod(total, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    time = "".join(f"{n}{u}" for n, u in ((hours, "H"), (minutes, "M"), (secs, "S")) if n)
    return "P" + (f"{days}D" if days else "") + (f"T{time}" if time else "") if total else "PT0S"


def _public_fields(
    state: WorkshopState, session: SessionState, links: Links, with_code: bool = False
) -> dict[str, object]:
    """The fields anyone may see; `with_code` (facilitators only) puts the table code into the
    sign-up link, as the QR code on the console and the posters carry it."""
    code = session.table_code if with_code else None
    return {
        "id": session.id,
        "title": session.title,
        "format": session.format,
        "room": session.room,
        "starts_at": session.starts_at,
        "ends_at": session.ends_at,
        "host": host_of(state, session),
        "status": session.status,
        "phase": session.phase,
        "capacity": session.capacity,
        "confirmed": len(session.confirmed),
        "waitlisted": len(session.waitlist),
        "seats_left": None if session.capacity is None else max(0, session.capacity - len(session.confirmed)),
        "signup_url": links.signup(state.id, session.id, code),
        "qr_url": links.qr(state.id, session.id),
        "short_url": links.short(session.short_code),
        "table_code_required": session.table_code is not None,
        "dot_budget": session.dot_budget,
    }


def public_session(state: WorkshopState, session: SessionState, links: Links) -> PublicSession:
    """What anyone with the sign-up link may see: no personal data."""
    return PublicSession(**_public_fields(state, session, links))  # type: ignore[arg-type]


def elsewhere(state: WorkshopState, session_id: str, links: Links) -> list[PublicSession]:
    """The workshop's other sessions that still take sign-ups, by time: where a latecomer at a
    closed or cancelled session can go instead."""
    others = [s for s in state.sessions.values() if s.id != session_id and s.status in ("planned", "open")]
    others.sort(key=lambda s: (s.starts_at is None, s.starts_at.timestamp() if s.starts_at else 0.0, s.title))
    return [public_session(state, s, links) for s in others]


def waitlist_position(session: SessionState, signup_id: str) -> int | None:
    try:
        return session.waitlist.index(signup_id) + 1
    except ValueError:
        return None


def signup_entry(signup: SignupState, session: SessionState) -> SignupEntry:
    person = signup.person
    return SignupEntry(
        signup_id=signup.id,
        name=person.name,
        email=person.email,
        organisation=person.organisation,
        newcomer=signup.newcomer,
        status=signup.status,
        language=signup.language,
        signed_up_at=signup.recorded_at,
        waitlist_position=waitlist_position(session, signup.id) if signup.status == "waitlisted" else None,
        present=present(signup, session),
    )


def commitment_entry(commitment: CommitmentState) -> CommitmentEntry:
    return CommitmentEntry(
        id=commitment.id,
        session_id=commitment.session_id,
        owner_name=commitment.owner.name,
        signup_id=commitment.signup_id,
        text=commitment.text,
        due=commitment.due,
        status=commitment.status,
        made_at=commitment.made_at,
        completed_at=commitment.completed_at,
        match_id=commitment.match_id,
        reachable=commitment.owner.email is not None,
    )


def note_entry(note: NoteState) -> NoteEntry:
    return NoteEntry(id=note.id, text=note.text, phase=note.phase, taken_at=note.taken_at)


def card_entry(card: CardState) -> CardEntry:
    return CardEntry(id=card.id, phase=card.phase, text=card.text, votes=card.votes, added_at=card.added_at)


def offer_entry(offer: OfferState) -> OfferEntry:
    return OfferEntry(
        id=offer.id,
        kind=offer.kind,
        text=offer.text,
        owner_name=offer.owner.name if offer.owner else None,
        signup_id=offer.signup_id,
        match_id=offer.match_id,
        posted_at=offer.posted_at,
    )


def agenda_entry(session: SessionState, item: AgendaItemState) -> AgendaItemEntry:
    return AgendaItemEntry(
        id=item.id,
        title=item.title,
        minutes=item.minutes,
        current=session.current_item == item.id,
        started_at=item.started_at,
    )


def photo_entries(session: SessionState, links: Links, workshop_id: str) -> list[PhotoEntry]:
    """The session's photos in the order attached."""
    return [
        PhotoEntry(
            id=photo.id,
            session_id=session.id,
            content_type=photo.content_type,
            width=photo.width,
            height=photo.height,
            size=photo.size,
            attached_at=photo.attached_at,
            url=links.photo(workshop_id, session.id, photo.id),
        )
        for photo in session.photos.values()
    ]


def decision_entry(decision: DecisionState) -> DecisionEntry:
    return DecisionEntry(
        id=decision.id,
        text=decision.text,
        yes=decision.yes,
        no=decision.no,
        abstain=decision.abstain,
        recorded_at=decision.recorded_at,
    )


def date_poll_view(session: SessionState, participant_id: str | None = None) -> DatePollView | None:
    poll = session.date_poll
    if poll is None:
        return None
    mine = poll.answers.get(participant_id or "", ())
    options = [
        DateOption(
            index=i,
            starts_at=when,
            answers=sum(1 for chosen in poll.answers.values() if i in chosen),
            mine=i in mine,
        )
        for i, when in enumerate(poll.options)
    ]
    fixed_at = poll.options[poll.fixed] if poll.fixed is not None else None
    return DatePollView(options=options, answered=len(poll.answers), fixed=poll.fixed, next_meeting_at=fixed_at)


def round_table_view(session: SessionState, participant_id: str | None = None) -> RoundTableView | None:
    if session.format != "runder_tisch":
        return None
    return RoundTableView(
        agenda=[agenda_entry(session, item) for item in session.agenda],
        decisions=[decision_entry(d) for d in session.decisions],
        date_poll=date_poll_view(session, participant_id),
    )


def participant_panel(state: WorkshopState, session: SessionState, participant_id: str | None) -> ParticipantPanel:
    """The session as one participant's phone shows it: cards most dots first."""
    pid = participant_id or ""
    confirmed = any(state.signups[s].participant_id == pid for s in session.confirmed)
    given = session.dots.get(pid, {})
    cards = [state.cards[card_id] for card_id in session.cards]
    ranked = sorted(cards, key=lambda card: (-card.votes, card.added_at))
    own_signups = {s for s in session.signups if state.signups[s].participant_id == pid}
    return ParticipantPanel(
        confirmed=confirmed,
        dots_left=max(0, session.dot_budget - sum(given.values())),
        dot_budget=session.dot_budget,
        cards=[
            PanelCard(
                **msgspec.structs.asdict(card_entry(card)),
                mine=participant_id is not None and card.participant_id == participant_id,
                my_dots=given.get(card.id, 0),
            )
            for card in ranked
        ],
        offers=[
            PanelOffer(**msgspec.structs.asdict(offer_entry(offer)), mine=offer.signup_id in own_signups)
            for offer in (state.offers[oid] for oid in session.offers)
        ],
        round_table=round_table_view(session, participant_id),
    )


def full_session(state: WorkshopState, session: SessionState, links: Links) -> FullSession:
    """The facilitator's view of a session, with names."""
    active = [state.signups[s] for s in session.signups if state.signups[s].status != "withdrawn"]
    return FullSession(
        **_public_fields(state, session, links, with_code=True),  # type: ignore[arg-type]
        next_meeting_at=session.next_meeting_at,
        table_code=session.table_code,
        newcomers=sum(1 for s in active if s.newcomer is True),
        signups=[signup_entry(s, session) for s in active],
        waitlist=[signup_entry(state.signups[s], session) for s in session.waitlist],
        commitments=[commitment_entry(state.commitments[cid]) for cid in session.commitments],
        notes=[note_entry(state.notes[nid]) for nid in session.notes],
        cards=[card_entry(state.cards[cid]) for cid in session.cards],
        offers=[offer_entry(state.offers[oid]) for oid in session.offers],
        round_table=round_table_view(session),
    )


def session_summary(state: WorkshopState, session: SessionState, links: Links) -> SessionSummary:
    active = (state.signups[s] for s in session.signups)
    return SessionSummary(
        **_public_fields(state, session, links, with_code=True),  # type: ignore[arg-type]
        next_meeting_at=session.next_meeting_at,
        table_code=session.table_code,
        newcomers=sum(1 for s in active if s.newcomer is True and s.status != "withdrawn"),
        commitments=len(session.commitments),
    )


WorkshopStatus = Literal["planned", "running", "closed"]


def workshop_status(state: WorkshopState) -> WorkshopStatus:
    """Closed once closed; running while one of its sessions is open; planned before."""
    if state.status == "closed":
        return "closed"
    return "running" if any(s.status == "open" for s in state.sessions.values()) else "planned"


def shown_status(state: WorkshopState, now: datetime) -> str:
    """The workshop's status as a page shows it: one whose day has begun with no session open yet
    is begun, one whose end has passed without anyone closing it is over; not planned."""
    status = workshop_status(state)
    if status == "planned" and state.ends_at is not None and state.ends_at < now:
        return "over"
    if status == "planned" and state.starts_at is not None and state.starts_at <= now:
        return "begun"
    return status


class WorkshopListed(msgspec.Struct, kw_only=True):
    """A workshop in the organiser's list."""

    id: str
    title: str
    starts_at: datetime | None
    ends_at: datetime | None
    status: WorkshopStatus
    network_id: str | None
    sessions: int
    signups: int


def workshop_listed(state: WorkshopState) -> WorkshopListed:
    return WorkshopListed(
        id=state.id,
        title=state.title,
        starts_at=state.starts_at,
        ends_at=state.ends_at,
        status=workshop_status(state),
        network_id=state.network_id,
        sessions=len(state.sessions),
        signups=sum(1 for signup in state.signups.values() if signup.status != "withdrawn"),
    )


def workshop_view(state: WorkshopState, links: Links) -> WorkshopView:
    return WorkshopView(
        id=state.id,
        title=state.title,
        starts_at=state.starts_at,
        ends_at=state.ends_at,
        timezone=state.timezone,
        location=state.location,
        language=state.language,
        follow_up_after=iso_duration(state.follow_up_after.total_seconds()),
        intro_deadline=iso_duration(state.intro_deadline.total_seconds()),
        digest_wait=iso_duration(state.digest_wait.total_seconds()),
        organiser_email=state.organiser_email,
        status=workshop_status(state),
        created_at=state.created_at,
        closed_at=state.closed_at,
        sessions=[session_summary(state, s, links) for s in state.sessions.values()],
        network_id=state.network_id,
    )


class MatchEntry(msgspec.Struct, kw_only=True):
    id: str
    offer_id: str
    request_id: str
    made_at: datetime
    commitments: list[CommitmentEntry]


def match_entry(state: WorkshopState, match_id: str) -> MatchEntry:
    match = state.matches[match_id]
    return MatchEntry(
        id=match.id,
        offer_id=match.offer_id,
        request_id=match.request_id,
        made_at=match.made_at,
        commitments=[commitment_entry(state.commitments[cid]) for cid in match.commitment_ids],
    )


STREAMED_FIELDS: dict[type[Event], tuple[str, ...]] = {
    WorkshopCreated: (
        "at",
        "workshop_id",
        "title",
        "starts_at",
        "ends_at",
        "timezone",
        "location",
        "language",
        "follow_up_after",
        "intro_deadline",
        "digest_wait",
        "organiser",
    ),
    WorkshopClosed: ("at",),
    WorkshopChanged: (
        "at",
        "title",
        "starts_at",
        "ends_at",
        "timezone",
        "location",
        "language",
        "follow_up_after",
        "intro_deadline",
        "digest_wait",
        "organiser",
    ),
    ConsoleLinkIssued: ("at",),
    FacilitatorSignedIn: ("at",),
    FacilitatorTokensRotated: ("at",),
    SessionPlanned: (
        "at",
        "session_id",
        "title",
        "format",
        "room",
        "starts_at",
        "ends_at",
        "capacity",
        "host",
        "next_meeting_at",
        "dot_budget",
    ),
    SessionChanged: (
        "at",
        "session_id",
        "title",
        "room",
        "starts_at",
        "ends_at",
        "capacity",
        "host",
        "next_meeting_at",
        "dot_budget",
        "cleared",
        "sequence",
    ),
    SessionCancelled: ("at", "session_id", "sequence"),
    SessionOpened: ("at", "session_id"),
    PhaseAdvanced: ("at", "session_id", "phase"),
    SessionClosed: ("at", "session_id"),
    TableCodeChanged: ("at", "session_id"),
    SignupRecorded: (
        "at",
        "signup_id",
        "session_id",
        "participant_id",
        "person",
        "newcomer",
        "status",
        "language",
        "privacy_version",
        "newcomer_known",
    ),
    NewcomerCorrected: ("at", "participant_id", "newcomer"),
    ParticipantLinkIssued: ("at", "participant_id"),
    EarlierLinksEnded: ("at", "participant_id"),
    SignupWithdrawn: ("at", "signup_id"),
    WaitlistPromoted: ("at", "signup_id"),
    AttendanceMarked: ("at", "signup_id", "present"),
    PlaceReleased: ("at", "signup_id"),
    CommitmentMade: ("at", "commitment_id", "session_id", "owner", "signup_id", "text", "due", "match_id"),
    CommitmentCompleted: ("at", "commitment_id"),
    CommitmentCorrected: ("at", "commitment_id", "text", "due", "owner", "signup_id"),
    CommitmentWithdrawn: ("at", "commitment_id"),
    CommitmentReopened: ("at", "commitment_id"),
    NoteTaken: ("at", "note_id", "session_id", "text", "phase"),
    CardAdded: ("at", "card_id", "session_id", "phase", "text"),
    CardVoted: ("at", "card_id", "count"),
    OfferPosted: ("at", "offer_id", "session_id", "kind", "text", "owner", "signup_id"),
    NoteRemoved: ("at", "note_id"),
    CardRemoved: ("at", "card_id"),
    OfferRemoved: ("at", "offer_id"),
    PhotoAttached: ("at", "session_id", "photo_id", "content_type", "width", "height", "size"),
    PhotoRemoved: ("at", "session_id", "photo_id"),
    MatchMade: ("at", "match_id", "offer_id", "request_id"),
    MatchUndone: ("at", "match_id"),
    AgendaItemAdded: ("at", "session_id", "item_id", "title", "minutes"),
    AgendaItemStarted: ("at", "session_id", "item_id"),
    DecisionRecorded: ("at", "session_id", "decision_id", "text", "yes", "no", "abstain"),
    DatePollOpened: ("at", "session_id", "options"),
    DatePollAnswered: ("at", "session_id", "options"),
    DateFixed: ("at", "session_id", "option", "next_meeting_at"),
    IntroSlotOffered: (
        "at",
        "slot_id",
        "host",
        "starts_at",
        "duration",
        "capacity",
        "language",
    ),  # `place` may be a home address
    IntroSlotWithdrawn: ("at", "slot_id"),
    IntroTalkScheduled: ("at", "participant_id", "slot_id", "sequence", "previous_slot_id"),
    IntroTalkCancelled: ("at", "participant_id", "slot_id", "sequence", "reason"),
    MailsStopped: ("at", "kind", "subjects"),
    GridSet: ("at", "rooms", "slots"),
    ProposalMade: ("at", "proposal_id", "title", "description", "proposer_id", "signup_id", "proposer"),
    ProposalUnplaced: ("at", "proposal_id", "session_id"),
    ProposalWithdrawn: ("at", "proposal_id"),
    InterestShown: ("at", "proposal_id", "participant_id"),
    InterestWithdrawn: ("at", "proposal_id", "participant_id"),
    HandsCounted: ("at", "proposal_id", "count"),
    ProposalPlaced: (
        "at",
        "proposal_id",
        "session_id",
        "room",
        "slot",
        "starts_at",
        "ends_at",
        "capacity",
        "moved",
        "sequence",
    ),
    WorkshopNetworkSet: ("at", "network_id"),
    SessionGroupNamed: ("at", "session_id", "group_id"),
    GroupLeft: ("at", "participant_id", "group_id"),
    NetworkCreated: ("at", "network_id", "name", "city"),
    NetworkMemberAdded: ("at", "member_id", "role", "agreement_signed_at"),
    NetworkMemberChanged: ("at", "member_id", "role", "agreement_signed_at"),
    NetworkMemberRemoved: ("at", "member_id"),
    WorkingGroupFormed: ("at", "group_id", "title", "patron"),
    WorkingGroupChanged: ("at", "group_id", "title", "patron"),
    WorkingGroupEnded: ("at", "group_id"),
    PersonErased: ("at", "subject"),
}
"""What the live stream shows of each event type: an allow-list, so a new field stays out of the
stream until it is named here. A person shows only as their name; never an e-mail, organisation,
hash, token or code."""


def _names_only(obj: object) -> object:
    if isinstance(obj, Person):
        return {"name": obj.name}
    raise TypeError(type(obj).__name__)


def streamed(event: Event) -> dict[str, object]:
    """An event as the live stream shows it: its type, its version `v` and its public fields."""
    fields = STREAMED_FIELDS[type(event)]
    data = msgspec.to_builtins(event, enc_hook=_names_only)
    assert isinstance(data, dict)
    return {"type": data["type"], "v": event.v} | {name: data[name] for name in fields}


class FollowUpEntry(msgspec.Struct, kw_only=True):
    commitment_id: str
    session_id: str
    owner_name: str | None
    text: str
    due: date | None
    status: str
    remind_at: datetime | None
    sent_at: datetime | None
    reachable: bool


def follow_up_entry(
    state: WorkshopState, commitment: CommitmentState, done: dict[str, datetime], now: datetime
) -> FollowUpEntry:
    """Where a commitment's reminders stand: scheduled, sent, done or overdue."""
    session = state.sessions[commitment.session_id]
    planned = (
        (follow_up_at(state, session), done.get(effects.follow_up(session.id, commitment.owner.subject))),
        (
            due_reminder_at(state, commitment.due) if commitment.due else None,
            done.get(effects.due_reminder(commitment.id, str(commitment.due), commitment.owner.subject)),
        ),
    )
    sent = [sent_at for _, sent_at in planned if sent_at is not None]
    pending = [at for at, sent_at in planned if at is not None and sent_at is None]
    status: str
    if commitment.status != "open":
        status = commitment.status
    elif commitment.due is not None and commitment.due < local_today(state, now):
        status = "overdue"
    else:
        status = "sent" if sent else "scheduled"
    return FollowUpEntry(
        commitment_id=commitment.id,
        session_id=commitment.session_id,
        owner_name=commitment.owner.name,
        text=commitment.text,
        due=commitment.due,
        status=status,
        remind_at=min(pending) if pending and commitment.status == "open" else None,
        sent_at=max(sent) if sent else None,
        reachable=bool(commitment.owner.email),
    )


def follow_ups(state: WorkshopState, done: dict[str, datetime], now: datetime) -> list[FollowUpEntry]:
    return [follow_up_entry(state, c, done, now) for c in state.commitments.values()]


class MySignup(msgspec.Struct, kw_only=True):
    signup_id: str
    session_id: str
    session_title: str
    session_starts_at: datetime | None
    room: str | None
    status: str
    waitlist_position: int | None
    newcomer: bool | None
    language: Language
    signed_up_at: datetime
    consent: bool
    privacy_version: str | None
    session_status: str = "planned"  # `cancelled`: the session will not take place


class MyCommitment(msgspec.Struct, kw_only=True):
    id: str
    session_title: str
    text: str
    due: date | None
    status: str


class MyIntroTalk(msgspec.Struct, kw_only=True):
    status: str
    starts_at: datetime | None
    duration_minutes: int | None
    host_name: str | None


class MyProposal(msgspec.Struct, kw_only=True):
    """A barcamp proposal the person made, or showed interest in (`mine`: made by them)."""

    id: str
    title: str
    description: str | None
    status: str
    mine: bool
    interested: bool


class PersonalData(msgspec.Struct, kw_only=True):
    """Everything knoten holds about one participant of a workshop."""

    participant_id: str
    workshop_id: str
    workshop_title: str
    name: str | None
    email: str | None
    organisation: str | None
    signups: list[MySignup]
    commitments: list[MyCommitment]
    offers: list[OfferEntry]
    intro_talk: MyIntroTalk | None
    proposals: list[MyProposal] = []


def personal_data(state: WorkshopState, participant_id: str) -> PersonalData:
    participant = state.participants[participant_id]
    signups = []
    for signup_id in participant.signups:
        signup = state.signups[signup_id]
        session = state.sessions[signup.session_id]
        signups.append(
            MySignup(
                signup_id=signup.id,
                session_id=session.id,
                session_title=session.title,
                session_starts_at=session.starts_at,
                room=session.room,
                status=signup.status,
                waitlist_position=waitlist_position(session, signup.id),
                newcomer=signup.newcomer,
                language=signup.language,
                signed_up_at=signup.recorded_at,
                consent=True,
                privacy_version=signup.privacy_version,
                session_status=session.status,
            )
        )
    commitments = [
        MyCommitment(id=c.id, session_title=state.sessions[c.session_id].title, text=c.text, due=c.due, status=c.status)
        for c in state.commitments.values()
        if c.owner.subject == participant_id
    ]
    offers = [
        offer_entry(o) for o in state.offers.values() if o.owner is not None and o.owner.subject == participant_id
    ]
    talk = state.intro_talks.get(participant_id)
    intro = None
    if talk is not None:
        slot = state.intro_slots[talk.slot_id] if talk.slot_id else None
        intro = MyIntroTalk(
            status="scheduled" if slot else "unscheduled",
            starts_at=slot.starts_at if slot else None,
            duration_minutes=int(slot.duration.total_seconds() // 60) if slot else None,
            host_name=slot.host.name if slot else None,
        )
    proposals = [
        MyProposal(
            id=p.id,
            title=p.title,
            description=p.description,
            status=p.status,
            mine=p.proposer_id == participant_id,
            interested=participant_id in p.interested,
        )
        for p in state.proposals.values()
        if p.proposer_id == participant_id or participant_id in p.interested
    ]
    person = participant.person
    return PersonalData(
        participant_id=participant_id,
        workshop_id=state.id,
        workshop_title=state.title,
        name=person.name,
        email=person.email,
        organisation=person.organisation,
        signups=signups,
        commitments=commitments,
        offers=offers,
        intro_talk=intro,
        proposals=proposals,
    )
