"""The Litestar application, built by `create_app(settings)`: nothing is created at import."""

from __future__ import annotations

import importlib.util
from collections.abc import AsyncGenerator
from contextlib import asynccontextmanager
from pathlib import Path

import anyio.to_thread
from litestar import Litestar
from litestar.config.csrf import CSRFConfig
from litestar.datastructures import State
from litestar.di import Provide
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import SwaggerRenderPlugin
from litestar.plugins.prometheus import PrometheusConfig
from litestar.static_files import create_static_files_router

from service.api.admin import list_dead_letters, retry_dead_letter
from service.api.auth import CSRF_COOKIE, Access, authorize, every_route_authorized, provide_principal
from service.api.barcamp import BarcampController
from service.api.bodies import ClientRequest
from service.api.carried import CarriedController
from service.api.digests import (
    get_posters,
    get_public_digest_link,
    get_session_digest,
    get_workshop_report,
    public_digest_page,
)
from service.api.follow_ups import list_follow_ups
from service.api.health import health
from service.api.intro_talks import IntroTalkController
from service.api.me import erase_me, get_me, send_links_again
from service.api.metrics import get_metrics
from service.api.network_report import get_network_report
from service.api.networks import NetworkController
from service.api.openapi import ClosedInputSchemas, document_problems, event_catalogue, refine_document
from service.api.organisers import OrganiserController, login
from service.api.participation import ParticipationController
from service.api.photos import PhotosController
from service.api.problems import exception_handlers
from service.api.request_log import request_log
from service.api.request_metrics import RequestMetrics
from service.api.round_table import RoundTableController
from service.api.sessions import SessionController
from service.api.signup_lane import signup_lane
from service.api.stream import session_signals, stream_events
from service.api.workshops import WorkshopController
from service.application.dead_letters import DeadLetters
from service.application.links_again import LinksAgain
from service.application.networks import NetworkService
from service.application.runner import WorkshopService
from service.application.signin_links import SigninLinkMailer, SigninLinkRequest
from service.clock import Clock, SystemClock
from service.metrics import scrape_registry, serve_metrics
from service.organisers import MemoryOrganisers, RedisOrganisers
from service.providers import (
    provide_dead_letters,
    provide_links,
    provide_links_again,
    provide_metrics,
    provide_networks,
    provide_organisers,
    provide_service,
    provide_settings,
    provide_signin_link_request,
    resolve_dependencies_in_order,
)
from service.ratelimit import MemoryRateLimiter, RedisRateLimiter
from service.settings import Settings
from service.signins import MemorySigninLinks, MemorySignins, RedisSigninLinks, RedisSignins
from service.store.base import EventStore
from service.store.connections import sync_client
from service.store.memory import MemoryEventStore
from service.store.redis import RedisEventStore
from service.web.admin import (
    admin_login,
    admin_page,
    admin_retry,
    admin_signin_link,
    outbox,
    signin_link_page,
    use_signin_link,
)
from service.web.barcamp import BarcampPages
from service.web.facilitator import FacilitatorPages, service_worker_script
from service.web.files import StaticFileSystem
from service.web.home import OrganiserHome
from service.web.mail_stops import MailStopPages
from service.web.networks import NetworkConsolePages, NetworkPages
from service.web.participant import PersonalPages, SignupPages
from service.web.rendering import error_page
from service.web.short_links import follow_short_link
from service.web.token_links import confirm_switch, switch
from service.wiring import ensure_durable_redis, redis_store
from workers.dispatch import dispatch
from workers.handlers import Handler

STATIC = Path(__file__).parent / "web" / "static"
# The /schema page's Swagger UI, served from the files the swagger-ui-py package ships: nothing is
# loaded from another site (its package is found without running its framework adapters).
SCHEMA_ASSETS = "/schema/assets"
SWAGGER_UI = Path(next(iter(importlib.util.find_spec("swagger_ui").submodule_search_locations or []))) / "static"  # type: ignore[union-attr]
# Request counts and latency histograms per route template (never a path as sent: ids and tokens
# stay out of the labels); live streams are open for minutes and would only blur the latencies.
REQUEST_METRICS = PrometheusConfig(
    app_name="knoten",
    prefix="knoten",
    group_path=True,
    exclude=[r"/stream$", r"^/metrics$", r"^/static/", r"^/schema"],
    middleware_class=RequestMetrics,
)


def create_app(settings: Settings, store: EventStore | None = None, clock: Clock | None = None) -> Litestar:
    """The app; `store` and `clock` are injected by tests, otherwise Redis and the system clock."""
    resolve_dependencies_in_order()

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncGenerator[None, None]:
        event_store = store
        if event_store is None:
            await anyio.to_thread.run_sync(ensure_durable_redis, settings)
            event_store = redis_store(settings)
        app.state.service = WorkshopService(event_store, clock or SystemClock(), settings.secret_key, dispatch)
        app.state.networks = NetworkService(
            event_store, clock or SystemClock(), settings.secret_key, Handler.REPROJECT_NETWORK.value
        )
        app.state.dead_letters = DeadLetters(event_store)
        if isinstance(event_store, RedisEventStore):
            app.state.limiter = RedisRateLimiter(event_store.async_client, event_store.pipelined)
            app.state.signins = RedisSignins(event_store.async_client)
            app.state.organisers = RedisOrganisers(event_store.async_client, settings.secret_key)
            app.state.signin_links = RedisSigninLinks(event_store.async_client)
        else:
            app.state.limiter = MemoryRateLimiter(
                event_store.rate_counts if isinstance(event_store, MemoryEventStore) else None
            )
            app.state.signins = MemorySignins()
            app.state.organisers = MemoryOrganisers()
            app.state.signin_links = MemorySigninLinks()
        app.state.signin_link_request = SigninLinkRequest(
            organisers=app.state.organisers,
            links=app.state.signin_links,
            limiter=app.state.limiter,
            mailer=SigninLinkMailer(event_store, Handler.SEND_SIGNIN_LINK.value, settings.secret_key),
            settings=settings,
        )
        app.state.links_again = LinksAgain(
            event_store, app.state.limiter, settings.secret_key, Handler.SEND_PERSONAL_LINK_AGAIN
        )
        jobs_client = sync_client(settings.redis_url) if isinstance(event_store, RedisEventStore) else None
        app.state.metrics = scrape_registry(jobs_client)
        listener = serve_metrics(settings.metrics_addr, app.state.metrics)
        try:
            yield
        finally:
            if listener is not None:
                listener.shutdown()
            if jobs_client is not None:
                jobs_client.close()
            await event_store.close()

    app = Litestar(
        route_handlers=[
            WorkshopController,
            NetworkController,
            OrganiserController,
            login,
            SessionController,
            ParticipationController,
            RoundTableController,
            PhotosController,
            IntroTalkController,
            BarcampController,
            CarriedController,
            get_me,
            erase_me,
            send_links_again,
            SignupPages,
            follow_short_link,
            PersonalPages,
            confirm_switch,
            switch,
            MailStopPages,
            FacilitatorPages,
            BarcampPages,
            service_worker_script,
            create_static_files_router(
                path=SCHEMA_ASSETS,
                directories=[SWAGGER_UI],
                file_system=StaticFileSystem(),
                opt={"access": Access.PUBLIC},
                send_as_attachment=False,
                include_in_schema=False,
            ),
            create_static_files_router(
                path="/static",
                directories=[STATIC],
                file_system=StaticFileSystem(),
                opt={"access": Access.PUBLIC},
                send_as_attachment=False,
            ),
            list_dead_letters,
            retry_dead_letter,
            outbox,
            admin_page,
            OrganiserHome,
            NetworkPages,
            NetworkConsolePages,
            admin_login,
            admin_signin_link,
            signin_link_page,
            use_signin_link,
            admin_retry,
            stream_events,
            session_signals,
            event_catalogue,
            get_session_digest,
            get_public_digest_link,
            public_digest_page,
            get_workshop_report,
            get_network_report,
            get_posters,
            health,
            list_follow_ups,
            get_metrics,
        ],
        lifespan=[lifespan],
        state=State({"settings": settings, "error_page": error_page}),
        csrf_config=CSRFConfig(
            secret=settings.secret_key,
            cookie_name=CSRF_COOKIE,
            cookie_samesite="strict",
            cookie_secure=settings.secure_cookies,
            exclude=["^/api/", "^/health", "^/schema", "^/unsubscribe/"],  # a stop link is its own token
        ),
        before_request=authorize,
        dependencies={
            "service": Provide(provide_service, sync_to_thread=False),
            "settings": Provide(provide_settings, sync_to_thread=False),
            "links": Provide(provide_links, sync_to_thread=False),
            "dead_letters": Provide(provide_dead_letters, sync_to_thread=False),
            "links_again": Provide(provide_links_again, sync_to_thread=False),
            "principal": Provide(provide_principal, sync_to_thread=False),
            "organisers": Provide(provide_organisers, sync_to_thread=False),
            "signin_link_request": Provide(provide_signin_link_request, sync_to_thread=False),
            "metrics": Provide(provide_metrics, sync_to_thread=False),
            "networks": Provide(provide_networks, sync_to_thread=False),
        },
        exception_handlers=exception_handlers,  # type: ignore[arg-type]
        middleware=[REQUEST_METRICS.middleware],
        request_class=ClientRequest,
        # knoten configures logging itself (service/logs.py, through uvicorn's log_config): Litestar's own
        # root handler would write lines in another format, to whatever stderr was when the app was made
        logging_config=None,
        request_max_body_size=settings.max_body_bytes,
        plugins=[ClosedInputSchemas()],
        openapi_config=OpenAPIConfig(
            title="knoten",
            version="0.1.0",
            description="Facilitation service for civic-engagement networks. The contract: docs/api.md.",
            path="/schema",
            render_plugins=[
                SwaggerRenderPlugin(
                    path=["/", "/swagger"],
                    js_url=f"{SCHEMA_ASSETS}/swagger-ui-bundle.js",
                    css_url=f"{SCHEMA_ASSETS}/swagger-ui.css",
                    standalone_preset_js_url=f"{SCHEMA_ASSETS}/swagger-ui-standalone-preset.js",
                    favicon=f"<link rel='icon' type='image/png' href='{SCHEMA_ASSETS}/favicon-32x32.png'>",
                )
            ],
        ),
    )
    every_route_authorized(app)
    document_problems(app)
    app.on_startup.append(refine_document)
    lane = signup_lane(app, app.asgi_handler, settings, lambda inner: RequestMetrics(inner, REQUEST_METRICS))
    app.asgi_handler = request_log(lane)
    return app
