"""The commands for a network's members and working groups, from what was typed: contact people
and patrons are people like any other, sealed under a subject of their own."""

from __future__ import annotations

from service.application.inputs import checked_email
from service.domain import network as n
from service.domain.events import Person
from service.schemas import UNSET, GroupIn, GroupPatch, MemberIn, MemberPatch, Unset


def contact_subject(member_id: str, position: int = 0) -> str:
    """The subject of a member's contact person: each contact person has their own (the first
    one's is the member's; a successor's names the log position that brings them), so that
    erasing one leaves the others readable and a successor is never readable by an old key."""
    return f"contact-{member_id}" if position == 0 else f"contact-{member_id}-{position}"


def patron_subject(group_id: str, position: int = 0) -> str:
    """The subject of a group's patron, one per patron like a contact person's."""
    return f"patron-{group_id}" if position == 0 else f"patron-{group_id}-{position}"


def member_subjects(state: n.NetworkState, member_id: str) -> tuple[str, ...]:
    """Whom a member's reply concerns: its stored copy is erased with the contact person."""
    member = state.members.get(member_id)
    return () if member is None or member.contact is None else (member.contact.subject,)


def group_subjects(state: n.NetworkState, group_id: str) -> tuple[str, ...]:
    """Whom a group's reply concerns: its stored copy is erased with the patron."""
    group = state.groups.get(group_id)
    return () if group is None or group.patron is None else (group.patron.subject,)


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


def _successor(
    before: Person | None, name: str | Unset | None, email: str | Unset | None, subject: str, field: str
) -> tuple[Person | None, bool]:
    """The person a PATCH makes of a contact or patron (a field given alone keeps the other; null
    empties it), under a subject of their own, and whether the person goes without successor."""
    if name is UNSET and email is UNSET:
        return None, False
    if before is not None and before.erased:
        before = None
    name = (before.name if before else None) if isinstance(name, Unset) else name
    email = (before.email if before else None) if isinstance(email, Unset) else email
    after = _person(subject, name, email, field)
    return after, after is None


def change_member(state: n.NetworkState, member_id: str, data: MemberPatch) -> n.ChangeMember:
    """A change; a new contact person gets a subject of their own (the one before is erased)."""
    member = state.members.get(member_id)
    contact, drop = _successor(
        member.contact if member is not None else None,
        data.contact_name,
        data.contact_email,
        contact_subject(member_id, state.version + 1),
        "contact_email",
    )
    return n.ChangeMember(
        member_id=member_id,
        organisation=data.organisation.strip() if data.organisation is not None else None,
        role=data.role,
        agreement_signed_at=data.agreement_signed_at,
        contact=contact,
        drop_contact=drop,
    )


def form_group(group_id: str, data: GroupIn) -> n.FormGroup:
    return n.FormGroup(
        group_id=group_id,
        title=data.title.strip(),
        patron=_person(patron_subject(group_id), data.patron_name, data.patron_email, "patron_email"),
    )


def change_group(state: n.NetworkState, group_id: str, data: GroupPatch) -> n.ChangeGroup:
    """A change; a new patron gets a subject of their own (the one before is erased)."""
    group = state.groups.get(group_id)
    patron, drop = _successor(
        group.patron if group is not None else None,
        data.patron_name,
        data.patron_email,
        patron_subject(group_id, state.version + 1),
        "patron_email",
    )
    return n.ChangeGroup(
        group_id=group_id,
        title=None if isinstance(data.title, Unset) else data.title.strip(),
        patron=patron,
        drop_patron=drop,
    )
