"""The commands for a network's members and working groups, from what was typed: contact people
and patrons are people like any other, sealed under a subject of their own."""

from __future__ import annotations

from service.application.inputs import checked_email
from service.domain import network as n
from service.domain.errors import Invalid
from service.domain.events import Person
from service.schemas import GroupIn, MemberIn, MemberPatch


def contact_subject(member_id: str) -> str:
    return f"contact-{member_id}"


def patron_subject(group_id: str) -> str:
    return f"patron-{group_id}"


def member_subjects(member_id: str) -> tuple[str, ...]:
    """Whom a member's reply concerns: its stored copy is erased with the contact person."""
    return (contact_subject(member_id),)


def _person(subject: str, name: str | None, email: str | None, field: str) -> Person | None:
    name = (name or "").strip() or None
    email = checked_email(email.strip() if email else None, field)
    if name is None and email is None:
        return None
    return Person(subject, name, email)


def add_member(member_id: str, data: MemberIn) -> n.AddMember:
    return n.AddMember(
        member_id=member_id,
        organisation=data.organisation.strip(),
        role=data.role,
        agreement_signed_at=data.agreement_signed_at,
        contact=_person(contact_subject(member_id), data.contact_name, data.contact_email, "contact_email"),
    )


def change_member(state: n.NetworkState, member_id: str, data: MemberPatch) -> n.ChangeMember:
    """A change; a contact field given alone keeps the other one as it was."""
    contact = None
    if data.contact_name is not None or data.contact_email is not None:
        member = state.members.get(member_id)
        before = member.contact if member is not None else None
        if before is not None and before.erased:
            raise Invalid("contact_name", "the contact person was erased; add the organisation again")
        name = data.contact_name if data.contact_name is not None else (before.name if before else None)
        email = data.contact_email if data.contact_email is not None else (before.email if before else None)
        contact = _person(contact_subject(member_id), name, email, "contact_email")
    return n.ChangeMember(
        member_id=member_id,
        organisation=data.organisation.strip() if data.organisation is not None else None,
        role=data.role,
        agreement_signed_at=data.agreement_signed_at,
        contact=contact,
    )


def form_group(group_id: str, data: GroupIn) -> n.FormGroup:
    return n.FormGroup(
        group_id=group_id,
        title=data.title.strip(),
        patron=_person(patron_subject(group_id), data.patron_name, data.patron_email, "patron_email"),
    )
