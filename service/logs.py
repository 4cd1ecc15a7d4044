"""Logging for the knoten processes: no secret reaches a log line.

Token links (`/me?token=…`), console links (`/w/…/login?code=…`) and EventSource streams
(`/stream?token=…`) carry secrets in their query; every handler's filter blanks those values
before a line is written, in the access log and everywhere else.
"""

from __future__ import annotations

import copy
import logging
import re
from typing import Any

from uvicorn.config import LOGGING_CONFIG

SECRET_PARAMETER = re.compile(r"(?i)([?&](?:token|code)=)[^&\s\"']*")
REDACTED = "[redacted]"


def redact(text: str) -> str:
    """The text with the values of `token=` and `code=` query parameters blanked."""
    return SECRET_PARAMETER.sub(rf"\g<1>{REDACTED}", text)


class RedactSecrets(logging.Filter):
    """Blanks secrets in a record's message and arguments; the access log's formatter needs
    its arguments as they are (client, method, path, version, status), so each is redacted in place."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(redact(arg) if isinstance(arg, str) else arg for arg in record.args)
        elif isinstance(record.args, dict):
            record.args = {key: redact(v) if isinstance(v, str) else v for key, v in record.args.items()}
        return True


def log_config() -> dict[str, Any]:
    """uvicorn's logging configuration with the secret filter on every handler."""
    config = copy.deepcopy(LOGGING_CONFIG)
    config["filters"] = {"redact_secrets": {"()": RedactSecrets}}
    for handler in config["handlers"].values():
        handler["filters"] = ["redact_secrets"]
    return config
