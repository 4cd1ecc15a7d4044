"""Every Redis key knoten writes, built in one place.

All keys of one workshop share the hash tag `{<workshop id>}`, so that on Redis Cluster
they live in one slot and a workshop's append stays one transaction.
"""

from __future__ import annotations

PREFIX = "knoten"


def workshop_key(workshop_id: str, *parts: str) -> str:
    return ":".join((PREFIX, "{" + workshop_id + "}", *parts))


def rate_key(scope: str, name: str, window: int | str) -> str:
    """A fixed-window rate-limit counter, in its scope's hash slot (a workshop's, for sign-ups)."""
    return workshop_key(scope, "rate", name, str(window))


def log_key(workshop_id: str) -> str:
    return workshop_key(workshop_id, "log")


def idempotency_key(workshop_id: str, key: str) -> str:
    return workshop_key(workshop_id, "idem", key)


def global_key(*parts: str) -> str:
    """Keys that belong to the deployment, not to one workshop."""
    return ":".join((PREFIX, *parts))


def seen_emails_key() -> str:
    return global_key("seen-emails")


def short_link_key(code: str) -> str:
    """A short link's code → `<workshop id>/<session id>`; in a slot of its own per code."""
    return global_key("short", code)


def email_workshops_key(email_hash: str) -> str:
    """The workshops in which (the keyed hash of) an e-mail has sign-ups."""
    return global_key("email-workshops", email_hash)


def backfilled_key(what: str) -> str:
    """Present once every workshop logged before has `what` (e.g. its indexes) written."""
    return global_key("backfilled", what)


def forgotten_key() -> str:
    """Present while an erasure removed e-mail hashes from the seen set that the append-only
    file's history still holds (until a rewrite starts). In the seen set's hash slot."""
    return "{" + seen_emails_key() + "}:forgotten"


def workshops_key() -> str:
    return global_key("workshops")


def effects_key(workshop_id: str) -> str:
    """Hash of effect id → when it happened: the ledger that makes effects happen once."""
    return workshop_key(workshop_id, "effects")


def claim_key(workshop_id: str, effect: str) -> str:
    return workshop_key(workshop_id, "claim", effect)


def jobs_done_key(workshop_id: str) -> str:
    """Set of the ids of a workshop's jobs that ran to the end (what reconcile checks)."""
    return workshop_key(workshop_id, "jobs-done")


def person_keys_key(workshop_id: str) -> str:
    """Hash of subject → wrapped data key: deleting a field forgets that person."""
    return workshop_key(workshop_id, "keys")


def replicated_key(workshop_id: str) -> str:
    """An empty marker written right before WAIT (KNOTEN_WAIT_REPLICAS), so WAIT covers the workshop."""
    return workshop_key(workshop_id, "replicated")


def reconciled_key() -> str:
    """Hash of workshop id → the log head (`<position>:<append id>`) at which reconcile found
    every job of the workshop finished."""
    return global_key("reconciled")


def retention_key() -> str:
    """Hash of workshop id → `<when it ended>:<log version when retention last looked>`."""
    return global_key("retention")


def organiser_signin_key(signin_hash: str) -> str:
    """An organiser's sign-in, under the keyed hash of the id its cookie holds; it expires."""
    return global_key("organiser-signin", signin_hash)


def organisers_key() -> str:
    """Hash of organiser id → the organiser's name and address, sealed under the deployment key."""
    return global_key("organisers")


def ended_organisers_key() -> str:
    """Set of the ids of organisers who were ended, so that ending one again answers as the first time."""
    return global_key("organisers-ended")


def organiser_emails_key() -> str:
    """Hash of the keyed hash of an organiser's address → their id."""
    return global_key("organiser-emails")


def signin_link_key(link_hash: str) -> str:
    """A one-time sign-in link's organiser, under the keyed hash of the link's id; it expires."""
    return global_key("signin-link", link_hash)


def network_meetings_key(network_id: str) -> str:
    """Hash of workshop id → the network projection's record of that meeting (the network
    report's input), under the network's own hash tag like the network's log."""
    return workshop_key(network_id, "meetings")


def network_versions_key(network_id: str) -> str:
    """Hash of workshop id → the log version its record in the projection was made at."""
    return workshop_key(network_id, "meeting-versions")


def workshop_network_key(workshop_id: str) -> str:
    """The network whose projection holds the workshop's record (so a move takes it out)."""
    return workshop_key(workshop_id, "network")


def photo_key(workshop_id: str, photo_id: str) -> str:
    """A session photo's image, sealed (service/store/photos.py)."""
    return workshop_key(workshop_id, "photo", photo_id)


def photos_key(workshop_id: str) -> str:
    """Set of the ids of the workshop's stored photos: what retention erases."""
    return workshop_key(workshop_id, "photos")
