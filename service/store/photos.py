"""The photo store port: images of a session (flipcharts) kept outside the event log, where
every API process reads them, sealed because a flipchart may carry names.

Each photo is one Redis key under the workshop's hash tag, sealed under the deployment key and
bound to that key (`KeyWrapper.seal_blob`); a set of the workshop's photo keys lets retention
erase them all with the workshop's people. `MemoryPhotos` is the twin for the unit tests.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any

from service.store import keys
from service.store.connections import AsyncClient, SyncClient
from service.store.vault import KeyWrapper


class Photos(ABC):
    @abstractmethod
    async def put(self, workshop_id: str, photo_id: str, image: bytes) -> None:
        """Keep an image (already checked and cleaned by the caller)."""

    @abstractmethod
    async def get(self, workshop_id: str, photo_id: str) -> bytes | None:
        """The image, or None if there is none (deleted, erased, never stored)."""

    @abstractmethod
    async def delete(self, workshop_id: str, photo_id: str) -> None:
        """Delete one image; deleting it again changes nothing."""

    @abstractmethod
    def erase_sync(self, workshop_id: str) -> int:
        """Delete every image of the workshop (retention); how many there were."""


class MemoryPhotos(Photos):
    def __init__(self) -> None:
        self._images: dict[str, dict[str, bytes]] = {}

    async def put(self, workshop_id: str, photo_id: str, image: bytes) -> None:
        self._images.setdefault(workshop_id, {})[photo_id] = image

    async def get(self, workshop_id: str, photo_id: str) -> bytes | None:
        return self._images.get(workshop_id, {}).get(photo_id)

    async def delete(self, workshop_id: str, photo_id: str) -> None:
        self._images.get(workshop_id, {}).pop(photo_id, None)

    def erase_sync(self, workshop_id: str) -> int:
        return len(self._images.pop(workshop_id, {}))


class RedisPhotos(Photos):
    def __init__(self, sync_client: SyncClient, async_client: AsyncClient, wrapper: KeyWrapper) -> None:
        self._sync = sync_client
        self._async = async_client
        self._wrapper = wrapper

    async def put(self, workshop_id: str, photo_id: str, image: bytes) -> None:
        key = keys.photo_key(workshop_id, photo_id)
        sealed = self._wrapper.seal_blob(key, image)
        pipe: Any = self._async.pipeline(transaction=True)
        pipe.set(key, sealed)
        pipe.sadd(keys.photos_key(workshop_id), photo_id)
        await pipe.execute()

    async def get(self, workshop_id: str, photo_id: str) -> bytes | None:
        key = keys.photo_key(workshop_id, photo_id)
        sealed: Any = await self._async.get(key)
        return None if sealed is None else self._wrapper.open_blob(key, sealed)

    async def delete(self, workshop_id: str, photo_id: str) -> None:
        pipe: Any = self._async.pipeline(transaction=True)
        pipe.delete(keys.photo_key(workshop_id, photo_id))
        pipe.srem(keys.photos_key(workshop_id), photo_id)
        await pipe.execute()

    def erase_sync(self, workshop_id: str) -> int:
        members: Any = self._sync.smembers(keys.photos_key(workshop_id))
        photo_ids = sorted(m.decode() for m in members)
        if photo_ids:
            self._sync.delete(*(keys.photo_key(workshop_id, p) for p in photo_ids), keys.photos_key(workshop_id))
        return len(photo_ids)
