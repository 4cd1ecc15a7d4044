"""Command path: knoten's sign-up POST against a bare Litestar endpoint doing one XADD.

knoten's sign-up does validation, the rate limits, the idempotency check and record, the
durable append (one server-side script, the person's fields sealed) and the enqueue of the
confirmation mail's job in the same transaction. The baseline (bench/baseline_app.py) appends
the request body with one XADD. Both are served by uvicorn the same way, on one redis-server,
and driven by the same raw-socket load generator (bench/load.py) with the same request bodies.

Measured, in rounds that alternate knoten and baseline so that a noisy machine hits both:
- throughput: closed loop, 16 connections, requests answered per second;
- latency at a fixed 200 requests/s (open loop, from each request's scheduled send time).
No worker runs: the jobs wait in their queue (benchmark 5 measures the workers).
"""

from __future__ import annotations

import asyncio
import itertools
import os
import secrets
from collections import Counter
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, NamedTuple

import httpx

from bench.baseline_app import baseline_process
from bench.common import Result, Row, median, met, ms, percentile
from bench.load import MakeRequest, Sample, closed_loop, json_post, open_loop
from bench.stack import LIMITS_NOTE, REDIS_NOTE, BenchStack, bench_stack, create_workshop, open_sessions
from tests.integration.conftest import ADMIN_TOKEN
from tests.processes import ApiProcess, CaddyProcess

RATE = 200
LATENCY_SECONDS = 6
LATENCY_ROUNDS = 3
THROUGHPUT_SECONDS = 4
THROUGHPUT_ROUNDS = 2
CONCURRENCY = 16
WARM_UP_SECONDS = 2
SESSIONS = 20
TARGET_RATIO, TARGET_P99 = 0.5, 0.050
API_CPU = "API CPU µs/request"
SPREAD, ONE, TWO, BASELINE = "knoten, 20 sessions", "knoten, 1 session", "knoten, two processes", "baseline"
ROUTED = "knoten, two replicas behind Caddy"

PROFILE = (
    "Profile (py-spy on the API under closed-loop sign-ups, and Redis's commandstats). Before issue 16 a "
    "sign-up cost 4 round trips (both rate limits in one script, SISMEMBER, the catch-up XRANGE with the "
    "idempotency GET, the append script), serialised per workshop by a lock, ≈1.8–2 ms of CPU. Slice A: (1) "
    "group commit: sign-ups that queue behind an append in flight are decided in order and appended in one "
    "script call (≈5 sign-ups an append at 16 connections); (2) no catch-up read while the cached state is the "
    "one this process appended (the script's version check says when it moved); (3) the rate limits and the "
    "seen-address check go in one pipeline that concurrent requests share (service/store/pipelined.py; in "
    "the append since slice F); (4) "
    "erased_email_hashes only for erasures. Slice C, from a new profile with the request log and the metrics "
    "middleware in: (5) Litestar resolved the dependencies of a handler in an anyio task group, a task each "
    "(≈6 % of the API's CPU): they are now resolved one after the other (service/providers.py); (6) RQ's "
    "Queue.enqueue built a Job object, its dict and its hash for each job (≈8 %, 70 µs a job): the commands of "
    "a job to run now are written directly, field for field as RQ writes them (tests/unit/test_job_commands.py "
    "compares them with RQ's own; the workers' tests run them); (7) the request log walked the stack for the "
    "caller on every line and ran the redacting regular expressions twice over a line that holds only the "
    "method, the route's template and the status (≈3 %): the record is made directly and marked clean. A/B on "
    "this machine, old (main before slice C) and new API side by side on one Redis, rounds alternating, under a "
    "load average of 8–15 from other work (`python -m bench.ab <commit>`, three runs): API CPU per sign-up "
    "690–740 µs → 500–590 µs (−15 to −28 %), the baseline 145–150 µs. Slice E, on a quiet machine: py-spy "
    "counted ≈20 % of the samples in the socket writes to Redis, but timed with the thread's CPU clock a write "
    "costs 15 µs of CPU in 120 µs of wall time, 0.37 writes a sign-up: the writer is preempted by the Redis "
    "or the load generator it wakes on the 2 shared cores (≈1 % of the API's CPU, not 20 %). What did cost: "
    "(8) redis-py's asyncio connection packed the append script's hundreds of arguments in Python (≈0.1–0.2 ms "
    "a call); the API's connections now pack with hiredis, as redis-py's synchronous ones do "
    "(service/store/connections.py; A/B 412–430 → 389–402 µs a sign-up); (9) a job's fixed hash fields are "
    "made once and its commands put on the pipeline directly (19 → 13.5 µs for a sign-up's two jobs; A/B "
    "−12 µs a sign-up); (10) Litestar's Prometheus middleware cost ≈35 µs a request (A/B without it: 349–358 "
    "against 382–393 µs): it built a Request and parsed its URL only to replace the path by the route's "
    "template, and looked up four labelled series each time; the plugin now runs with a middleware class of "
    "knoten's (service/api/request_metrics.py, the plugin's `middleware_class`) that records the same series "
    "from the ASGI scope (A/B −12 to −17 µs); (11) the request log line (A/B without it: −30 to −38 µs) is "
    "JSON by msgspec, its request id one random read, its record without process and thread lookups, and the "
    "security headers and the request id go into the raw header list instead of through Litestar's "
    "MutableScopeHeaders, which scanned the list for each header (in isolation 15 → 10 µs and 4 → 1.3 µs a "
    "response). Slice E in all, A/B against the session's start (01ac398): 467–469 → 384–389 µs a sign-up "
    "(−17 %), 2,000–2,060 → 2,440–2,480 sign-ups/s, the ratio 0.27–0.28 → 0.34. Everything around the handler "
    "measured by taking it out (A/B, quiet machine): without the request log, the metrics, the security "
    "headers and CSRF a sign-up costs 355–357 µs instead of 423–448 µs, a ratio of 0.36–0.37: the middleware "
    "the issue asks for is ≈80 µs, and without any of it the target is not met either. System calls per "
    "sign-up (strace): 3.2 writes (the answer, the log line, ≈1 to Redis), 8 getrandom (ids, nonces, the "
    "request id), 15 getpid (OpenSSL's fork check around each AES-GCM call). The rest is spread thin over "
    "Litestar's routing, guard, signature parsing and dependencies, the append's arguments with sealing and "
    "HMACs, the jobs' hashes (≈10 µs a job), email-validator (≈25 µs), decide/settle/render. "
    "Slice F (a new machine, ≈3× slower per request "
    "than the one of the figures above: the baseline costs 430–500 µs of CPU a request here): (12) one round "
    "trip for a sign-up. Its rate limits and whether its address was seen are no longer asked before it is "
    "decided: it is decided on its address as never seen, and its admission goes with the batch's append as a "
    "guard; append.lua counts each guard's counters in order and checks the seen set, after the version and "
    "idempotency checks and before any write. A guard over a limit or an address found seen makes the script "
    "write nothing: the command over its limit is answered 429 alone, the seen one is decided again as seen, "
    "with the rest of the batch (service/application/command_path.py, tests/contract/test_group_commit.py). "
    "What appends nothing (invalid input, a refusal, an address already signed up) is counted by the rate "
    "limiter on the same counters. (13) A job's data was compressed by zlib.compress, which sets up ≈256 KiB "
    "of state for a hundred bytes; a small window needs ≈3 KiB. A/B against main before slice F (8240c9e), "
    "three runs of 4–6 rounds on a quiet machine: API CPU per sign-up 1,431–1,674 → 1,189–1,349 µs (20 "
    "sessions) and 1,389–1,647 → 1,175–1,347 µs (1 session), sign-ups/s +7 to +37 %, the ratio 0.25–0.34 → "
    "0.31–0.41. py-spy over the API afterwards (10 s, 250 Hz): the append's arguments 8 % (sealing the "
    "replies 5 %), hiredis packing them 4 %, email-validator 5 % (39 µs an address here, 22 µs of it the "
    "domain), Litestar's guard with its copy of the handler 4 %, signature parsing and dependencies 6 %, the "
    "jobs 3 %, uvicorn's send 7 %, the middleware the issue asks for ≈15 %; nothing left is more than a few "
    "per cent. (14) The access rule ran as a Litestar guard, and Litestar hands each guard a copy of the route "
    "handler (copy.copy of an object with dozens of attributes, ≈3 % of the samples): it now runs as the app's "
    "before-request hook, and an app in which a layer would replace that hook is refused at start "
    "(service/api/auth.py); A/B against the commit before, 6 rounds: 1,529–1,541 → 1,421–1,423 µs a sign-up. "
    "Slice G (another machine, whose speed changed by half between runs of the same code: the baseline's CPU "
    "274–417 µs a request, knoten's 600–910 µs; ten rounds of 4 s on one workshop, 46,000 sign-ups, ranged from "
    "696 to 915 µs a sign-up without a trend): (15) a job's data is written as stored zlib blocks (RFC 1950 and "
    "1951: a header, the bytes, their Adler-32), which RQ's zlib.decompress reads as before: ≈1 µs a job "
    "instead of ≈9 µs and no compressor state to allocate (tests/unit/test_job_commands.py reads back streams of "
    "0 to 200,000 bytes); (16) email-validator's check of an address's domain (33 of its 53 µs here) is "
    "remembered for the last 4,096 domains that passed it (service/application/inputs.py). (17) One wrapper "
    "around the app writes the request id and the security headers and logs the line (one function less on "
    "each response's way out), a stored reply's key is the same HKDF computed with hmac.digest (5.6 instead of "
    "7.5 µs), and ids are encoded two base32 characters a lookup (2.1 instead of 3.4 µs). Alternating rounds "
    "(`python -m bench.ab <commit>`) could not tell these apart on this machine: the same code against itself "
    "differed by up to 10 %, old against new by −8 to +34 %. `python -m bench.ab <commit> 6 together` loads "
    "both APIs at once, so both meet the same machine, and compares their CPU per request within each round: "
    "the same code against itself, medians 0.999–1.027; slice G in all against the session's start (273f572), "
    "median paired ratio 0.886 (20 sessions) and 0.883 (1 session), 773–845 against 884–944 µs a sign-up, "
    "−11 to −12 % (15 and 16 make it; 17 alone 1.008 and 0.968, within the noise). An experiment, not "
    "landed: a job's 15 fixed hash fields left out of the script's arguments altogether (RQ could not read "
    "such jobs) saved 2 % (0.979, 0.980), the most that sending them once per append could save. "
    "Slice G left Litestar with 27–31 % of the samples "
    "(routing, reading the body, signature parsing, dependencies, the response), uvicorn 12 %, the append 20 %,"
    " the handler's own work 13–16 %, the request log 7 %, nothing else above 7 %; the CPU ratio ≈0.4–0.5 and "
    "the throughput ratio 0.32–0.56 between runs on that machine. Slice H (another machine, an AMD EPYC; before"
    " it the baseline cost 201 µs a request, knoten 422–451 µs, ratios 0.44 and 0.47): (18) the sign-up lane "
    "(service/api/signup_lane.py, docs/architecture.md): a sign-up with a JSON body of announced length that "
    "decodes strictly as SignupIn, no walk-in and neither an Authorization nor a Cookie header is answered "
    "before Litestar's router by the route's own code (idempotency_for, record_signup), through the same "
    "request metrics with the route's template and, for an exception, the app's own exception handlers; "
    "anything else goes on to the route with its body as it came (tests/integration/test_signup_lane.py "
    "compares the two answers case by case). Paired A/B against the commit before, 6 rounds: 452 → 318 µs a "
    "sign-up (20 sessions, median paired ratio 0.698) and 508 → 368 µs (1 session, 0.716), −28 to −30 %: more "
    "than Litestar's own frames (25 % of the samples), as the layers' calls, tasks and objects around them go "
    "too. Where a sign-up's CPU goes now (py-spy, 10 s at 250 Hz, each sample counted at its innermost frame of"
    " a group): uvicorn 18–19 % (parsing the request, two socket writes an answer: the baseline pays the same);"
    " the append 25 % (the script call with hiredis packing ≈55 arguments a sign-up 8–9 %, the events' and "
    "keys' arguments 6 %, sealing the stored replies 5–6 %, the jobs' commands 4 %); deciding, evolving and "
    "settling the batch 11 %; the handler's own work 17 % (the e-mail check 3 %, ids, tokens and keyed hashes 2"
    " %, the idempotency fingerprint 2 %, the lane and record_signup themselves 10 %); the request log with its"
    " JSON line 7–8 %, the metrics 3 %, the event loop with the Redis socket 11 %, Litestar 2 %. The baseline "
    "does one XADD and nothing else; what knoten adds is its rules, its privacy (sealing, keyed hashes) and its"
    " guarantees (idempotency, jobs in the same atomic step). More sign-ups come from more API processes (their"
    " Redis cost per sign-up is small: docs/scaling.md)."
)
TITLE = (
    f"1. Command path: sign-up POST vs. bare Litestar + one XADD "
    f"(target: throughput ratio ≥ {TARGET_RATIO}, p99 < {ms(TARGET_P99):.0f} ms at {RATE} req/s)"
)


class Target(NamedTuple):
    name: str
    url: str
    request: Callable[[str], MakeRequest]  # per round tag: request i
    pid: int | None = None  # the serving process, for its CPU time (None: several processes)


def signup_body(tag: str, i: int) -> dict[str, object]:
    return {"name": f"Person {tag}-{i}", "email": f"p.{tag}.{i}@example.org", "consent": True}


def knoten_requests(url: str, workshop_id: str, sessions: list[str]) -> Callable[[str], MakeRequest]:
    host = url.removeprefix("http://")

    def for_round(tag: str) -> MakeRequest:
        def make(i: int) -> bytes:
            path = f"/api/workshops/{workshop_id}/sessions/{sessions[i % len(sessions)]}/signups"
            return json_post(host, path, signup_body(tag, i), {"Idempotency-Key": f"{tag}-{i}"})

        return make

    return for_round


def routed_requests(url: str, workshops: list[tuple[str, list[str]]]) -> Callable[[str], MakeRequest]:
    """Sign-ups alternating over the workshops, round-robin over each one's sessions."""
    host = url.removeprefix("http://")

    def for_round(tag: str) -> MakeRequest:
        def make(i: int) -> bytes:
            workshop_id, sessions = workshops[i % len(workshops)]
            path = f"/api/workshops/{workshop_id}/sessions/{sessions[i // len(workshops) % len(sessions)]}/signups"
            return json_post(host, path, signup_body(tag, i), {"Idempotency-Key": f"{tag}-{i}"})

        return make

    return for_round


async def _appends(client: httpx.AsyncClient, replica: ApiProcess) -> float:
    """The replica's own count of committed appends, read from it directly."""
    answer = await client.get(f"{replica.url}/metrics", headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})
    lines = answer.text.splitlines()
    return sum(float(line.split()[1]) for line in lines if line.startswith("knoten_appends_total "))


async def one_workshop_each(client: httpx.AsyncClient, replicas: list[ApiProcess]) -> list[tuple[str, list[str]]]:
    """Workshops (with their open sessions) that Caddy routes to different replicas, one each:
    a workshop's owner is the replica whose appends grow when one of its sessions is opened."""
    owned: dict[int, tuple[str, list[str]]] = {}
    while len(owned) < len(replicas):
        assert len(owned) < 40
        workshop = await create_workshop(client)
        before = [await _appends(client, replica) for replica in replicas]
        sessions = await open_sessions(client, workshop, SESSIONS)  # through Caddy: `client` is its URL
        grown = [await _appends(client, replica) - was for replica, was in zip(replicas, before, strict=True)]
        owner = max(range(len(replicas)), key=lambda n: grown[n])
        assert sum(1 for g in grown if g) == 1, grown
        owned.setdefault(owner, (workshop["id"], sessions))
    return [owned[n] for n in sorted(owned)]


def baseline_requests(url: str) -> Callable[[str], MakeRequest]:
    host = url.removeprefix("http://")

    def for_round(tag: str) -> MakeRequest:
        return lambda i: json_post(host, "/signups", signup_body(tag, i), {"Idempotency-Key": f"{tag}-{i}"})

    return for_round


def _errors(runs: list[list[Sample]]) -> str:
    """How many requests were not answered 2xx, by status."""
    statuses = Counter(s.status for run in runs for s in run if s.status >= 300)
    if not statuses:
        return "0"
    return f"{sum(statuses.values())} (" + ", ".join(f"{n}× {status}" for status, n in sorted(statuses.items())) + ")"


async def _rounds(
    targets: list[Target], rounds: int, measure: Callable[[Target, str], Awaitable[list[Sample]]]
) -> dict[str, list[list[Sample]]]:
    runs: dict[str, list[list[Sample]]] = {t.name: [] for t in targets}
    for number in range(rounds):
        order = targets if number % 2 == 0 else targets[::-1]  # neither always goes first
        for target in order:
            runs[target.name].append(await measure(target, f"{target.name[0]}{number}{secrets.token_hex(3)}"))
    return runs


def _pid(process: ApiProcess) -> int:
    assert process.process is not None
    return process.process.pid


def process_cpu_seconds(pid: int | None) -> float:
    """CPU time a process has used so far (user and system); 0 for None."""
    if pid is None:
        return 0.0
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def redis_cpu_seconds(stack: BenchStack) -> float:
    """CPU time redis-server has used so far (user and system)."""
    cpu: Any = stack.redis.client().info("cpu")
    return float(cpu["used_cpu_user"]) + float(cpu["used_cpu_sys"])


async def measure(
    stack: BenchStack, two: ApiProcess, caddy: CaddyProcess, replicas: list[ApiProcess], baseline: ApiProcess
) -> list[Row]:
    async with httpx.AsyncClient(base_url=stack.url, timeout=30) as client:
        spread, one, shared = [await create_workshop(client) for _ in range(3)]
        spread_sessions = await open_sessions(client, spread, SESSIONS)
        one_session = await open_sessions(client, one, 1)
        shared_sessions = await open_sessions(client, shared, SESSIONS)
    async with httpx.AsyncClient(base_url=caddy.url, timeout=30) as client:
        routed = await one_workshop_each(client, replicas)
    targets = [
        Target(SPREAD, stack.url, knoten_requests(stack.url, spread["id"], spread_sessions), _pid(stack.api)),
        Target(ONE, stack.url, knoten_requests(stack.url, one["id"], one_session), _pid(stack.api)),
        Target(TWO, two.url, knoten_requests(two.url, shared["id"], shared_sessions)),
        Target(ROUTED, caddy.url, routed_requests(caddy.url, routed)),
        Target(BASELINE, baseline.url, baseline_requests(baseline.url), _pid(baseline)),
    ]
    paced_targets = [t for t in targets if t.name not in (TWO, ROUTED)]
    for target in targets:  # warm up all: connections, caches, JIT-free but lazy imports
        await open_loop(target.url, target.request("warm"), RATE, WARM_UP_SECONDS)

    redis_cpu: dict[str, list[float]] = {t.name: [] for t in targets}  # per request, per round
    api_cpu: dict[str, list[float]] = {t.name: [] for t in targets}

    async def throughput(target: Target, tag: str) -> list[Sample]:
        before, api_before = redis_cpu_seconds(stack), process_cpu_seconds(target.pid)
        samples = await closed_loop(target.url, target.request(tag), CONCURRENCY, THROUGHPUT_SECONDS)
        redis_cpu[target.name].append((redis_cpu_seconds(stack) - before) / max(1, len(samples)))
        api_cpu[target.name].append((process_cpu_seconds(target.pid) - api_before) / max(1, len(samples)))
        return samples

    async def latency(target: Target, tag: str) -> list[Sample]:
        return await open_loop(target.url, target.request(tag), RATE, LATENCY_SECONDS)

    saturated = await _rounds(targets, THROUGHPUT_ROUNDS, throughput)
    paced = await _rounds(paced_targets, LATENCY_ROUNDS, latency)
    rows = []
    for target in targets:
        rates = [len(run) / THROUGHPUT_SECONDS for run in saturated[target.name]]
        row: Row = {"system": target.name, "throughput req/s (median of rounds)": round(median(rates))}
        row["Redis CPU µs/request"] = round(median(redis_cpu[target.name]) * 1e6)
        row[API_CPU] = round(median(api_cpu[target.name]) * 1e6) if target.pid else "–"
        runs = paced.get(target.name, [])
        latencies = [s.latency for s in itertools.chain.from_iterable(runs)]
        per_round_p99 = [percentile([s.latency for s in run], 99) for run in runs]
        answered = [len(run) / (max(s.done for s in run) - min(s.scheduled for s in run)) for run in runs]
        row |= {
            f"answered req/s at {RATE}/s offered": round(median(answered)) if runs else "–",
            f"p50 ms @ {RATE}/s": ms(percentile(latencies, 50)) if runs else "–",
            f"p99 ms @ {RATE}/s": ms(percentile(latencies, 99)) if runs else "–",
            "p99 ms per round": " / ".join(str(ms(p)) for p in per_round_p99) or "–",
            "max ms": ms(max(latencies)) if runs else "–",
            "requests": len(latencies) + sum(len(run) for run in saturated[target.name]),
            "errors": _errors([*saturated[target.name], *runs]),
        }
        rows.append(row)
    return rows


def _number(row: Row, column: str) -> float:
    value = row[column]
    assert isinstance(value, int | float)
    return float(value)


def run() -> Result:
    with bench_stack() as stack:
        baseline = baseline_process(stack.redis.url, stack.directory / "baseline.log").start()
        serve = (*ApiProcess.SERVE, "--workers", "2")
        two = ApiProcess(stack.env, stack.directory / "api-two.log", serve=serve).start()
        replicas = [ApiProcess(stack.env, stack.directory / f"api-replica-{n}.log").start() for n in range(2)]
        caddy = CaddyProcess(replicas, stack.directory)
        try:
            caddy.start()
            rows = asyncio.run(measure(stack, two, caddy, replicas, baseline))
        finally:
            caddy.stop()
            for replica in replicas:
                replica.stop()
            two.stop()
            baseline.stop()
    by_name = {str(row["system"]): row for row in rows}
    saturated, paced = "throughput req/s (median of rounds)", f"answered req/s at {RATE}/s offered"
    base = by_name[BASELINE]
    ratios = {name: _number(by_name[name], saturated) / _number(base, saturated) for name in (SPREAD, ONE, TWO, ROUTED)}
    single = min(ratios[SPREAD], ratios[ONE])
    paced_ratio = _number(by_name[SPREAD], paced) / _number(base, paced)
    p99 = max(_number(by_name[name], f"p99 ms @ {RATE}/s") for name in (SPREAD, ONE)) / 1000
    notes = [
        "Throughput ratio knoten / baseline, both saturated: "
        + ", ".join(f"{name}: {ratio:.2f}" for name, ratio in ratios.items())
        + f". Single process (target ≥ {TARGET_RATIO}): {met(single >= TARGET_RATIO)}. At {RATE} req/s offered, "
        f"the ratio of requests answered per second is {paced_ratio:.2f}.",
        "CPU ratio, baseline's CPU per request / knoten's (the ratio a core each would give, less sensitive to "
        "other load on the machine than the throughput): "
        + ", ".join(f"{name}: {_number(base, API_CPU) / _number(by_name[name], API_CPU):.2f}" for name in (SPREAD, ONE))
        + ".",
        f"knoten p99 at {RATE} req/s (worse of the two single-process rows): {ms(p99)} ms "
        f"(target < {ms(TARGET_P99):.0f} ms): {met(p99 < TARGET_P99)}.",
        f"Throughput: closed loop, {CONCURRENCY} connections, {THROUGHPUT_ROUNDS} rounds of {THROUGHPUT_SECONDS} s "
        f"each. Latency: open loop at {RATE} req/s, {LATENCY_ROUNDS} rounds of {LATENCY_SECONDS} s each, measured "
        "from the scheduled send time. Rounds alternate the order of the systems.",
        f"'{SPREAD}': sign-ups round-robin to {SESSIONS} open sessions of one workshop; '{ONE}': all to the one "
        f"open session of another workshop; '{TWO}': `knoten api --workers 2` (two processes behind one port, the "
        f"kernel hands each connection to one of them), round-robin to {SESSIONS} sessions of a third workshop, so "
        "the two processes append to the same log and meet each other's appends (conflict, catch up, decide "
        "again: each conflict drops the tentatively evolved state and folds the whole log again, which widens "
        "the window for the next conflict; 409s are requests that lost 20 times in a row. A workshop another "
        "process appends to reads the log before it decides for the next 64 rounds, which halves the conflicts "
        "but not the folds. A snapshot of the state before each batch, so that a conflict reads only the tail, "
        "costs more than it saves: a copy of a workshop with 2,449 sign-ups takes 26 ms (pickle; deepcopy is "
        "slower), its full fold 106 ms, and the copy is due for every batch, the fold only for a conflict. "
        "Routing a workshop's writes to one process avoids both: behind Caddy, an upstream chosen by the "
        "workshop id in the path (a path_regexp matcher setting a header, lb_policy header), measured as "
        f"'{ROUTED}': two `knoten api` replicas behind the repository's Caddyfile (plain HTTP on a loopback "
        "port, tests.processes.CaddyProcess), sign-ups alternating between two workshops that Caddy routes "
        f"to different replicas, {SESSIONS} sessions each; Caddy, both replicas and the load generator share "
        "the 2 cores). Each sign-up has a new e-mail address and an Idempotency-Key; the workshops grow over "
        "the rounds. "
        "No worker runs (jobs wait in RQ).",
        "uvicorn processes each (as `knoten api`); the load generator runs on the same 2 cores, and so does the "
        "second process of 'two processes': on this machine it competes with the first for the same cores. "
        + REDIS_NOTE,
        LIMITS_NOTE,
        PROFILE,
    ]
    return Result(rows, notes)
