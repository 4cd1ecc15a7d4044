"""The public digest of a session: its link carries a keyed signature of the workshop and the
session, so only those who were given the link find it; the page names no one."""

from __future__ import annotations

from service.domain.links import Links
from service.security import keyed_hash, same_secret

SIGNATURE_LENGTH = 32


def signature(secret_key: str, workshop_id: str, session_id: str) -> str:
    return keyed_hash(secret_key, "public-digest", f"{workshop_id}/{session_id}")[:SIGNATURE_LENGTH]


def signed(secret_key: str, workshop_id: str, session_id: str, given: str) -> bool:
    return same_secret(given, signature(secret_key, workshop_id, session_id))


def public_digest_url(links: Links, secret_key: str, workshop_id: str, session_id: str) -> str:
    return links.public_digest(workshop_id, session_id, signature(secret_key, workshop_id, session_id))
