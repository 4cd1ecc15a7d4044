"""Stored replies (idempotency records), sealed so that an erasure reaches them too.

The envelope is sealed under the deployment key, bound to its Redis key, as every stored reply
is. It holds the status and the record's subjects; with subjects, the fingerprint and the body
inside it are sealed once more, with a key derived (HKDF) from every subject's data key. Once
one of those keys is deleted, nothing opens them again: the record reads as erased.
"""

from __future__ import annotations

import hmac
import os
from collections.abc import Mapping

import msgspec
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from service.store.base import IdempotencyRecord
from service.store.vault import NONCE, KeyWrapper


class _Content(msgspec.Struct, array_like=True):
    fingerprint: str
    body: bytes


class Envelope(msgspec.Struct, array_like=True):
    """A stored reply opened with the deployment key: its status and subjects, and its content,
    sealed with the subjects' keys when it has subjects."""

    status: int
    subjects: tuple[str, ...]
    content: bytes

    def record(self, redis_key: str, data_keys: Mapping[str, bytes]) -> IdempotencyRecord:
        """The record, given the data keys that still exist; erased if a subject's key is gone."""
        if not self.subjects:
            return self._record(self.content)
        if any(subject not in data_keys for subject in self.subjects):
            return IdempotencyRecord("", self.status, b"").without_personal_data()
        cipher = _record_cipher(redis_key, [data_keys[s] for s in self.subjects])
        return self._record(cipher.decrypt(self.content[:NONCE], self.content[NONCE:], redis_key.encode()))

    def _record(self, content: bytes) -> IdempotencyRecord:
        opened = _decode_content.decode(content)
        return IdempotencyRecord(opened.fingerprint, self.status, opened.body, self.subjects)


class _Unsealed(msgspec.Struct):
    """A record as stored before replies were sealed per person (such records expire 8 days
    after): every field under the deployment key only, the fingerprint not keyed."""

    fingerprint: str
    status: int
    body: bytes


REPLY_SALT = b"knoten-reply"
_encode = msgspec.msgpack.Encoder()
_decode_content = msgspec.msgpack.Decoder(_Content)
_decode_envelope = msgspec.msgpack.Decoder(Envelope)
_decode_unsealed = msgspec.msgpack.Decoder(_Unsealed)


def _record_cipher(redis_key: str, data_keys: list[bytes]) -> AESGCM:
    """AES-GCM under HKDF-SHA256 (RFC 5869) of the data keys, salt "knoten-reply", info the Redis
    key: for 32 bytes, one HMAC to extract and one to expand, computed with `hmac.digest` (the
    same bytes as `cryptography`'s HKDF, tests/unit/test_vault.py, in 5.6 instead of 7.5 µs)."""
    extracted = hmac.digest(REPLY_SALT, b"".join(data_keys), "sha256")
    return AESGCM(hmac.digest(extracted, redis_key.encode() + b"\x01", "sha256"))


def seal_record(
    wrapper: KeyWrapper, redis_key: str, record: IdempotencyRecord, data_keys: Mapping[str, bytes]
) -> bytes:
    """The stored form of a record. Subjects without a data key (erased, or never named in the
    log) are left out: the reply cannot hold their data."""
    subjects = tuple(sorted({s for s in record.subjects if s in data_keys}))
    content = _encode.encode(_Content(record.fingerprint, record.body))
    if subjects:
        nonce = os.urandom(NONCE)
        cipher = _record_cipher(redis_key, [data_keys[s] for s in subjects])
        content = nonce + cipher.encrypt(nonce, content, redis_key.encode())
    return wrapper.seal_blob(redis_key, _encode.encode(Envelope(record.status, subjects, content)))


def open_envelope(wrapper: KeyWrapper, redis_key: str, sealed: bytes) -> Envelope:
    opened = wrapper.open_blob(redis_key, sealed)
    try:
        return _decode_envelope.decode(opened)
    except msgspec.ValidationError:  # an envelope is an array, an unsealed record a map
        unsealed = _decode_unsealed.decode(opened)
        return Envelope(unsealed.status, (), _encode.encode(_Content(unsealed.fingerprint, unsealed.body)))
