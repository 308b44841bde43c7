"""Contract of ApiKeyReader and ApiKeyRepository: one test per sentence of their docstrings, on
every backend (memory, SQLite, PostgreSQL), races included."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from ipaddress import IPv4Network, IPv6Network, ip_network
from typing import Any

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from application.unit_of_work import ReadOnlyUnitOfWork, UnitOfWork
from domain.accounts import User
from domain.api_keys import ApiKey, Scope, hash_api_key, new_api_key_id, new_key_body, shown_part
from domain.ports.api_key_repositories import ApiKeyReader
from tests.builders import NOW, a_stored_user

N = 12
UowFactory = Callable[[], UnitOfWork]
Network = IPv4Network | IPv6Network


def _an_api_key(user: User, **overrides: Any) -> ApiKey:
    key = new_key_body()
    fields: dict[str, Any] = {
        "id": new_api_key_id(),
        "user_id": user.id,
        "name": "CI deploys",
        "shown": shown_part(key),
        "key_hash": hash_api_key(key),
        "scopes": frozenset({Scope.TASKS_READ}),
        "allowed_networks": (),
        "created_at": NOW + timedelta(microseconds=17),
    }
    fields.update(overrides)
    return ApiKey(**fields)


async def _stored(uow: UnitOfWork, *keys: ApiKey) -> None:
    async with uow as tx:
        for key in keys:
            await tx.api_keys.add(key)
        await tx.commit()


async def _keys_of(uow: UnitOfWork, user: User) -> list[ApiKey]:
    async with uow as tx:
        return await tx.api_keys.of_user(user.id)


async def _by_hash(uow: UnitOfWork, key: ApiKey) -> ApiKey | None:
    async with uow as tx:
        return await tx.api_keys.by_hash(key.key_hash)


async def _reads(keys: ApiKeyReader, user: User, key_hash: str) -> list[object]:
    """What `of_user`, `count_unrevoked` and `by_hash` find, in that order."""
    return [await keys.of_user(user.id), await keys.count_unrevoked(user.id), await keys.by_hash(key_hash)]


async def test_an_added_key_comes_back_field_for_field(uow: UnitOfWork) -> None:
    user = await a_stored_user(uow)
    key = _an_api_key(
        user,
        scopes=frozenset(Scope),
        allowed_networks=(ip_network("192.0.2.0/24"), ip_network("2001:db8::/32"), ip_network("198.51.100.7/32")),
        expires_at=NOW + timedelta(days=90, microseconds=5),
        last_used_at=NOW + timedelta(minutes=3, microseconds=1),
    )
    await _stored(uow, key)

    async with uow as tx:
        found = await _reads(tx.api_keys, user, key.key_hash)
    assert found == [[key], 1, key]


async def test_of_user_lists_the_accounts_unrevoked_keys_oldest_first(uow: UnitOfWork) -> None:
    user, other = await a_stored_user(uow), await a_stored_user(uow)
    newest, oldest, middle = (_an_api_key(user, created_at=NOW + timedelta(seconds=s)) for s in (30, 10, 20))
    expired = _an_api_key(user, created_at=NOW + timedelta(seconds=40), expires_at=NOW - timedelta(days=1))
    revoked = _an_api_key(user, created_at=NOW, revoked_at=NOW + timedelta(seconds=5))
    await _stored(uow, newest, oldest, revoked, expired, middle, _an_api_key(other))

    assert await _keys_of(uow, user) == [oldest, middle, newest, expired]
    async with uow as tx:
        assert await tx.api_keys.count_unrevoked(user.id) == 4


async def test_an_account_without_keys_has_none(uow: UnitOfWork) -> None:
    user = await a_stored_user(uow)

    async with uow as tx:
        found = await _reads(tx.api_keys, user, hash_api_key(new_key_body()))
    assert found == [[], 0, None]


async def test_by_hash_finds_a_revoked_key_too(uow: UnitOfWork) -> None:
    user = await a_stored_user(uow)
    key = _an_api_key(user, revoked_at=NOW + timedelta(hours=1))
    await _stored(uow, key)

    assert await _by_hash(uow, key) == key
    assert await _keys_of(uow, user) == []


async def test_the_reader_sees_committed_keys(uow: UnitOfWork, reader: ReadOnlyUnitOfWork) -> None:
    user = await a_stored_user(uow)
    key = _an_api_key(user)
    await _stored(uow, key)

    async with reader as view:
        found = await _reads(view.api_keys, user, key.key_hash)
    assert found == [[key], 1, key]


async def test_an_added_key_is_not_stored_without_commit(uow: UnitOfWork) -> None:
    user = await a_stored_user(uow)
    key = _an_api_key(user)
    async with uow as tx:
        await tx.api_keys.add(key)

    assert await _keys_of(uow, user) == []
    assert await _by_hash(uow, key) is None


async def test_timestamps_come_back_aware_in_utc(uow: UnitOfWork) -> None:
    user = await a_stored_user(uow)
    key = _an_api_key(
        user,
        expires_at=NOW + timedelta(days=1),
        last_used_at=NOW + timedelta(hours=1),
        revoked_at=NOW + timedelta(hours=2),
    )
    await _stored(uow, key)

    stored = await _by_hash(uow, key)
    assert stored is not None
    for moment in (stored.created_at, stored.expires_at, stored.last_used_at, stored.revoked_at):
        assert moment is not None
        assert moment.utcoffset() == timedelta(0)


async def test_revoke_revokes_only_an_unrevoked_key_of_the_account(uow: UnitOfWork) -> None:
    user, other = await a_stored_user(uow), await a_stored_user(uow)
    key, kept = _an_api_key(user), _an_api_key(user, created_at=NOW + timedelta(seconds=1))
    await _stored(uow, key, kept)
    at = NOW + timedelta(minutes=5, microseconds=9)

    async with uow as tx:
        outcomes = [
            await tx.api_keys.revoke(key.id, other.id, at),
            await tx.api_keys.revoke(new_api_key_id(), user.id, at),
            await tx.api_keys.revoke(key.id, user.id, at),
            await tx.api_keys.revoke(key.id, user.id, at + timedelta(seconds=1)),
        ]
        await tx.commit()

    revoked = replace(key, revoked_at=at)
    assert outcomes == [None, None, revoked, None]
    assert await _keys_of(uow, user) == [kept]
    assert await _by_hash(uow, key) == revoked


async def test_a_revocation_is_not_stored_without_commit(uow: UnitOfWork) -> None:
    user = await a_stored_user(uow)
    key = _an_api_key(user)
    await _stored(uow, key)

    async with uow as tx:
        assert await tx.api_keys.revoke(key.id, user.id, NOW) is not None

    assert await _keys_of(uow, user) == [key]


async def test_revoke_all_for_user_revokes_the_accounts_unrevoked_keys_only(uow: UnitOfWork) -> None:
    user, other = await a_stored_user(uow), await a_stored_user(uow)
    first, second = _an_api_key(user), _an_api_key(user, created_at=NOW + timedelta(seconds=1))
    earlier = _an_api_key(user, revoked_at=NOW)
    others = _an_api_key(other)
    await _stored(uow, first, second, earlier, others)
    at = NOW + timedelta(hours=1)

    async with uow as tx:
        revoked_ids = await tx.api_keys.revoke_all_for_user(user.id, at)
        again = await tx.api_keys.revoke_all_for_user(user.id, at + timedelta(seconds=1))
        await tx.commit()

    assert sorted(revoked_ids) == sorted([first.id, second.id])
    assert again == []
    assert await _keys_of(uow, user) == []
    assert await _keys_of(uow, other) == [others]
    assert [await _by_hash(uow, key) for key in (first, second, earlier)] == [
        replace(first, revoked_at=at),
        replace(second, revoked_at=at),
        earlier,
    ]


async def test_record_uses_only_moves_last_used_at_forward(uow: UnitOfWork) -> None:
    user = await a_stored_user(uow)
    never_used = _an_api_key(user)
    used_later = _an_api_key(user, last_used_at=NOW + timedelta(hours=2), created_at=NOW + timedelta(seconds=1))
    used_earlier = _an_api_key(user, last_used_at=NOW + timedelta(hours=1), created_at=NOW + timedelta(seconds=2))
    await _stored(uow, never_used, used_later, used_earlier)
    at = NOW + timedelta(hours=1, minutes=30, microseconds=7)

    async with uow as tx:
        await tx.api_keys.record_uses({never_used.id: at, used_later.id: at, used_earlier.id: at, new_api_key_id(): at})
        await tx.commit()

    assert await _keys_of(uow, user) == [
        replace(never_used, last_used_at=at),
        used_later,
        replace(used_earlier, last_used_at=at),
    ]


async def test_record_uses_of_nothing_changes_nothing(uow: UnitOfWork) -> None:
    user = await a_stored_user(uow)
    key = _an_api_key(user, last_used_at=NOW)
    await _stored(uow, key)

    async with uow as tx:
        await tx.api_keys.record_uses({})
        await tx.commit()

    assert await _keys_of(uow, user) == [key]


async def test_record_uses_reaches_revoked_keys_and_keeps_them_revoked(uow: UnitOfWork) -> None:
    user = await a_stored_user(uow)
    key = _an_api_key(user, revoked_at=NOW + timedelta(minutes=1))
    await _stored(uow, key)

    async with uow as tx:
        await tx.api_keys.record_uses({key.id: NOW + timedelta(seconds=30)})
        await tx.commit()

    assert await _by_hash(uow, key) == replace(key, last_used_at=NOW + timedelta(seconds=30))


async def test_the_keys_go_with_their_account(uow: UnitOfWork) -> None:
    user, other = await a_stored_user(uow), await a_stored_user(uow)
    gone, revoked, kept = _an_api_key(user), _an_api_key(user, revoked_at=NOW), _an_api_key(other)
    await _stored(uow, gone, revoked, kept)

    async with uow as tx:
        await tx.users.delete(user.id)
        await tx.commit()

    async with uow as tx:
        found = [
            *await _reads(tx.api_keys, user, gone.key_hash),
            await tx.api_keys.by_hash(revoked.key_hash),
            await tx.api_keys.of_user(other.id),
        ]
    assert found == [[], 0, None, None, [kept]]


def _networks() -> st.SearchStrategy[Network]:
    ipv4 = st.tuples(st.ip_addresses(v=4), st.integers(0, 32))
    ipv6 = st.tuples(st.ip_addresses(v=6), st.integers(0, 128))
    return st.one_of(ipv4, ipv6).map(lambda pair: ip_network(f"{pair[0]}/{pair[1]}", strict=False))


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    scopes=st.frozensets(st.sampled_from(Scope), min_size=1),
    networks=st.lists(_networks(), max_size=32).map(tuple),
)
@example(scopes=frozenset({Scope.TASKS_WRITE}), networks=())
@example(scopes=frozenset(Scope), networks=(ip_network("203.0.113.9/32"),))
@example(
    scopes=frozenset({Scope.TASKS_READ}),
    networks=(ip_network("10.0.0.0/8"), ip_network("::/0"), ip_network("::ffff:192.0.2.1/128"), ip_network("::1")),
)
async def test_scopes_and_networks_round_trip_exactly(
    uow: UnitOfWork, scopes: frozenset[Scope], networks: tuple[Network, ...]
) -> None:
    user = await a_stored_user(uow)
    key = _an_api_key(user, scopes=scopes, allowed_networks=networks)
    await _stored(uow, key)

    async with uow as tx:
        found = [await tx.api_keys.of_user(user.id), await tx.api_keys.by_hash(key.key_hash)]
    assert found == [[key], key]
    assert [type(network) for network in found[0][0].allowed_networks] == [type(network) for network in networks]
    assert type(found[0][0].scopes) is frozenset


async def test_concurrent_revocations_of_one_key_let_exactly_one_caller_get_it(uow_factory: UowFactory) -> None:
    user = await a_stored_user(uow_factory())
    key = _an_api_key(user)
    await _stored(uow_factory(), key)

    async def revoke(index: int) -> ApiKey | None:
        async with uow_factory() as tx:
            revoked = await tx.api_keys.revoke(key.id, user.id, NOW + timedelta(seconds=index))
            await tx.commit()
            return revoked

    outcomes = await asyncio.gather(*(revoke(index) for index in range(N)))

    winners = [outcome for outcome in outcomes if outcome is not None]
    assert len(winners) == 1
    assert (
        await _by_hash(uow_factory(), key)
        == winners[0]
        == replace(key, revoked_at=NOW + timedelta(seconds=outcomes.index(winners[0])))
    )


async def test_concurrent_batches_of_uses_leave_the_latest_use(uow_factory: UowFactory) -> None:
    user = await a_stored_user(uow_factory())
    key, other = _an_api_key(user), _an_api_key(user, created_at=NOW + timedelta(seconds=1))
    await _stored(uow_factory(), key, other)
    moments = [NOW + timedelta(minutes=index, microseconds=index) for index in range(N)]

    async def record(index: int) -> None:
        async with uow_factory() as tx:
            await tx.api_keys.record_uses({key.id: moments[index], other.id: moments[N - 1 - index]})
            await tx.commit()

    await asyncio.gather(*(record(index) for index in range(N)))

    assert await _keys_of(uow_factory(), user) == [
        replace(key, last_used_at=moments[-1]),
        replace(other, last_used_at=moments[-1]),
    ]
