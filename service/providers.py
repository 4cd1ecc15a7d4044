"""The dependencies the app hands to API and page handlers alike, from the app's state."""

from __future__ import annotations

from typing import Any

from litestar._kwargs.cleanup import DependencyCleanupGroup
from litestar._kwargs.dependencies import resolve_dependency
from litestar._kwargs.kwargs_model import KwargsModel
from litestar.connection import ASGIConnection
from litestar.datastructures import State
from prometheus_client import CollectorRegistry

from service.application.dead_letters import DeadLetters
from service.application.links_again import LinksAgain
from service.application.networks import NetworkService
from service.application.runner import WorkshopService
from service.application.signin_links import SigninLinkRequest
from service.domain.links import Links
from service.organisers import Organisers
from service.settings import Settings


def provide_service(state: State) -> WorkshopService:
    service: WorkshopService = state.service
    return service


def provide_settings(state: State) -> Settings:
    settings: Settings = state.settings
    return settings


def provide_links(state: State) -> Links:
    return Links(state.settings.base_url)


def provide_dead_letters(state: State) -> DeadLetters:
    dead_letters: DeadLetters = state.dead_letters
    return dead_letters


def provide_links_again(state: State) -> LinksAgain:
    links_again: LinksAgain = state.links_again
    return links_again


def provide_organisers(state: State) -> Organisers:
    organisers: Organisers = state.organisers
    return organisers


def provide_signin_link_request(state: State) -> SigninLinkRequest:
    request: SigninLinkRequest = state.signin_link_request
    return request


def provide_metrics(state: State) -> CollectorRegistry:
    metrics: CollectorRegistry = state.metrics
    return metrics


async def resolve_in_order(
    self: KwargsModel, connection: ASGIConnection[Any, Any, Any, Any], kwargs: dict[str, Any]
) -> DependencyCleanupGroup:
    """Litestar's dependency resolution, one dependency after the other. Litestar runs the
    dependencies of one level in an anyio task group, a task each: for knoten's providers, which
    are plain functions reading the app's state and never wait, that was ≈6 % of a sign-up's CPU
    (bench/command_path.py). The order within a level does not matter: none of them needs another."""
    cleanup_group = DependencyCleanupGroup()
    for batch in self.dependency_batches:
        for dependency in batch:
            await resolve_dependency(dependency, connection, kwargs, cleanup_group)
    return cleanup_group


def resolve_dependencies_in_order() -> None:
    """Make every handler resolve its dependencies in order (`resolve_in_order`); idempotent."""
    setattr(KwargsModel, "resolve_dependencies", resolve_in_order)  # noqa: B010 - a method of a class we do not own


def provide_networks(state: State) -> NetworkService:
    networks: NetworkService = state.networks
    return networks
