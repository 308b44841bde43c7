"""create_app: the Litestar application around the use cases it is handed."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from litestar import Litestar, Router
from litestar.config.allowed_hosts import AllowedHostsConfig
from litestar.config.cors import CORSConfig
from litestar.datastructures import State
from litestar.logging import LoggingConfig
from litestar.middleware import ASGIMiddleware
from litestar.openapi import OpenAPIConfig
from litestar.openapi.spec import Components, SecurityScheme

from entrypoints.http.api_docs import DOCS_PATH, assets_router, render_plugins
from entrypoints.http.auth import BearerAuthMiddleware
from entrypoints.http.bodies import JsonCheckedRequest
from entrypoints.http.client_ip import ClientAddresses
from entrypoints.http.handlers import HttpHandlers
from entrypoints.http.log_format import QUIET_LIBRARIES, RequestLines, formatter_class
from entrypoints.http.log_output import SERVER_FLUSH_INTERVAL
from entrypoints.http.openapi import ClosedBodySchemaPlugin
from entrypoints.http.problems import internal_error_handler, problem_details_plugin
from entrypoints.http.request_context import RequestContextMiddleware
from entrypoints.http.routes.account import account_router
from entrypoints.http.routes.admin import AdminNetworkMiddleware, admin_router
from entrypoints.http.routes.api_keys import api_key_router
from entrypoints.http.routes.auth import auth_router
from entrypoints.http.routes.gateway import gateway_router
from entrypoints.http.routes.health import health_router
from entrypoints.http.routes.jwks import jwks_router
from entrypoints.http.routes.metrics import HttpMetrics, metrics_router
from entrypoints.http.routes.mfa import mfa_router
from entrypoints.http.routes.oauth import identity_router, oauth_router
from entrypoints.http.routes.passkeys import passkey_router
from entrypoints.http.routes.tasks import tasks_router
from entrypoints.http.security import security_headers
from entrypoints.http.throttling import ThrottleMiddleware
from entrypoints.pages.router import pages_router, template_config
from entrypoints.settings import Settings

LifespanHook = Callable[[], Any]


def _openapi(settings: Settings) -> OpenAPIConfig | None:
    if not settings.server.docs_served:
        return None
    return OpenAPIConfig(
        title=settings.server.app_name,
        version="0.1.0",
        description="Authentication service and the Task Management API it protects.",
        path=DOCS_PATH,
        render_plugins=render_plugins(),
        components=Components(
            security_schemes={
                "BearerToken": SecurityScheme(type="http", scheme="bearer", bearer_format="JWT"),
            }
        ),
    )


def create_app(
    handlers: HttpHandlers,
    settings: Settings,
    *,
    on_startup: Sequence[LifespanHook] = (),
    on_shutdown: Sequence[LifespanHook] = (),
    metrics: HttpMetrics | None = None,
) -> Litestar:
    """The HTTP application over the use cases it is handed; nothing here knows the adapters.
    With `metrics`, every request is observed and GET /metrics serves them."""
    server = settings.server
    addresses = ClientAddresses(server.trusted_proxy_networks)
    app = Litestar(
        route_handlers=_routers(settings, metrics),
        dependencies=handlers.route_dependencies(),
        plugins=[problem_details_plugin(), ClosedBodySchemaPlugin()],
        exception_handlers={Exception: internal_error_handler},
        before_send=[security_headers(hsts=server.hsts_enabled, addresses=addresses)],
        middleware=_middleware(handlers, settings),
        state=State({"client_addresses": addresses}),
        cors_config=_cors(settings),
        allowed_hosts=_allowed_hosts(settings),
        openapi_config=_openapi(settings),
        template_config=template_config() if settings.server.hosted_pages else None,
        request_max_body_size=server.max_body_bytes,
        request_class=JsonCheckedRequest,
        on_startup=list(on_startup),
        on_shutdown=list(on_shutdown),
        logging_config=_logging(settings),
        debug=server.debug and not server.is_production,
    )
    lines = RequestLines() if server.log_requests else None
    if lines is not None:
        app.on_startup.append(lines.start)
        app.on_shutdown.append(lines.stop)
    # Around routing and error handling, so that every answer (a router's 404 too) has its request id.
    app.asgi_handler = RequestContextMiddleware(
        app.asgi_handler,
        addresses=addresses,
        log=lines,
        observe=metrics.observe_request if metrics is not None else None,
    )
    return app


def _middleware(handlers: HttpHandlers, settings: Settings) -> list[ASGIMiddleware]:
    admin_networks = settings.server.admin_allowed_networks
    # First: a client IP refused the administration routes gets 403 before it is throttled or its token read.
    admin_check = [AdminNetworkMiddleware(admin_networks)] if admin_networks else []
    return [
        *admin_check,
        ThrottleMiddleware(handlers.throttle_request, settings.throttling.throttle_policy),
        BearerAuthMiddleware(handlers.identify_caller, handlers.authenticate),
    ]


def _routers(settings: Settings, metrics: HttpMetrics | None) -> list[Router]:
    docs = [assets_router()] if settings.server.docs_served else []
    pages = [pages_router(settings.server.app_name)] if settings.server.hosted_pages else []
    observed = [] if metrics is None else [metrics_router(metrics)]
    return [
        *docs,
        *observed,
        health_router(settings.server.app_name, settings.server.environment),
        auth_router(registration_privacy=settings.accounts.registration_privacy),
        account_router,
        mfa_router,
        passkey_router,
        oauth_router(secure_cookie=settings.server.base_url.startswith("https://")),
        identity_router,
        api_key_router,
        gateway_router,
        tasks_router,
        admin_router(mfa_required=settings.accounts.mfa_required_for_admins),
        jwks_router(settings.tokens.jwks_max_age_seconds),
        *pages,
    ]


def _cors(settings: Settings) -> CORSConfig:
    return CORSConfig(
        allow_origins=settings.server.cors_origin_list,
        allow_methods=["GET", "POST", "PATCH", "DELETE", "OPTIONS"],
        allow_headers=["Authorization", "Content-Type"],
        expose_headers=["Retry-After", "WWW-Authenticate"],
        max_age=600,
    )


def _allowed_hosts(settings: Settings) -> AllowedHostsConfig | None:
    allowed_hosts = settings.server.allowed_host_list
    return None if "*" in allowed_hosts else AllowedHostsConfig(allowed_hosts=allowed_hosts)


def _logging(settings: Settings) -> LoggingConfig:
    formatter = formatter_class(settings.server.json_logs)
    return LoggingConfig(
        formatters={"lines": {"()": f"{formatter.__module__}.{formatter.__qualname__}"}},
        handlers={
            "lines": {
                "class": "entrypoints.http.log_output.LoopBatchedStreamHandler",
                "formatter": "lines",
                "interval": SERVER_FLUSH_INTERVAL,
            },
            # Litestar adds a queue_listener handler (and its thread) unless one is named; unused.
            "queue_listener": {"class": "logging.NullHandler"},
        },
        loggers={"litestar": {"level": "INFO", "handlers": ["lines"], "propagate": False}, **QUIET_LIBRARIES},
        root={"level": "INFO", "handlers": ["lines"]},
        log_exceptions="never",
        disable_stack_trace={Exception},
    )
