"""Typed settings, read once from the environment."""

from __future__ import annotations

import os
import re
from typing import Annotated

import msgspec

from service.store.connections import is_cluster_url

DEFAULT_BASE_URL = "http://127.0.0.1:8000"
MIN_SECRET_LENGTH = 32
METRICS_ADDR = re.compile(r"(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):[0-9]{1,5}")


class Settings(msgspec.Struct, frozen=True, kw_only=True):
    redis_url: str
    events_url: str | None = None  # a Redis Cluster node for the event log; jobs stay on redis_url
    admin_token: str
    secret_key: str
    base_url: str = DEFAULT_BASE_URL
    smtp_url: str | None = None
    mail_from: str = "knoten <knoten@localhost>"
    outbox_dir: str = ".knoten/outbox"
    allow_volatile_redis: bool = False
    max_body_bytes: int = 64 * 1024
    signups_per_client_minute: int = 60
    signups_per_session_minute: int = 600
    admin_logins_per_client_minute: int = 10
    # a mailed sign-in link is valid this long; at most this many go to one address a quarter hour
    signin_link_seconds: Annotated[int, msgspec.Meta(ge=1)] = 15 * 60
    signin_links_per_address_quarter_hour: int = 5
    # proxies whose X-Forwarded-For / -Proto are believed (addresses or networks); none by default
    trusted_proxies: tuple[str, ...] = ()
    # a workshop's personal data is erased this many days after it ended
    retention_days: Annotated[int, msgspec.Meta(ge=0)] = 365
    # no write is acknowledged before this many replicas of its primary have it (Redis WAIT)
    wait_replicas: Annotated[int, msgspec.Meta(ge=0)] = 0
    # host:port of the internal listener that serves /metrics without a token; none by default
    metrics_addr: str | None = None

    @classmethod
    def from_env(cls, **overrides: object) -> Settings:
        """Read `KNOTEN_*` variables; `overrides` win (the dev command fills in defaults)."""
        env = os.environ
        values: dict[str, object] = {
            "redis_url": env.get("KNOTEN_REDIS_URL"),
            "events_url": env.get("KNOTEN_EVENTS_URL") or None,
            "admin_token": env.get("KNOTEN_ADMIN_TOKEN"),
            "secret_key": env.get("KNOTEN_SECRET_KEY"),
            "base_url": env.get("KNOTEN_BASE_URL", DEFAULT_BASE_URL).rstrip("/"),
            "smtp_url": env.get("KNOTEN_SMTP_URL") or None,
            "mail_from": env.get("KNOTEN_MAIL_FROM") or None,
            "outbox_dir": env.get("KNOTEN_OUTBOX_DIR") or None,
            "allow_volatile_redis": env.get("KNOTEN_ALLOW_VOLATILE_REDIS", "") in {"1", "true", "yes"},
            "signups_per_client_minute": env.get("KNOTEN_SIGNUPS_PER_CLIENT_MINUTE"),
            "signups_per_session_minute": env.get("KNOTEN_SIGNUPS_PER_SESSION_MINUTE"),
            "admin_logins_per_client_minute": env.get("KNOTEN_ADMIN_LOGINS_PER_CLIENT_MINUTE"),
            "signin_link_seconds": env.get("KNOTEN_SIGNIN_LINK_SECONDS"),
            "trusted_proxies": _listed(env.get("KNOTEN_TRUSTED_PROXIES")),
            "retention_days": env.get("KNOTEN_RETENTION_DAYS"),
            "wait_replicas": env.get("KNOTEN_WAIT_REPLICAS"),
            "metrics_addr": env.get("KNOTEN_METRICS_ADDR") or None,
        }
        values.update(overrides)
        values = {k: v for k, v in values.items() if v is not None}
        missing = [name for name in ("redis_url", "admin_token", "secret_key") if not values.get(name)]
        if missing:
            names = ", ".join("KNOTEN_" + name.upper() for name in missing)
            raise SystemExit(f"knoten: {names} must be set (or use `knoten dev`, which sets them up).")
        if is_cluster_url(str(values["redis_url"])):
            raise SystemExit(
                "knoten: KNOTEN_REDIS_URL holds the job queues and must be a plain Redis primary; "
                "a cluster goes into KNOTEN_EVENTS_URL (docs/scaling.md)."
            )
        if values.get("events_url") and not is_cluster_url(str(values["events_url"])):
            raise SystemExit("knoten: KNOTEN_EVENTS_URL must name a Redis Cluster node: redis+cluster://host:port.")
        if values.get("metrics_addr") and not METRICS_ADDR.fullmatch(str(values["metrics_addr"])):
            raise SystemExit("knoten: KNOTEN_METRICS_ADDR must be host:port, e.g. 127.0.0.1:9464 or 0.0.0.0:9464.")
        for name in ("admin_token", "secret_key"):
            if len(str(values[name])) < MIN_SECRET_LENGTH:
                raise SystemExit(
                    f"knoten: KNOTEN_{name.upper()} must be at least {MIN_SECRET_LENGTH} characters long "
                    "(for example: python -c 'import secrets; print(secrets.token_urlsafe(32))')."
                )
        return msgspec.convert(values, cls, strict=False)

    @property
    def secure_cookies(self) -> bool:
        """Cookies only over https when knoten is reached over https."""
        return self.base_url.startswith("https://")


def _listed(value: str | None) -> tuple[str, ...] | None:
    """A comma-separated list from the environment."""
    if value is None:
        return None
    return tuple(item.strip() for item in value.split(",") if item.strip())
