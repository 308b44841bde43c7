from litestar import Router, delete, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_201_CREATED, HTTP_204_NO_CONTENT

from application.api_keys.create_api_key import CreateApiKey, CreateApiKeyHandler
from application.api_keys.list_api_keys import ListApiKeys, ListApiKeysHandler
from application.api_keys.revoke_api_key import RevokeApiKey, RevokeApiKeyHandler
from entrypoints.http.api_key_schemas import ApiKeyCreateRequest, ApiKeyResponse, NewApiKeyResponse
from entrypoints.http.route_parts import BearerRequest, bearer_route, caller_and_context, caller_id


@post(
    "/auth/api-keys",
    **bearer_route(CreateApiKeyHandler, status_code=HTTP_201_CREATED, json_body=True, errors=(409,)),
)
async def create_api_key(
    request: BearerRequest, data: JSONBody[ApiKeyCreateRequest], create_api_key: NamedDependency[CreateApiKeyHandler]
) -> NewApiKeyResponse:
    principal, context = caller_and_context(request)
    command = CreateApiKey(
        user_id=principal.user_id, name=data.name, scopes=list(data.scopes), expires_in_days=data.expires_in_days,
        allowed_ips=list(data.allowed_ips) if data.allowed_ips is not None else None, context=context,
    )  # fmt: skip
    return NewApiKeyResponse.of(await create_api_key.handle(command))


@get("/auth/api-keys", **bearer_route(ListApiKeysHandler))
async def list_api_keys(
    request: BearerRequest, list_api_keys: NamedDependency[ListApiKeysHandler]
) -> list[ApiKeyResponse]:
    keys = await list_api_keys.handle(ListApiKeys(user_id=caller_id(request)))
    return [ApiKeyResponse.of(key) for key in keys]


@delete(
    "/auth/api-keys/{key_id:str}", **bearer_route(RevokeApiKeyHandler, status_code=HTTP_204_NO_CONTENT, errors=(404,))
)
async def revoke_api_key(
    request: BearerRequest, key_id: FromPath[str], revoke_api_key: NamedDependency[RevokeApiKeyHandler]
) -> None:
    principal, context = caller_and_context(request)
    await revoke_api_key.handle(RevokeApiKey(user_id=principal.user_id, key_id=key_id, context=context))


api_key_router = Router(path="/", route_handlers=[create_api_key, list_api_keys, revoke_api_key], tags=["api keys"])
