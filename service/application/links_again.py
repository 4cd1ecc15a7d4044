"""A participant's personal links sent again to their address (`POST /api/me/link`).

Whatever the address, the caller learns nothing: the answer is the same, and the work is the
same up to the enqueue (check, count, one index look-up). The jobs carry the keyed e-mail hash,
never the address; each looks the person up in its workshop's state.
"""

from __future__ import annotations

import anyio.to_thread

from service.application.inputs import checked_email
from service.domain.errors import Invalid
from service.ratelimit import Limit, RateLimiter
from service.security import email_hash
from service.store.base import EventStore
from service.store.job_spec import JobSpec

LINKS_PER_HOUR = 3
HOUR = 3600


class LinksAgain:
    def __init__(self, store: EventStore, limiter: RateLimiter, secret_key: str, handler: str) -> None:
        self._store = store
        self._limiter = limiter
        self._secret_key = secret_key
        self._handler = handler  # the job that mails the links (workers.handlers)

    async def request(self, email: str, request_id: str) -> None:
        """One mail with a link for each workshop the address signed up in, unless it asked too
        often this hour."""
        try:
            address = checked_email(email, "email")
        except Invalid:
            return
        assert address is not None
        hashed = email_hash(self._secret_key, address)
        over = await self._limiter.hit(f"links-again:{hashed}", [Limit("links-again", LINKS_PER_HOUR)], HOUR)
        workshops = await self._store.workshops_of(hashed)
        if over is not None or not workshops:
            return
        name = self._handler.rsplit(".", 1)[-1]
        ordered = sorted(workshops)
        job = JobSpec(f"{ordered[0]}-{request_id}-{name}", self._handler, (",".join(ordered), hashed, request_id))
        await anyio.to_thread.run_sync(self._store.jobs.enqueue, [job])
