"""A small Server-Sent Events reader for tests."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any, NamedTuple

import httpx


class Message(NamedTuple):
    id: int
    event: str
    data: dict[str, Any]


async def messages(response: httpx.Response) -> AsyncIterator[Message]:
    fields: dict[str, str] = {}
    async for line in response.aiter_lines():
        if line == "":
            if "data" in fields:
                yield Message(int(fields["id"]), fields.get("event", "message"), json.loads(fields["data"]))
            fields = {}
        elif not line.startswith(":"):
            name, _, value = line.partition(":")
            fields[name] = value.removeprefix(" ")


async def collect(client: httpx.AsyncClient, path: str, count: int, **request: Any) -> list[Message]:
    """The first `count` messages of a stream, then disconnect."""
    got: list[Message] = []
    async with client.stream("GET", path, **request) as response:
        assert response.status_code == 200, await response.aread()
        assert response.headers["content-type"].startswith("text/event-stream")
        async for message in messages(response):
            got.append(message)
            if len(got) == count:
                break
    return got
