"""Sealing a person, and a stored reply: what was sealed before a change still opens."""

from __future__ import annotations

import base64
import os

import msgspec
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from service.domain.events import Person
from service.store.base import IdempotencyRecord
from service.store.replies import open_envelope, seal_record
from service.store.vault import NONCE, KeyWrapper, seal, unseal


def test_a_person_sealed_before_the_email_hash_was_added_opens_without_it() -> None:
    key = KeyWrapper.new_key()
    nonce = os.urandom(NONCE)
    old_fields = msgspec.msgpack.encode(["Anna Beispiel", "anna@example.org", "AWO"])
    sealed = nonce + AESGCM(key).encrypt(nonce, old_fields, b"p")
    stored = {"subject": "p", "sealed": base64.b64encode(sealed).decode()}
    assert unseal(stored, {"p": key}) == Person("p", "Anna Beispiel", "anna@example.org", "AWO")


def test_the_email_hash_is_sealed_with_the_other_fields() -> None:
    key = KeyWrapper.new_key()
    person = Person("p", "Anna Beispiel", "anna@example.org", "AWO", "f00dcafe")
    stored = seal(person, key)
    assert "f00dcafe" not in str(stored)
    assert unseal(stored, {"p": key}) == person
    assert unseal(stored, {}) == Person("p", None)


def test_a_stored_reply_is_sealed_with_the_hkdf_of_its_subjects_keys() -> None:
    """Replies stored before the derivation was computed with hmac open as before."""
    wrapper = KeyWrapper("a secret of the deployment")
    data_keys = {"p1": KeyWrapper.new_key(), "p2": KeyWrapper.new_key()}
    redis_key = "knoten:{w1}:idem:k1"
    record = IdempotencyRecord("fingerprint", 201, b'{"status": "confirmed"}', ("p1", "p2"))
    envelope = open_envelope(wrapper, redis_key, seal_record(wrapper, redis_key, record, data_keys))
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"knoten-reply", info=redis_key.encode())
    cipher = AESGCM(hkdf.derive(data_keys["p1"] + data_keys["p2"]))
    content = cipher.decrypt(envelope.content[:NONCE], envelope.content[NONCE:], redis_key.encode())
    assert msgspec.msgpack.decode(content) == ["fingerprint", b'{"status": "confirmed"}']
    assert envelope.record(redis_key, data_keys) == record
    assert envelope.record(redis_key, {"p1": data_keys["p1"]}).erased  # a subject erased: nothing opens
