"""Logging for the knoten processes: no secret and no address reaches a log line.

Token links (`/me?token=…`), console links (`/w/…/login?code=…`) and EventSource streams
(`/stream?token=…`) carry secrets in their query, stop links (`/unsubscribe/<token>`), sign-in
links (`/admin/signin/<id>`) and short links (`/t/<code>`) in their path; every handler's filter
blanks those values, and e-mail addresses, before a line is written.

`knoten api` and `knoten worker` write JSON lines (`json_logging`): one object per record with
time, level, logger, message and the request id (X-Request-ID, service/api/request_log.py). The
request log names the route's template, never the path as sent, and never the client's address.
`knoten dev` keeps short lines for people.
"""

from __future__ import annotations

import copy
import logging
import re
from contextvars import ContextVar
from datetime import UTC, datetime, timedelta
from typing import Any

import msgspec
from uvicorn.config import LOGGING_CONFIG

SECRET_PARAMETER = re.compile(r"(?i)([?&](?:token|code)=)[^&\s\"']*")
SECRET_PATH = re.compile(r"(/(?:unsubscribe|admin/signin|t)/)(?!\{)[^/?#\s\"']+")
EMAIL_ADDRESS = re.compile(r"[^\s@\"'<>(),;:]+@[^\s@\"'<>(),;:]+\.[A-Za-z]{2,}")
REDACTED = "[redacted]"
REQUEST_ID: ContextVar[str | None] = ContextVar("knoten_request_id", default=None)
CLEAN = "knoten_clean"
"""A record with this attribute set holds no secret by construction (the request log's line:
method, route template, status), so the handlers skip the regular expressions for it."""


def redact(text: str) -> str:
    """The text with the values of `token=` and `code=` query parameters, secret path segments
    and e-mail addresses blanked."""
    text = SECRET_PARAMETER.sub(rf"\g<1>{REDACTED}", text)
    text = SECRET_PATH.sub(rf"\g<1>{REDACTED}", text)
    return EMAIL_ADDRESS.sub("[address]", text)


class RedactSecrets(logging.Filter):
    """Blanks secrets in a record's message and arguments; the access log's formatter needs
    its arguments as they are (client, method, path, version, status), so each is redacted in place."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, CLEAN, False):
            return True
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(redact(arg) if isinstance(arg, str) else arg for arg in record.args)
        elif isinstance(record.args, dict):
            record.args = {key: redact(v) if isinstance(v, str) else v for key, v in record.args.items()}
        return True


def log_config() -> dict[str, Any]:
    """uvicorn's logging configuration with the secret filter on every handler (`knoten dev`)."""
    config = copy.deepcopy(LOGGING_CONFIG)
    config["filters"] = {"redact_secrets": {"()": RedactSecrets}}
    # `knoten dev` shows no line per request (the JSON request log is for `knoten api`)
    config["loggers"]["knoten.requests"] = {"level": "WARNING"}
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
    """Logging of `knoten worker`: every record (RQ's included) as a JSON line, or with `quiet`
    (in `knoten dev`) one short line per job; secrets redacted either way."""
    handler = logging.StreamHandler()
    handler.addFilter(RedactSecrets())
    if quiet:
        handler.addFilter(OneLinePerJob())
        handler.setFormatter(OneLine("%(asctime)s worker: %(message)s", "%H:%M:%S"))
    else:
        handler.setFormatter(JsonLines())
    logging.basicConfig(level=logging.INFO, handlers=[handler])


LOGGED_FIELDS = ("method", "route", "status", "duration_ms")


_json = msgspec.json.Encoder()


class JsonLines(logging.Formatter):
    """A record as one JSON object on one line, redacted, with the request id it belongs to."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage() if getattr(record, CLEAN, False) else redact(record.getMessage()),
        }
        request_id = getattr(record, "request_id", None) or REQUEST_ID.get()
        if request_id:
            entry["request_id"] = request_id
        for name in LOGGED_FIELDS:
            if hasattr(record, name):
                entry[name] = getattr(record, name)
        if record.exc_info:
            entry["error"] = redact(self.formatException(record.exc_info))
        return _json.encode(entry).decode()  # UTF-8 as it is, like json.dumps(ensure_ascii=False)


def json_log_config() -> dict[str, Any]:
    """uvicorn's logging as JSON lines, every logger (knoten's, RQ's, uvicorn's) through one
    redacting handler; uvicorn's own access log is off (`knoten.requests` replaces it). The
    lines name no process or thread, so records do not look them up (a system call a line)."""
    logging.logProcesses = logging.logThreads = logging.logMultiprocessing = False
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"redact_secrets": {"()": RedactSecrets}},
        "formatters": {"json": {"()": JsonLines}},
        "handlers": {
            "json": {
                "class": "logging.StreamHandler",
                "formatter": "json",
                "filters": ["redact_secrets"],
                "stream": "ext://sys.stderr",
            }
        },
        "root": {"handlers": ["json"], "level": "INFO"},
        "loggers": {
            "uvicorn": {"handlers": [], "level": "INFO", "propagate": True},
            "uvicorn.error": {"handlers": [], "level": "INFO", "propagate": True},
            "uvicorn.access": {"handlers": [], "level": "WARNING", "propagate": False},
        },
    }
