"""A real SMTP server (aiosmtpd) that keeps every mail it receives, for tests to read."""

from __future__ import annotations

import asyncio
import email
import email.policy
import threading
import time
from collections.abc import Callable
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller

from tests.processes import free_port


class MailSink:
    def __init__(self, delay: float = 0.0) -> None:
        self.delay = delay  # seconds each recipient takes to accept, to catch a worker mid-mail
        self.port = free_port()
        self._messages: list[EmailMessage] = []
        self._lock = threading.Lock()
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    async def handle_RCPT(self, _server: Any, _session: Any, envelope: Any, address: str, _options: Any) -> str:
        """Slow before the mail is accepted: a client killed now has delivered nothing."""
        if self.delay:
            await asyncio.sleep(self.delay)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, _server: Any, _session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        with self._lock:
            self._messages.append(message)
        return "250 OK"

    def start(self) -> MailSink:
        self._controller.start()
        return self

    def stop(self) -> None:
        self._controller.stop()

    def messages(self, to: str | None = None) -> list[EmailMessage]:
        with self._lock:
            return [m for m in self._messages if to is None or to in str(m["To"])]

    def wait_for(
        self, predicate: Callable[[list[EmailMessage]], bool], timeout: float = 30, to: str | None = None
    ) -> list[EmailMessage]:
        """Wait until the mails (to one address) satisfy `predicate`; return them."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.messages(to)
            if predicate(found):
                return found
            time.sleep(0.05)
        raise AssertionError(f"mails to {to} did not arrive in {timeout}s: {[m['Subject'] for m in self.messages(to)]}")


def text_of(message: EmailMessage) -> str:
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    return str(body.get_content())


def html_of(message: EmailMessage) -> str:
    body = message.get_body(preferencelist=("html",))
    assert body is not None
    return str(body.get_content())


def attachments_of(message: EmailMessage) -> dict[str, bytes]:
    return {part.get_filename() or "": part.get_payload(decode=True) for part in message.iter_attachments()}
