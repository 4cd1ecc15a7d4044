"""Waiting for a condition instead of sleeping for a while."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

POLL_SECONDS = 0.05


def wait_until(condition: Callable[[], object], what: str, timeout: float = 15) -> None:
    """Return as soon as `condition()` is true; fail naming `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(POLL_SECONDS)


async def eventually(condition: Callable[[], Awaitable[object]], what: str, timeout: float = 15) -> None:
    """`wait_until` for a condition that is awaited (an HTTP call, say)."""
    deadline = time.monotonic() + timeout
    while not await condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        await asyncio.sleep(POLL_SECONDS)
