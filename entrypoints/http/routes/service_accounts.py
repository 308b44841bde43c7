from litestar import delete, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED, HTTP_204_NO_CONTENT

from application.service_accounts.create_service_account import CreateServiceAccount, CreateServiceAccountHandler
from application.service_accounts.delete_service_account import DeleteServiceAccount, DeleteServiceAccountHandler
from application.service_accounts.list_service_accounts import ListServiceAccounts, ListServiceAccountsHandler
from application.service_accounts.rotate_service_account_secret import (
    RotateServiceAccountSecret,
    RotateServiceAccountSecretHandler,
)
from entrypoints.http.route_parts import BearerRequest, bearer_route, caller_and_context, caller_id
from entrypoints.http.service_account_schemas import (
    ClientSecretResponse,
    NewServiceAccountResponse,
    ServiceAccountCreateRequest,
    ServiceAccountResponse,
)

# Served under /admin (`admin_router`): 403 for a caller without `users:manage`.
_ONE_ACCOUNT = (403, 404)


@post(
    "/service-accounts",
    **bearer_route(CreateServiceAccountHandler, status_code=HTTP_201_CREATED, json_body=True, errors=(403,)),
)
async def create_service_account(
    request: BearerRequest,
    data: JSONBody[ServiceAccountCreateRequest],
    create_service_account: NamedDependency[CreateServiceAccountHandler],
) -> NewServiceAccountResponse:
    principal, context = caller_and_context(request)
    command = CreateServiceAccount(
        actor_id=principal.user_id, name=data.name, scopes=list(data.scopes), context=context
    )
    return NewServiceAccountResponse.of(await create_service_account.handle(command))


@get("/service-accounts", **bearer_route(ListServiceAccountsHandler, errors=(403,)))
async def list_service_accounts(
    request: BearerRequest, list_service_accounts: NamedDependency[ListServiceAccountsHandler]
) -> list[ServiceAccountResponse]:
    accounts = await list_service_accounts.handle(ListServiceAccounts(actor_id=caller_id(request)))
    return [ServiceAccountResponse.of(account) for account in accounts]


@delete(
    "/service-accounts/{account_id:str}",
    **bearer_route(DeleteServiceAccountHandler, status_code=HTTP_204_NO_CONTENT, errors=_ONE_ACCOUNT),
)
async def delete_service_account(
    request: BearerRequest,
    account_id: FromPath[str],
    delete_service_account: NamedDependency[DeleteServiceAccountHandler],
) -> None:
    principal, context = caller_and_context(request)
    await delete_service_account.handle(
        DeleteServiceAccount(actor_id=principal.user_id, account_id=account_id, context=context)
    )


@post(
    "/service-accounts/{account_id:str}/rotate-secret",
    **bearer_route(RotateServiceAccountSecretHandler, status_code=HTTP_200_OK, errors=_ONE_ACCOUNT),
)
async def rotate_service_account_secret(
    request: BearerRequest,
    account_id: FromPath[str],
    rotate_service_account_secret: NamedDependency[RotateServiceAccountSecretHandler],
) -> ClientSecretResponse:
    principal, context = caller_and_context(request)
    secret = await rotate_service_account_secret.handle(
        RotateServiceAccountSecret(actor_id=principal.user_id, account_id=account_id, context=context)
    )
    return ClientSecretResponse(client_secret=secret)


SERVICE_ACCOUNT_ROUTES = [
    create_service_account,
    list_service_accounts,
    delete_service_account,
    rotate_service_account_secret,
]
"""The administration routes of service accounts, for `admin_router` (paths under /admin)."""
