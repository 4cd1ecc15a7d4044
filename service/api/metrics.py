"""GET /metrics: Prometheus text for the organiser's token (or Prometheus's on the internal
listener, KNOTEN_METRICS_ADDR, without one). What it holds: service/metrics.py."""

from __future__ import annotations

import anyio.to_thread
from litestar import Response, get
from litestar.di import NamedDependency
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry

from service.api.auth import Access
from service.metrics import exposition

MEDIA_TYPE = CONTENT_TYPE_LATEST.split("; charset")[0]  # Litestar adds the charset itself


@get("/metrics", opt={"access": Access.ORGANISER}, tags=["operations"], media_type=MEDIA_TYPE)
async def get_metrics(metrics: NamedDependency[CollectorRegistry]) -> Response[bytes]:
    """Requests, appends, sign-ups, the job queue, failed jobs and dead letters, in Prometheus text."""
    body = await anyio.to_thread.run_sync(exposition, metrics)  # the job figures are read from Redis
    return Response(body, media_type=MEDIA_TYPE)
