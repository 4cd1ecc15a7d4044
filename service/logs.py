"""Logging for the knoten processes: no secret reaches a log line.

Token links (`/me?token=…`), console links (`/w/…/login?code=…`) and EventSource streams
(`/stream?token=…`) carry secrets in their query; every handler's filter blanks those values
before a line is written, in the access log and everywhere else.
"""

from __future__ import annotations

import copy
import logging
import re
from datetime import timedelta
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


RQ_JOB_DONE = "Successfully completed %s job in %ss on worker %s"
RQ_JOB_FAILED = "Worker %s: job %s: exception raised while executing (%s)\n%s"


class OneLinePerJob(logging.Filter):
    """The log of `knoten worker --quiet`: one line per finished or failed job, warnings and
    errors, and none of RQ's other chatter. Recognises RQ's two job records by their templates."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args if isinstance(record.args, tuple) else ()
        if record.msg == RQ_JOB_DONE and len(args) == 3 and isinstance(args[1], timedelta):
            record.msg, record.args = "done %s (%.2f s)", (args[0], args[1].total_seconds())
            return True
        if record.msg == RQ_JOB_FAILED and len(args) == 4:
            cause = str(args[3]).strip().splitlines()[-1:] or ["?"]
            record.msg, record.args = "failed %s: %s (see /admin)", (args[1], cause[0])
            return True
        return record.levelno >= logging.WARNING


class OneLine(logging.Formatter):
    """A record on one line: the first line of its message, without a traceback."""

    def format(self, record: logging.LogRecord) -> str:
        bare = logging.makeLogRecord({**record.__dict__, "exc_info": None, "exc_text": None, "stack_info": None})
        return super().format(bare).splitlines()[0]


def worker_logging(quiet: bool) -> None:
    """Logging of `knoten worker`: every record (RQ's included) with its level and logger, or with
    `quiet` (in `knoten dev`) one line per job; secrets redacted either way."""
    handler = logging.StreamHandler()
    handler.addFilter(RedactSecrets())
    if quiet:
        handler.addFilter(OneLinePerJob())
        handler.setFormatter(OneLine("%(asctime)s worker: %(message)s", "%H:%M:%S"))
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(level=logging.INFO, handlers=[handler])
