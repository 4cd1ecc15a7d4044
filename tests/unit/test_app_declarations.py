"""Every handler parameter says where it comes from, so Litestar 3 can be one step away."""

from __future__ import annotations

import warnings

from service.api.openapi import refine_document
from service.app import create_app
from service.settings import Settings


def test_the_app_and_its_api_document_are_built_without_a_deprecation_warning() -> None:
    settings = Settings.from_env(redis_url="redis://127.0.0.1:1/0", admin_token="a" * 40, secret_key="s" * 40)
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)
        app = create_app(settings)
        refine_document(app)
    assert "/api/workshops" in (app.openapi_schema.paths or {})
