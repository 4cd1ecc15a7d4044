"""The short link of a session (`/t/{code}`, from a poster or typed): on to its sign-up page."""

from __future__ import annotations

from litestar import get
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect

from service.api.auth import Access
from service.application.inputs import existing
from service.application.runner import WorkshopService
from service.domain.errors import NotFound
from service.domain.links import PAGES
from service.domain.lookups import session_of
from service.domain.short_links import typed_short_code


@get("/t/{code:str}", opt={"access": Access.PUBLIC}, include_in_schema=False)
async def follow_short_link(code: FromPath[str], service: NamedDependency[WorkshopService]) -> Redirect:
    """To the session's sign-up page, with its table code when it requires one (the poster's
    QR code is all a participant has). A code typed in lower case is the same code."""
    typed = typed_short_code(code)
    target = None if typed is None else await service.store.short_link(typed)
    if target is None:
        raise NotFound("short link", code)
    workshop_id, session_id = target
    session = session_of(existing(await service.state(workshop_id)), session_id)
    return Redirect(PAGES.signup(workshop_id, session_id, session.table_code), status_code=303)
