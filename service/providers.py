"""The dependencies the app hands to API and page handlers alike, from the app's state."""

from __future__ import annotations

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


def provide_networks(state: State) -> NetworkService:
    networks: NetworkService = state.networks
    return networks
