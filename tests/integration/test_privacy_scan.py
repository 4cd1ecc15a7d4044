"""Proof: after sign-ups, commitments, mails, an intro talk and an erasure, no plaintext name,
e-mail address or intro host's place is anywhere in Redis (every key, the RQ job hashes) or its AOF."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import httpx
import pytest
import redis

from service.security import email_hash
from service.store import keys
from tests.integration.conftest import ADMIN_TOKEN, SECRET_KEY
from tests.integration.stack import Stack

pytestmark = pytest.mark.stack(workers=1)

PEOPLE = {
    "Zoë Quellenberg": "zoe.quellenberg@example.org",
    "Ömer Wunderlich": "oemer.wunderlich@example.org",
    "Hiltrud Sonnenfeld": "hiltrud.sonnenfeld@example.org",
}
OWNER = ("Jasper Kaltwasser", "jasper.kaltwasser@example.org")
HOST = ("Agathe Morgenroth", "agathe.morgenroth@example.org")
HOST_PLACE = "bei mir zu Hause, Quittenweg 17"  # an intro host's place may be their home
ORGANISER = "orga.vertraulich@example.org"


def everything_in(client: redis.Redis) -> dict[str, bytes]:
    """The raw values of every key, by type (DUMP would compress and hide plaintext)."""
    return {key.decode(): b"\n".join([key, *values_of(client, key)]) for key in client.scan_iter(count=1000)}


def values_of(client: redis.Redis, key: bytes) -> list[bytes]:
    kind = client.type(key).decode()  # type: ignore[union-attr]
    if kind == "string":
        return [client.get(key) or b""]  # type: ignore[list-item]
    if kind == "hash":
        return [b for pair in client.hgetall(key).items() for b in pair]  # type: ignore[union-attr]
    if kind == "list":
        return list(client.lrange(key, 0, -1))  # type: ignore[arg-type]
    if kind == "set":
        return list(client.smembers(key))  # type: ignore[arg-type]
    if kind == "zset":
        return list(client.zrange(key, 0, -1))  # type: ignore[arg-type]
    if kind == "stream":
        return [b for _, fields in client.xrange(key) for pair in fields.items() for b in pair]  # type: ignore[union-attr]
    return []


def append_only_file(stack: Stack) -> bytes:
    return b"".join(p.read_bytes() for p in (stack.redis.directory / "appendonlydir").iterdir())


def wait_for_history_without(stack: Stack, erased: bytes, timeout: float = 30) -> None:
    """Until the worker had Redis rewrite its append-only file after the erasure, and the old
    files (which hold the erased person's hash in the seen set's SADD) are gone."""
    client = stack.redis.client()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        persistence = client.info("persistence")
        rewriting = persistence["aof_rewrite_in_progress"] or persistence["aof_rewrite_scheduled"]
        if not rewriting and not client.exists(keys.forgotten_key()) and erased not in append_only_file(stack):
            return
        time.sleep(0.1)


def forms(text: str) -> list[bytes]:
    """How a string could be stored: UTF-8, JSON-escaped, lower case, and its first word where
    that word is distinctive (a short ASCII word such as "bei" turns up by chance in random ids)."""
    escaped = text.encode("ascii", "backslashreplace").replace(b"\\x", b"\\u00")
    found = [text.encode(), text.lower().encode(), escaped]
    first = text.split(maxsplit=1)[0]
    if len(first) >= 5 or not first.isascii():
        found.append(first.encode())
    return found


def test_no_plaintext_personal_data_in_redis_or_its_aof(stack: Stack) -> None:
    http = httpx.Client(base_url=stack.api.url, timeout=30)
    admin = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    soon = datetime.now(UTC) + timedelta(days=2)
    workshop = http.post(
        "/api/workshops",
        headers=admin,
        json={
            "title": "Scan",
            "starts_at": "2026-05-09T10:00:00+02:00",
            "ends_at": "2026-05-09T18:00:00+02:00",
            "follow_up_after": "PT2S",
            "digest_wait": "PT1S",
            "organiser_email": ORGANISER,
        },
    ).json()
    auth = {"Authorization": f"Bearer {workshop['facilitator_token']}"}
    base = f"/api/workshops/{workshop['id']}"
    session = http.post(
        f"{base}/sessions",
        headers=auth,
        json={"title": "Tisch", "format": "thementisch", "capacity": 2, "next_meeting_at": soon.isoformat()},
    ).json()
    tokens = {}
    for name, email in PEOPLE.items():
        answer = http.post(
            f"{base}/sessions/{session['id']}/signups",
            headers={"Idempotency-Key": f"signup-{len(tokens)}"},
            json={
                "name": name,
                "email": email,
                "organisation": f"Verein {name.split()[1]}",
                "newcomer": True,
                "consent": True,
            },
        ).json()
        tokens[name] = answer
    http.post(
        f"{base}/intro-slots",
        headers=auth,
        json={
            "host_name": HOST[0],
            "host_email": HOST[1],
            "starts_at": (soon - timedelta(days=1)).isoformat(),
            "place": HOST_PLACE,
        },
    )
    first = tokens["Zoë Quellenberg"]
    http.post(
        f"{base}/sessions/{session['id']}/commitments",
        headers={**auth, "Idempotency-Key": "c1"},
        json={"signup_id": first["signup_id"], "text": "Plakat"},
    )
    http.post(
        f"{base}/sessions/{session['id']}/commitments",
        headers={**auth, "Idempotency-Key": "c2"},
        json={"owner_name": OWNER[0], "owner_email": OWNER[1], "text": "Saal"},
    )
    http.delete("/api/me", headers={"Authorization": f"Bearer {tokens['Ömer Wunderlich']['participant_token']}"})
    http.post(f"{base}/sessions/{session['id']}/close", headers=auth)
    # the mails did go out: the digest to the organisers and the follow-ups to both owners
    for address, count in ((ORGANISER, 1), (OWNER[1], 1), (PEOPLE["Zoë Quellenberg"], 3)):
        stack.sink.wait_for(lambda found, count=count: len(found) >= count, timeout=60, to=address)
    time.sleep(1)
    http.close()

    client = stack.redis.client()
    erased_hash = email_hash(SECRET_KEY, PEOPLE["Ömer Wunderlich"])
    wait_for_history_without(stack, erased_hash.encode())
    stored = everything_in(client)
    aof = append_only_file(stack)
    assert len(aof) > 10_000
    secrets = [*PEOPLE, *PEOPLE.values(), *OWNER, *HOST, HOST_PLACE, ORGANISER] + [
        f"Verein {n.split()[1]}" for n in PEOPLE
    ]
    secrets.append(erased_hash)  # the others' hashes stay in the seen set: newcomer detection
    places = {**{f"redis {key}": blob for key, blob in stored.items()}, "aof": aof}
    leaks = [(s, form, where) for s in secrets for form in forms(s) for where, blob in places.items() if form in blob]
    assert leaks == []
    size = sum(map(len, stored.values()))
    print(
        f"\nscanned {size:,} bytes in {len(stored)} Redis keys and {len(aof):,} bytes of AOF for {len(secrets)} items"
    )
