"""Stopping a kind of mail with one click (RFC 8058).

Every mail the reader did not ask for carries a link naming the workshop, the kind of mail and
the recipient's keyed e-mail hash, signed with an HMAC under `KNOTEN_SECRET_KEY`: the link is
the only token, and nobody can make one for another address or kind. A POST on it appends
`MailsStopped` to the workshop's log (so the stop is as durable as the log, and the fold of the
workshop knows it); a GET only shows a page with a button, because mail scanners open links.
The stop concerns that workshop's mails; erasing the person forgets it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import get_args

import msgspec

from service.domain.events import MailKind
from service.domain.links import Links
from service.domain.rules import people_of
from service.domain.state import WorkshopState
from service.i18n import N_
from service.security import keyed_hash, same_secret

KINDS: dict[str, MailKind] = {kind: kind for kind in get_args(MailKind)}
DESCRIPTIONS: dict[MailKind, str] = {
    "reminders": N_("reminders about what you took on"),
    "intro_talks": N_("invitations to intro talks and their changes"),
    "digests": N_("documentation and reports"),
    "waitlist": N_("news from the waitlist"),
}
MAC_LENGTH = 32  # hex characters: 128 bits


class StopLink(msgspec.Struct, frozen=True, kw_only=True):
    workshop_id: str
    kind: MailKind
    email_hash: str


def _mac(secret_key: str, payload: str) -> str:
    return keyed_hash(secret_key, "mail-stop", payload)[:MAC_LENGTH]


def stop_token(secret_key: str, link: StopLink) -> str:
    payload = f"{link.workshop_id}.{link.kind}.{link.email_hash}"
    return f"{payload}.{_mac(secret_key, payload)}"


def read_stop_token(secret_key: str, token: str) -> StopLink | None:
    """The link a token names, or None when it is not one this deployment signed."""
    parts = token.split(".")
    kind = KINDS.get(parts[1]) if len(parts) == 4 else None
    if kind is None:
        return None
    workshop_id, _, hashed, mac = parts
    if not same_secret(mac, _mac(secret_key, f"{workshop_id}.{kind}.{hashed}")):
        return None
    return StopLink(workshop_id=workshop_id, kind=kind, email_hash=hashed)


def stop_url(base_url: str, secret_key: str, link: StopLink) -> str:
    return Links(base_url).unsubscribe(stop_token(secret_key, link))


def subjects_with(state: WorkshopState, email_hash: str, hashed: Callable[[str], str]) -> tuple[str, ...]:
    """Everyone in the workshop with this address (participants, owners, hosts, organisers)."""
    return tuple(sorted({p.subject for p in people_of(state) if p.email and hashed(p.email) == email_hash}))
