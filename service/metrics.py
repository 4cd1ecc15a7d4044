"""Metrics in Prometheus text (docs/operations.md says what to watch).

- Requests: Litestar's Prometheus middleware (`knoten_request_duration_seconds`, ...), grouped by
  route template, so no token or id in a path becomes a label.
- This process: `knoten_appends_total`, `knoten_signups_total` (prometheus_client counters).
- The deployment's jobs, read from Redis at each scrape: RQ's queue and registries
  (`knoten_queue_depth`, `knoten_jobs_scheduled`, `knoten_jobs_running`, `knoten_dead_letters`)
  and what the workers noted for each job they ran (`knoten_jobs_failed_total`,
  `knoten_jobs_done_total`, `knoten_job_duration_seconds`), kept in one Redis hash so that every
  API replica shows the same figures however many workers come and go.

Several API processes in one container (`PROMETHEUS_MULTIPROC_DIR` set, as prometheus_client's
multiprocess mode asks): the counters and histograms of all of them are summed at each scrape.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Iterator, Sequence
from typing import Any
from wsgiref.simple_server import WSGIServer

import redis
from prometheus_client import REGISTRY, CollectorRegistry, Counter, generate_latest, multiprocess, start_http_server
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily
from prometheus_client.registry import Collector
from rq.registry import FailedJobRegistry, ScheduledJobRegistry, StartedJobRegistry

from service.domain.events import SignupRecorded
from service.store.jobs import queue

log = logging.getLogger("knoten.metrics")

APPENDS = Counter("knoten_appends", "Appends to event logs committed by this process (one per command or job).")
SIGNUPS = Counter("knoten_signups", "Sign-ups recorded by this process (new ones, not repeated requests).")

JOB_STATS_KEY = "knoten:metrics:jobs"
JOB_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0)


def appended(events: Sequence[object]) -> None:
    """Count one committed append and the sign-ups among its events."""
    APPENDS.inc()
    signups = sum(1 for event in events if isinstance(event, SignupRecorded))
    if signups:
        SIGNUPS.inc(signups)


def note_job(connection: redis.Redis, handler: str, seconds: float, ok: bool) -> None:
    """The worker's note of one job run: its outcome per handler and its duration (one round trip)."""
    bucket = next((f"{bound:g}" for bound in JOB_BUCKETS if seconds <= bound), "+Inf")
    with connection.pipeline(transaction=False) as pipe:
        pipe.hincrby(JOB_STATS_KEY, f"{'done' if ok else 'failed'}:{handler}", 1)
        pipe.hincrby(JOB_STATS_KEY, f"le:{bucket}", 1)
        pipe.hincrbyfloat(JOB_STATS_KEY, "sum", seconds)
        pipe.execute()


class JobsCollector(Collector):
    """RQ's queue and registries and the workers' job notes, read at each scrape."""

    def __init__(self, connection: redis.Redis) -> None:
        self._connection = connection

    def describe(self) -> Iterable[Any]:
        return []  # read from Redis at each scrape only, never when registered

    def collect(self) -> Iterator[Any]:
        jobs = queue(self._connection)
        yield GaugeMetricFamily("knoten_queue_depth", "Jobs waiting in the queue to be run now.", jobs.count)
        for name, registry, text in (
            ("knoten_jobs_scheduled", ScheduledJobRegistry, "Jobs scheduled for later (reminders, digests, passes)."),
            ("knoten_jobs_running", StartedJobRegistry, "Jobs a worker is running."),
            (
                "knoten_dead_letters",
                FailedJobRegistry,
                "Jobs that failed after every retry (GET /api/admin/dead-letters).",
            ),
        ):
            yield GaugeMetricFamily(name, text, registry(queue=jobs).count)
        stats = {key.decode(): value.decode() for key, value in self._connection.hgetall(JOB_STATS_KEY).items()}  # type: ignore[union-attr]
        failed = CounterMetricFamily(
            "knoten_jobs_failed", "Job runs that raised (each retry counts).", labels=["handler"]
        )
        done = CounterMetricFamily("knoten_jobs_done", "Job runs that ended well.", labels=["handler"])
        for key, value in sorted(stats.items()):
            kind, _, handler = key.partition(":")
            if kind in {"failed", "done"}:
                (failed if kind == "failed" else done).add_metric([handler], float(value))
        yield failed
        yield done
        cumulative, buckets = 0, []
        for bound in (*(f"{b:g}" for b in JOB_BUCKETS), "+Inf"):
            cumulative += int(stats.get(f"le:{bound}", 0))
            buckets.append((bound, cumulative))
        yield HistogramMetricFamily(
            "knoten_job_duration_seconds",
            "How long job runs took, from start to end in the worker.",
            buckets=buckets,
            sum_value=float(stats.get("sum", 0)),
        )


def scrape_registry(jobs_connection: redis.Redis | None) -> CollectorRegistry:
    """What a scrape shows: this process's metrics (or, in multiprocess mode, every process's) and,
    with a Redis, the deployment's jobs."""
    registry = CollectorRegistry(auto_describe=False)
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    else:
        registry.register(REGISTRY)
    if jobs_connection is not None:
        registry.register(JobsCollector(jobs_connection))
    return registry


def exposition(registry: CollectorRegistry) -> bytes:
    return generate_latest(registry)


def serve_metrics(address: str | None, registry: CollectorRegistry) -> WSGIServer | None:
    """The internal listener (`KNOTEN_METRICS_ADDR`, host:port): Prometheus text without a token,
    in a thread of this process; None without an address. A port already taken is logged, not fatal."""
    if not address:
        return None
    host, _, port = address.rpartition(":")
    try:
        server, _thread = start_http_server(int(port), addr=host.strip("[]") or "0.0.0.0", registry=registry)  # noqa: S104
    except OSError as exc:
        log.warning("metrics listener on %s not started: %s", address, exc)
        return None
    return server
