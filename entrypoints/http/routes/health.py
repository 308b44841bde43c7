from litestar import Response, Router, get
from litestar.di import NamedDependency
from litestar.openapi.datastructures import ResponseSpec

from application.ops.check_readiness import CheckReadinessHandler
from entrypoints.http.schemas import HealthResponse, ReadinessResponse
from entrypoints.http.throttling import EXEMPT


def health_router(app_name: str, environment: str) -> Router:
    body = HealthResponse(status="healthy", app_name=app_name, environment=environment)

    @get("/health", opt=EXEMPT, description="Liveness: answers as long as the process serves; touches nothing.")
    async def health() -> HealthResponse:
        return body

    @get(
        "/health/ready",
        opt=EXEMPT,
        description="Readiness: 200 while the database answers, 503 otherwise.",
        responses={503: ResponseSpec(ReadinessResponse, description="The database does not answer.")},
    )
    async def ready(check_readiness: NamedDependency[CheckReadinessHandler]) -> Response[ReadinessResponse]:
        readiness = await check_readiness.handle()
        checks = {"database": "ok" if readiness.database else "unavailable", **readiness.services}
        status = "ready" if readiness.ready else "unavailable"
        return Response(ReadinessResponse(status=status, checks=checks), status_code=200 if readiness.ready else 503)

    return Router(path="/", route_handlers=[health, ready], tags=["service"])
