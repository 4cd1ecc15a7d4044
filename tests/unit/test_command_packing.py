"""The asyncio connection packs commands with hiredis: the same bytes redis-py's own packing
sends, for every kind of argument knoten passes, and redis-py's errors for what neither takes."""

from __future__ import annotations

import pytest
import redis
from redis.asyncio.connection import Connection

from service.store.connections import HiredisPackedConnection, async_client


def _both(*args: object) -> tuple[bytes, bytes]:
    ours, theirs = HiredisPackedConnection(), Connection()
    return b"".join(ours.pack_command(*args)), b"".join(theirs.pack_command(*args))


@pytest.mark.parametrize(
    "args",
    [
        ("SET", "k", "v"),
        ("CONFIG GET", "maxmemory"),
        (b"CLIENT SETNAME", b"x"),
        ("EVALSHA", "a" * 40, 2, "{w1}:log", "{w1}:seen", b"\x00\xff" * 4000, "Grüße €", -3, 2**70, 1.5, 0.1),
        ("XADD", memoryview(b"stream"), "*", "f", bytearray(b"value")),  # bytearray: the Python way
    ],
)
def test_commands_are_packed_as_redis_py_packs_them(args: tuple[object, ...]) -> None:
    ours, theirs = _both(*args)
    assert ours == theirs


def test_what_redis_py_refuses_is_refused_the_same_way() -> None:
    with pytest.raises(redis.DataError):
        HiredisPackedConnection().pack_command("SET", "k", True)
    with pytest.raises(redis.DataError):
        HiredisPackedConnection().pack_command("SET", "k", None)


def test_the_api_client_uses_it_for_plain_redis_urls() -> None:
    client = async_client("redis://127.0.0.1:1/0")
    assert client.connection_pool.connection_class is HiredisPackedConnection
    tls = async_client("rediss://127.0.0.1:1/0")
    assert tls.connection_pool.connection_class is not HiredisPackedConnection
