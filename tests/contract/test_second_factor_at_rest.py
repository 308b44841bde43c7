"""No usable second factor at rest: whoever reads every text column of the database (a backup, a
replica) finds neither the TOTP secret nor a recovery code, only their sealed or hashed forms."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyotp
import pytest

from adapters.crypto.token_sealer import AeadTokenSealer
from application.admin.create_admin import CreateAdmin
from application.mfa.confirm_totp import ConfirmTotp
from application.mfa.set_up_totp import SetUpTotp
from entrypoints.container.lifecycle import production, start, stop
from tests.backends import SQL_BACKENDS, Database, migrated_database
from tests.contract.test_tokens_at_rest import every_text_value
from tests.http.conftest import PASSWORD, make_settings

pytestmark = pytest.mark.slow

SECRET_KEY = "k" * 48


@pytest.fixture(params=SQL_BACKENDS)
async def database(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Database]:
    async with migrated_database(request.param, tmp_path) as opened:
        yield opened


async def _enrol(database: Database) -> tuple[str, list[str]]:
    settings = make_settings(database_url=database.url, database_schema=database.schema or "", secret_key=SECRET_KEY)
    use_cases, adapters = production(settings)
    await start(use_cases, adapters)
    try:
        user = await use_cases.create_admin().handle(
            CreateAdmin(email="ada@example.org", username="ada", password=PASSWORD)
        )
        setup = await use_cases.set_up_totp().handle(SetUpTotp(user_id=user.id, password=PASSWORD))
        earlier = pyotp.TOTP(setup.secret).at(datetime.now(UTC) - timedelta(seconds=30))
        codes = await use_cases.confirm_totp().handle(ConfirmTotp(user_id=user.id, code=earlier))
    finally:
        await stop(use_cases, adapters)
    return setup.secret, codes


async def test_no_text_column_holds_the_totp_secret_or_a_recovery_code(database: Database) -> None:
    secret, codes = await _enrol(database)

    values = await every_text_value(database)

    forms = [secret, secret.lower(), *codes, *(code.replace("-", "") for code in codes)]
    assert [value for value in values for form in forms if form in value] == []


async def test_the_stored_secret_opens_only_with_the_secret_key(database: Database) -> None:
    secret, _ = await _enrol(database)
    values = await every_text_value(database)
    sealer = AeadTokenSealer(SECRET_KEY.encode(), "totp secret")

    opened = []
    for value in values:
        try:
            opened.append(sealer.unseal(value))
        except ValueError:
            continue

    assert opened == [secret]
