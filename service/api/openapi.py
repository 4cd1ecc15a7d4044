"""The API's OpenAPI document, made to say exactly what the API answers.

- Every error is an RFC 9457 problem (service/api/problems.py); which statuses an operation
  can answer follows from its method and path, so they are added in one pass over the
  app's routes instead of on each handler.
- Documents served by one handler under several suffixes (`report.pdf`, `digest.md`, ...)
  and the event stream get their real media type.
- A handler returning `A | B` is documented by Litestar as `oneOf`; a full session view is
  also a valid public one, so that becomes `anyOf`, and the untyped `Response` member of
  "JSON or a document" handlers is dropped.

Checked by schemathesis in tests/integration/test_api_schema.py.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from litestar import Litestar, get

# Litestar's own schema plugin for msgspec Structs; it has no public import path.
from litestar._openapi.schema_generation.plugins.struct import StructSchemaPlugin
from litestar.handlers import HTTPRouteHandler
from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.spec import OpenAPI, OpenAPIMediaType, OpenAPIResponse, Operation, Reference, Schema
from litestar.openapi.spec.enums import OpenAPIType
from litestar.routes import HTTPRoute
from litestar.typing import FieldDefinition

from service.api.auth import Access
from service.api.problems import PROBLEM_JSON, Problem
from service.catalogue import schema as event_schema
from service.schemas import Input

if TYPE_CHECKING:
    from litestar._openapi.schema_generation import SchemaCreator

WHY = {
    400: "The request is malformed or a field is invalid (`errors` names it).",
    401: "No valid token (a token, if sent, is always checked).",
    403: "The token does not allow this.",
    404: "No such workshop, session or item.",
    409: "The request conflicts with the current state (e.g. a closed session).",
    410: "The session is closed or cancelled: its sign-up QR code is no longer handed out.",
    413: "The body is too large.",
    415: "Not an image of a kind taken (JPEG, PNG, WebP).",
    422: "This Idempotency-Key was used before with another request.",
    429: "Too many sign-ups; see `Retry-After`.",
    503: "Storage is unreachable for a moment; retry with the same Idempotency-Key (see `Retry-After`).",
}
WRITES = {"POST", "PUT", "PATCH", "DELETE"}


def problem_statuses(path: str, methods: set[str]) -> set[int]:
    statuses = {400, 401, 403, 404, 503}
    if methods & WRITES:
        statuses |= {409, 413, 422}
    if "POST" in methods and path.endswith("/signups"):
        statuses.add(429)
    if "POST" in methods and path.endswith("/photos"):
        statuses.add(415)
    if path.endswith("/qr.svg"):
        statuses.add(410)
    return statuses


DOCUMENTS = {
    ".html": ("text/html", Schema(type=OpenAPIType.STRING)),
    ".md": ("text/markdown", Schema(type=OpenAPIType.STRING)),
    ".csv": ("text/csv", Schema(type=OpenAPIType.STRING)),
    ".pdf": ("application/pdf", Schema(type=OpenAPIType.STRING, format="binary")),  # type: ignore[arg-type]
    "/stream": (  # each event: its log position, its type and the event as JSON
        "text/event-stream",
        Schema(
            type=OpenAPIType.OBJECT,
            properties={name: Schema(type=OpenAPIType.STRING) for name in ("id", "event", "data")},
        ),
    ),
}


def document_problems(app: Litestar) -> None:
    """Add the problem answers to every `/api/` operation of `app`, and to `/metrics`."""
    for route in app.routes:
        if not isinstance(route, HTTPRoute) or not (route.path.startswith("/api/") or route.path == "/metrics"):
            continue
        for handler in route.route_handlers:
            _document(handler, route.path)


def refine_document(app: Litestar) -> None:
    """Media types and unions, fixed in the built document before it is first served."""
    document: OpenAPI = app.openapi_schema
    for path, item in (document.paths or {}).items():
        operation: Operation | None = item.get
        if operation is None or not operation.responses or "200" not in operation.responses:
            continue
        success = operation.responses["200"]
        if not isinstance(success, OpenAPIResponse) or not success.content:
            continue
        for suffix, (media_type, schema) in DOCUMENTS.items():
            if path.endswith(suffix):
                success.content = {media_type: OpenAPIMediaType(schema=schema)}
        for media in success.content.values():
            if isinstance(media.schema, Schema):
                media.schema = _without_one_of(media.schema)


def _without_one_of(schema: Schema) -> Schema | Reference:
    if not schema.one_of:
        return schema
    members = [m for m in schema.one_of if isinstance(m, Reference) or m.type or m.properties or m.one_of]
    if len(members) == 1:
        return members[0]
    return Schema(any_of=members)


def _document(handler: HTTPRouteHandler, path: str) -> None:
    documented = dict(handler.responses or {})
    for status in problem_statuses(path, set(handler.http_methods)):
        documented.setdefault(
            status, ResponseSpec(data_container=Problem, description=WHY[status], media_type=PROBLEM_JSON)
        )
    handler.responses = documented


class ClosedInputSchemas(StructSchemaPlugin):
    """Request bodies refuse unknown fields (`forbid_unknown_fields`); say so in the schema."""

    def is_plugin_supported_field(self, field_definition: FieldDefinition) -> bool:
        return field_definition.is_subclass_of(Input) and not field_definition.is_union

    def to_openapi_schema(self, field_definition: FieldDefinition, schema_creator: SchemaCreator) -> Schema:
        schema = super().to_openapi_schema(field_definition, schema_creator)
        schema.additional_properties = False
        return schema


@get("/schema/events.json", opt={"access": Access.PUBLIC}, media_type="application/schema+json", tags=["live"])
async def event_catalogue() -> dict[str, Any]:
    """The event catalogue: a JSON Schema with one definition per event type, as the stream sends it."""
    return event_schema()
