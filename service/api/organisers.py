"""Organisers as people (organiser): add, list, end. Ending one ends their sign-ins too."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Controller, Request, Response, delete, get, post
from litestar.background_tasks import BackgroundTask
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, JSONBody

from service.api.auth import Access
from service.api.idempotency import idempotency_of
from service.api.problems import BadInput
from service.application.inputs import checked_email
from service.application.networks import NetworkService, known_network
from service.application.outcomes import IdempotencyMismatch
from service.application.signin_links import SigninLinkRequest
from service.i18n import accepted_language
from service.organisers import Organiser, Organisers
from service.schemas import LoginIn, OrganiserIn
from service.security import derived_id, email_hash, new_id
from service.settings import Settings


class OrganiserController(Controller):
    path = "/api/organisers"
    tags = ["organisers"]

    @post("/", opt={"access": Access.ORGANISER}, status_code=201)
    async def add_organiser(
        self,
        request: Request[Any, Any, Any],
        data: JSONBody[OrganiserIn],
        organisers: NamedDependency[Organisers],
        networks: NamedDependency[NetworkService],
        settings: NamedDependency[Settings],
    ) -> Organiser:
        """Someone who may sign in by a link mailed to their address; with `network_id`, a network
        coordinator, limited to that network and its workshops. Sent again (a retry), the answer is
        the organiser added the first time; another name for their address is refused. With an
        Idempotency-Key the organiser's id follows from the key, so a retry with the same key gets
        the same answer and the key sent with another person is refused (422)."""
        email = checked_email(data.email, "email") or ""
        hashed = email_hash(settings.secret_key, email)
        await known_network(networks, data.network_id)
        idempotency = await idempotency_of(request)
        name = data.name.strip()
        if idempotency is None:
            organiser_id = new_id()
        else:
            organiser_id = derived_id(settings.secret_key, "organiser", idempotency.key)
            earlier = await organisers.find(organiser_id)
            if earlier is not None:
                same = email_hash(settings.secret_key, earlier.email) == hashed and earlier.name == name
                if not same or earlier.network_id != data.network_id:
                    raise IdempotencyMismatch()
                return earlier
        organiser = Organiser(id=organiser_id, email=email, name=name, network_id=data.network_id)
        if await organisers.add(organiser, hashed):
            return organiser
        existing = await organisers.find_by_email(hashed)
        if existing is None or existing.name != organiser.name:
            raise BadInput("email", "is already another organiser's address")
        return existing

    @get("/", opt={"access": Access.ORGANISER})
    async def list_organisers(self, organisers: NamedDependency[Organisers]) -> list[Organiser]:
        """Every organiser, by name."""
        return await organisers.listed()

    @delete("/{organiser_id:str}", opt={"access": Access.ORGANISER}, status_code=204)
    async def end_organiser(
        self,
        request: Request[Any, Any, Any],
        organiser_id: FromPath[str],
        organisers: NamedDependency[Organisers],
        settings: NamedDependency[Settings],
    ) -> None:
        """Ends an organiser: their sign-ins and sign-in links stop working. Ending one again (a
        retry, with or without its Idempotency-Key) answers 204 as the first time did."""
        await idempotency_of(request)  # a malformed key is refused like on every write
        organiser = await organisers.find(organiser_id)
        if organiser is None:
            if await organisers.ended(organiser_id):
                return
            raise NotFoundException("No such organiser.")
        await organisers.remove(organiser_id, email_hash(settings.secret_key, organiser.email))


class LoginAccepted(msgspec.Struct):
    detail: str


@post("/api/login", opt={"access": Access.PUBLIC}, status_code=202, tags=["organisers"])
async def login(
    request: Request[Any, Any, Any], data: JSONBody[LoginIn], signin_link_request: NamedDependency[SigninLinkRequest]
) -> Response[LoginAccepted]:
    """Mails an organiser's address a one-time sign-in link, in the language of the request's
    Accept-Language (German otherwise). The answer is the same for every address, a malformed
    one included, and is sent before the address is looked at, so its timing tells nothing."""
    language = accepted_language(request.headers.get("accept-language", "")) or "de"
    accepted = LoginAccepted(detail="If this address is an organiser's, a sign-in link is on its way.")
    return Response(
        accepted, status_code=202, background=BackgroundTask(signin_link_request.ask_quietly, data.email, language)
    )
