"""Social login routes: the providers, the browser round trip (authorize, callback), the code
exchange, and the identities linked to the caller's account."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from litestar import Router, delete, get, post
from litestar.datastructures import Cookie
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter
from litestar.response import Redirect
from litestar.status_codes import HTTP_200_OK, HTTP_204_NO_CONTENT, HTTP_302_FOUND

from application.auth.login_sessions import MfaRequired
from application.oauth.begin_identity_link import BeginIdentityLink, BeginIdentityLinkHandler
from application.oauth.begin_social_login import BeginSocialLogin, BeginSocialLoginHandler
from application.oauth.exchange_login_code import ExchangeLoginCode, ExchangeLoginCodeHandler
from application.oauth.handle_callback import HandleOAuthCallback, HandleOAuthCallbackHandler
from application.oauth.list_identities import ListIdentities, ListIdentitiesHandler
from application.oauth.list_providers import ListProvidersHandler
from application.oauth.unlink_identity import UnlinkIdentity, UnlinkIdentityHandler
from domain.identities import OAUTH_FLOW_TTL
from entrypoints.http.client_ip import request_context
from entrypoints.http.oauth_schemas import (
    AuthorizeUrlResponse,
    IdentityResponse,
    LoginCodeRequest,
    ProviderResponse,
)
from entrypoints.http.route_parts import (
    AnyRequest,
    BearerRequest,
    bearer_route,
    caller_and_context,
    caller_id,
    use_case_route,
)
from entrypoints.http.schemas import LogInResponse, MfaRequiredResponse
from entrypoints.http.throttling import SENSITIVE

# The cookie that binds a sign-in to the browser that started it (HttpOnly, SameSite=Lax: sent on
# the provider's top-level redirect back, never readable by scripts).
BROWSER_COOKIE = "bastion_oauth_browser"
COOKIE_PATH = "/auth/oauth/"
RedirectUri = Annotated[
    str,
    QueryParameter(
        max_length=1024, description="Where the browser goes at the end: one of BASTION_OAUTH_REDIRECT_ALLOWLIST."
    ),
]
# Bounded so that the longest URL (4-byte characters, percent-encoded) stays within the 16 KiB request head.
CodeValue = Annotated[str | None, QueryParameter(max_length=1024)]
ErrorValue = Annotated[str | None, QueryParameter(max_length=256)]
# `state` is a name Litestar keeps for its application state: the query parameter is read under another.
# Its length is judged by the use case (any state it did not issue is a 400 `invalid_state`).
StateValue = Annotated[str | None, QueryParameter(name="state")]


@get("/auth/oauth/providers", **use_case_route(ListProvidersHandler))
async def list_providers(list_providers: NamedDependency[ListProvidersHandler]) -> list[ProviderResponse]:
    return [ProviderResponse(name=name, display_name=shown) for name, shown in await list_providers.handle()]


def oauth_router(*, secure_cookie: bool) -> Router:
    """The social login routes; `secure_cookie`: the browser cookie is sent over https only (when
    BASTION_PUBLIC_URL is https)."""

    @get(
        "/auth/oauth/{provider:str}/authorize",
        **use_case_route(BeginSocialLoginHandler, status_code=HTTP_302_FOUND, errors=(400, 404, 422)),
    )
    async def authorize(
        request: AnyRequest,
        provider: FromPath[str],
        redirect_uri: RedirectUri,
        begin_social_login: NamedDependency[BeginSocialLoginHandler],
    ) -> Redirect:
        command = BeginSocialLogin(
            provider=provider, redirect_uri=redirect_uri, browser_binding=request.cookies.get(BROWSER_COOKIE)
        )
        start = await begin_social_login.handle(command)
        cookie = Cookie(
            key=BROWSER_COOKIE,
            value=start.browser_binding,
            path=COOKIE_PATH,
            max_age=int(OAUTH_FLOW_TTL.total_seconds()),
            httponly=True,
            secure=secure_cookie,
            samesite="lax",
        )
        return Redirect(path=start.authorize_url, status_code=HTTP_302_FOUND, cookies=[cookie])

    return Router(path="/", route_handlers=[authorize], tags=["social login"])


@get(
    "/auth/oauth/{provider:str}/callback",
    **use_case_route(HandleOAuthCallbackHandler, status_code=HTTP_302_FOUND, errors=(400, 404, 422)),
)
async def callback(
    request: AnyRequest,
    provider: FromPath[str],
    handle_oauth_callback: NamedDependency[HandleOAuthCallbackHandler],
    code: CodeValue = None,
    oauth_state: StateValue = None,
    error: ErrorValue = None,
) -> Redirect:
    command = HandleOAuthCallback(
        provider=provider,
        state=oauth_state,
        code=code,
        error=error,
        browser_binding=request.cookies.get(BROWSER_COOKIE),
        context=request_context(request),
    )
    outcome = await handle_oauth_callback.handle(command)
    return Redirect(path=f"{outcome.redirect_uri}#{urlencode(outcome.fragment)}", status_code=HTTP_302_FOUND)


@post(
    "/auth/oauth/exchange",
    **use_case_route(
        ExchangeLoginCodeHandler, status_code=HTTP_200_OK, json_body=True, opt=SENSITIVE, errors=(400, 403)
    ),
)
async def exchange_login_code(
    request: AnyRequest,
    data: JSONBody[LoginCodeRequest],
    exchange_login_code: NamedDependency[ExchangeLoginCodeHandler],
) -> LogInResponse | MfaRequiredResponse:
    command = ExchangeLoginCode(code=data.code, device_token=data.device_token, context=request_context(request))
    result = await exchange_login_code.handle(command)
    if isinstance(result, MfaRequired):
        return MfaRequiredResponse.of(result)
    return LogInResponse.of_login(result)


@get("/auth/identities", **bearer_route(ListIdentitiesHandler))
async def list_identities(
    request: BearerRequest, list_identities: NamedDependency[ListIdentitiesHandler]
) -> list[IdentityResponse]:
    identities = await list_identities.handle(ListIdentities(user_id=caller_id(request)))
    return [IdentityResponse.of(identity) for identity in identities]


@post(
    "/auth/identities/{provider:str}/link",
    **bearer_route(BeginIdentityLinkHandler, status_code=HTTP_200_OK, errors=(400, 404, 422)),
)
async def link_identity(
    request: BearerRequest,
    provider: FromPath[str],
    redirect_uri: RedirectUri,
    begin_identity_link: NamedDependency[BeginIdentityLinkHandler],
) -> AuthorizeUrlResponse:
    command = BeginIdentityLink(user_id=caller_id(request), provider=provider, redirect_uri=redirect_uri)
    return AuthorizeUrlResponse(authorize_url=await begin_identity_link.handle(command))


@delete(
    "/auth/identities/{identity_id:str}",
    **bearer_route(UnlinkIdentityHandler, status_code=HTTP_204_NO_CONTENT, errors=(404, 409)),
)
async def unlink_identity(
    request: BearerRequest, identity_id: FromPath[str], unlink_identity: NamedDependency[UnlinkIdentityHandler]
) -> None:
    principal, context = caller_and_context(request)
    await unlink_identity.handle(UnlinkIdentity(user_id=principal.user_id, identity_id=identity_id, context=context))


identity_router = Router(
    path="/",
    route_handlers=[list_providers, callback, exchange_login_code, list_identities, link_identity, unlink_identity],
    tags=["social login"],
)
