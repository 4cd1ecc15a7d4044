"""Sealing a person: entries sealed before a field was added still open."""

from __future__ import annotations

import base64
import os

import msgspec
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from service.domain.events import Person
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
