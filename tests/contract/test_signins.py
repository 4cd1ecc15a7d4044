"""Organiser sign-ins, the same on the in-memory twin, one Redis and a Redis Cluster."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest

from service.signins import (
    MemorySigninLinks,
    MemorySignins,
    OrganiserSignin,
    RedisSigninLinks,
    RedisSignins,
    SigninLinks,
    Signins,
)
from service.store.connections import async_client, async_cluster_client

AT = datetime(2026, 5, 9, 10, 0, tzinfo=UTC)


@pytest.fixture(params=["memory", "redis", "cluster"])
async def signins(request: pytest.FixtureRequest) -> AsyncIterator[Signins]:
    if request.param == "memory":
        yield MemorySignins()
        return
    if request.param == "redis":
        client = async_client(request.getfixturevalue("redis_url"))
    else:
        client = async_cluster_client(request.getfixturevalue("cluster_url"))
    yield RedisSignins(client)
    await client.aclose()


async def test_a_sign_in_says_who_until_it_ends(signins: Signins) -> None:
    signin = OrganiserSignin(organiser="admin", method="admin_token", signed_in_at=AT)
    await signins.save("h1", signin, 3600)
    assert await signins.find("h1") == signin
    assert await signins.find("h2") is None
    await signins.end("h1")
    assert await signins.find("h1") is None


@pytest.fixture(params=["memory", "redis", "cluster"])
async def links(request: pytest.FixtureRequest) -> AsyncIterator[SigninLinks]:
    if request.param == "memory":
        yield MemorySigninLinks()
        return
    if request.param == "redis":
        client = async_client(request.getfixturevalue("redis_url"))
    else:
        client = async_cluster_client(request.getfixturevalue("cluster_url"))
    yield RedisSigninLinks(client)
    await client.aclose()


async def test_a_sign_in_link_is_seen_often_but_used_once(links: SigninLinks) -> None:
    link_hash = "link-" + secrets.token_hex(8)
    await links.save(link_hash, "o1", 900)
    assert await links.peek(link_hash) == "o1"
    assert await links.peek(link_hash) == "o1"
    assert await links.take(link_hash) == "o1"
    assert await links.take(link_hash) is None
    assert await links.peek(link_hash) is None
