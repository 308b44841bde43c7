"""No usable token at rest: whoever reads every text column of the database (a backup, a replica)
finds no mailed reset or verification token, neither while its mail waits nor after it was sent."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest
from sqlalchemy import MetaData, String, Text, select

from adapters.memory.clock import FrozenClock
from adapters.memory.mailer import MemoryMailer
from adapters.sql.outbox_queue import SqlOutboxQueue
from adapters.sql.unit_of_work import SqlUnitOfWork
from application.account.account_mail import AccountMail
from application.account.mail_templates import MailTemplates
from application.ops.deliver_outbox import DeliverOutboxHandler
from application.unit_of_work import UnitOfWork
from domain.accounts import User
from domain.mail import DeliveryPolicy
from domain.one_time_tokens import AccountTokenPolicy
from domain.ports.secret_generator import SecretGenerator
from tests.backends import SQL_BACKENDS, Database, RecordingPublisher, migrated_database
from tests.builders import NOW, a_mail_sealer, a_user

pytestmark = pytest.mark.slow

TOKEN = "known-token-" + "x7Q" * 20


class KnownSecrets(SecretGenerator):
    """Hands out one known token, so that the test can look for it."""

    def token(self) -> str:
        return TOKEN


@pytest.fixture(params=SQL_BACKENDS)
async def database(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Database]:
    async with migrated_database(request.param, tmp_path) as opened:
        yield opened


async def every_text_value(database: Database) -> list[str]:
    """Every non-empty string held in any text column of any table of the database."""
    engine = database.create_engine(pool_size=1)
    try:
        async with engine.connect() as connection:
            tables = await connection.run_sync(_reflected)
            values: list[str] = []
            for table in tables.sorted_tables:
                columns = [column for column in table.columns if isinstance(column.type, String | Text)]
                if columns:
                    rows = await connection.execute(select(*columns))
                    values.extend(value for row in rows for value in row if value)
            return values
    finally:
        await engine.dispose()


def _reflected(connection: object) -> MetaData:
    metadata = MetaData()
    metadata.reflect(bind=connection)  # type: ignore[arg-type]
    return metadata


def _mentions(values: list[str], secret: str) -> list[str]:
    return [value for value in values if secret in value]


async def _queue(database: Database, queue: Callable[[AccountMail, UnitOfWork, User], Awaitable[None]]) -> None:
    pool = database.open(pool_size=1)
    mail = AccountMail(KnownSecrets(), MailTemplates("https://bastion.example"), AccountTokenPolicy(), a_mail_sealer())
    try:
        async with SqlUnitOfWork(pool, RecordingPublisher()) as uow:
            user = a_user()
            await uow.users.add(user)
            await queue(mail, uow, user)
            await uow.commit()
    finally:
        await pool.close()


async def _deliver(database: Database) -> list[str]:
    pool, mailer = database.open(pool_size=1), MemoryMailer()
    try:
        worker = DeliverOutboxHandler(SqlOutboxQueue(pool), mailer, FrozenClock(NOW), DeliveryPolicy(), a_mail_sealer())
        await worker.handle()
    finally:
        await pool.close()
    return [message.text for message in mailer.sent]


@pytest.mark.parametrize(
    ("link", "queue"),
    [
        ("reset-password", lambda mail, uow, user: mail.queue_password_reset(uow, user, NOW)),
        ("verify-email", lambda mail, uow, user: mail.queue_email_verification(uow, user, NOW)),
    ],
)
async def test_no_text_column_holds_a_mailed_token_before_or_after_delivery(
    database: Database, link: str, queue: Callable[[AccountMail, UnitOfWork, User], Awaitable[None]]
) -> None:
    await _queue(database, queue)
    waiting = await every_text_value(database)

    sent = await _deliver(database)
    delivered = await every_text_value(database)

    assert [f"https://bastion.example/{link}#token={TOKEN}" in text for text in sent] == [True]
    assert _mentions(waiting, TOKEN) == []
    assert _mentions(delivered, TOKEN) == []
    assert _mentions(waiting, f"/{link}#token=") != [], "the waiting mail is stored, with a placeholder"
    assert _mentions(delivered, f"/{link}#token=") == [], "the body is gone once sent"
