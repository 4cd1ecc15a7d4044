"""Ids: 16 lowercase base32 characters, as base64.b32encode writes ten bytes."""

from __future__ import annotations

import base64
import os

from service.security import base32_of, derived_id, new_id


def test_ten_bytes_read_as_base64_writes_them() -> None:
    for raw in [bytes(10), b"\xff" * 10, bytes(range(10)), *(os.urandom(10) for _ in range(500))]:
        assert base32_of(raw) == base64.b32encode(raw).decode().lower()


def test_new_ids_are_distinct_and_urlsafe() -> None:
    ids = {new_id() for _ in range(2_000)}
    assert len(ids) == 2_000
    assert all(len(i) == 16 and i.isalnum() and i == i.lower() for i in ids)


def test_a_derived_id_is_the_same_for_the_same_value() -> None:
    assert (
        derived_id("key", "purpose", "value")
        == derived_id("key", "purpose", "value")
        != derived_id("key", "purpose", "other")
    )
