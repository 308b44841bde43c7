"""GET /metrics: the Prometheus text exposition."""

from __future__ import annotations

import logging
from abc import abstractmethod
from typing import Protocol

from litestar import Response, Router, get
from litestar.di import NamedDependency

from application.errors import DependencyUnavailableError
from application.ops.count_outbox_backlog import CountOutboxBacklogHandler
from entrypoints.http.throttling import EXEMPT

logger = logging.getLogger("bastion.metrics")


class HttpMetrics(Protocol):
    """What the HTTP layer needs of the metrics: to observe each request and to expose them all."""

    content_type: str

    @abstractmethod
    def observe_request(self, method: str, route: str, status: int, seconds: float) -> None:
        """One request answered; `route` is its route's template (or a fixed stand-in), never its path."""

    @abstractmethod
    def exposition(self, *, outbox_pending: int | None) -> bytes:
        """Every metric in the exposition format; the outbox gauge left out when `outbox_pending` is None."""


def metrics_router(metrics: HttpMetrics) -> Router:
    @get(
        "/metrics",
        opt=EXEMPT,
        media_type=metrics.content_type,
        description="Prometheus metrics, summed over the worker processes. Keep it off the public internet.",
    )
    async def exposition(count_outbox_backlog: NamedDependency[CountOutboxBacklogHandler]) -> Response[bytes]:
        try:
            pending: int | None = await count_outbox_backlog.handle()
        except DependencyUnavailableError:
            logger.warning("the outbox backlog is left out of the metrics: the database does not answer")
            pending = None
        return Response(metrics.exposition(outbox_pending=pending), media_type=metrics.content_type)

    return Router(path="/", route_handlers=[exposition], tags=["service"])
