"""What the ASGI server imports: an app factory (settings -> container -> app), nothing built on import."""

from __future__ import annotations

from functools import partial

from litestar import Litestar

from entrypoints.container.http import http_handlers
from entrypoints.container.lifecycle import production, start, stop
from entrypoints.http.app import create_app as create_http_app
from entrypoints.settings import Settings, load_settings


def build_app(settings: Settings) -> Litestar:
    """The production application for `settings`: resources start and stop with the app's lifespan."""
    use_cases, adapters = production(settings)
    return create_http_app(
        http_handlers(use_cases),
        settings,
        on_startup=[partial(start, use_cases, adapters)],
        on_shutdown=[partial(stop, use_cases, adapters)],
        metrics=adapters.metrics(),
    )


def create_app() -> Litestar:
    """The factory the server calls (`uvicorn --factory entrypoints.asgi:create_app`)."""
    return build_app(load_settings())
