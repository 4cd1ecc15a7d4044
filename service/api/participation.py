"""What happens at the table: sign-ups and withdrawals, commitments, notes, cards and votes,
offers and matches."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Controller, Request, Response, delete, patch, post
from litestar.di import NamedDependency
from litestar.exceptions import PermissionDeniedException
from litestar.params import FromPath, JSONBody

from service.api.auth import Access, Principal
from service.api.idempotency import idempotency_of, respond
from service.api.problems import BadInput
from service.api.sessions import SESSION
from service.application.inputs import existing, person
from service.application.runner import Outcome, WorkshopService
from service.application.signups import record_signup, signup_out
from service.domain import commands as c
from service.domain.events import Person, PlaceReleased, WaitlistPromoted
from service.domain.formats.zukunftswerkstatt import dots_left
from service.domain.lookups import signup_of
from service.domain.rules import decide
from service.domain.state import CommitmentState, WorkshopState, present
from service.domain.views import (
    CardEntry,
    CommitmentEntry,
    MatchEntry,
    NoteEntry,
    OfferEntry,
    VoteOut,
    card_entry,
    commitment_entry,
    match_entry,
    note_entry,
    offer_entry,
)
from service.schemas import (
    AttendanceIn,
    AttendanceOut,
    CardIn,
    CommitmentIn,
    CommitmentPatch,
    MatchIn,
    NoteIn,
    OfferIn,
    PersonRef,
    ReleaseOut,
    SignupIn,
    SignupOut,
    SignupPatch,
    StatusOut,
    VoteIn,
    WithdrawalOut,
)
from service.security import new_id
from service.settings import Settings


def _owner_of(data: CommitmentIn | OfferIn, required: bool) -> Person | None:
    if data.signup_id is not None:
        return None
    if data.owner_name is None:
        if required:
            raise BadInput("owner_name", "signup_id or owner_name is required")
        return None
    return person(new_id(), data.owner_name, data.owner_email, None, "owner_email")


def _typed_owner(commitment: CommitmentState, data: CommitmentPatch) -> Person | None:
    """The owner a correction types: a typed owner keeps their subject and the fields not given."""
    if data.signup_id is not None or (data.owner_name is None and data.owner_email is None):
        return None
    current = commitment.owner
    typed = commitment.signup_id is None
    subject = current.subject if typed else new_id()
    name = data.owner_name or current.name or ""
    email = data.owner_email or (current.email if typed else None)
    return person(subject, name, email, None, "owner_email")


def _only_own(principal: Principal | None, participant_id: str | None) -> None:
    if principal is not None and principal.kind == "participant" and principal.participant_id != participant_id:
        raise PermissionDeniedException("Participants may only change their own data.")


def _attendance(state: WorkshopState, signup_id: str) -> AttendanceOut:
    signup = state.signups[signup_id]
    return AttendanceOut(signup_id=signup_id, present=present(signup, state.sessions[signup.session_id]))


def _refs(state: WorkshopState, signup_ids: list[str]) -> list[PersonRef]:
    return [PersonRef(signup_id=sid, name=state.signups[sid].person.name) for sid in signup_ids]


def acting_participant(principal: Principal | None) -> str | None:
    """The participant acting from their phone, or None for a facilitator or organiser."""
    return principal.participant_id if principal is not None and principal.kind == "participant" else None


def _removed(_: WorkshopState) -> tuple[int, StatusOut]:
    return 200, StatusOut(status="removed")


class ParticipationController(Controller):
    path = "/api/workshops"
    tags = ["participation"]

    # The common sign-up (no credential, no walk-in) is answered before the router, by the same
    # code: service/api/signup_lane.py. What this handler does beyond `record_signup` must be
    # done there too, or the lane must leave such a request to this route.
    @post(SESSION + "/signups", opt={"access": Access.PUBLIC}, status_code=201)
    async def sign_up(
        self,
        request: Request[Any, Any, Any],
        workshop_id: FromPath[str],
        session_id: FromPath[str],
        data: JSONBody[SignupIn],
        service: NamedDependency[WorkshopService],
        settings: NamedDependency[Settings],
        principal: NamedDependency[Principal | None],
    ) -> Response[SignupOut]:
        """Sign up without an account: a place, or a waitlist position when the session is full.

        The same e-mail on the same session again answers 200 with the existing sign-up. An
        address that signed up to another session of the workshop is the same person (one
        participant, one intro talk); that answer carries no participant token.
        A session with a table code takes sign-ups only with it (403 otherwise).
        A facilitator adds a walk-in with `"present": true`: the person counts as present.
        """
        idempotency = await idempotency_of(request)
        walk_in = data.present is True
        if walk_in and (principal is None or not principal.manages(workshop_id)):
            raise PermissionDeniedException("Only a facilitator adds a walk-in as present.")
        signed = await record_signup(request, service, settings, workshop_id, session_id, data, idempotency, walk_in)
        return respond(signed.reply)

    @patch("/{workshop_id:str}/signups/{signup_id:str}", opt={"access": Access.FACILITATOR}, status_code=200)
    async def correct_signup(
        self,
        request: Request[Any, Any, Any],
        workshop_id: FromPath[str],
        signup_id: FromPath[str],
        data: JSONBody[SignupPatch],
        service: NamedDependency[WorkshopService],
    ) -> Response[SignupOut]:
        """Correct whether the person is new: for all their sign-ups in the workshop. The intro
        talk is planned or cancelled accordingly."""
        command = c.CorrectNewcomer(signup_id=signup_id, newcomer=data.newcomer)

        def plan(state: WorkshopState) -> Outcome:
            signup_of(existing(state), signup_id)
            events = decide(state, command, service.clock.now())
            return Outcome(events, lambda s: (200, signup_out(s, s.signups[signup_id], None)))

        return respond(await service.execute(workshop_id, plan, await idempotency_of(request)))

    @delete("/{workshop_id:str}/signups/{signup_id:str}", opt={"access": Access.MEMBER}, status_code=200)
    async def withdraw(
        self,
        request: Request[Any, Any, Any],
        workshop_id: FromPath[str],
        signup_id: FromPath[str],
        service: NamedDependency[WorkshopService],
        principal: NamedDependency[Principal | None],
    ) -> Response[WithdrawalOut]:
        """Withdraw a sign-up; a freed place goes to the first on the waitlist."""

        def plan(state: WorkshopState) -> Outcome:
            _only_own(principal, signup_of(existing(state), signup_id).participant_id)
            events = decide(state, c.WithdrawSignup(signup_id=signup_id), service.clock.now())
            promoted = next((e.signup_id for e in events if isinstance(e, WaitlistPromoted)), None)
            return Outcome(
                events,
                lambda s: (200, WithdrawalOut(signup_id=signup_id, status="withdrawn", promoted_signup_id=promoted)),
            )

        return respond(await service.execute(workshop_id, plan, await idempotency_of(request)))

    @post("/{workshop_id:str}/signups/{signup_id:str}/attendance", opt={"access": Access.FACILITATOR}, status_code=200)
    async def mark_attendance(
        self,
        request: Request[Any, Any, Any],
        workshop_id: FromPath[str],
        signup_id: FromPath[str],
        data: JSONBody[AttendanceIn],
        service: NamedDependency[WorkshopService],
    ) -> Response[AttendanceOut]:
        """Mark a person present or absent; the same mark again changes nothing. A sign-up made
        while its session is open counts as present unless marked absent."""

        def plan(state: WorkshopState) -> Outcome:
            signup_of(existing(state), signup_id)
            events = decide(state, c.MarkAttendance(signup_id=signup_id, present=data.present), service.clock.now())
            return Outcome(events, lambda s: (200, _attendance(s, signup_id)))

        return respond(await service.execute(workshop_id, plan, await idempotency_of(request)))

    @post(SESSION + "/release-absent", opt={"access": Access.FACILITATOR}, status_code=200)
    async def release_absent(
        self,
        request: Request[Any, Any, Any],
        workshop_id: FromPath[str],
        session_id: FromPath[str],
        service: NamedDependency[WorkshopService],
    ) -> Response[ReleaseOut]:
        """At the start of an open session: the places of confirmed people not marked present go
        to the waitlist (those marked present first); each promoted person gets a mail."""

        def plan(state: WorkshopState) -> Outcome:
            events = decide(existing(state), c.ReleaseAbsent(session_id=session_id), service.clock.now())
            released = [ev.signup_id for ev in events if isinstance(ev, PlaceReleased)]
            promoted = [ev.signup_id for ev in events if isinstance(ev, WaitlistPromoted)]
            return Outcome(
                events, lambda s: (200, ReleaseOut(released=_refs(s, released), promoted=_refs(s, promoted)))
            )

        return respond(await service.execute(workshop_id, plan, await idempotency_of(request)))

    @post(SESSION + "/commitments", opt={"access": Access.FACILITATOR}, status_code=201)
    async def make_commitment(
        self,
        request: Request[Any, Any, Any],
        workshop_id: FromPath[str],
        session_id: FromPath[str],
        data: JSONBody[CommitmentIn],
        service: NamedDependency[WorkshopService],
    ) -> Response[CommitmentEntry]:
        """Record who promised what by when: an owner from the sign-ups or a typed name."""
        cid = new_id()
        command = c.MakeCommitment(
            commitment_id=cid,
            session_id=session_id,
            text=data.text.strip(),
            signup_id=data.signup_id,
            owner=_owner_of(data, required=True),
            due=data.due,
        )
        plan = service.command(command, lambda s: (201, commitment_entry(s.commitments[cid])))
        return respond(await service.execute(workshop_id, plan, await idempotency_of(request)))

    @post("/{workshop_id:str}/commitments/{commitment_id:str}/done", opt={"access": Access.MEMBER}, status_code=200)
    async def complete_commitment(
        self,
        request: Request[Any, Any, Any],
        workshop_id: FromPath[str],
        commitment_id: FromPath[str],
        service: NamedDependency[WorkshopService],
        principal: NamedDependency[Principal | None],
    ) -> Response[CommitmentEntry]:
        """Mark a commitment done (its owner or a facilitator)."""

        def plan(state: WorkshopState) -> Outcome:
            commitment = existing(state).commitments.get(commitment_id)
            _only_own(principal, commitment.owner.subject if commitment else None)
            events = decide(state, c.CompleteCommitment(commitment_id=commitment_id), service.clock.now())
            owner = () if commitment is None else (commitment.owner.subject,)  # the reply names them
            return Outcome(events, lambda s: (200, commitment_entry(s.commitments[commitment_id])), owner)

        return respond(await service.execute(workshop_id, plan, await idempotency_of(request)))

    @patch("/{workshop_id:str}/commitments/{commitment_id:str}", opt={"access": Access.FACILITATOR}, status_code=200)
    async def correct_commitment(
        self,
        request: Request[Any, Any, Any],
        workshop_id: FromPath[str],
        commitment_id: FromPath[str],
        data: JSONBody[CommitmentPatch],
        service: NamedDependency[WorkshopService],
    ) -> Response[CommitmentEntry]:
        """Correct a commitment's text, due date or owner; a new due date moves its reminder."""

        def plan(state: WorkshopState) -> Outcome:
            commitment = existing(state).commitments.get(commitment_id)
            command = c.CorrectCommitment(
                commitment_id=commitment_id,
                text=None if data.text is None else data.text.strip(),
                due=data.due,
                signup_id=data.signup_id,
                owner=None if commitment is None else _typed_owner(commitment, data),
            )
            events = decide(state, command, service.clock.now())
            return Outcome(events, lambda s: (200, commitment_entry(s.commitments[commitment_id])))

        return respond(await service.execute(workshop_id, plan, await idempotency_of(request)))

    @delete("/{workshop_id:str}/commitments/{commitment_id:str}", opt={"access": Access.FACILITATOR}, status_code=200)
    async def withdraw_commitment(
        self,
        request: Request[Any, Any, Any],
        workshop_id: FromPath[str],
        commitment_id: FromPath[str],
        service: NamedDependency[WorkshopService],
    ) -> Response[StatusOut]:
        """Take a commitment back: no reminder goes out for it, reports leave it out."""
        command = c.WithdrawCommitment(commitment_id=commitment_id)
        plan = service.command(command, lambda s: (200, StatusOut(status=s.commitments[commitment_id].status)))
        return respond(await service.execute(workshop_id, plan, await idempotency_of(request)))

    @post(
        "/{workshop_id:str}/commitments/{commitment_id:str}/reopen",
        opt={"access": Access.FACILITATOR},
        status_code=200,
    )
    async def reopen_commitment(
        self,
        request: Request[Any, Any, Any],
        workshop_id: FromPath[str],
        commitment_id: FromPath[str],
        service: NamedDependency[WorkshopService],
    ) -> Response[StatusOut]:
        """Open a withdrawn or done commitment again."""
        command = c.ReopenCommitment(commitment_id=commitment_id)
        plan = service.command(command, lambda s: (200, StatusOut(status=s.commitments[commitment_id].status)))
        return respond(await service.execute(workshop_id, plan, await idempotency_of(request)))

    @post(SESSION + "/notes", opt={"access": Access.FACILITATOR}, status_code=201)
    async def take_note(
        self,
        request: Request[Any, Any, Any],
        workshop_id: FromPath[str],
        session_id: FromPath[str],
        data: JSONBody[NoteIn],
        service: NamedDependency[WorkshopService],
    ) -> Response[NoteEntry]:
        nid = new_id()
        command = c.TakeNote(note_id=nid, session_id=session_id, text=data.text.strip(), phase=data.phase)
        plan = service.command(command, lambda s: (201, note_entry(s.notes[nid])))
        return respond(await service.execute(workshop_id, plan, await idempotency_of(request)))

    @post(SESSION + "/cards", opt={"access": Access.MEMBER}, status_code=201)
    async def add_card(
        self,
        request: Request[Any, Any, Any],
        workshop_id: FromPath[str],
        session_id: FromPath[str],
        data: JSONBody[CardIn],
        service: NamedDependency[WorkshopService],
        principal: NamedDependency[Principal | None],
    ) -> Response[CardEntry]:
        """A card in the Zukunftswerkstatt's current phase: by the facilitator, or by a participant
        with a confirmed place while the session is open (403 without a place, 409 when not open)."""
        card_id = new_id()
        command = c.AddCard(
            card_id=card_id, session_id=session_id, text=data.text.strip(), participant_id=acting_participant(principal)
        )
        plan = service.command(command, lambda s: (201, card_entry(s.cards[card_id])))
        return respond(await service.execute(workshop_id, plan, await idempotency_of(request)))

    @post("/{workshop_id:str}/cards/{card_id:str}/votes", opt={"access": Access.MEMBER}, status_code=200)
    async def vote_card(
        self,
        request: Request[Any, Any, Any],
        workshop_id: FromPath[str],
        card_id: FromPath[str],
        data: JSONBody[VoteIn],
        service: NamedDependency[WorkshopService],
        principal: NamedDependency[Principal | None],
    ) -> Response[VoteOut]:
        """Add dots to a card (1 to 5) or take them back (-1 to -5); its dots never go below 0.
        A participant gives their own dots, at most the session's `dot_budget` over the whole
        session (more: 409), and takes back only their own; `dots_left` says how many remain."""
        pid = acting_participant(principal)

        def voted(state: WorkshopState) -> tuple[int, VoteOut]:
            card = state.cards[card_id]
            left = None if pid is None else dots_left(state.sessions[card.session_id], pid)
            return 200, VoteOut(**msgspec.structs.asdict(card_entry(card)), dots_left=left)

        plan = service.command(c.VoteCard(card_id=card_id, count=data.count, participant_id=pid), voted)
        return respond(await service.execute(workshop_id, plan, await idempotency_of(request)))

    @delete("/{workshop_id:str}/notes/{note_id:str}", opt={"access": Access.FACILITATOR}, status_code=200)
    async def remove_note(
        self,
        request: Request[Any, Any, Any],
        workshop_id: FromPath[str],
        note_id: FromPath[str],
        service: NamedDependency[WorkshopService],
    ) -> Response[StatusOut]:
        """Take a note back: gone from the session, its digest and the report."""
        plan = service.command(c.RemoveNote(note_id=note_id), _removed)
        return respond(await service.execute(workshop_id, plan, await idempotency_of(request)))

    @delete("/{workshop_id:str}/cards/{card_id:str}", opt={"access": Access.MEMBER}, status_code=200)
    async def remove_card(
        self,
        request: Request[Any, Any, Any],
        workshop_id: FromPath[str],
        card_id: FromPath[str],
        service: NamedDependency[WorkshopService],
        principal: NamedDependency[Principal | None],
    ) -> Response[StatusOut]:
        """Take a card back: gone from the session, its digest and the report. A participant
        removes only their own cards (someone else's: 403)."""
        plan = service.command(c.RemoveCard(card_id=card_id, participant_id=acting_participant(principal)), _removed)
        return respond(await service.execute(workshop_id, plan, await idempotency_of(request)))

    @delete("/{workshop_id:str}/offers/{offer_id:str}", opt={"access": Access.MEMBER}, status_code=200)
    async def remove_offer(
        self,
        request: Request[Any, Any, Any],
        workshop_id: FromPath[str],
        offer_id: FromPath[str],
        service: NamedDependency[WorkshopService],
        principal: NamedDependency[Principal | None],
    ) -> Response[StatusOut]:
        """Take an offer back (the facilitator hides a post): gone from the session, its digest and
        the report. A participant removes only their own (someone else's: 403)."""
        command = c.RemoveOffer(offer_id=offer_id, participant_id=acting_participant(principal))
        plan = service.command(command, _removed)
        return respond(await service.execute(workshop_id, plan, await idempotency_of(request)))

    @post(SESSION + "/offers", opt={"access": Access.MEMBER}, status_code=201)
    async def post_offer(
        self,
        request: Request[Any, Any, Any],
        workshop_id: FromPath[str],
        session_id: FromPath[str],
        data: JSONBody[OfferIn],
        service: NamedDependency[WorkshopService],
        principal: NamedDependency[Principal | None],
    ) -> Response[OfferEntry]:
        """An offer ("Biete") or a request ("Suche") on the Marktplatz. A participant posts as
        themselves (their confirmed place; `signup_id` and `owner_*` are not theirs to give)."""
        oid = new_id()
        pid = acting_participant(principal)
        command = c.PostOffer(
            offer_id=oid,
            session_id=session_id,
            kind=data.kind,
            text=data.text.strip(),
            signup_id=data.signup_id if pid is None else None,
            owner=_owner_of(data, required=False) if pid is None else None,
            participant_id=pid,
        )
        plan = service.command(command, lambda s: (201, offer_entry(s.offers[oid])))
        return respond(await service.execute(workshop_id, plan, await idempotency_of(request)))

    @delete("/{workshop_id:str}/matches/{match_id:str}", opt={"access": Access.FACILITATOR}, status_code=200)
    async def undo_match(
        self,
        request: Request[Any, Any, Any],
        workshop_id: FromPath[str],
        match_id: FromPath[str],
        service: NamedDependency[WorkshopService],
    ) -> Response[StatusOut]:
        """Take a match back: both its commitments withdrawn, its offer and request open again."""
        plan = service.command(c.UndoMatch(match_id=match_id), _removed)
        return respond(await service.execute(workshop_id, plan, await idempotency_of(request)))

    @post("/{workshop_id:str}/matches", opt={"access": Access.FACILITATOR}, status_code=201)
    async def make_match(
        self,
        request: Request[Any, Any, Any],
        workshop_id: FromPath[str],
        data: JSONBody[MatchIn],
        service: NamedDependency[WorkshopService],
    ) -> Response[MatchEntry]:
        """Match an offer with a request; each side with an owner gets a commitment."""
        mid = new_id()
        command = c.MakeMatch(
            match_id=mid, offer_id=data.offer_id, request_id=data.request_id, commitment_ids=(new_id(), new_id())
        )
        plan = service.command(command, lambda s: (201, match_entry(s, mid)))
        return respond(await service.execute(workshop_id, plan, await idempotency_of(request)))
