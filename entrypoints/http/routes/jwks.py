from litestar import Response, Router, get
from litestar.di import NamedDependency

from application.auth.get_public_keys import GetPublicKeysHandler
from entrypoints.http.schemas import JwksResponse
from entrypoints.http.throttling import EXEMPT


def jwks_router(max_age_seconds: int) -> Router:
    @get(
        "/.well-known/jwks.json",
        opt=EXEMPT,
        description="The public keys that verify access tokens (RFC 7517); empty with HS256. "
        "Resource servers cache it for `max-age` and fetch it again when they meet an unknown `kid`.",
    )
    async def jwks(get_public_keys: NamedDependency[GetPublicKeysHandler]) -> Response[JwksResponse]:
        keys = await get_public_keys.handle()
        return Response(JwksResponse(keys=keys), headers={"Cache-Control": f"public, max-age={max_age_seconds}"})

    return Router(path="/", route_handlers=[jwks], tags=["service"])
