"""create_app: the Litestar application around the use cases it is handed."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, cast

from litestar import Litestar
from litestar.config.allowed_hosts import AllowedHostsConfig
from litestar.config.cors import CORSConfig
from litestar.datastructures import State
from litestar.di import Provide
from litestar.logging import LoggingConfig
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import ScalarRenderPlugin, SwaggerRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme

from application.auth.authenticate import AuthenticateHandler
from application.ops.throttle_request import ThrottleRequestHandler
from entrypoints.http.auth import BearerAuthMiddleware
from entrypoints.http.client_ip import ClientAddresses
from entrypoints.http.problems import internal_error_handler, problem_details_plugin
from entrypoints.http.routes.account import account_router
from entrypoints.http.routes.admin import admin_router
from entrypoints.http.routes.auth import auth_router
from entrypoints.http.routes.gateway import gateway_router
from entrypoints.http.routes.health import health_router
from entrypoints.http.routes.jwks import jwks_router
from entrypoints.http.routes.tasks import tasks_router
from entrypoints.http.security import security_headers
from entrypoints.http.throttling import ThrottleMiddleware
from entrypoints.settings import Settings

LifespanHook = Callable[[], Any]


def _dependency(provider: Callable[[], object]) -> Provide:
    def provide() -> object:
        return provider()

    return Provide(provide, sync_to_thread=False)


def _openapi(settings: Settings) -> OpenAPIConfig | None:
    if not settings.server.docs_enabled:
        return None
    return OpenAPIConfig(
        title=settings.server.app_name,
        version="0.1.0",
        description="Authentication service and the Task Management API it protects.",
        path="/schema",
        render_plugins=[ScalarRenderPlugin(), SwaggerRenderPlugin(path="/swagger")],
        components=Components(
            security_schemes={
                "BearerToken": SecurityScheme(type="http", scheme="bearer", bearer_format="JWT"),
            }
        ),
        security=[{"BearerToken": []}],
    )


def create_app(
    handlers: Mapping[str, Callable[[], object]],
    settings: Settings,
    *,
    on_startup: Sequence[LifespanHook] = (),
    on_shutdown: Sequence[LifespanHook] = (),
) -> Litestar:
    """The HTTP application. `handlers` maps each use-case dependency name to a zero-argument
    provider (the composition root decides what it builds); nothing here knows the adapters."""
    allowed_hosts = settings.server.allowed_host_list
    addresses = ClientAddresses(settings.server.trusted_proxy_networks)
    handlers = dict(handlers)
    throttle = cast("Callable[[], ThrottleRequestHandler]", handlers.pop("throttle_request"))
    return Litestar(
        route_handlers=[
            health_router(settings.server.app_name, settings.server.environment),
            auth_router,
            account_router,
            gateway_router,
            tasks_router,
            admin_router,
            jwks_router(settings.tokens.jwks_max_age_seconds),
        ],
        dependencies={name: _dependency(provider) for name, provider in handlers.items()},
        plugins=[problem_details_plugin()],
        exception_handlers={Exception: internal_error_handler},
        before_send=[security_headers(hsts=settings.server.hsts_enabled, addresses=addresses)],
        middleware=[
            ThrottleMiddleware(throttle, settings.throttling.throttle_policy),
            BearerAuthMiddleware(cast("Callable[[], AuthenticateHandler]", handlers["authenticate"])),
        ],
        state=State({"client_addresses": addresses}),
        cors_config=CORSConfig(
            allow_origins=settings.server.cors_origin_list,
            allow_methods=["GET", "POST", "PATCH", "DELETE", "OPTIONS"],
            allow_headers=["Authorization", "Content-Type"],
            expose_headers=["Retry-After", "WWW-Authenticate"],
            max_age=600,
        ),
        allowed_hosts=None if "*" in allowed_hosts else AllowedHostsConfig(allowed_hosts=allowed_hosts),
        openapi_config=_openapi(settings),
        request_max_body_size=settings.server.max_body_bytes,
        on_startup=list(on_startup),
        on_shutdown=list(on_shutdown),
        logging_config=LoggingConfig(
            handlers={
                "lines": {"class": "entrypoints.http.log_output.LoopBatchedStreamHandler", "formatter": "standard"},
                # Litestar adds a queue_listener handler (and its thread) unless one is named; unused.
                "queue_listener": {"class": "logging.NullHandler"},
            },
            loggers={"litestar": {"level": "INFO", "handlers": ["lines"], "propagate": False}},
            root={"level": "INFO", "handlers": ["lines"]},
            log_exceptions="never",
            disable_stack_trace={Exception},
        ),
        debug=settings.server.debug and not settings.server.is_production,
    )
