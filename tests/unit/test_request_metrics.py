"""knoten's request metrics middleware records what Litestar's Prometheus middleware records:
the same series with the same labels and counts, for answers, refusals, errors and routes that
are left out; only cheaper per request."""

from __future__ import annotations

import secrets

from litestar import Litestar, get, post
from litestar.exceptions import NotAuthorizedException
from litestar.params import FromPath
from litestar.plugins.prometheus import PrometheusConfig
from litestar.testing import TestClient
from prometheus_client import REGISTRY

from service.api.request_metrics import RequestMetrics


@get("/things/{thing_id:str}", sync_to_thread=False)
def thing(thing_id: FromPath[str]) -> dict[str, str]:
    return {"id": thing_id}


@post("/things", sync_to_thread=False)
def make_thing() -> dict[str, str]:
    return {"id": "new"}


@get("/secret", sync_to_thread=False)
def secret() -> None:
    raise NotAuthorizedException


@get("/broken", sync_to_thread=False)
def broken() -> None:
    raise RuntimeError("a bug")


@get("/stream", sync_to_thread=False)
def stream() -> str:
    return "left out"


def _series(prefix: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of the metrics named `prefix_…`, with the prefix taken off; durations as counts
    (of a histogram its count and its `+Inf` bucket: which finite bucket a request falls in
    depends on how fast the machine was at that moment)."""
    found = {}
    for metric in REGISTRY.collect():
        for sample in metric.samples:
            timed = sample.name.endswith("_bucket") and sample.labels.get("le") != "+Inf"
            if sample.name.startswith(f"{prefix}_") and not sample.name.endswith(("_sum", "_created")) and not timed:
                name = sample.name.removeprefix(f"{prefix}_")
                found[(name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


def _run(middleware: bool) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    prefix = f"t{secrets.token_hex(4)}"
    options = {"middleware_class": RequestMetrics} if middleware else {}
    config = PrometheusConfig(app_name="knoten", prefix=prefix, group_path=True, exclude=[r"/stream$"], **options)
    app = Litestar([thing, make_thing, secret, broken, stream], middleware=[config.middleware])
    with TestClient(app, raise_server_exceptions=False) as client:
        for answer, status in (
            (client.get("/things/a1"), 200),
            (client.get("/things/b2"), 200),
            (client.post("/things"), 201),
            (client.get("/secret"), 401),
            (client.get("/broken"), 500),
            (client.get("/stream"), 200),
            (client.get("/nowhere"), 404),
        ):
            assert answer.status_code == status
    return _series(prefix)


def test_the_same_series_as_litestars_own_middleware() -> None:
    ours, theirs = _run(middleware=True), _run(middleware=False)
    assert ours == theirs
    thing_route = (("app_name", "knoten"), ("method", "GET"), ("path", "/things/{thing_id}"), ("status_code", "200"))
    assert ours[("requests_total", thing_route)] == 2
    assert ours[("request_duration_seconds_count", thing_route)] == 2
    broken_route = (("app_name", "knoten"), ("method", "GET"), ("path", "/broken"), ("status_code", "500"))
    assert ours[("requests_error_total", broken_route)] == 1
    assert not any(dict(labels).get("path") == "/stream" for _name, labels in ours)  # left out
    assert {v for (name, _labels), v in ours.items() if name == "requests_in_progress"} == {0}
