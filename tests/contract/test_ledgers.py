"""The contract of the effect ledger port: the memory twin, Redis and a Redis Cluster run the
same suite. What the workers record is what the pages read."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest

from service.clock import SystemClock
from service.store.connections import async_client, async_cluster_client, sync_client, sync_cluster_client
from service.store.ledger import EffectLedger, MemoryEffectLedger, RedisEffectLedger
from workers.ledger import EffectInProgress, Ledger

AT = datetime(2026, 5, 9, 10, 0, tzinfo=UTC)


@pytest.fixture(params=["memory", "redis", "cluster"])
async def ledger(request: pytest.FixtureRequest) -> AsyncIterator[EffectLedger]:
    if request.param == "memory":
        yield MemoryEffectLedger()
        return
    if request.param == "redis":
        url = request.getfixturevalue("redis_url")
        sync, asynchronous = sync_client(url), async_client(url)
    else:
        url = request.getfixturevalue("cluster_url")
        sync, asynchronous = sync_cluster_client(url), async_cluster_client(url)  # type: ignore[assignment]
    yield RedisEffectLedger(sync, asynchronous)
    sync.close()
    await asynchronous.aclose()


async def test_a_recorded_effect_is_read_by_the_workers_and_the_pages(ledger: EffectLedger) -> None:
    assert ledger.done("w1") == {} and await ledger.done_async("w1") == {}
    ledger.record("w1", "mail:signup:a1", AT)
    assert ledger.done("w1") == {"mail:signup:a1": AT} == await ledger.done_async("w1")
    assert ledger.done_at("w1", "mail:signup:a1") == AT
    assert ledger.done_at("w1", "mail:signup:a2") is None
    assert ledger.done("w2") == {}


def test_a_claim_keeps_a_second_run_out_until_it_is_released(ledger: EffectLedger) -> None:
    assert ledger.claim("w1", "digest:s1", 60)
    assert not ledger.claim("w1", "digest:s1", 60)
    assert ledger.claim("w1", "digest:s2", 60)
    ledger.release("w1", "digest:s1")
    assert ledger.claim("w1", "digest:s1", 60)


def test_an_effect_happens_once_however_often_its_job_runs(ledger: EffectLedger) -> None:
    sent: list[str] = []
    once = Ledger(ledger, SystemClock())
    assert once.once("w1", "mail:signup:a1", lambda: sent.append("a1"))
    assert not once.once("w1", "mail:signup:a1", lambda: sent.append("again"))
    assert sent == ["a1"] and "mail:signup:a1" in ledger.done("w1")
    ledger.claim("w1", "mail:signup:a2", 60)  # another run is sending it
    with pytest.raises(EffectInProgress):
        once.once("w1", "mail:signup:a2", lambda: sent.append("a2"))
    assert sent == ["a1"]


def test_effects_done_together_are_each_done_once(ledger: EffectLedger) -> None:
    sent: list[list[str]] = []
    together = Ledger(ledger, SystemClock())

    def pending(done: dict[str, datetime]) -> list[str]:
        return [effect for effect in ("digest:session:s1", "digest:session:s2") if effect not in done]

    assert together.together("w1", "digest:mailing", pending, sent.append) == ["digest:session:s1", "digest:session:s2"]
    assert together.together("w1", "digest:mailing", pending, sent.append) == []
    assert sent == [["digest:session:s1", "digest:session:s2"]]
    assert {"digest:session:s1", "digest:session:s2"} <= set(ledger.done("w1"))
    ledger.claim("w1", "digest:mailing", 60)  # another run is mailing
    with pytest.raises(EffectInProgress):
        together.together("w1", "digest:mailing", lambda _done: ["digest:session:s3"], sent.append)
    assert len(sent) == 1
