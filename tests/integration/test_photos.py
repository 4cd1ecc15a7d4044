"""Photos of flipcharts: uploaded by the console (multipart or raw), checked by their bytes,
downscaled and without metadata, sealed outside the log, deleted by the facilitator, erased
with the workshop by retention."""

from __future__ import annotations

import asyncio
import io
import os
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import redis
from PIL import Image

from tests.integration.conftest import ADMIN_TOKEN, Api, log_length
from tests.integration.stack import Stack
from tests.processes import ApiProcess

GPS_IFD = 0x8825


def jpeg_with_location(width: int = 3000, height: int = 1500) -> bytes:
    """A camera's photo: large, with the place where it was taken in its EXIF."""
    image = Image.new("RGB", (width, height), (250, 250, 240))
    exif = Image.Exif()
    exif[0x010F] = "Tablet Maker"
    exif.get_ifd(GPS_IFD).update({1: "N", 2: (52.0, 31.0, 12.0), 3: "E", 4: (13.0, 24.0, 36.0)})
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()


def png(width: int = 40, height: int = 30) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (10, 120, 200)).save(out, "PNG")
    return out.getvalue()


def _path(photo: dict[str, Any]) -> str:
    """The photo's path on the API under test (its `url` names the deployment's base URL)."""
    return httpx.URL(photo["url"]).path


async def _session(api: Api) -> tuple[dict[str, Any], str]:
    workshop = await api.workshop()
    session = await api.session(workshop, title="Zukunftswerkstatt Quartier", format="zukunftswerkstatt")
    return workshop, f"/api/workshops/{workshop['id']}/sessions/{session['id']}/photos"


async def test_a_photo_from_the_tablet_is_kept_upright_small_and_without_its_location(
    api: Api, redis_client: redis.Redis
) -> None:
    workshop, photos = await _session(api)
    original = jpeg_with_location()
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(GPS_IFD)  # the camera wrote where

    response = await api.client.post(
        photos, files={"photo": ("flipchart.jpg", original, "image/jpeg")}, headers=workshop["auth"]
    )
    assert response.status_code == 201, response.text
    photo = response.json()
    assert (photo["content_type"], photo["width"], photo["height"]) == ("image/jpeg", 2000, 1000)

    image = await api.client.get(_path(photo), headers=workshop["auth"])
    assert (image.status_code, image.headers["content-type"]) == (200, "image/jpeg")
    kept = Image.open(io.BytesIO(image.content))
    assert kept.size == (2000, 1000)
    assert not kept.getexif().get_ifd(GPS_IFD) and not kept.getexif()  # no location, no metadata at all

    stored = redis_client.get(f"knoten:{{{workshop['id']}}}:photo:{photo['id']}")
    assert stored is not None and image.content not in stored and not stored.startswith(b"\xff\xd8")  # sealed
    entries = redis_client.xrange(f"knoten:{{{workshop['id']}}}:log")
    assert max(len(b"".join(fields.values())) for _, fields in entries) < 4000  # no image in the log

    raw = await api.client.post(photos, content=png(), headers={**workshop["auth"], "Content-Type": "image/png"})
    assert (raw.status_code, raw.json()["content_type"], raw.json()["width"]) == (201, "image/png", 40)
    listed = await api.client.get(photos, headers=workshop["auth"])
    assert [p["id"] for p in listed.json()] == [photo["id"], raw.json()["id"]]


async def test_too_large_or_not_an_image_is_refused_and_changes_nothing(api: Api, redis_client: redis.Redis) -> None:
    workshop, photos = await _session(api)
    before = log_length(redis_client, workshop["id"])
    auth = workshop["auth"]

    too_large = b"\xff\xd8\xff\xe0" + os.urandom(5 * 1024 * 1024)
    response = await api.client.post(photos, content=too_large, headers={**auth, "Content-Type": "image/jpeg"})
    assert response.status_code == 413, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    far_too_large = b"\xff\xd8\xff\xe0" + os.urandom(7 * 1024 * 1024)
    response = await api.client.post(photos, files={"photo": ("big.jpg", far_too_large, "image/jpeg")}, headers=auth)
    assert response.status_code == 413, response.text

    gif = b"GIF89a" + bytes(100)
    for body, claimed in ((gif, "image/jpeg"), (b"%PDF-1.7 not a photo", "image/png"), (b"\xff\xd8\xff broken", "")):
        response = await api.client.post(
            photos, files={"photo": ("x.jpg", body, claimed or "image/jpeg")}, headers=auth
        )
        assert response.status_code == 415, response.text
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"/>'
    response = await api.client.post(photos, content=svg, headers={**auth, "Content-Type": "image/svg+xml"})
    assert response.status_code == 415

    assert log_length(redis_client, workshop["id"]) == before
    assert redis_client.keys(f"knoten:{{{workshop['id']}}}:photo*") == []


async def test_the_facilitator_deletes_a_photo_and_no_one_else_may_touch_them(
    api: Api, redis_client: redis.Redis
) -> None:
    workshop, photos = await _session(api)
    photo = (await api.client.post(photos, content=png(), headers=workshop["auth"])).json()
    participant = {"Authorization": "Bearer not-a-facilitator"}
    assert (await api.client.get(_path(photo))).status_code == 401
    assert (await api.client.get(_path(photo), headers=participant)).status_code in (401, 403)
    assert (await api.client.delete(_path(photo), headers=participant)).status_code in (401, 403)
    assert (await api.client.post(photos, content=png())).status_code == 401

    deleted = await api.client.delete(_path(photo), headers={**workshop["auth"], "Idempotency-Key": "del-1"})
    assert (deleted.status_code, deleted.json()) == (200, {"status": "deleted"})
    assert (await api.client.get(_path(photo), headers=workshop["auth"])).status_code == 404
    assert (await api.client.get(photos, headers=workshop["auth"])).json() == []
    assert redis_client.exists(f"knoten:{{{workshop['id']}}}:photo:{photo['id']}") == 0
    assert (await api.client.delete(_path(photo), headers=workshop["auth"])).status_code == 404
    again = await api.client.delete(_path(photo), headers={**workshop["auth"], "Idempotency-Key": "del-1"})
    assert again.status_code == 200  # a retried delete gets its first reply
    events = [f[b"type"] for _, f in redis_client.xrange(f"knoten:{{{workshop['id']}}}:log") if b"type" in f]
    assert events.count(b"photo_removed") <= 1


async def test_retention_erases_the_photos_with_the_workshop(stack: Stack, client: httpx.AsyncClient) -> None:
    ended = datetime.now(UTC) - timedelta(days=40)
    admin = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    body = {"title": "Werkstatt", "starts_at": (ended - timedelta(hours=4)).isoformat(), "ends_at": ended.isoformat()}
    workshop = (await client.post("/api/workshops", json=body, headers=admin)).json()
    auth = {"Authorization": f"Bearer {workshop['facilitator_token']}"}
    base = f"/api/workshops/{workshop['id']}"
    session = (
        await client.post(f"{base}/sessions", json={"title": "Tisch", "format": "thementisch"}, headers=auth)
    ).json()
    photo = (await client.post(f"{base}/sessions/{session['id']}/photos", content=png(), headers=auth)).json()
    assert (await client.get(_path(photo), headers=auth)).status_code == 200

    stack.start_worker(KNOTEN_RETENTION_DAYS="30")

    deadline = time.monotonic() + 30
    while (await client.get(_path(photo), headers=auth)).status_code == 200 and time.monotonic() < deadline:
        await asyncio.sleep(0.3)
    assert (await client.get(_path(photo), headers=auth)).status_code == 404
    assert stack.redis.client().keys(f"knoten:{{{workshop['id']}}}:photo*") == []


async def test_the_digest_shows_the_photos_and_the_public_digest_does_not(api: Api) -> None:
    workshop, photos = await _session(api)
    auth = workshop["auth"]
    photo = (await api.client.post(photos, content=jpeg_with_location(1200, 900), headers=auth)).json()
    session_path = photos.removesuffix("/photos")
    assert (await api.client.post(f"{session_path}/close", headers=auth)).status_code == 200

    digest = (await api.client.get(f"{session_path}/digest", headers=auth)).json()
    assert [(p["id"], p["url"], p["width"]) for p in digest["photos"]] == [(photo["id"], photo["url"], 1200)]
    assert "data" not in digest["photos"][0]
    markdown = (await api.client.get(f"{session_path}/digest.md", headers=auth)).text
    assert f"]({photo['url']})" in markdown
    html = (await api.client.get(f"{session_path}/digest.html", headers=auth)).text
    assert '<img src="data:image/jpeg;base64,' in html  # embedded: the page stands on its own
    pdf = (await api.client.get(f"{session_path}/digest.pdf", headers=auth)).content
    assert b"/Subtype /Image" in pdf

    link = (await api.client.get(f"{session_path}/digest/public-link", headers=auth)).json()["url"]
    public = await api.client.get(httpx.URL(link).path)
    assert public.status_code == 200 and "<img" not in public.text and photo["id"] not in public.text

    await api.client.delete(_path(photo), headers=auth)
    assert (await api.client.get(f"{session_path}/digest", headers=auth)).json()["photos"] == []


def _stored_photos(redis_client: redis.Redis, workshop_id: str) -> int:
    """The images kept for the workshop, counted by their keys (the set of their ids aside)."""
    return len(redis_client.keys(f"knoten:{{{workshop_id}}}:photo:*"))


async def test_a_refused_upload_leaves_no_image_behind(api: Api, redis_client: redis.Redis) -> None:
    workshop, photos = await _session(api)
    auth = workshop["auth"]
    assert (await api.client.post(photos, content=png(), headers=auth)).status_code == 201
    session_path = photos.removesuffix("/photos")
    assert (await api.client.post(f"{session_path}/cancel", headers=auth)).status_code == 200
    before = _stored_photos(redis_client, workshop["id"])

    for key in ("cancelled-1", "cancelled-1", None):  # a retry of the refusal is refused again
        headers = auth if key is None else {**auth, "Idempotency-Key": key}
        refused = await api.client.post(photos, content=png(), headers=headers)
        assert refused.status_code == 409, refused.text
    assert _stored_photos(redis_client, workshop["id"]) == before == 1
    assert redis_client.scard(f"knoten:{{{workshop['id']}}}:photos") == 1


async def test_a_retried_upload_keeps_one_image_and_gets_the_first_reply(api: Api, redis_client: redis.Redis) -> None:
    workshop, photos = await _session(api)
    headers = {**workshop["auth"], "Idempotency-Key": "flipchart-1", "Content-Type": "image/png"}
    image = png()
    first = await api.client.post(photos, content=image, headers=headers)
    again = await api.client.post(photos, content=image, headers=headers)
    assert (first.status_code, again.status_code, again.json()) == (201, 201, first.json())
    assert _stored_photos(redis_client, workshop["id"]) == 1
    assert [p["id"] for p in (await api.client.get(photos, headers=workshop["auth"])).json()] == [first.json()["id"]]


async def test_a_photo_uploaded_through_one_api_is_shown_by_another(
    api: Api, api_process: ApiProcess, tmp_path: Path
) -> None:
    """Behind a load balancer the tablet uploads to one replica and the digest is read from
    another: the photo lives in Redis, not on a replica's disk."""
    workshop, photos = await _session(api)
    uploaded = await api.client.post(photos, content=png(), headers={**workshop["auth"], "Content-Type": "image/png"})
    assert uploaded.status_code == 201, uploaded.text
    other = ApiProcess(api_process.env, tmp_path / "api-other.log").start()
    try:
        async with httpx.AsyncClient(base_url=other.url, timeout=30) as replica:
            image = await replica.get(_path(uploaded.json()), headers=workshop["auth"])
            listed = await replica.get(photos, headers=workshop["auth"])
    finally:
        other.stop()
    assert (image.status_code, image.headers["content-type"]) == (200, "image/png")
    assert Image.open(io.BytesIO(image.content)).size == (40, 30)
    assert [p["id"] for p in listed.json()] == [uploaded.json()["id"]]
