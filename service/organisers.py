"""Organisers as people: who may sign in by a mailed link. Their names and addresses are
personal data: the Redis registry keeps them sealed under the deployment key, found by the
keyed hash of the address. A port with an in-memory twin, like the sign-ins."""

from __future__ import annotations

import base64
from abc import ABC, abstractmethod

import msgspec

from service.store import keys
from service.store.connections import AsyncClient
from service.store.vault import KeyWrapper


class Organiser(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    id: str
    email: str
    name: str
    network_id: str | None = None  # a network coordinator: sees and makes only this network's workshops


class Organisers(ABC):
    @abstractmethod
    async def add(self, organiser: Organiser, email_hash: str) -> bool:
        """Keep an organiser; False (nothing kept) when the address is already one's."""

    @abstractmethod
    async def listed(self) -> list[Organiser]:
        """Every organiser, by name."""

    @abstractmethod
    async def find(self, organiser_id: str) -> Organiser | None:
        """The organiser, or None when there is none (any more)."""

    @abstractmethod
    async def find_by_email(self, email_hash: str) -> Organiser | None:
        """The organiser with this address's keyed hash, or None."""

    @abstractmethod
    async def remove(self, organiser_id: str, email_hash: str) -> None:
        """End an organiser: they are no longer found; their id is remembered as ended."""

    @abstractmethod
    async def ended(self, organiser_id: str) -> bool:
        """Whether this id was an organiser's who has been ended (only the id is kept)."""


class MemoryOrganisers(Organisers):
    def __init__(self) -> None:
        self._kept: dict[str, Organiser] = {}
        self._by_email: dict[str, str] = {}
        self._ended: set[str] = set()

    async def add(self, organiser: Organiser, email_hash: str) -> bool:
        if email_hash in self._by_email:
            return False
        self._kept[organiser.id] = organiser
        self._by_email[email_hash] = organiser.id
        return True

    async def listed(self) -> list[Organiser]:
        return sorted(self._kept.values(), key=lambda o: o.name)

    async def find(self, organiser_id: str) -> Organiser | None:
        return self._kept.get(organiser_id)

    async def find_by_email(self, email_hash: str) -> Organiser | None:
        found = self._by_email.get(email_hash)
        return None if found is None else self._kept.get(found)

    async def remove(self, organiser_id: str, email_hash: str) -> None:
        self._kept.pop(organiser_id, None)
        self._by_email.pop(email_hash, None)
        self._ended.add(organiser_id)

    async def ended(self, organiser_id: str) -> bool:
        return organiser_id in self._ended


class RedisOrganisers(Organisers):
    def __init__(self, client: AsyncClient, secret_key: str) -> None:
        self._client = client
        self._wrapper = KeyWrapper(secret_key)
        self._decoder = msgspec.json.Decoder(Organiser)

    def _seal(self, organiser: Organiser) -> str:
        sealed = self._wrapper.seal_blob(f"organiser:{organiser.id}", msgspec.json.encode(organiser))
        return base64.b64encode(sealed).decode()

    def _open(self, organiser_id: str, stored: bytes | str) -> Organiser:
        plain = self._wrapper.open_blob(f"organiser:{organiser_id}", base64.b64decode(stored))
        return self._decoder.decode(plain)

    async def add(self, organiser: Organiser, email_hash: str) -> bool:
        if not await self._client.hsetnx(keys.organiser_emails_key(), email_hash, organiser.id):
            return False
        await self._client.hset(keys.organisers_key(), organiser.id, self._seal(organiser))
        return True

    async def listed(self) -> list[Organiser]:
        stored = await self._client.hgetall(keys.organisers_key())
        found = [self._open(_text(oid), raw) for oid, raw in stored.items()]
        return sorted(found, key=lambda o: o.name)

    async def find(self, organiser_id: str) -> Organiser | None:
        raw = await self._client.hget(keys.organisers_key(), organiser_id)
        return None if raw is None else self._open(organiser_id, raw)

    async def find_by_email(self, email_hash: str) -> Organiser | None:
        found = await self._client.hget(keys.organiser_emails_key(), email_hash)
        return None if found is None else await self.find(_text(found))

    async def remove(self, organiser_id: str, email_hash: str) -> None:
        await self._client.sadd(keys.ended_organisers_key(), organiser_id)
        await self._client.hdel(keys.organisers_key(), organiser_id)
        await self._client.hdel(keys.organiser_emails_key(), email_hash)

    async def ended(self, organiser_id: str) -> bool:
        return bool(await self._client.sismember(keys.ended_organisers_key(), organiser_id))


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value
