"""The network projection: a meeting's record follows its workshop's log, and a network's
records can be recreated from the logs at any time (service/application/network_reports.py)."""

from __future__ import annotations

from service.application.network_reports import network_members, organisation_token, project, rebuild, reproject
from workers.context import context, job


@job
def project_meeting(workshop_id: str) -> None:
    """Bring the workshop's record in its network's projection up to date (dispatched after
    appends to a workshop of a network, and when a workshop joins or leaves one)."""
    ctx = context()
    state = ctx.state(workshop_id)
    members = network_members(ctx.log, state.network_id) if state.network_id is not None else None
    project(ctx.store.projections, state, organisation_token(ctx.settings.secret_key), members)


@job
def rebuild_network(network_id: str) -> None:
    """Recreate the network's projection from every workshop's log."""
    ctx = context()
    token = organisation_token(ctx.settings.secret_key)
    rebuild(ctx.log, ctx.store.projections, token, ctx.store.workshops.ids(), network_id)


@job
def reproject_network(network_id: str) -> None:
    """Make each meeting's record in the network's projection again, with the network's members
    as they are now (enqueued when a member organisation is added or renamed)."""
    ctx = context()
    token = organisation_token(ctx.settings.secret_key)
    reproject(ctx.log, ctx.store.projections, token, ctx.store.workshops.ids(), network_id)
