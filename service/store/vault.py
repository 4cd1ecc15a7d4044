"""Personal fields sealed per person (AES-256-GCM), so that forgetting a person is deleting
one key: what the log holds about them becomes unreadable everywhere at once.

Each subject (a participant, a named commitment owner, a host) has a random data key. Keys
are stored wrapped with a key-encryption key derived from `KNOTEN_SECRET_KEY` (HKDF), in the
workshop's `keys` hash, so they share the workshop's hash tag. Plaintext never reaches Redis.
"""

from __future__ import annotations

import base64
import binascii
import os
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

import msgspec
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from service.domain.events import Person

NONCE = 12


class _Fields(msgspec.Struct, array_like=True):
    name: str | None
    email: str | None
    organisation: str | None
    email_hash: str | None = None  # entries sealed before it was added have three fields
    place: str | None = None  # an intro host's place; entries sealed before it have four


_encode_fields = msgspec.msgpack.Encoder()
_decode_fields = msgspec.msgpack.Decoder(_Fields)


def derive_kek(secret_key: str) -> bytes:
    """The key-encryption key: HKDF-SHA256 of the deployment's secret."""
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=b"knoten", info=b"person-key-wrapping").derive(
        secret_key.encode()
    )


class KeyWrapper:
    """Makes, wraps and unwraps the per-person data keys."""

    def __init__(self, secret_key: str) -> None:
        self._kek = AESGCM(derive_kek(secret_key))

    @staticmethod
    def new_key() -> bytes:
        return AESGCM.generate_key(bit_length=256)

    def wrap(self, subject: str, key: bytes) -> bytes:
        nonce = os.urandom(NONCE)
        return nonce + self._kek.encrypt(nonce, key, subject.encode())

    def unwrap(self, subject: str, wrapped: bytes) -> bytes:
        return self._kek.decrypt(wrapped[:NONCE], wrapped[NONCE:], subject.encode())

    def seal_blob(self, context: str, data: bytes) -> bytes:
        """Seal something that is not one person's (a stored reply) under the deployment key."""
        return self.wrap(context, data)

    def open_blob(self, context: str, sealed: bytes) -> bytes:
        return self.unwrap(context, sealed)


@lru_cache(maxsize=16_384)
def _cipher(key: bytes) -> AESGCM:
    """One cipher object per data key: folding a large workshop opens the same people again
    and again (bench/results.md, benchmark 3)."""
    return AESGCM(key)


def forget_ciphers() -> None:
    """After an erasure: no cipher object keeps a deleted key in memory."""
    _cipher.cache_clear()


def seal(person: Person, key: bytes) -> dict[str, Any]:
    """The stored form of a person: the subject in clear, the fields sealed with their key."""
    nonce = os.urandom(NONCE)
    plain = _encode_fields.encode(
        _Fields(person.name, person.email, person.organisation, person.email_hash, person.place)
    )
    sealed = nonce + _cipher(key).encrypt(nonce, plain, person.subject.encode())
    return {"subject": person.subject, "sealed": base64.b64encode(sealed).decode()}


def unseal(stored: Mapping[str, Any], keys: Mapping[str, bytes]) -> Person:
    """A person from the stored form; without their key (erased), every field is None."""
    subject = str(stored["subject"])
    key = keys.get(subject)
    if key is None or "sealed" not in stored:
        return Person(subject, None)
    raw = binascii.a2b_base64(stored["sealed"])  # what base64.b64decode does, without its checks of the type
    fields = _decode_fields.decode(_cipher(key).decrypt(raw[:NONCE], raw[NONCE:], subject.encode()))
    return Person(subject, fields.name, fields.email, fields.organisation, fields.email_hash, fields.place)
