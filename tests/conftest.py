"""Fixtures shared by every test layer."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from tests.cluster import ClusterProcesses
from tests.processes import RedisProcess


@pytest.fixture(scope="session", autouse=True)
def _rq_logs_through_pytest() -> Iterator[None]:
    """RQ gives its loggers (rq.worker, rq.job, rq.scheduler) their own stream handlers on the
    sys.stdout and sys.stderr of the moment, unless a handler is already found up the hierarchy.
    In-process workers (`run_worker(..., burst=True)`) met pytest's capture streams there, and the
    handlers outlived them: "ValueError: I/O operation on closed file" when logging later. A
    NullHandler on "rq" keeps RQ from adding them; records still reach pytest's log capture."""
    rq = logging.getLogger("rq")
    keeper = logging.NullHandler()
    rq.addHandler(keeper)
    yield
    rq.removeHandler(keeper)


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisProcess]:
    server = RedisProcess(tmp_path_factory.mktemp("redis")).start()
    yield server
    server.stop()


OWN_DATABASE = 1  # the shared API and worker (tests/integration/conftest.py) use database 0


@pytest.fixture
def redis_url(redis_server: RedisProcess) -> Iterator[str]:
    """A Redis database of the test's own, apart from the shared stack's, empty before and after:
    whatever a test leaves there (a queue key of the wrong type, say) cannot reach another test."""
    own = redis.Redis(port=redis_server.port, db=OWN_DATABASE)
    own.flushdb()
    yield redis_server.url.rsplit("/", 1)[0] + f"/{OWN_DATABASE}"
    own.flushdb()
    own.close()


@pytest.fixture(scope="session")
def redis_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ClusterProcesses]:
    """Three primaries of our own in cluster mode, made once per test run."""
    cluster = ClusterProcesses(tmp_path_factory.mktemp("cluster")).start()
    yield cluster
    cluster.stop()


@pytest.fixture
def cluster_url(redis_cluster: ClusterProcesses) -> Iterator[str]:
    """An empty cluster: `redis+cluster://` naming one node, as KNOTEN_EVENTS_URL does."""
    redis_cluster.flush()
    yield redis_cluster.url
    redis_cluster.flush()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """Where tests leave what a person may want to look at (logs, screenshots)."""
    path = Path(__file__).resolve().parent.parent / "test-output"
    path.mkdir(exist_ok=True)
    return path
