"""Service accounts' use cases over the memory adapters: creation, the grant, rotation and deletion."""

from __future__ import annotations

from dataclasses import replace

import pytest

from adapters.memory.hasher import MemoryPasswordHasher
from application.auth.authenticate import Authenticate
from application.auth.register_user import RegisterUser
from application.service_accounts.create_service_account import CreateServiceAccount, NewServiceAccount
from application.service_accounts.delete_service_account import DeleteServiceAccount
from application.service_accounts.issue_service_token import IssueServiceToken
from application.service_accounts.list_service_accounts import ListServiceAccounts
from application.service_accounts.rotate_service_account_secret import RotateServiceAccountSecret
from domain.errors import InvalidClientError, PermissionDeniedError, TokenInvalidError
from domain.ids import UserId
from domain.sessions import PrincipalKind
from tests.unit.application.conftest import ACCESS_TTL, PASSWORD, Harness


async def _admin(harness: Harness) -> UserId:
    admin = await harness.create_admin.handle(
        RegisterUser(email="root@example.org", username="root", password=PASSWORD)
    )
    return admin.id


async def _created(harness: Harness, actor_id: UserId, scopes: list[str] | None = None) -> NewServiceAccount:
    command = CreateServiceAccount(actor_id=actor_id, name="sync", scopes=scopes or ["tasks:read"])
    return await harness.use_cases.create_service_account().handle(command)


def _grant(made: NewServiceAccount, secret: str | None = None, scope: str | None = None) -> IssueServiceToken:
    return IssueServiceToken(client_id=made.account.client_id, client_secret=secret or made.client_secret, scope=scope)


async def test_only_an_administrator_creates_service_accounts(harness: Harness) -> None:
    user = await harness.a_user()

    with pytest.raises(PermissionDeniedError):
        await _created(harness, user.id)
    assert harness.store.service_accounts == {}


async def test_the_secret_is_stored_only_as_a_hash(harness: Harness) -> None:
    made = await _created(harness, await _admin(harness))

    stored = harness.store.service_accounts[made.account.id]
    assert made.client_secret not in stored.secret_hash
    assert (await harness.hasher.verify(made.client_secret, stored.secret_hash)).ok


async def test_a_granted_token_is_a_service_principal_for_the_access_ttl(harness: Harness) -> None:
    made = await _created(harness, await _admin(harness), ["tasks:read", "tasks:write"])

    token = await harness.use_cases.issue_service_token().handle(_grant(made, scope="tasks:write"))
    principal = await harness.authenticate.handle(Authenticate(access_token=token.access_token))

    assert (token.expires_in, token.scopes) == (int(ACCESS_TTL.total_seconds()), ("tasks:write",))
    assert (principal.kind, principal.user_id, principal.scopes) == (
        PrincipalKind.SERVICE, made.account.id, frozenset({"tasks:write"})
    )  # fmt: skip


async def test_an_unknown_client_costs_the_same_hashing_work_as_a_wrong_secret(harness: Harness) -> None:
    made = await _created(harness, await _admin(harness))
    issue = harness.use_cases.issue_service_token()
    before = harness.hasher.verify_calls

    with pytest.raises(InvalidClientError):
        await issue.handle(_grant(made, secret="wrong"))
    wrong_secret = harness.hasher.verify_calls - before
    with pytest.raises(InvalidClientError):
        await issue.handle(IssueServiceToken(client_id="svc_unknown", client_secret="wrong"))

    assert harness.hasher.verify_calls - before == 2 * wrong_secret == 2


async def test_oversized_credentials_are_refused_without_hashing(harness: Harness) -> None:
    made = await _created(harness, await _admin(harness))
    before = harness.hasher.verify_calls

    with pytest.raises(InvalidClientError):
        await harness.use_cases.issue_service_token().handle(_grant(made, secret="x" * 10_000))

    assert harness.hasher.verify_calls == before


async def test_rotation_replaces_the_secret(harness: Harness) -> None:
    admin = await _admin(harness)
    made = await _created(harness, admin)

    secret = await harness.use_cases.rotate_service_account_secret().handle(
        RotateServiceAccountSecret(actor_id=admin, account_id=made.account.id)
    )

    issue = harness.use_cases.issue_service_token()
    with pytest.raises(InvalidClientError):
        await issue.handle(_grant(made))
    assert (await issue.handle(_grant(made, secret=secret))).access_token


async def test_deletion_revokes_the_tokens_already_granted(harness: Harness) -> None:
    admin = await _admin(harness)
    made = await _created(harness, admin)
    token = await harness.use_cases.issue_service_token().handle(_grant(made))

    await harness.use_cases.delete_service_account().handle(
        DeleteServiceAccount(actor_id=admin, account_id=made.account.id)
    )

    with pytest.raises(TokenInvalidError):
        await harness.authenticate.handle(Authenticate(access_token=token.access_token))


async def test_a_right_secret_under_an_outdated_hash_is_stored_again_under_the_current_one(harness: Harness) -> None:
    made = await _created(harness, await _admin(harness))
    account_id = made.account.id
    harness.store.service_accounts[account_id] = replace(
        made.account, secret_hash=MemoryPasswordHasher.outdated_hash(made.client_secret)
    )

    await harness.use_cases.issue_service_token().handle(_grant(made))

    upgraded = harness.store.service_accounts[account_id]
    assert upgraded.secret_hash.startswith("$memory$")
    assert upgraded.secret_rotated_at is None
    assert (await harness.use_cases.issue_service_token().handle(_grant(made))).access_token


async def test_an_operator_manages_service_accounts_without_an_account(harness: Harness) -> None:
    made = await _created_by_operator(harness)

    listed = await harness.use_cases.list_service_accounts().handle(ListServiceAccounts(actor_id=None))
    secret = await harness.use_cases.rotate_service_account_secret().handle(
        RotateServiceAccountSecret(actor_id=None, account_id=made.account.id)
    )
    await harness.use_cases.delete_service_account().handle(
        DeleteServiceAccount(actor_id=None, account_id=made.account.id)
    )

    assert [account.id for account in listed] == [made.account.id]
    assert secret != made.client_secret
    assert await harness.use_cases.list_service_accounts().handle(ListServiceAccounts(actor_id=None)) == []


async def test_a_wrong_secret_is_audited_and_an_unknown_client_is_not(harness: Harness) -> None:
    made = await _created_by_operator(harness)
    issue = harness.use_cases.issue_service_token()

    for command in (_grant(made, secret="wrong"), IssueServiceToken(client_id="svc_unknown", client_secret="wrong")):
        with pytest.raises(InvalidClientError):
            await issue.handle(command)

    refused = [event for event in harness.store.audit_events.values() if event.type == "service_account.refused"]
    assert [(event.user_id, event.data) for event in refused] == [
        (made.account.id, {"client_id": made.account.client_id, "reason": "wrong_secret"})
    ]


async def test_no_client_id_is_refused_without_a_lookup_or_hashing(harness: Harness) -> None:
    before = harness.hasher.verify_calls

    with pytest.raises(InvalidClientError):
        await harness.use_cases.issue_service_token().handle(IssueServiceToken(client_id="", client_secret=""))

    assert harness.hasher.verify_calls == before


async def _created_by_operator(harness: Harness) -> NewServiceAccount:
    command = CreateServiceAccount(actor_id=None, name="sync", scopes=["tasks:read"])
    return await harness.use_cases.create_service_account().handle(command)
