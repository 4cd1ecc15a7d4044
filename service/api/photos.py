"""Photos of a session (flipcharts, taken with the tablet's camera): uploaded by the console as
multipart or as a raw body, kept sealed outside the log (service/store/photos.py), shown in the
session's digest; the facilitator can delete one."""

from __future__ import annotations

from typing import Any

import anyio.to_thread
import msgspec
from litestar import Controller, Request, Response, delete, get, post
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from litestar.exceptions import HTTPException
from litestar.params import FromPath

from service.api.auth import Access
from service.api.idempotency import idempotency_of, respond
from service.api.sessions import SESSION
from service.application.inputs import existing
from service.application.outcomes import Plan
from service.application.photos import MAX_PHOTO_BYTES, NotAnImage, TooLarge, clean_photo
from service.application.runner import Idempotency, IdempotencyMismatch, Reply, WorkshopService
from service.domain import commands as c
from service.domain.errors import DomainError, NotFound
from service.domain.links import Links
from service.domain.lookups import session_of
from service.domain.state import WorkshopState
from service.domain.views import PhotoEntry, photo_entries
from service.schemas import StatusOut
from service.security import new_id

PHOTO = SESSION + "/photos/{photo_id:str}"
MULTIPART_ROOM = 64 * 1024  # the form's boundaries and headers around the image


class PhotoTooLarge(HTTPException):
    status_code = 413


class NotAPhoto(HTTPException):
    status_code = 415


async def _uploaded(request: Request[Any, Any, Any]) -> bytes:
    """The image: the first file of a multipart form, or the raw body."""
    if request.content_type[0] == "multipart/form-data":
        form = await request.form()
        for value in form.values():
            if isinstance(value, UploadFile):
                return await value.read()
        raise NotAPhoto(detail="The form holds no file.")
    return await request.body()


async def _attach(
    service: WorkshopService,
    workshop_id: str,
    photo_id: str,
    image: bytes,
    plan: Plan,
    idempotency: Idempotency | None,
) -> Reply:
    """Run the attaching plan so that the image is kept exactly when the log names it: stored
    before the event names it, deleted when the command is refused or answered by an earlier
    reply of its key, and not stored at all for a retry of an upload already answered."""
    retry = idempotency is not None and await service.store.recall(workshop_id, idempotency.key) is not None
    if not retry:
        await service.store.photos.put(workshop_id, photo_id, image)
    try:
        reply = await service.execute(workshop_id, plan, idempotency)
    except (DomainError, IdempotencyMismatch):  # refused: nothing names it
        await service.store.photos.delete(workshop_id, photo_id)
        raise
    ours = reply.status == 201 and msgspec.json.decode(reply.body).get("id") == photo_id  # only our append renders it
    if ours and retry:  # the first reply's record expired in between: this upload was attached after all
        await service.store.photos.put(workshop_id, photo_id, image)
    elif not ours and not retry:
        await service.store.photos.delete(workshop_id, photo_id)
    return reply


class PhotosController(Controller):
    path = "/api/workshops"
    tags = ["photos"]

    @post(
        SESSION + "/photos",
        opt={"access": Access.FACILITATOR},
        status_code=201,
        request_max_body_size=MAX_PHOTO_BYTES + MULTIPART_ROOM,
    )
    async def attach_photo(
        self,
        request: Request[Any, Any, Any],
        workshop_id: FromPath[str],
        session_id: FromPath[str],
        service: NamedDependency[WorkshopService],
        links: NamedDependency[Links],
    ) -> Response[PhotoEntry]:
        """A photo of the session: JPEG, PNG or WebP, at most 5 MB (413 beyond, 415 for anything
        else); downscaled, without its metadata (location), sealed outside the event log."""
        session_of(existing(await service.state(workshop_id)), session_id)
        try:
            photo = await anyio.to_thread.run_sync(clean_photo, await _uploaded(request))
        except TooLarge as exc:
            raise PhotoTooLarge(detail=f"A photo may have at most {MAX_PHOTO_BYTES // (1024 * 1024)} MB.") from exc
        except NotAnImage as exc:
            raise NotAPhoto(detail="Only JPEG, PNG and WebP images are taken.") from exc
        photo_id = new_id()
        command = c.AttachPhoto(
            session_id=session_id,
            photo_id=photo_id,
            content_type=photo.content_type,
            width=photo.width,
            height=photo.height,
            size=len(photo.image),
        )

        def attached(state: WorkshopState) -> tuple[int, PhotoEntry]:
            session = state.sessions[session_id]
            return 201, next(p for p in photo_entries(session, links, workshop_id) if p.id == photo_id)

        plan = service.command(command, attached)
        return respond(await _attach(service, workshop_id, photo_id, photo.image, plan, await idempotency_of(request)))

    @get(SESSION + "/photos", opt={"access": Access.FACILITATOR})
    async def list_photos(
        self,
        workshop_id: FromPath[str],
        session_id: FromPath[str],
        service: NamedDependency[WorkshopService],
        links: NamedDependency[Links],
    ) -> list[PhotoEntry]:
        """The session's photos, in the order attached."""
        session = session_of(existing(await service.state(workshop_id)), session_id)
        return photo_entries(session, links, workshop_id)

    @get(PHOTO, opt={"access": Access.FACILITATOR})
    async def get_photo(
        self,
        workshop_id: FromPath[str],
        session_id: FromPath[str],
        photo_id: FromPath[str],
        service: NamedDependency[WorkshopService],
    ) -> Response[bytes]:
        """The image (not cached anywhere on the way: it may show names)."""
        session = session_of(existing(await service.state(workshop_id)), session_id)
        photo = session.photos.get(photo_id)
        image = None if photo is None else await service.store.photos.get(workshop_id, photo_id)
        if photo is None or image is None:
            raise NotFound("photo", photo_id)
        return Response(image, media_type=photo.content_type, headers={"Cache-Control": "private, no-store"})

    @delete(PHOTO, opt={"access": Access.FACILITATOR}, status_code=200)
    async def delete_photo(
        self,
        request: Request[Any, Any, Any],
        workshop_id: FromPath[str],
        session_id: FromPath[str],
        photo_id: FromPath[str],
        service: NamedDependency[WorkshopService],
    ) -> Response[StatusOut]:
        """Delete a photo: it leaves the digest, its image is deleted."""
        command = c.RemovePhoto(session_id=session_id, photo_id=photo_id)
        plan = service.command(command, lambda _state: (200, StatusOut(status="deleted")))
        reply = respond(await service.execute(workshop_id, plan, await idempotency_of(request)))
        if reply.status_code == 200:  # the log no longer names it (or a retry of that delete)
            await service.store.photos.delete(workshop_id, photo_id)
        return reply
