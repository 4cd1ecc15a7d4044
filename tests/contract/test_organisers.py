"""The organisers registry, the same on the in-memory twin, one Redis and a Redis Cluster."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator

import pytest

from service.organisers import MemoryOrganisers, Organiser, Organisers, RedisOrganisers
from service.store import keys
from service.store.connections import async_client, async_cluster_client

SECRET = secrets.token_urlsafe(32)


@pytest.fixture(params=["memory", "redis", "cluster"])
async def organisers(request: pytest.FixtureRequest) -> AsyncIterator[Organisers]:
    if request.param == "memory":
        yield MemoryOrganisers()
        return
    if request.param == "redis":
        client = async_client(request.getfixturevalue("redis_url"))
    else:
        client = async_cluster_client(request.getfixturevalue("cluster_url"))
    yield RedisOrganisers(client, SECRET)
    await client.aclose()


def _someone() -> tuple[Organiser, str]:
    suffix = secrets.token_hex(6)
    return Organiser(id=f"o-{suffix}", email=f"orga-{suffix}@example.org", name=f"Orga {suffix}"), f"h-{suffix}"


async def test_an_organiser_is_found_by_id_and_address_until_ended(organisers: Organisers) -> None:
    organiser, email_hash = _someone()
    assert await organisers.add(organiser, email_hash)
    assert await organisers.find(organiser.id) == organiser
    assert await organisers.find_by_email(email_hash) == organiser
    assert organiser in await organisers.listed()
    assert not await organisers.ended(organiser.id)
    await organisers.remove(organiser.id, email_hash)
    assert await organisers.find(organiser.id) is None
    assert await organisers.ended(organiser.id)  # only the id is kept, so ending it again answers alike
    assert await organisers.find_by_email(email_hash) is None
    assert organiser not in await organisers.listed()


async def test_an_address_belongs_to_one_organiser(organisers: Organisers) -> None:
    first, email_hash = _someone()
    second, _ = _someone()
    assert await organisers.add(first, email_hash)
    assert not await organisers.add(second, email_hash)
    assert await organisers.find(second.id) is None


async def test_redis_keeps_no_name_or_address_in_clear(redis_url: str) -> None:
    client = async_client(redis_url)
    organiser, email_hash = _someone()
    await RedisOrganisers(client, SECRET).add(organiser, email_hash)
    stored = await client.hget(keys.organisers_key(), organiser.id)
    await client.aclose()
    assert stored is not None
    assert organiser.email.encode() not in stored and organiser.name.encode() not in stored
