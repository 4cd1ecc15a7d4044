"""A whole knoten of its own for fault tests: Redis, API, SMTP sink and workers, each a real
process (the sink a real server), so a test may kill and restart any of them."""

from __future__ import annotations

from pathlib import Path

from tests.integration.conftest import knoten_env
from tests.mail_sink import MailSink
from tests.processes import ApiProcess, RedisProcess, WorkerProcess


class Stack:
    def __init__(self, directory: Path, mail_delay: float = 0.0, **env: str) -> None:
        """`env` adds settings for every process of the stack."""
        self.directory = directory
        self.extra_env = env
        self.redis = RedisProcess(directory / "redis").start()
        self.sink = MailSink(delay=mail_delay).start()
        self.api = ApiProcess(self.env, directory / "api.log").start()
        self.workers: list[WorkerProcess] = []

    @property
    def env(self) -> dict[str, str]:
        return {**knoten_env(self.redis.url, self.sink.url), **self.extra_env}

    def start_worker(self, **env: str) -> WorkerProcess:
        """Another worker; `env` adds settings of its own (e.g. KNOTEN_RETENTION_DAYS)."""
        worker = WorkerProcess({**self.env, **env}, self.directory / f"worker-{len(self.workers)}.log").start()
        self.workers.append(worker)
        return worker

    def restart_redis(self, kill: bool = True) -> None:
        """Kill (or stop) redis-server and start it again on the same port and data."""
        if kill:
            self.redis.kill()
        else:
            self.redis.stop()
        self.redis = RedisProcess(self.redis.directory, self.redis.port).start()

    def restart_api(self) -> None:
        """SIGKILL the API and start a new one on another port (clients follow `api.url`)."""
        self.api.kill()
        self.api = ApiProcess(self.env, self.directory / "api.log").start()

    def stop(self) -> None:
        for worker in self.workers:
            worker.stop()
        self.api.stop()
        self.sink.stop()
        self.redis.stop()
