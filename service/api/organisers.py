"""Organisers as people (organiser): add, list, end. Ending one ends their sign-ins too."""

from __future__ import annotations

import msgspec
from litestar import Controller, delete, get, post
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, JSONBody

from service.api.auth import Access
from service.api.problems import BadInput
from service.application.inputs import checked_email
from service.application.networks import NetworkService, known_network
from service.application.signin_links import SigninLinkRequest
from service.organisers import Organiser, Organisers
from service.schemas import LoginIn, OrganiserIn
from service.security import email_hash, new_id
from service.settings import Settings


class OrganiserController(Controller):
    path = "/api/organisers"
    tags = ["organisers"]

    @post("/", opt={"access": Access.ORGANISER}, status_code=201)
    async def add_organiser(
        self,
        data: JSONBody[OrganiserIn],
        organisers: NamedDependency[Organisers],
        networks: NamedDependency[NetworkService],
        settings: NamedDependency[Settings],
    ) -> Organiser:
        """Someone who may sign in by a link mailed to their address; with `network_id`, a network
        coordinator, limited to that network and its workshops. Sent again (a retry), the answer
        is the organiser added the first time; another name for their address is refused."""
        email = checked_email(data.email, "email") or ""
        hashed = email_hash(settings.secret_key, email)
        await known_network(networks, data.network_id)
        organiser = Organiser(id=new_id(), email=email, name=data.name.strip(), network_id=data.network_id)
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
        self, organiser_id: FromPath[str], organisers: NamedDependency[Organisers], settings: NamedDependency[Settings]
    ) -> None:
        """Ends an organiser: their sign-ins and sign-in links stop working."""
        organiser = await organisers.find(organiser_id)
        if organiser is None:
            raise NotFoundException("No such organiser.")
        await organisers.remove(organiser_id, email_hash(settings.secret_key, organiser.email))


class LoginAccepted(msgspec.Struct):
    detail: str


@post("/api/login", opt={"access": Access.PUBLIC}, status_code=202, tags=["organisers"])
async def login(data: JSONBody[LoginIn], signin_link_request: NamedDependency[SigninLinkRequest]) -> LoginAccepted:
    """Mails an organiser's address a one-time sign-in link; the answer is the same for every address."""
    email = checked_email(data.email, "email") or ""
    await signin_link_request.ask(email)
    return LoginAccepted(detail="If this address is an organiser's, a sign-in link is on its way.")
