"""The baseline of the command-path benchmark: a bare Litestar endpoint that appends the
request body to a Redis stream with one XADD and answers 201.

It is served exactly as `knoten api` serves knoten (service/cli.py: `uvicorn.run(app, host=,
port=, proxy_headers=True)`, one process, default loop, HTTP parser and access log), on the
same redis-server, so the difference between the two is knoten's own work: validation,
rate limits, idempotency, the durable append script with sealing, and the job enqueue.

`python -m bench.baseline_app --port P` with BENCH_REDIS_URL set.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import AsyncGenerator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import msgspec
import redis.asyncio
import uvicorn
from litestar import Litestar, Request, Response, get, post

from tests.processes import ApiProcess

STREAM = "bench:baseline:log"


def create_baseline(redis_url: str) -> Litestar:
    client = redis.asyncio.Redis.from_url(redis_url)

    @asynccontextmanager
    async def lifespan(_app: Litestar) -> AsyncGenerator[None, None]:
        try:
            yield
        finally:
            await client.aclose()

    @post("/signups", status_code=201)
    async def sign_up(request: Request[Any, Any, Any]) -> Response[bytes]:
        entry: Any = await client.xadd(STREAM, {"data": await request.body()})
        return Response(msgspec.json.encode({"id": entry.decode()}), status_code=201, media_type="application/json")

    @get("/health")
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    return Litestar(route_handlers=[sign_up, health], lifespan=[lifespan])


def baseline_process(redis_url: str, log: Path) -> ApiProcess:
    """The baseline in its own process, served like `knoten api` (tests/processes.py)."""
    return ApiProcess({"BENCH_REDIS_URL": redis_url}, log, serve=("bench.baseline_app",))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    uvicorn.run(create_baseline(os.environ["BENCH_REDIS_URL"]), host="127.0.0.1", port=args.port, proxy_headers=True)


if __name__ == "__main__":
    main()
