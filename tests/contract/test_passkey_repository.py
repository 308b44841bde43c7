"""Contract of PasskeyReader and PasskeyRepository: one test per sentence of their docstrings, on
every backend (memory, SQLite, PostgreSQL), races included."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from typing import Any

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from application.unit_of_work import ReadOnlyUnitOfWork, UnitOfWork
from domain.accounts import User
from domain.passkeys import CREDENTIAL_ID_MAX_BYTES, Passkey, new_passkey_id
from tests.builders import NOW, a_stored_user

N = 12
UowFactory = Callable[[], UnitOfWork]
TRANSPORTS = ["ble", "hybrid", "internal", "nfc", "smart-card", "usb"]


def _a_passkey(user: User, **overrides: Any) -> Passkey:
    fields: dict[str, Any] = {
        "id": new_passkey_id(),
        "user_id": user.id,
        "credential_id": secrets.token_bytes(32),
        "public_key": b"\xa5\x01\x02\x03&" + secrets.token_bytes(72),
        "sign_count": 0,
        "transports": ("hybrid", "internal"),
        "backup_eligible": True,
        "backed_up": True,
        "name": "Phone",
        "created_at": NOW + timedelta(microseconds=17),
    }
    fields.update(overrides)
    return Passkey(**fields)


async def _stored(uow: UnitOfWork, *passkeys: Passkey) -> None:
    async with uow as tx:
        for passkey in passkeys:
            assert await tx.passkeys.add(passkey) is True
        await tx.commit()


async def _passkeys_of(uow: UnitOfWork, user: User) -> list[Passkey]:
    async with uow as tx:
        return await tx.passkeys.of_user(user.id)


async def test_an_added_passkey_comes_back_field_for_field(uow: UnitOfWork) -> None:
    user = await a_stored_user(uow)
    passkey = _a_passkey(user, sign_count=2**32 - 1, last_used_at=NOW + timedelta(minutes=3, microseconds=1))
    await _stored(uow, passkey)

    async with uow as tx:
        found = [
            await tx.passkeys.of_user(user.id),
            await tx.passkeys.by_credential_id(passkey.credential_id),
            await tx.passkeys.count(user.id),
        ]
    assert found == [[passkey], passkey, 1]


async def test_of_user_lists_the_accounts_passkeys_oldest_first(uow: UnitOfWork) -> None:
    user, other = await a_stored_user(uow), await a_stored_user(uow)
    newest, oldest, middle = (_a_passkey(user, created_at=NOW + timedelta(seconds=s)) for s in (30, 10, 20))
    await _stored(uow, newest, oldest, middle, _a_passkey(other))

    assert await _passkeys_of(uow, user) == [oldest, middle, newest]
    async with uow as tx:
        assert await tx.passkeys.count(user.id) == 3


async def test_an_account_without_passkeys_has_none(uow: UnitOfWork) -> None:
    user = await a_stored_user(uow)

    async with uow as tx:
        found = [
            await tx.passkeys.of_user(user.id),
            await tx.passkeys.count(user.id),
            await tx.passkeys.by_credential_id(b"\x00unknown"),
        ]
    assert found == [[], 0, None]


async def test_the_reader_sees_committed_passkeys(uow: UnitOfWork, reader: ReadOnlyUnitOfWork) -> None:
    user = await a_stored_user(uow)
    passkey = _a_passkey(user)
    await _stored(uow, passkey)

    async with reader as view:
        found = [
            await view.passkeys.of_user(user.id),
            await view.passkeys.count(user.id),
            await view.passkeys.by_credential_id(passkey.credential_id),
        ]
    assert found == [[passkey], 1, passkey]


async def test_an_added_passkey_is_not_stored_without_commit(uow: UnitOfWork) -> None:
    user = await a_stored_user(uow)
    async with uow as tx:
        assert await tx.passkeys.add(_a_passkey(user)) is True

    assert await _passkeys_of(uow, user) == []


async def test_a_duplicate_credential_id_is_refused_and_the_transaction_goes_on(uow: UnitOfWork) -> None:
    user, other = await a_stored_user(uow), await a_stored_user(uow)
    first = _a_passkey(user)
    await _stored(uow, first)
    later = _a_passkey(user, created_at=NOW + timedelta(seconds=1))

    async with uow as tx:
        outcomes = [
            await tx.passkeys.add(_a_passkey(user, credential_id=first.credential_id, name="Same account")),
            await tx.passkeys.add(_a_passkey(other, credential_id=first.credential_id, name="Other account")),
            await tx.passkeys.add(later),
        ]
        await tx.commit()

    assert outcomes == [False, False, True]
    assert await _passkeys_of(uow, user) == [first, later]
    assert await _passkeys_of(uow, other) == []


async def test_rename_renames_only_a_passkey_of_the_account(uow: UnitOfWork) -> None:
    user, other = await a_stored_user(uow), await a_stored_user(uow)
    passkey = _a_passkey(user)
    await _stored(uow, passkey)

    async with uow as tx:
        outcomes = [
            await tx.passkeys.rename(passkey.id, other.id, "Stolen"),
            await tx.passkeys.rename(new_passkey_id(), user.id, "Nothing"),
            await tx.passkeys.rename(passkey.id, user.id, "Laptop"),
        ]
        await tx.commit()

    renamed = replace(passkey, name="Laptop")
    assert outcomes == [None, None, renamed]
    assert await _passkeys_of(uow, user) == [renamed]


async def test_delete_deletes_only_a_passkey_of_the_account(uow: UnitOfWork) -> None:
    user, other = await a_stored_user(uow), await a_stored_user(uow)
    kept, deleted = _a_passkey(user), _a_passkey(user, created_at=NOW + timedelta(seconds=1))
    await _stored(uow, kept, deleted)

    async with uow as tx:
        outcomes = [
            await tx.passkeys.delete(kept.id, other.id),
            await tx.passkeys.delete(deleted.id, user.id),
            await tx.passkeys.delete(deleted.id, user.id),
        ]
        await tx.commit()

    assert outcomes == [False, True, False]
    assert await _passkeys_of(uow, user) == [kept]


async def test_record_use_stores_the_use_only_at_the_expected_sign_count(uow: UnitOfWork) -> None:
    user = await a_stored_user(uow)
    passkey = _a_passkey(user, sign_count=7, backed_up=False)
    await _stored(uow, passkey)
    used = passkey.used(sign_count=8, backed_up=True, now=NOW + timedelta(minutes=1, microseconds=3))

    async with uow as tx:
        outcomes = [
            await tx.passkeys.record_use(used, expected_sign_count=6),
            await tx.passkeys.record_use(used, expected_sign_count=7),
            await tx.passkeys.record_use(used.used(sign_count=9, backed_up=True, now=NOW), expected_sign_count=7),
        ]
        await tx.commit()

    assert outcomes == [False, True, False]
    assert await _passkeys_of(uow, user) == [used]


async def test_record_use_of_a_counter_that_stays_zero_is_recorded_each_time(uow: UnitOfWork) -> None:
    user = await a_stored_user(uow)
    passkey = _a_passkey(user, sign_count=0)
    await _stored(uow, passkey)
    first = passkey.used(sign_count=0, backed_up=True, now=NOW + timedelta(minutes=1))
    second = passkey.used(sign_count=0, backed_up=False, now=NOW + timedelta(minutes=2))

    async with uow as tx:
        outcomes = [
            await tx.passkeys.record_use(first, expected_sign_count=0),
            await tx.passkeys.record_use(second, expected_sign_count=0),
        ]
        await tx.commit()

    assert outcomes == [True, True]
    assert await _passkeys_of(uow, user) == [second]


async def test_record_use_of_a_deleted_passkey_is_refused(uow: UnitOfWork) -> None:
    user = await a_stored_user(uow)
    passkey = _a_passkey(user)
    await _stored(uow, passkey)

    async with uow as tx:
        assert await tx.passkeys.delete(passkey.id, user.id) is True
        used = passkey.used(sign_count=1, backed_up=True, now=NOW)
        assert await tx.passkeys.record_use(used, expected_sign_count=0) is False


async def test_the_passkeys_go_with_their_account(uow: UnitOfWork) -> None:
    user, other = await a_stored_user(uow), await a_stored_user(uow)
    gone, kept = _a_passkey(user), _a_passkey(other)
    await _stored(uow, gone, _a_passkey(user, created_at=NOW + timedelta(seconds=1)), kept)

    async with uow as tx:
        await tx.users.delete(user.id)
        await tx.commit()

    async with uow as tx:
        found = [
            await tx.passkeys.of_user(user.id),
            await tx.passkeys.count(user.id),
            await tx.passkeys.by_credential_id(gone.credential_id),
            await tx.passkeys.of_user(other.id),
        ]
    assert found == [[], 0, None, [kept]]


async def test_timestamps_come_back_aware_in_utc(uow: UnitOfWork) -> None:
    user = await a_stored_user(uow)
    await _stored(uow, _a_passkey(user, last_used_at=NOW + timedelta(hours=1)))

    [stored] = await _passkeys_of(uow, user)
    for moment in (stored.created_at, stored.last_used_at):
        assert moment is not None
        assert moment.utcoffset() == timedelta(0)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    credential_id=st.binary(min_size=1, max_size=CREDENTIAL_ID_MAX_BYTES),
    public_key=st.binary(min_size=1, max_size=600),
    transports=st.lists(st.sampled_from(TRANSPORTS), unique=True, max_size=len(TRANSPORTS)).map(tuple),
)
@example(credential_id=b"\x00", public_key=b"\x00\x00", transports=())
@example(credential_id=b"\x00" * CREDENTIAL_ID_MAX_BYTES, public_key=b"\xff\x00" * 300, transports=("usb",))
@example(credential_id=bytes(range(256)) * 3 + b"\x00\x80\xff", public_key=b"\x00", transports=tuple(TRANSPORTS))
async def test_bytes_and_transports_round_trip_exactly(
    uow: UnitOfWork, credential_id: bytes, public_key: bytes, transports: tuple[str, ...]
) -> None:
    user = await a_stored_user(uow)
    passkey = _a_passkey(user, credential_id=credential_id, public_key=public_key, transports=transports)
    await _stored(uow, passkey)

    async with uow as tx:
        found = [await tx.passkeys.of_user(user.id), await tx.passkeys.by_credential_id(credential_id)]
        # The same store serves every example: the next one may draw this credential id again.
        await tx.users.delete(user.id)
        await tx.commit()
    assert found == [[passkey], passkey]
    assert type(found[0][0].credential_id) is bytes
    assert type(found[0][0].public_key) is bytes


async def test_concurrent_uses_at_one_sign_count_let_exactly_one_caller_win(uow_factory: UowFactory) -> None:
    user = await a_stored_user(uow_factory())
    passkey = _a_passkey(user, sign_count=41)
    await _stored(uow_factory(), passkey)

    async def use(sign_count: int) -> bool:
        async with uow_factory() as tx:
            used = passkey.used(sign_count=sign_count, backed_up=True, now=NOW + timedelta(seconds=sign_count))
            won = await tx.passkeys.record_use(used, expected_sign_count=41)
            await tx.commit()
            return won

    outcomes = await asyncio.gather(*(use(42 + index) for index in range(N)))

    assert sorted(outcomes) == [False] * (N - 1) + [True]
    [stored] = await _passkeys_of(uow_factory(), user)
    assert stored.sign_count == 42 + outcomes.index(True)


async def test_concurrent_adds_of_one_credential_id_store_exactly_one(uow_factory: UowFactory) -> None:
    users = [await a_stored_user(uow_factory()) for _ in range(N)]
    credential_id = secrets.token_bytes(64)

    async def add(user: User) -> bool:
        async with uow_factory() as tx:
            added = await tx.passkeys.add(_a_passkey(user, credential_id=credential_id))
            await tx.commit()
            return added

    outcomes = await asyncio.gather(*(add(user) for user in users))

    assert sorted(outcomes) == [False] * (N - 1) + [True]
    async with uow_factory() as tx:
        stored = await tx.passkeys.by_credential_id(credential_id)
    assert stored is not None
    assert stored.user_id == users[outcomes.index(True)].id
