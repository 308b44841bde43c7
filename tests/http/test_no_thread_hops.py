"""Nothing on a request's path is handed to a worker thread by Litestar: a plain function guard,
handler or dependency with `sync_to_thread` would cost a thread hop (and lock traffic) per request."""

from __future__ import annotations

import inspect

from litestar.handlers.http_handlers import HTTPRouteHandler

from entrypoints.container.http import http_handlers
from entrypoints.container.lifecycle import in_memory
from entrypoints.http.app import create_app
from tests.http.conftest import make_settings


def _route_handlers() -> list[HTTPRouteHandler]:
    use_cases, _ = in_memory(make_settings())
    app = create_app(http_handlers(use_cases), make_settings())
    return [
        handler
        for route in app.routes
        for handler in getattr(route, "route_handlers", [])
        if isinstance(handler, HTTPRouteHandler)
    ]


def test_every_guard_is_a_coroutine_function() -> None:
    threaded = [
        f"{handler.handler_name}: {guard.__name__}"
        for handler in _route_handlers()
        for guard in handler.resolve_guards()
        if not inspect.iscoroutinefunction(guard)
    ]
    assert threaded == []


def test_no_handler_or_dependency_runs_in_a_thread() -> None:
    threaded = []
    for handler in _route_handlers():
        if handler.has_sync_callable and handler.sync_to_thread:
            threaded.append(handler.handler_name)
        for name, provider in handler.resolve_dependencies().items():
            if provider.has_sync_callable and provider.sync_to_thread:
                threaded.append(f"{handler.handler_name}: dependency {name}")
    assert threaded == []
