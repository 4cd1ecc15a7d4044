"""The rules of a workshop: `decide` turns a command into events, `evolve` folds an event
into state. Both are pure: no I/O, no clock (time comes in as `now`).

Here is what every format shares: the workshop and its sessions, sign-ups, attendance,
commitments, notes, photos, intro talks, access and erasure. The commands and events of one
format (a future workshop's cards, a market place's offers, a round table's agenda and poll, a
barcamp's grid) are decided and folded in its module, `formats/<format>.py`, to which `decide`
hands them and whose `EVOLVERS` `evolve` uses."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import Any

import msgspec

from service.domain import commands as c
from service.domain import events as e
from service.domain.errors import Conflict, Forbidden, Invalid, NotFound
from service.domain.formats import barcamp, format_of, marktplatz, runder_tisch, takers, zukunftswerkstatt
from service.domain.lookups import found, owner_of, recorded, session_of, signup_of, writable_session
from service.domain.short_links import derived_short_code
from service.domain.state import (
    CommitmentState,
    CommitmentStatus,
    IntroSlotState,
    IntroTalkState,
    NoteState,
    ParticipantState,
    PhotoState,
    SessionState,
    SignupState,
    WorkshopState,
    groups_of,
    present,
)

# ---------------------------------------------------------------------------- lookups


def check_table_code(session: SessionState, table_code: str | None) -> None:
    """A session with a table code takes sign-ups only from people who have it (the QR code,
    the short link and the poster carry it): bots that guess the link get nowhere."""
    if session.table_code is not None and table_code != session.table_code:
        raise Forbidden("This session takes sign-ups only with its table code (on the QR code and the poster).")


def existing_signup(state: WorkshopState, session_id: str, email_hash: str | None) -> SignupState | None:
    """The active sign-up of this e-mail on this session, if there is one."""
    if email_hash is None:
        return None
    for signup_id in session_of(state, session_id).signups_by_email.get(email_hash, ()):
        signup = state.signups[signup_id]
        if signup.status != "withdrawn":  # the index holds this hash's sign-ups; erasure removes them
            return signup
    return None


def people_of(state: WorkshopState) -> list[e.Person]:
    """Everyone the workshop names: organisers, participants, owners of commitments and offers, hosts."""
    people: list[e.Person | None] = [state.organiser]
    people += [participant.person for participant in state.participants.values()]
    people += [commitment.owner for commitment in state.commitments.values()]
    people += [offer.owner for offer in state.offers.values()]
    people += [slot.host for slot in state.intro_slots.values()]
    people += [proposal.proposer for proposal in state.proposals.values()]
    people += state.former_owners
    return [person for person in people if person is not None]


def named_people(state: WorkshopState) -> list[str]:
    """The subjects whose name, e-mail or organisation the workshop still holds."""
    return sorted({person.subject for person in people_of(state) if not person.erased})


def signup_email_hash(event: e.SignupRecorded) -> str | None:
    """The keyed hash of the address a sign-up was made with: sealed in its person since the hash
    was moved there, in clear in the event before (old logs)."""
    return event.email_hash or event.person.email_hash


def erased_email_hashes(state: WorkshopState, events: Iterable[e.Event]) -> list[str]:
    """The e-mail hashes of the people these events erase, from the state before them: what the
    deployment's seen set is to forget with the erasure."""
    erased = {event.subject for event in events if isinstance(event, e.PersonErased)}
    if not erased:  # the common case: no walk over every sign-up of the workshop
        return []
    return sorted(
        {
            signup.email_hash
            for signup in state.signups.values()
            if signup.participant_id in erased and signup.email_hash is not None
        }
    )


def retention_ends(state: WorkshopState, retention: timedelta) -> datetime | None:
    """When the workshop's personal data is to be erased (None before it is created)."""
    return None if state.ends_at is None else state.ends_at + retention


# ---------------------------------------------------------------------------- decide

KEEP_WORKING_WHEN_CLOSED = (
    c.MarkAttendance
    | c.CompleteCommitment
    | c.PostponeCommitment
    | c.HandOverCommitment
    | c.ErasePerson
    | c.ExpirePersonalData
    | c.SignInFacilitator
    | c.IssueConsoleLink
    | c.CorrectNewcomer
    | c.StopMails
    | c.LeaveGroup
    | c.AttachPhoto
    | c.RemovePhoto
)


def decide(state: WorkshopState, command: c.Command, now: datetime) -> list[e.Event]:  # noqa: PLR0912
    """The events a command causes, or a DomainError saying why it is refused."""
    if isinstance(command, c.CreateWorkshop):
        return _create_workshop(state, command, now)
    if isinstance(command, c.CopyWorkshop):
        return _copy_workshop(state, command, now)
    if not state.exists:
        raise NotFound("workshop", state.id)
    if state.status == "closed" and not isinstance(command, KEEP_WORKING_WHEN_CLOSED):
        raise Conflict("The workshop is closed and takes no more changes.")
    if isinstance(command, barcamp.BARCAMP_COMMANDS):
        return barcamp.decide(state, command, now)
    if isinstance(command, runder_tisch.RUNDER_TISCH_COMMANDS):
        return runder_tisch.decide(state, command, now)
    if isinstance(command, zukunftswerkstatt.ZUKUNFTSWERKSTATT_COMMANDS):
        return zukunftswerkstatt.decide(state, command, now)
    if isinstance(command, marktplatz.MARKTPLATZ_COMMANDS):
        return marktplatz.decide(state, command, now)
    match command:
        case c.CloseWorkshop():
            return _close_workshop(state, now)
        case c.LeaveGroup():
            return _leave_group(state, command, now)
        case c.ChangeWorkshop():
            return _change_workshop(state, command, now)
        case c.PlanSession():
            return _plan_session(command, now)
        case c.OpenSession(session_id=sid):
            return _open_session(state, sid, now)
        case c.CloseSession(session_id=sid):
            writable_session(state, sid)
            return [e.SessionClosed(at=now, session_id=sid)]
        case c.ChangeSession():
            return _change_session(state, command, now)
        case c.CancelSession(session_id=sid):
            return _cancel_session(state, sid, now)
        case c.RecordSignup():
            return _record_signup(state, command, now)
        case c.CorrectNewcomer():
            return _correct_newcomer(state, command, now)
        case c.SetTableCode(session_id=sid, table_code=code):
            writable_session(state, sid)
            return [e.TableCodeChanged(at=now, session_id=sid, table_code=code)]
        case c.WithdrawSignup(signup_id=signup_id):
            return _withdraw_signup(state, signup_id, now)
        case c.MarkAttendance():
            return _mark_attendance(state, command, now)
        case c.ReleaseAbsent(session_id=sid):
            return _release_absent(state, sid, now)
        case c.MakeCommitment():
            return _make_commitment(state, command, now)
        case c.CompleteCommitment(commitment_id=cid):
            return _complete_commitment(state, cid, now)
        case c.CorrectCommitment():
            return _correct_commitment(state, command, now)
        case c.PostponeCommitment() | c.HandOverCommitment():
            return _carry_commitment(state, command, now)
        case c.WithdrawCommitment(commitment_id=cid):
            return _set_commitment(state, cid, "withdrawn", e.CommitmentWithdrawn(at=now, commitment_id=cid))
        case c.ReopenCommitment(commitment_id=cid):
            return _set_commitment(state, cid, "open", e.CommitmentReopened(at=now, commitment_id=cid))
        case c.TakeNote():
            return _take_note(state, command, now)
        case c.RemoveNote(note_id=nid):
            found(state.notes, "note", nid)
            return [e.NoteRemoved(at=now, note_id=nid)]
        case c.AttachPhoto() | c.RemovePhoto():
            return _decide_photo(state, command, now)
        case c.OfferIntroSlot():
            return [recorded(e.IntroSlotOffered, command, now)]
        case c.WithdrawIntroSlot(slot_id=slot_id):
            return _withdraw_slot(state, slot_id, now)
    return _decide_access_and_privacy(state, command, now)


def _decide_access_and_privacy(state: WorkshopState, command: c.Command, now: datetime) -> list[e.Event]:
    """Commands about who may sign in and about people's data: tokens, links, erasure, stops."""
    match command:
        case c.SignInFacilitator(login_code_hash=code, token_hash=token_hash):
            if code not in state.login_code_hashes:
                raise Invalid("code", "this sign-in link is not (or no longer) valid")
            return [e.FacilitatorSignedIn(at=now, token_hash=token_hash)]
        case c.IssueConsoleLink(login_code_hash=code):
            return [e.ConsoleLinkIssued(at=now, login_code_hash=code)]
        case c.RotateFacilitatorToken(token_hash=token_hash, login_code_hash=code):
            return [e.FacilitatorTokensRotated(at=now, token_hash=token_hash, login_code_hash=code)]
        case c.EndEarlierLinks(participant_id=participant_id, token_hash=token_hash):
            if participant_id not in state.participants:
                raise NotFound("participant", participant_id)
            return [e.EarlierLinksEnded(at=now, participant_id=participant_id, token_hash=token_hash)]
        case c.ErasePerson(subject=subject, tombstone=tombstone):
            if subject not in state.participants:
                raise NotFound("participant", subject)
            return [e.PersonErased(at=now, subject=subject, tombstone=tombstone)]
        case c.ExpirePersonalData(retention=retention):
            return _expire_personal_data(state, retention, now)
        case c.StopMails(email_hash=hashed, kind=kind, subjects=subjects):
            if (kind, hashed) in state.mail_stops:
                return []
            if not subjects:
                return [e.MailsStopped(at=now, email_hash=hashed, kind=kind)]
            who = e.Person(subjects[0], None, email_hash=hashed)  # sealed: erasing them leaves no hash
            return [e.MailsStopped(at=now, kind=kind, subjects=subjects, who=who)]
    raise TypeError(f"unknown command {type(command).__name__}")


def _expire_personal_data(state: WorkshopState, retention: timedelta, now: datetime) -> list[e.Event]:
    due = retention_ends(state, retention)
    if due is None:
        raise Conflict("The workshop has no end yet; its personal data is kept.")
    if now < due:
        raise Conflict(f"The workshop's personal data is kept until {due:%Y-%m-%d %H:%M %Z}.")
    # The hosts of talks still scheduled hear that the erasure calls them off; the next pass erases them.
    hosts = {state.intro_slots[t.slot_id].host.subject for t in state.intro_talks.values() if t.slot_id is not None}
    people = named_people(state)
    return [e.PersonErased(at=now, subject=subject) for subject in [p for p in people if p not in hosts] or people]


def _create_workshop(state: WorkshopState, command: c.CreateWorkshop, now: datetime) -> list[e.Event]:
    if state.exists:
        raise Conflict(f"Workshop {state.id!r} exists already.")
    if command.ends_at < command.starts_at:
        raise Invalid("ends_at", "must not be before starts_at")
    fields = msgspec.structs.asdict(command)
    network_id = fields.pop("network_id")
    created: list[e.Event] = [e.WorkshopCreated(at=now, **fields)]
    if network_id is not None:
        created.append(e.WorkshopNetworkSet(at=now, network_id=network_id))
    return created


def _copy_workshop(state: WorkshopState, command: c.CopyWorkshop, now: datetime) -> list[e.Event]:
    """The new workshop, its sessions and its intro slots, in one append: nobody sees it half made."""
    copied: list[e.Event] = _create_workshop(state, command.create, now)
    copied += [event for session in command.sessions for event in _plan_session(session, now)]
    copied += [recorded(e.IntroSlotOffered, slot, now) for slot in command.intro_slots]
    return copied


def _change_workshop(state: WorkshopState, command: c.ChangeWorkshop, now: datetime) -> list[e.Event]:
    """Only what differs from the workshop as it is becomes part of the event; nothing, no event."""
    current = {
        "title": state.title,
        "starts_at": state.starts_at,
        "ends_at": state.ends_at,
        "timezone": state.timezone,
        "location": state.location or "",
        "language": state.language,
        "follow_up_after": state.follow_up_after,
        "intro_deadline": state.intro_deadline,
        "digest_wait": state.digest_wait,
    }
    changed = {
        name: value
        for name, value in msgspec.structs.asdict(command).items()
        if name in current and value is not None and value != current[name]
    }
    starts_at, ends_at = changed.get("starts_at", state.starts_at), changed.get("ends_at", state.ends_at)
    if starts_at is not None and ends_at is not None and ends_at < starts_at:
        raise Invalid("ends_at", "must not be before starts_at")
    organiser = command.organiser
    if organiser is not None and state.organiser is not None and organiser.email == state.organiser.email:
        organiser = None
    if organiser is not None and state.organiser is not None and state.organiser.erased:
        raise Conflict("The organisers' address of this workshop was erased; it cannot be given again.")
    events: list[e.Event] = []
    if changed or organiser is not None:
        events.append(e.WorkshopChanged(at=now, organiser=organiser, **changed))
    if command.network_id is not None and (command.network_id or None) != state.network_id:
        events.append(e.WorkshopNetworkSet(at=now, network_id=command.network_id or None))
    return events


def _close_workshop(state: WorkshopState, now: datetime) -> list[e.Event]:
    closing: list[e.Event] = [
        e.SessionClosed(at=now, session_id=sid)
        for sid, session in state.sessions.items()
        if session.status not in ("closed", "cancelled")
    ]
    return [*closing, e.WorkshopClosed(at=now)]


def _open_session(state: WorkshopState, session_id: str, now: datetime) -> list[e.Event]:
    session = writable_session(state, session_id)
    if session.status == "open":
        return []
    return [e.SessionOpened(at=now, session_id=session_id)]


def _record_signup(state: WorkshopState, command: c.RecordSignup, now: datetime) -> list[e.Event]:
    session = writable_session(state, command.session_id)
    if not command.consent:
        raise Invalid("consent", "must be true to sign up")
    check_table_code(session, command.table_code)
    if existing_signup(state, command.session_id, command.email_hash) is not None:
        raise Conflict("This e-mail is signed up to this session already.")
    known = state.participants.get(state.participants_by_email.get(command.email_hash or "", ""))
    newcomer = _newcomer_answer(command, known)
    walk_in = command.present and session.status != "open"  # while it is open, every sign-up is present
    return [
        e.SignupRecorded(
            at=now,
            signup_id=command.signup_id,
            session_id=command.session_id,
            participant_id=command.participant_id if known is None else known.id,
            person=(command.person if known is None else _as_subject(command.person, known.id)).with_email_hash(
                command.email_hash
            ),
            newcomer=bool(newcomer),
            newcomer_known=newcomer is not None,
            status="confirmed" if session.has_room() else "waitlisted",
            language=command.language,
            consent=command.consent,
            token_hash=command.token_hash if known is None else None,
            privacy_version=command.privacy_version,
            share_contact=command.share_contact,
            wants_digest=command.wants_digest,
        ),
        *([e.AttendanceMarked(at=now, signup_id=command.signup_id, present=True)] if walk_in else []),
    ]


def _newcomer_answer(command: c.RecordSignup, known: ParticipantState | None) -> bool | None:
    """The person's own answer; without one, what the workshop knows of them, else "not new"
    for an address that signed up before, else unknown. Nobody becomes a newcomer by not
    answering."""
    if command.newcomer is not None:
        return command.newcomer
    if known is not None:
        return False if known.newcomer is None else known.newcomer
    return False if command.email_seen_before else None


def _as_subject(person: e.Person, subject: str) -> e.Person:
    return e.Person(subject, person.name, person.email, person.organisation)


def _correct_newcomer(state: WorkshopState, command: c.CorrectNewcomer, now: datetime) -> list[e.Event]:
    participant = state.participants[signup_of(state, command.signup_id).participant_id]
    if participant.newcomer is command.newcomer:
        return []
    return [e.NewcomerCorrected(at=now, participant_id=participant.id, newcomer=command.newcomer)]


def _withdraw_signup(state: WorkshopState, signup_id: str, now: datetime) -> list[e.Event]:
    signup = signup_of(state, signup_id)
    session = writable_session(state, signup.session_id)
    if signup.status == "withdrawn":
        return []
    withdrawn: list[e.Event] = [e.SignupWithdrawn(at=now, signup_id=signup_id)]
    # after a lowered capacity more may be confirmed than there are places: nobody moves up until under it
    still_full = session.capacity is not None and len(session.confirmed) - 1 >= session.capacity
    if signup.status == "confirmed" and session.waitlist and not still_full:
        withdrawn.append(e.WaitlistPromoted(at=now, signup_id=session.waitlist[0]))
    return withdrawn


def _mark_attendance(state: WorkshopState, command: c.MarkAttendance, now: datetime) -> list[e.Event]:
    """Present or absent, marked once: the same mark again changes nothing. Marks are taken
    until the workshop closes, so that a forgotten one can still be put right for the report."""
    signup = signup_of(state, command.signup_id)
    if signup.status == "withdrawn":
        raise Conflict("This sign-up was withdrawn: add the person again if they are here.")
    if signup.present is command.present or (
        signup.present is None and present(signup, state.sessions[signup.session_id]) is command.present
    ):
        return []
    return [e.AttendanceMarked(at=now, signup_id=signup.id, present=command.present)]


def _release_absent(state: WorkshopState, session_id: str, now: datetime) -> list[e.Event]:
    """At the start of a session: every confirmed person not marked present loses their place,
    and as many from the waitlist as there is then room for get one: those marked present
    first, each group in the order they signed up. Only places held since before the session
    opened are released: a place given since (by a release, say) stays, however often it is pressed."""
    session = writable_session(state, session_id)
    if session.status != "open":
        raise Conflict("Places are released when the session is open: open it first.")
    absent = [sid for sid in session.confirmed if _held_a_place_at_start(state.signups[sid], session)]
    room = (
        len(session.waitlist) if session.capacity is None else session.capacity - len(session.confirmed) + len(absent)
    )
    released: list[e.Event] = [e.PlaceReleased(at=now, signup_id=sid) for sid in absent]
    here = sorted(session.waitlist, key=lambda sid: not present(state.signups[sid], session))  # stable: in order
    promoted = [e.WaitlistPromoted(at=now, signup_id=sid) for sid in here[: max(room, 0)]]
    return [*released, *promoted]


def _held_a_place_at_start(signup: SignupState, session: SessionState) -> bool:
    """A confirmed person, not marked present, whose place was theirs before the session opened."""
    opened_at = session.opened_at
    before = opened_at is not None and (signup.promoted_at or signup.recorded_at) < opened_at
    return before and not present(signup, session)


CHANGEABLE = ("title", "room", "starts_at", "ends_at", "capacity", "host", "next_meeting_at", "dot_budget")
CLEARABLE = ("room", "starts_at", "ends_at", "capacity", "host", "next_meeting_at")
MOVING = ("starts_at", "ends_at", "room")  # a change of these is mailed with the updated calendar entry


def _plan_session(command: c.PlanSession, now: datetime) -> list[e.Event]:
    fields = msgspec.structs.asdict(command)
    group_id = fields.pop("group_id")
    planned: list[e.Event] = [e.SessionPlanned(at=now, **fields)]
    if group_id is not None:
        planned.append(e.SessionGroupNamed(at=now, session_id=command.session_id, group_id=group_id))
    return planned


def _leave_group(state: WorkshopState, command: c.LeaveGroup, now: datetime) -> list[e.Event]:
    if command.participant_id not in state.participants:
        raise NotFound("participant", command.participant_id)
    if command.group_id not in groups_of(state, command.participant_id):
        return []  # left already (and not joined again since), or never joined
    return [e.GroupLeft(at=now, participant_id=command.participant_id, group_id=command.group_id)]


def _change_session(state: WorkshopState, command: c.ChangeSession, now: datetime) -> list[e.Event]:
    grouped: list[e.Event] = []
    if command.group_id is not None and (command.group_id or None) != session_of(state, command.session_id).group_id:
        grouped.append(e.SessionGroupNamed(at=now, session_id=command.session_id, group_id=command.group_id or None))
    return grouped + _change_session_fields(state, command, now)


def _change_session_fields(state: WorkshopState, command: c.ChangeSession, now: datetime) -> list[e.Event]:
    """The fields that really change (none: nothing happens), then the people from the waitlist
    that a raised capacity gives a place, in order. A lowered capacity confirms nobody new and
    takes no one's place."""
    session = writable_session(state, command.session_id)
    changes: dict[str, Any] = {}
    for name in CHANGEABLE:
        if name in command.cleared:
            if name not in CLEARABLE:
                raise Invalid(name, "must not be empty")
            if getattr(session, name) is not None:
                changes[name] = None
        elif (value := getattr(command, name)) is not None and value != getattr(session, name):
            changes[name] = value
    if not changes:
        return []
    starts_at, ends_at = changes.get("starts_at", session.starts_at), changes.get("ends_at", session.ends_at)
    if starts_at is not None and ends_at is not None and ends_at < starts_at:
        raise Invalid("ends_at", "must not be before starts_at")
    moved = any(name in changes for name in MOVING)
    changed = e.SessionChanged(
        at=now,
        session_id=session.id,
        cleared=tuple(name for name, value in changes.items() if value is None),
        sequence=session.sequence + 1 if moved else session.sequence,
        **{name: value for name, value in changes.items() if value is not None},
    )
    promoted: list[e.Event] = []
    if "capacity" in changes:
        capacity = changes["capacity"]
        free = len(session.waitlist) if capacity is None else max(0, capacity - len(session.confirmed))
        promoted = [e.WaitlistPromoted(at=now, signup_id=signup_id) for signup_id in session.waitlist[:free]]
    return [changed, *promoted]


def _cancel_session(state: WorkshopState, session_id: str, now: datetime) -> list[e.Event]:
    """A session that will not take place: its open commitments are withdrawn (no reminders about
    a meeting that did not happen), then it is cancelled, and a barcamp session leaves its cell in
    the grid (in the same append). Again: nothing more. A closed session took place and is not
    cancelled."""
    session = session_of(state, session_id)
    if session.status == "cancelled":
        return []
    if session.status == "closed":
        raise Conflict(f"Session {session_id!r} is closed: it took place and cannot be cancelled.")
    withdrawn: list[e.Event] = [
        e.CommitmentWithdrawn(at=now, commitment_id=cid)
        for cid in session.commitments
        if state.commitments[cid].status == "open"
    ]
    cancelled = e.SessionCancelled(at=now, session_id=session_id, sequence=session.sequence + 1)
    return [*withdrawn, cancelled, *barcamp.cell_freed(state, session, now)]


def _make_commitment(state: WorkshopState, command: c.MakeCommitment, now: datetime) -> list[e.Event]:
    writable_session(state, command.session_id)
    owner = owner_of(state, command.signup_id, command.owner, command.session_id)
    return [
        e.CommitmentMade(
            at=now,
            commitment_id=command.commitment_id,
            session_id=command.session_id,
            owner=owner,
            signup_id=command.signup_id,
            text=command.text,
            due=command.due,
        )
    ]


def _complete_commitment(state: WorkshopState, commitment_id: str, now: datetime) -> list[e.Event]:
    commitment = state.commitments.get(commitment_id)
    if commitment is None:
        raise NotFound("commitment", commitment_id)
    if commitment.status == "done":
        return []
    return [e.CommitmentCompleted(at=now, commitment_id=commitment_id)]


def _correct_commitment(state: WorkshopState, command: c.CorrectCommitment, now: datetime) -> list[e.Event]:
    commitment = found(state.commitments, "commitment", command.commitment_id)
    owner = command.owner
    if command.signup_id is not None:
        owner = owner_of(state, command.signup_id, None, commitment.session_id)
    if command.text is None and command.due is None and owner is None:
        return []
    corrected = e.CommitmentCorrected(
        at=now,
        commitment_id=commitment.id,
        text=command.text,
        due=command.due,
        owner=owner,
        signup_id=command.signup_id,
    )
    return [corrected]


def _carry_commitment(
    state: WorkshopState, command: c.PostponeCommitment | c.HandOverCommitment, now: datetime
) -> list[e.Event]:
    """A later meeting's decision on an open commitment: a new date or a new owner."""
    commitment = found(state.commitments, "commitment", command.commitment_id)
    if commitment.status != "open":
        raise Conflict(f"The commitment is {commitment.status}: only open ones can be postponed or handed over.")
    if isinstance(command, c.PostponeCommitment):
        if command.due == commitment.due:
            return []
        return [e.CommitmentCorrected(at=now, commitment_id=commitment.id, due=command.due)]
    if not command.owner.name:
        raise Invalid("owner_name", "must not be empty")
    return [e.CommitmentCorrected(at=now, commitment_id=commitment.id, owner=command.owner)]


def _set_commitment(
    state: WorkshopState, commitment_id: str, status: CommitmentStatus, event: e.Event
) -> list[e.Event]:
    """The event that brings a commitment to `status`; none when it is there already."""
    commitment = state.commitments.get(commitment_id)
    if commitment is None:
        raise NotFound("commitment", commitment_id)
    return [] if commitment.status == status else [event]


def _take_note(state: WorkshopState, command: c.TakeNote, now: datetime) -> list[e.Event]:
    session = writable_session(state, command.session_id)
    phase = command.phase
    if phase is not None and not format_of(session.format).phases:
        raise Invalid("phase", f"only a {takers(c.AdvancePhase)} has phases")
    if phase is None:
        phase = session.phase
    return [e.NoteTaken(at=now, note_id=command.note_id, session_id=command.session_id, text=command.text, phase=phase)]


def _decide_photo(state: WorkshopState, command: c.AttachPhoto | c.RemovePhoto, now: datetime) -> list[e.Event]:
    """A photo attached to a session (not a cancelled one), or deleted."""
    session = session_of(state, command.session_id)
    if isinstance(command, c.AttachPhoto):
        if session.status == "cancelled":
            raise Conflict("The session is cancelled.")
        if command.photo_id in session.photos:
            return []
        return [recorded(e.PhotoAttached, command, now)]
    if command.photo_id not in session.photos:
        raise NotFound("photo", command.photo_id)
    return [e.PhotoRemoved(at=now, session_id=session.id, photo_id=command.photo_id)]


def was_present(state: WorkshopState, signup: SignupState) -> bool:
    """Present (state.present: marked so, else signed up while the session was open), and still signed up."""
    return signup.status != "withdrawn" and present(signup, state.sessions[signup.session_id])


def _withdraw_slot(state: WorkshopState, slot_id: str, now: datetime) -> list[e.Event]:
    slot = state.intro_slots.get(slot_id)
    if slot is None:
        raise NotFound("intro slot", slot_id)
    return [] if slot.withdrawn else [e.IntroSlotWithdrawn(at=now, slot_id=slot_id)]


# ---------------------------------------------------------------------------- evolve


def fold(state: WorkshopState, events: Iterable[tuple[int, e.Event]]) -> WorkshopState:
    """Fold positioned events into state; the state's version follows the log."""
    for position, event in events:
        evolve(state, event)
        state.version = position
    return state


def evolve(state: WorkshopState, event: e.Event) -> WorkshopState:
    """Apply one event to the state, in place, and return it."""
    _EVOLVERS[type(event)](state, event)
    return state


def _evolve_workshop_closed(state: WorkshopState, event: e.WorkshopClosed) -> None:
    state.status, state.closed_at = "closed", event.at


def _evolve_planned(state: WorkshopState, event: e.SessionPlanned) -> None:
    state.sessions[event.session_id] = SessionState(
        id=event.session_id,
        title=event.title,
        format=event.format,
        room=event.room,
        starts_at=event.starts_at,
        ends_at=event.ends_at,
        capacity=event.capacity,
        host=event.host,
        next_meeting_at=event.next_meeting_at,
        planned_at=event.at,
        table_code=event.table_code,
        short_code=event.short_code or derived_short_code(event.session_id),
        dot_budget=event.dot_budget,
        phase=format_of(event.format).first_phase,
    )


def _evolve_session_changed(state: WorkshopState, event: e.SessionChanged) -> None:
    session = state.sessions[event.session_id]
    for name in CHANGEABLE:
        value = getattr(event, name)
        if value is not None:
            setattr(session, name, value)
        elif name in event.cleared:
            setattr(session, name, None)
    session.sequence = event.sequence


def _evolve_session_cancelled(state: WorkshopState, event: e.SessionCancelled) -> None:
    session = state.sessions[event.session_id]
    session.status, session.cancelled_at, session.sequence = "cancelled", event.at, event.sequence


def _evolve_opened(state: WorkshopState, event: e.SessionOpened) -> None:
    session = state.sessions[event.session_id]
    session.status, session.opened_at = "open", event.at


def _evolve_session_closed(state: WorkshopState, event: e.SessionClosed) -> None:
    session = state.sessions[event.session_id]
    session.status, session.closed_at = "closed", event.at


def _evolve_attendance(state: WorkshopState, event: e.AttendanceMarked) -> None:
    state.signups[event.signup_id].present = event.present


def _evolve_released(state: WorkshopState, event: e.PlaceReleased) -> None:
    signup = state.signups[event.signup_id]
    state.sessions[signup.session_id].confirmed.remove(event.signup_id)
    signup.status, signup.withdrawn_at, signup.released_at = "withdrawn", event.at, event.at


def _evolve_link(state: WorkshopState, event: e.ParticipantLinkIssued) -> None:
    state.participants[event.participant_id].token_hashes.add(event.token_hash)


def _evolve_promoted(state: WorkshopState, event: e.WaitlistPromoted) -> None:
    signup = state.signups[event.signup_id]
    session = state.sessions[signup.session_id]
    session.waitlist.remove(event.signup_id)
    session.confirmed.append(event.signup_id)
    signup.status, signup.promoted_at = "confirmed", event.at


def _evolve_commitment(state: WorkshopState, event: e.CommitmentMade) -> None:
    state.commitments[event.commitment_id] = CommitmentState(
        id=event.commitment_id,
        session_id=event.session_id,
        owner=event.owner,
        signup_id=event.signup_id,
        text=event.text,
        due=event.due,
        made_at=event.at,
        match_id=event.match_id,
    )
    state.sessions[event.session_id].commitments.append(event.commitment_id)
    if event.match_id is not None:
        state.matches[event.match_id].commitment_ids.append(event.commitment_id)


def _evolve_completed(state: WorkshopState, event: e.CommitmentCompleted) -> None:
    commitment = state.commitments[event.commitment_id]
    commitment.status, commitment.completed_at = "done", event.at


def _evolve_commitment_corrected(state: WorkshopState, event: e.CommitmentCorrected) -> None:
    commitment = state.commitments[event.commitment_id]
    commitment.text = event.text if event.text is not None else commitment.text
    commitment.due = event.due if event.due is not None else commitment.due
    if event.owner is not None:
        if event.owner.subject != commitment.owner.subject:
            state.former_owners.append(commitment.owner)
        commitment.owner, commitment.signup_id = event.owner, event.signup_id


def _evolve_commitment_withdrawn(state: WorkshopState, event: e.CommitmentWithdrawn) -> None:
    state.commitments[event.commitment_id].status = "withdrawn"


def _evolve_commitment_reopened(state: WorkshopState, event: e.CommitmentReopened) -> None:
    commitment = state.commitments[event.commitment_id]
    commitment.status, commitment.completed_at = "open", None


def _evolve_note(state: WorkshopState, event: e.NoteTaken) -> None:
    state.notes[event.note_id] = NoteState(
        id=event.note_id, session_id=event.session_id, text=event.text, phase=event.phase, taken_at=event.at
    )
    state.sessions[event.session_id].notes.append(event.note_id)


def _evolve_note_removed(state: WorkshopState, event: e.NoteRemoved) -> None:
    note = state.notes.pop(event.note_id)
    state.sessions[note.session_id].notes.remove(event.note_id)


def _evolve_photo(state: WorkshopState, event: e.PhotoAttached) -> None:
    state.sessions[event.session_id].photos[event.photo_id] = PhotoState(
        event.photo_id, event.content_type, event.width, event.height, event.size, event.at
    )


def _evolve_photo_removed(state: WorkshopState, event: e.PhotoRemoved) -> None:
    state.sessions[event.session_id].photos.pop(event.photo_id, None)


def _evolve_created(state: WorkshopState, event: e.WorkshopCreated) -> None:
    state.exists = True
    state.title = event.title
    state.starts_at, state.ends_at = event.starts_at, event.ends_at
    state.timezone, state.location, state.language = event.timezone, event.location, event.language
    state.follow_up_after, state.intro_deadline = event.follow_up_after, event.intro_deadline
    state.digest_wait = event.digest_wait
    state.organiser = event.organiser
    state.organiser_email = event.organiser.email if event.organiser is not None else event.organiser_email
    state.created_at = event.at
    state.facilitator_token_hashes.add(event.facilitator_token_hash)
    state.login_code_hashes.add(event.login_code_hash)


def _evolve_changed(state: WorkshopState, event: e.WorkshopChanged) -> None:
    state.title = event.title or state.title
    state.starts_at, state.ends_at = event.starts_at or state.starts_at, event.ends_at or state.ends_at
    state.timezone, state.language = event.timezone or state.timezone, event.language or state.language
    if event.location is not None:
        state.location = event.location or None
    state.follow_up_after = event.follow_up_after or state.follow_up_after
    state.intro_deadline = event.intro_deadline or state.intro_deadline
    state.digest_wait = event.digest_wait or state.digest_wait
    if event.organiser is not None:
        state.organiser, state.organiser_email = event.organiser, event.organiser.email


def _evolve_signup(state: WorkshopState, event: e.SignupRecorded) -> None:
    newcomer = event.newcomer if event.newcomer_known else None
    email_hash = signup_email_hash(event)
    state.signups[event.signup_id] = SignupState(
        id=event.signup_id,
        session_id=event.session_id,
        participant_id=event.participant_id,
        person=event.person,
        email_hash=email_hash,
        newcomer=newcomer,
        status=event.status,
        language=event.language,
        recorded_at=event.at,
        privacy_version=event.privacy_version,
        share_contact=event.share_contact,
        wants_digest=event.wants_digest,
    )
    session = state.sessions[event.session_id]
    session.signups.append(event.signup_id)
    if email_hash is not None:
        session.signups_by_email.setdefault(email_hash, []).append(event.signup_id)
    (session.confirmed if event.status == "confirmed" else session.waitlist).append(event.signup_id)
    participant = state.participants.get(event.participant_id)
    if participant is None:
        participant = state.participants[event.participant_id] = ParticipantState(
            id=event.participant_id, person=event.person, email_hash=email_hash
        )
        if email_hash is not None:
            state.participants_by_email.setdefault(email_hash, event.participant_id)
    if newcomer is not None:
        participant.newcomer = newcomer
    participant.signups.append(event.signup_id)
    if event.token_hash is not None:
        participant.token_hashes.add(event.token_hash)


def _evolve_newcomer_corrected(state: WorkshopState, event: e.NewcomerCorrected) -> None:
    participant = state.participants[event.participant_id]
    participant.newcomer = event.newcomer
    for signup_id in participant.signups:
        state.signups[signup_id].newcomer = event.newcomer


def _evolve_table_code(state: WorkshopState, event: e.TableCodeChanged) -> None:
    state.sessions[event.session_id].table_code = event.table_code


def _evolve_withdrawn(state: WorkshopState, event: e.SignupWithdrawn) -> None:
    signup = state.signups[event.signup_id]
    session = state.sessions[signup.session_id]
    (session.confirmed if signup.status == "confirmed" else session.waitlist).remove(event.signup_id)
    signup.status, signup.withdrawn_at = "withdrawn", event.at


def _evolve_slot_offered(state: WorkshopState, event: e.IntroSlotOffered) -> None:
    state.intro_slots[event.slot_id] = IntroSlotState(
        id=event.slot_id,
        host=event.host,
        starts_at=event.starts_at,
        duration=event.duration,
        capacity=event.capacity,
        language=event.language,
        offered_at=event.at,
        place=event.place if event.place is not None else event.host.place,
    )


def _evolve_slot_withdrawn(state: WorkshopState, event: e.IntroSlotWithdrawn) -> None:
    state.intro_slots[event.slot_id].withdrawn = True


def _evolve_talk_scheduled(state: WorkshopState, event: e.IntroTalkScheduled) -> None:
    talk = state.intro_talks.get(event.participant_id)
    if talk is not None and talk.slot_id is not None:
        state.intro_slots[talk.slot_id].talks.discard(event.participant_id)
    state.intro_talks[event.participant_id] = IntroTalkState(
        participant_id=event.participant_id,
        slot_id=event.slot_id,
        sequence=event.sequence,
        changed_at=event.at,
        previous_slot_id=event.previous_slot_id,
    )
    state.intro_slots[event.slot_id].talks.add(event.participant_id)


def _evolve_talk_cancelled(state: WorkshopState, event: e.IntroTalkCancelled) -> None:
    state.intro_slots[event.slot_id].talks.discard(event.participant_id)
    state.intro_talks[event.participant_id] = IntroTalkState(
        participant_id=event.participant_id,
        slot_id=None,
        sequence=event.sequence,
        changed_at=event.at,
        reason=event.reason,
        previous_slot_id=event.slot_id,
    )


def _evolve_rotated(state: WorkshopState, event: e.FacilitatorTokensRotated) -> None:
    state.facilitator_token_hashes = {event.token_hash}
    state.login_code_hashes = {event.login_code_hash} if event.login_code_hash else set()


def _evolve_links_ended(state: WorkshopState, event: e.EarlierLinksEnded) -> None:
    state.participants[event.participant_id].token_hashes = {event.token_hash}


def _evolve_mails_stopped(state: WorkshopState, event: e.MailsStopped) -> None:
    hashed = event.email_hash or (event.who.email_hash if event.who is not None else None)
    if hashed:  # none: the person was erased since, and their stop with them
        state.mail_stops[(event.kind, hashed)] = event.subjects


def _evolve_erased(state: WorkshopState, event: e.PersonErased) -> None:
    """Every copy of the person's fields goes, and the mails they stopped are forgotten;
    their tokens stop working."""
    blank = e.Person(event.subject, None)
    for stop, subjects in list(state.mail_stops.items()):
        if event.subject in subjects:
            del state.mail_stops[stop]
    participant = state.participants.get(event.subject)
    if participant is not None:
        _forget_participant(state, participant, blank)
        participant.tombstone = participant.tombstone or event.tombstone
    for commitment in state.commitments.values():
        if commitment.owner.subject == event.subject:
            commitment.owner = blank
    for offer in state.offers.values():
        if offer.owner is not None and offer.owner.subject == event.subject:
            offer.owner = blank
    for slot in state.intro_slots.values():
        if slot.host.subject == event.subject:
            slot.host, slot.place = blank, None  # the place may have been the host's home
    for proposal in state.proposals.values():
        if proposal.proposer is not None and proposal.proposer.subject == event.subject:
            proposal.proposer = blank
    state.former_owners = [blank if p.subject == event.subject else p for p in state.former_owners]
    if state.organiser is not None and state.organiser.subject == event.subject:
        state.organiser, state.organiser_email = blank, None


def _forget_participant(state: WorkshopState, participant: ParticipantState, blank: e.Person) -> None:
    """The participant's fields, tokens and keyed e-mail hash go from every sign-up and index."""
    participant.person = blank
    participant.token_hashes.clear()
    if participant.email_hash is not None and state.participants_by_email.get(participant.email_hash) == participant.id:
        del state.participants_by_email[participant.email_hash]
    participant.email_hash = None
    for signup_id in participant.signups:
        signup = state.signups[signup_id]
        if signup.email_hash is not None:
            state.sessions[signup.session_id].signups_by_email[signup.email_hash].remove(signup_id)
        signup.person = blank
        signup.email_hash = None


def _evolve_network_set(state: WorkshopState, event: e.WorkshopNetworkSet) -> None:
    state.network_id = event.network_id


def _evolve_session_group(state: WorkshopState, event: e.SessionGroupNamed) -> None:
    state.sessions[event.session_id].group_id = event.group_id


def _evolve_group_left(state: WorkshopState, event: e.GroupLeft) -> None:
    state.left_groups[(event.participant_id, event.group_id)] = event.at


def _ignored(_state: WorkshopState, _event: e.Event) -> None:
    return None


_EVOLVERS: dict[type[e.Event], Callable[[WorkshopState, Any], None]] = {
    e.WorkshopCreated: _evolve_created,
    e.WorkshopClosed: _evolve_workshop_closed,
    e.WorkshopChanged: _evolve_changed,
    e.ConsoleLinkIssued: lambda state, event: state.login_code_hashes.add(event.login_code_hash),
    e.SessionPlanned: _evolve_planned,
    e.SessionOpened: _evolve_opened,
    e.SessionClosed: _evolve_session_closed,
    e.SessionChanged: _evolve_session_changed,
    e.SessionCancelled: _evolve_session_cancelled,
    e.SignupRecorded: _evolve_signup,
    e.NewcomerCorrected: _evolve_newcomer_corrected,
    e.TableCodeChanged: _evolve_table_code,
    e.ParticipantLinkIssued: _evolve_link,
    e.EarlierLinksEnded: _evolve_links_ended,
    e.SignupWithdrawn: _evolve_withdrawn,
    e.WaitlistPromoted: _evolve_promoted,
    e.AttendanceMarked: _evolve_attendance,
    e.PlaceReleased: _evolve_released,
    e.CommitmentMade: _evolve_commitment,
    e.CommitmentCompleted: _evolve_completed,
    e.CommitmentCorrected: _evolve_commitment_corrected,
    e.CommitmentWithdrawn: _evolve_commitment_withdrawn,
    e.CommitmentReopened: _evolve_commitment_reopened,
    e.NoteTaken: _evolve_note,
    e.NoteRemoved: _evolve_note_removed,
    e.PhotoAttached: _evolve_photo,
    e.PhotoRemoved: _evolve_photo_removed,
    e.IntroSlotOffered: _evolve_slot_offered,
    e.IntroSlotWithdrawn: _evolve_slot_withdrawn,
    e.IntroTalkScheduled: _evolve_talk_scheduled,
    e.IntroTalkCancelled: _evolve_talk_cancelled,
    e.MailsStopped: _evolve_mails_stopped,
    e.PersonErased: _evolve_erased,
    e.FacilitatorSignedIn: lambda state, event: state.facilitator_token_hashes.add(event.token_hash),
    e.FacilitatorTokensRotated: _evolve_rotated,
    e.WorkshopNetworkSet: _evolve_network_set,
    e.SessionGroupNamed: _evolve_session_group,
    e.GroupLeft: _evolve_group_left,
    # a network's own events live in its own log (domain/network.py); folded as a workshop they change nothing
    **dict.fromkeys(e.NETWORK_EVENTS, _ignored),
    **barcamp.EVOLVERS,
    **runder_tisch.EVOLVERS,
    **zukunftswerkstatt.EVOLVERS,
    **marktplatz.EVOLVERS,
}
