"""The rules of API keys: their shape, names, scopes, ranges and lifetime, and what a principal that is
a key may do."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from ipaddress import ip_network

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.api_keys import (
    API_KEY_LENGTH,
    ApiKey,
    ApiKeyId,
    Scope,
    api_key_name,
    is_api_key_shaped,
    parse_networks,
    parse_scopes,
)
from domain.errors import ValidationFailedError
from domain.ids import SessionId, UserId
from domain.sessions import Access, Principal, PrincipalKind

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def _key(**fields: object) -> ApiKey:
    values: dict[str, object] = {
        "id": ApiKeyId(str(uuid.uuid4())),
        "user_id": UserId(str(uuid.uuid4())),
        "name": "script",
        "shown": "bst_abcdefgh",
        "key_hash": "0" * 64,
        "scopes": frozenset({Scope.TASKS_READ}),
        "allowed_networks": (),
        "created_at": NOW,
    }
    values.update(fields)
    return ApiKey(**values)  # type: ignore[arg-type]


@given(st.text(max_size=200))
def test_only_the_exact_shape_passes_the_shape_check(text: str) -> None:
    assert not is_api_key_shaped(text) or (len(text) == API_KEY_LENGTH and text.startswith("bst_"))


def test_the_shape_check_refuses_what_must_never_be_looked_up() -> None:
    good = "bst_" + "A" * (API_KEY_LENGTH - 4)
    assert is_api_key_shaped(good)
    for bad in (good[:-1], good + "A", good[:-1] + "\x00", good[:-1] + "é", "BST_" + good[4:], "x" * 10_000_000):
        assert not is_api_key_shaped(bad)


def test_scopes_must_be_known_and_at_least_one() -> None:
    assert parse_scopes(["tasks:read", "tasks:write", "tasks:read"]) == {Scope.TASKS_READ, Scope.TASKS_WRITE}
    for bad in ([], ["tasks:delete"], ["tasks:read", "admin"]):
        with pytest.raises(ValidationFailedError):
            parse_scopes(bad)


def test_networks_are_cidr_ranges_of_either_family_and_a_bare_address_is_one() -> None:
    assert parse_networks(["10.0.0.0/8", "2001:db8::/32", "192.0.2.7", "10.1.2.3/8"]) == (
        ip_network("10.0.0.0/8"),
        ip_network("2001:db8::/32"),
        ip_network("192.0.2.7/32"),
        ip_network("10.0.0.0/8"),
    )
    for bad in (["10.0.0.0/33"], ["example.org"], ["::1/200"], ["10.0.0.1"] * 33):
        with pytest.raises(ValidationFailedError):
            parse_networks(bad)


@pytest.mark.parametrize("bad", ["", "   ", "x" * 101, "a\x00b", "a\nb", "a\u2028b", "a\x85b"])
def test_names_are_1_to_100_characters_without_controls(bad: str) -> None:
    with pytest.raises(ValidationFailedError):
        api_key_name(bad)
    assert api_key_name("  deploy bot  ") == "deploy bot"


def test_a_key_is_usable_until_revoked_or_expired() -> None:
    assert _key().usable(NOW + timedelta(days=9999))
    assert not _key(revoked_at=NOW).usable(NOW)
    expiring = _key(expires_at=NOW + timedelta(days=1))
    assert expiring.usable(NOW + timedelta(hours=23))
    assert not expiring.usable(NOW + timedelta(days=1))


@pytest.mark.parametrize(
    ("networks", "ip", "allowed"),
    [
        ((), None, True),
        ((), "203.0.113.9", True),
        (("10.0.0.0/8",), "10.200.1.1", True),
        (("10.0.0.0/8",), "11.0.0.1", False),
        (("10.0.0.0/8",), None, False),
        (("10.0.0.0/8",), "testclient", False),
        (("2001:db8::/32",), "2001:db8::1", True),
        (("2001:db8::/32",), "::ffff:10.0.0.1", False),
    ],
)
def test_a_key_with_ranges_admits_only_their_addresses(
    networks: tuple[str, ...], ip: str | None, allowed: bool
) -> None:
    key = _key(allowed_networks=tuple(ip_network(network) for network in networks))
    assert key.allows_ip(ip) is allowed


@pytest.mark.parametrize(
    ("scopes", "access", "may"),
    [
        ({"tasks:read"}, Access.TASKS_READ, True),
        ({"tasks:read"}, Access.TASKS_WRITE, False),
        ({"tasks:write"}, Access.TASKS_READ, False),
        ({"tasks:read", "tasks:write"}, Access.ACCOUNT, False),
    ],
)
def test_a_key_may_use_only_the_task_use_cases_its_scopes_name(scopes: set[str], access: Access, may: bool) -> None:
    key = Principal(
        user_id=UserId("u"), session_id=SessionId("k"), roles=(), kind=PrincipalKind.API_KEY, scopes=frozenset(scopes)
    )
    assert key.may(access) is may


def test_a_session_may_use_every_use_case() -> None:
    session = Principal(user_id=UserId("u"), session_id=SessionId("s"), roles=("user",))
    assert all(session.may(access) for access in Access)
