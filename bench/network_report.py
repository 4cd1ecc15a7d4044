"""The network report for a network of 100 meetings a year and 5,000 people, cold and warm.

One year of a large network is written into a real redis-server through `RedisEventStore`:
100 meetings (workshops in the network), each with a Thementisch and a Marktplatz, about 150
confirmed people each, drawn from 5,000 people of whom a core comes often and most come once
or twice (5 % sign up without an address), commitments (40 % done) and Marktplatz posts from 60
organisations. Then, side by side:

- cold: the rebuild — read and fold each meeting's log, make its record, write the network's
  projection anew, and compute the report from it (what `knoten` does when the projection is
  lost, and what a report would cost without a projection);
- warm: read the projection (one hash) and compute the report from it (what the API does).

Each then renders the report as JSON, HTML and PDF.
"""

from __future__ import annotations

import asyncio
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path

from litestar.serialization import encode_json

from bench.common import Result, Row, met
from bench.stack import REDIS_NOTE, start_redis
from service.application.network_reports import decoded, organisation_token, rebuild
from service.domain import events as e
from service.domain.network_report import NetworkReport, network_report
from service.reports import pdf, render
from service.store import keys
from service.store.codec import EventCodec
from service.store.redis import RedisEventStore
from service.store.vault import KeyWrapper
from tests.integration.conftest import SECRET_KEY

TITLE = "Network report: 100 meetings a year, 5,000 people (cold rebuild and warm projection)"
NETWORK_ID = "net-bench"
MEETINGS, PEOPLE, PER_MEETING, ORGANISATIONS = 100, 5_000, 150, 60
NO_ADDRESS = 0.05
RUNS = 3
YEAR = datetime(2026, 1, 15, 17, 0, tzinfo=UTC)
NOW = YEAR + timedelta(days=380)
TARGETS = {"cold": 30.0, "warm": 1.0}  # s, report as JSON from Redis
MEMBERS = [f"Organisation {n}" for n in range(0, ORGANISATIONS, 2)]  # half of them members


def _meeting(rng: random.Random, index: int, weights: list[float]) -> list[e.Event]:
    wid = f"m{index:03d}"
    starts = YEAR + timedelta(days=index * 365 // MEETINGS)
    events: list[e.Event] = [
        e.WorkshopCreated(
            at=starts - timedelta(days=30),
            workshop_id=wid,
            title=f"Netzwerktreffen {index + 1}",
            starts_at=starts,
            ends_at=starts + timedelta(hours=3),
            facilitator_token_hash="h",
            login_code_hash="l",
        ),
        e.WorkshopNetworkSet(at=starts - timedelta(days=30), network_id=NETWORK_ID),
        e.SessionPlanned(at=starts, session_id="t", title="Thementisch", format="thementisch"),
        e.SessionPlanned(at=starts, session_id="m", title="Marktplatz", format="marktplatz"),
    ]
    people = sorted(set(rng.choices(range(PEOPLE), weights=weights, k=PER_MEETING)))
    for n in people:
        address = rng.random() >= NO_ADDRESS
        organisation = f"Organisation {n % ORGANISATIONS}" if n % 3 else None
        events.append(
            e.SignupRecorded(
                at=starts,
                signup_id=f"a{n}",
                session_id=rng.choice(("t", "m")),
                participant_id=f"p{n}",
                person=e.Person(f"p{n}", f"Person {n}", f"p{n}@example.org" if address else None, organisation),
                email_hash=f"hash-{n}" if address else None,
                newcomer=False,
                status="confirmed",
            )
        )
    for k in range(15):
        owner = rng.choice(people)
        events.append(
            e.CommitmentMade(
                at=starts,
                commitment_id=f"c{k}",
                session_id="t",
                owner=e.Person(f"p{owner}", f"Person {owner}"),
                text=f"Zusage {k}",
                due=(starts + timedelta(days=rng.randint(7, 60))).date(),
            )
        )
        if rng.random() < 0.4:
            events.append(e.CommitmentCompleted(at=starts + timedelta(days=5), commitment_id=f"c{k}"))
    for k in range(20):
        owner = rng.choice(people)
        events.append(
            e.OfferPosted(
                at=starts,
                offer_id=f"o{k}",
                session_id="m",
                kind=rng.choice(("offer", "request")),
                text=f"Angebot {k}",
                owner=e.Person(f"p{owner}", f"Person {owner}", None, f"Organisation {owner % ORGANISATIONS}"),
            )
        )
    events.append(e.WorkshopClosed(at=starts + timedelta(hours=4)))
    return events


def network_events(seed: int = 15) -> dict[str, list[e.Event]]:
    """Each meeting's log; people come with weights falling off by rank (a core comes often)."""
    rng = random.Random(seed)
    weights = [1 / (1 + n / 150) for n in range(PEOPLE)]
    return {f"m{i:03d}": _meeting(rng, i, weights) for i in range(MEETINGS)}


def store_for(redis_url: str) -> RedisEventStore:
    return RedisEventStore.from_url(redis_url, EventCodec(), KeyWrapper(SECRET_KEY))


async def write(redis_url: str, logs: dict[str, list[e.Event]]) -> int:
    store = store_for(redis_url)
    try:
        for wid, events in logs.items():
            await store.append(wid, events, expected_version=0)
    finally:
        await store.close()
    return sum(len(events) for events in logs.values())


def _report(store: RedisEventStore) -> NetworkReport:
    summaries = decoded(store.projections.records(NETWORK_ID))
    return network_report(NETWORK_ID, "Netzwerk", MEMBERS, summaries, NOW)


def cold(redis_url: str) -> NetworkReport:
    """A new store (no cached states or data keys): rebuild the projection, then report."""
    store = store_for(redis_url)
    try:
        listed = [f"m{i:03d}" for i in range(MEETINGS)]
        rebuild(store, store.projections, organisation_token("bench"), listed, NETWORK_ID)
        return _report(store)
    finally:
        asyncio.run(store.close())


def warm(redis_url: str) -> NetworkReport:
    store = store_for(redis_url)
    try:
        return _report(store)
    finally:
        asyncio.run(store.close())


def _timed(action: Callable[[], object]) -> tuple[float, object]:
    started = time.perf_counter()
    result = action()
    return time.perf_counter() - started, result


def measure(redis_url: str) -> tuple[dict[str, list[float]], NetworkReport]:
    timings: dict[str, list[float]] = {name: [] for name in ("cold", "warm", "JSON", "HTML", "PDF")}
    report: NetworkReport | None = None
    for _ in range(RUNS):  # interleaved
        took, _ = _timed(lambda: encode_json(cold(redis_url)))
        timings["cold"].append(took)
        took, _ = _timed(lambda: encode_json(warm(redis_url)))
        timings["warm"].append(took)
        report = warm(redis_url)
        timings["JSON"].append(_timed(partial(encode_json, report))[0])
        timings["HTML"].append(_timed(partial(render.network_report_html, report, "de", {}))[0])
        timings["PDF"].append(_timed(partial(pdf.network_report_pdf, report, "de", {}))[0])
    assert report is not None
    return timings, report


def rows_of(timings: dict[str, list[float]]) -> list[Row]:
    rows: list[Row] = []
    for name in ("HTML", "PDF"):
        timings[f"{name} (render only)"] = timings.pop(name)
    steps = {
        "cold": "cold: fold 100 logs from Redis, rebuild the projection, report as JSON",
        "warm": "warm: read the projection (one hash), report as JSON",
    }
    cold_median, warm_median = statistics.median(timings["cold"]), statistics.median(timings["warm"])
    for name, step in steps.items():
        median = statistics.median(timings[name])
        rows.append(
            {
                "step": step,
                "median s": round(median, 3),
                "max s": round(max(timings[name]), 3),
                "cold/warm": f"{cold_median / warm_median:.0f}×" if name == "cold" else "",
                "target": f"< {TARGETS[name]:g} s",
                "met": met(median < TARGETS[name]),
            }
        )
    for name in ("HTML (render only)", "PDF (render only)"):
        rows.append(
            {
                "step": f"the report as {name}",
                "median s": round(statistics.median(timings[name]), 3),
                "max s": round(max(timings[name]), 3),
                "cold/warm": "",
                "target": "",
                "met": "",
            }
        )
    return rows


def run() -> Result:
    with tempfile.TemporaryDirectory(prefix="knoten-bench-") as directory:
        server = start_redis(Path(directory) / "redis")
        try:
            logs = network_events()
            started = time.perf_counter()
            count = asyncio.run(write(server.url, logs))
            built = time.perf_counter() - started
            client = server.client()
            log_bytes = sum(int(client.memory_usage(keys.log_key(wid)) or 0) for wid in logs)
            timings, report = measure(server.url)
            projection_bytes = int(client.memory_usage(keys.network_meetings_key(NETWORK_ID)) or 0)
            homes = sum(1 for _ in client.scan_iter(match="knoten:*:network"))
        finally:
            server.stop()
    totals = report.totals
    notes = [
        f"{MEETINGS} meetings in one year, {count:,} events ({log_bytes / 2**20:.1f} MiB of logs in Redis, "
        f"written in {built:.1f} s); {totals.participants:,} distinct people (by keyed e-mail hash; "
        f"{NO_ADDRESS:.0%} without an address count once per meeting), {totals.returning:,} at two or more "
        f"meetings, {totals.organisations} organisations, {totals.commitments_made:,} commitments.",
        f"The projection: one hash of {MEETINGS} records, {projection_bytes / 2**10:.0f} KiB "
        f"(`MEMORY USAGE`), under the network's hash tag, plus {homes} small keys (a workshop's network), "
        "each in its workshop's slot.",
        f"Median of {RUNS} interleaved runs, each with a new store (no cached states or data keys). Cold includes "
        "opening every sealed person (a data key per person and meeting).",
        REDIS_NOTE,
    ]
    return Result(rows_of(timings), notes)
