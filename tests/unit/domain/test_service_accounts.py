"""Service accounts: what a token may carry, and what a service principal may do."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from domain.api_keys import Scope
from domain.errors import InvalidScopeError, ValidationFailedError
from domain.ids import SessionId, UserId
from domain.service_accounts import (
    ServiceAccount,
    new_client_id,
    new_client_secret,
    new_service_account_id,
    parse_scope_parameter,
    service_account_scopes,
)
from domain.sessions import Access, Principal, PrincipalKind

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def an_account(*scopes: Scope) -> ServiceAccount:
    return ServiceAccount(
        id=new_service_account_id(), name="sync", client_id=new_client_id(), secret_hash="h",
        scopes=frozenset(scopes), created_at=NOW,
    )  # fmt: skip


def test_client_ids_are_public_and_prefixed_and_secrets_carry_256_bits() -> None:
    assert re.fullmatch(r"svc_[A-Za-z0-9_-]{22}", new_client_id())
    assert len(new_client_secret()) == 43
    assert new_client_secret() != new_client_secret()


def test_without_a_requested_scope_a_token_gets_every_scope_of_the_account() -> None:
    account = an_account(Scope.TASKS_READ, Scope.TASKS_WRITE)

    assert account.granted(parse_scope_parameter(None)) == {Scope.TASKS_READ, Scope.TASKS_WRITE}
    assert account.granted(parse_scope_parameter("  ")) == {Scope.TASKS_READ, Scope.TASKS_WRITE}


def test_a_requested_scope_narrows_the_token() -> None:
    account = an_account(Scope.TASKS_READ, Scope.TASKS_WRITE)

    assert account.granted(parse_scope_parameter("tasks:write")) == {Scope.TASKS_WRITE}


@pytest.mark.parametrize("scope", ["tasks:write", "tasks:read tasks:write", "admin", "x" * 1001])
def test_a_scope_not_granted_or_unknown_is_invalid(scope: str) -> None:
    account = an_account(Scope.TASKS_READ)

    with pytest.raises(InvalidScopeError):
        account.granted(parse_scope_parameter(scope))


def test_an_account_needs_known_scopes() -> None:
    with pytest.raises(ValidationFailedError):
        service_account_scopes(["tasks:delete"])


def test_its_tokens_name_it_as_subject_and_session() -> None:
    account = an_account(Scope.TASKS_READ)

    assert (account.subject, account.subject_session) == (account.id, account.id)


@pytest.mark.parametrize(
    ("access", "allowed"),
    [(Access.TASKS_READ, True), (Access.TASKS_WRITE, False), (Access.ACCOUNT, False)],
)
def test_a_service_principal_may_use_only_the_task_use_cases_of_its_scopes(access: Access, allowed: bool) -> None:
    principal = Principal(
        user_id=UserId("svc"), session_id=SessionId("svc"), roles=(), kind=PrincipalKind.SERVICE,
        scopes=frozenset({"tasks:read"}),
    )  # fmt: skip

    assert principal.may(access) is allowed
