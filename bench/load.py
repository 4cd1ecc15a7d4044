"""A small load generator on raw asyncio sockets: HTTP/1.1 with keep-alive, open loop at a
fixed rate, closed loop for throughput, and a Server-Sent Events reader.

Raw sockets rather than an HTTP library, because the generator shares the 2 cores with the
servers it measures: a request costs it a few microseconds, not a few hundred. The open loop
sends request i at `start + i / rate` whether or not earlier ones were answered, and measures
latency from that scheduled time, so a stalled server cannot hide its stall by slowing the
generator down (no coordinated omission).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from typing import NamedTuple
from urllib.parse import urlsplit

import msgspec

MakeRequest = Callable[[int], bytes]


def post(host: str, path: str, body: bytes, headers: dict[str, str] | None = None) -> bytes:
    """A complete HTTP/1.1 POST with a JSON body, as bytes."""
    lines = [f"POST {path} HTTP/1.1", f"Host: {host}", "Content-Type: application/json"]
    lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
    lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def json_post(host: str, path: str, body: object, headers: dict[str, str] | None = None) -> bytes:
    return post(host, path, msgspec.json.encode(body), headers)


class Reply(NamedTuple):
    status: int
    body: bytes


class Connection:
    """One keep-alive HTTP/1.1 connection; one request at a time."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._reader = reader
        self._writer = writer

    @classmethod
    async def open(cls, url: str) -> Connection:
        parts = urlsplit(url)
        reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
        return cls(reader, writer)

    async def request(self, raw: bytes) -> Reply:
        self._writer.write(raw)
        head = await self._reader.readuntil(b"\r\n\r\n")
        status = int(head[9:12])
        length = 0
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
            elif name.strip().lower() == b"transfer-encoding":
                raise RuntimeError("chunked replies are not expected here")
        return Reply(status, await self._reader.readexactly(length) if length else b"")

    def close(self) -> None:
        self._writer.close()


class Pool:
    """Up to `size` connections to one server, opened when first needed."""

    def __init__(self, url: str, size: int) -> None:
        self._url = url
        self._size = size
        self._opened = 0
        self._idle: asyncio.Queue[Connection] = asyncio.Queue()

    async def acquire(self) -> Connection:
        if self._idle.empty() and self._opened < self._size:
            self._opened += 1
            return await Connection.open(self._url)
        return await self._idle.get()

    def release(self, connection: Connection) -> None:
        self._idle.put_nowait(connection)

    def close(self) -> None:
        while not self._idle.empty():
            self._idle.get_nowait().close()


class Sample(NamedTuple):
    """One request: when it was due, when its reply was in, its status and body."""

    scheduled: float
    done: float
    status: int
    body: bytes

    @property
    def latency(self) -> float:
        return self.done - self.scheduled


async def open_loop(url: str, make: MakeRequest, rate: float, duration: float, connections: int = 64) -> list[Sample]:
    """Send `rate × duration` requests, request i at start + i / rate; latency from that time."""
    pool = Pool(url, connections)
    samples: list[Sample] = []

    async def one(i: int, scheduled: float) -> None:
        connection = await pool.acquire()
        reply = await connection.request(make(i))
        samples.append(Sample(scheduled, time.monotonic(), reply.status, reply.body))
        pool.release(connection)

    start = time.monotonic() + 0.05
    tasks = []
    for i in range(round(rate * duration)):
        scheduled = start + i / rate
        delay = scheduled - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(i, scheduled)))
    await asyncio.gather(*tasks)
    pool.close()
    return samples


async def closed_loop(url: str, make: MakeRequest, concurrency: int, duration: float) -> list[Sample]:
    """`concurrency` clients each sending the next request when the last is answered."""
    counter = iter(range(10**9))
    samples: list[Sample] = []
    deadline = time.monotonic() + duration

    async def client() -> None:
        connection = await Connection.open(url)
        while time.monotonic() < deadline:
            sent = time.monotonic()
            reply = await connection.request(make(next(counter)))
            samples.append(Sample(sent, time.monotonic(), reply.status, reply.body))
        connection.close()

    await asyncio.gather(*(client() for _ in range(concurrency)))
    return samples


# ---------------------------------------------------------------------------- Server-Sent Events


class Event(NamedTuple):
    arrived: float
    id: int
    type: str
    data: bytes


async def _chunks(reader: asyncio.StreamReader) -> AsyncIterator[bytes]:
    """The body of a chunked HTTP reply, chunk by chunk."""
    while True:
        size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
        if size == 0:
            return
        chunk = await reader.readexactly(size + 2)
        yield chunk[:-2]


async def sse_events(url: str, path: str, headers: dict[str, str]) -> AsyncIterator[Event]:
    """Every message of an event stream, stamped with its arrival time, until cancelled."""
    parts = urlsplit(url)
    reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
    lines = [f"GET {path} HTTP/1.1", f"Host: {parts.netloc}", "Accept: text/event-stream"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    writer.write(("\r\n".join(lines) + "\r\n\r\n").encode())
    try:
        head = await reader.readuntil(b"\r\n\r\n")
        if int(head[9:12]) != 200 or b"chunked" not in head.lower():
            raise RuntimeError(f"unexpected stream reply: {head!r}")
        buffer = b""
        async for chunk in _chunks(reader):
            arrived = time.monotonic()
            buffer += chunk.replace(b"\r\n", b"\n")
            *messages, buffer = buffer.split(b"\n\n")
            for message in messages:
                event = _parse(message, arrived)
                if event is not None:
                    yield event
    finally:
        writer.close()


def _parse(message: bytes, arrived: float) -> Event | None:
    fields: dict[bytes, bytes] = {}
    for line in message.split(b"\n"):
        if line and not line.startswith(b":"):
            name, _, value = line.partition(b":")
            fields[name] = value.removeprefix(b" ")
    if b"data" not in fields:
        return None
    return Event(arrived, int(fields.get(b"id", b"0")), fields.get(b"event", b"message").decode(), fields[b"data"])
