"""Liveness for load balancers and people: can the API reach Redis?"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from litestar import Response, get
from litestar.di import NamedDependency

from service.api.auth import Access
from service.application.runner import WorkshopService
from service.schemas import Health


def _version() -> str:
    try:
        return version("knoten")
    except PackageNotFoundError:
        return "unknown"


@get("/health", opt={"access": Access.PUBLIC}, tags=["service"])
async def health(service: NamedDependency[WorkshopService]) -> Response[Health]:
    """200 when Redis answers, 503 when it does not."""
    try:
        await service.store.ping()
    except Exception:  # noqa: BLE001 - any failure to reach Redis means "not healthy"
        return Response(Health("unavailable", "unreachable", _version()), status_code=503)
    return Response(Health("ok", "ok", _version()), status_code=200)
