"""Organiser sign-ins: the organiser cookie holds a random id of its own, never an organiser's
token. Only the id's keyed hash is stored, with who signed in and how, until it expires.

A port with an in-memory twin and a Redis implementation, like the rate limiter.
"""

from __future__ import annotations

import time
from abc import ABC, abstractmethod
from datetime import datetime
from typing import Literal

import msgspec

from service.store import keys
from service.store.connections import AsyncClient


class OrganiserSignin(msgspec.Struct, frozen=True, kw_only=True):
    """Who signed in: `organiser` is "admin" for `KNOTEN_ADMIN_TOKEN`, else the organiser's id;
    `method` how they proved it."""

    organiser: str
    method: Literal["admin_token", "mail_link"]
    signed_in_at: datetime


class Signins(ABC):
    @abstractmethod
    async def save(self, signin_hash: str, signin: OrganiserSignin, ttl_seconds: int) -> None:
        """Keep a sign-in under the keyed hash of its id for `ttl_seconds`."""

    @abstractmethod
    async def find(self, signin_hash: str) -> OrganiserSignin | None:
        """The sign-in, or None when there is none or it expired."""

    @abstractmethod
    async def end(self, signin_hash: str) -> None:
        """Forget a sign-in (signing out)."""


class MemorySignins(Signins):
    def __init__(self) -> None:
        self._kept: dict[str, tuple[float, OrganiserSignin]] = {}

    async def save(self, signin_hash: str, signin: OrganiserSignin, ttl_seconds: int) -> None:
        self._kept[signin_hash] = (time.monotonic() + ttl_seconds, signin)

    async def find(self, signin_hash: str) -> OrganiserSignin | None:
        until, signin = self._kept.get(signin_hash, (0.0, None))
        return signin if time.monotonic() < until else None

    async def end(self, signin_hash: str) -> None:
        self._kept.pop(signin_hash, None)


class RedisSignins(Signins):
    def __init__(self, client: AsyncClient) -> None:
        self._client = client
        self._decoder = msgspec.json.Decoder(OrganiserSignin)

    async def save(self, signin_hash: str, signin: OrganiserSignin, ttl_seconds: int) -> None:
        await self._client.set(keys.organiser_signin_key(signin_hash), msgspec.json.encode(signin), ex=ttl_seconds)

    async def find(self, signin_hash: str) -> OrganiserSignin | None:
        raw = await self._client.get(keys.organiser_signin_key(signin_hash))
        return None if raw is None else self._decoder.decode(raw)

    async def end(self, signin_hash: str) -> None:
        await self._client.delete(keys.organiser_signin_key(signin_hash))


class SigninLinks(ABC):
    """One-time sign-in links, kept under the keyed hash of their id until used or expired."""

    @abstractmethod
    async def save(self, link_hash: str, organiser_id: str, ttl_seconds: int) -> None:
        """Keep a link for the organiser for `ttl_seconds`."""

    @abstractmethod
    async def peek(self, link_hash: str) -> str | None:
        """The organiser of a link still unused and valid, without using it."""

    @abstractmethod
    async def take(self, link_hash: str) -> str | None:
        """Use a link up: its organiser the first time, None ever after or once expired."""


class MemorySigninLinks(SigninLinks):
    def __init__(self) -> None:
        self._kept: dict[str, tuple[float, str]] = {}

    async def save(self, link_hash: str, organiser_id: str, ttl_seconds: int) -> None:
        self._kept[link_hash] = (time.monotonic() + ttl_seconds, organiser_id)

    async def peek(self, link_hash: str) -> str | None:
        until, organiser_id = self._kept.get(link_hash, (0.0, None))
        return organiser_id if time.monotonic() < until else None

    async def take(self, link_hash: str) -> str | None:
        found = await self.peek(link_hash)
        self._kept.pop(link_hash, None)
        return found


class RedisSigninLinks(SigninLinks):
    def __init__(self, client: AsyncClient) -> None:
        self._client = client

    async def save(self, link_hash: str, organiser_id: str, ttl_seconds: int) -> None:
        await self._client.set(keys.signin_link_key(link_hash), organiser_id, ex=ttl_seconds)

    async def peek(self, link_hash: str) -> str | None:
        return _text(await self._client.get(keys.signin_link_key(link_hash)))

    async def take(self, link_hash: str) -> str | None:
        return _text(await self._client.getdel(keys.signin_link_key(link_hash)))


def _text(value: bytes | str | None) -> str | None:
    return value.decode() if isinstance(value, bytes) else value
