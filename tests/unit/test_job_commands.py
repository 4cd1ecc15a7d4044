"""The commands knoten writes for a job to run now are the ones RQ's own `enqueue` records,
field by field (timestamps aside), so RQ's worker reads the job as if RQ had enqueued it."""

from __future__ import annotations

import zlib
from typing import Any

import pytest
import redis

from service.store.job_spec import JobSpec
from service.store.jobs import (
    FAILURE_TTL_SECONDS,
    JOB_TIMEOUT_SECONDS,
    RESULT_TTL_SECONDS,
    RETRY,
    _compressed,
    enqueue_onto,
    queue,
)

TIMESTAMPS = {"created_at", "enqueued_at"}


def _encoded(value: Any) -> bytes:
    encoded: bytes = redis.Redis().get_encoder().encode(value)  # type: ignore[no-untyped-call]
    return encoded


def _hash_of(commands: list[tuple[Any, ...]], key: str) -> dict[str, bytes]:
    """The fields the HSETs of `key` leave, later ones over earlier ones."""
    fields: dict[str, bytes] = {}
    for command in commands:
        if command[0] == "HSET" and command[1] == key:
            pairs = command[2:]
            fields |= {str(name): _encoded(value) for name, value in zip(pairs[::2], pairs[1::2], strict=True)}
    return fields


def test_a_job_to_run_now_is_the_hash_and_the_queue_entry_rq_itself_writes() -> None:
    client = redis.Redis()  # never connects: pipelines that are not sent only record
    jobs_queue = queue(client)
    job = JobSpec("job-1", "workers.handlers.send_signup_confirmation", ("w1", "s1"))

    ours = client.pipeline(transaction=True)
    enqueue_onto(jobs_queue)(ours, [job])
    theirs = client.pipeline(transaction=True)
    jobs_queue.enqueue(
        job.handler,
        *job.args,
        job_id=job.job_id,
        retry=RETRY,
        job_timeout=JOB_TIMEOUT_SECONDS,
        result_ttl=RESULT_TTL_SECONDS,
        failure_ttl=FAILURE_TTL_SECONDS,
        description="send_signup_confirmation w1 s1",
        pipeline=theirs,
    )
    our_commands = [args for args, _options in ours.command_stack]
    their_commands = [args for args, _options in theirs.command_stack]

    key = "rq:job:job-1"
    our_hash, their_hash = _hash_of(our_commands, key), _hash_of(their_commands, key)
    assert set(our_hash) == set(their_hash)
    assert {n: v for n, v in our_hash.items() if n not in TIMESTAMPS | {"data"}} == {
        n: v for n, v in their_hash.items() if n not in TIMESTAMPS | {"data"}
    }
    # stored rather than compressed, read by RQ's own zlib.decompress the same
    data = b'["workers.handlers.send_signup_confirmation", null, ["w1", "s1"], {}]'
    assert zlib.decompress(our_hash["data"]) == zlib.decompress(their_hash["data"]) == data
    assert len(our_hash["created_at"]) == len(their_hash["created_at"])
    others = [c for c in their_commands if c[0] != "HSET"]
    assert (
        [c for c in our_commands if c[0] != "HSET"]
        == others
        == [
            ("SADD", "rq:queues", "rq:queue:knoten"),
            ("RPUSH", "rq:queue:knoten", "job-1"),
        ]
    )


@pytest.mark.parametrize("size", [0, 1, 93, 0xFFFF, 0xFFFF + 1, 3 * 0xFFFF + 17])
def test_a_jobs_data_is_a_zlib_stream_that_zlib_reads_back_whole(size: int) -> None:
    data = bytes((i * 7919) % 251 for i in range(size))
    stream = _compressed(data)
    assert zlib.decompress(stream) == data
    decompressor = zlib.decompressobj()
    assert decompressor.decompress(stream) == data
    assert decompressor.eof and decompressor.unused_data == b""  # one stream, nothing after it
