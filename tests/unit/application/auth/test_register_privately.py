"""RegisterPrivately: a taken email is not revealed; its owner is told instead."""

from __future__ import annotations

import pytest

from adapters.memory.mailer import MemoryMailer
from application.auth.register_user import RegisterUser
from domain.errors import UsernameTakenError, ValidationFailedError
from domain.mail import MailMessage
from tests.unit.application.conftest import PASSWORD, Harness

ATTEMPT_SUBJECT = "Someone tried to sign up to Bastion with your address"


async def _delivered(harness: Harness) -> list[MailMessage]:
    await harness.use_cases.deliver_outbox().handle()
    mailer: MemoryMailer = harness.use_cases.adapters.mailer()
    return list(mailer.sent)


async def test_a_new_email_gets_its_account_and_a_verification_link(harness: Harness) -> None:
    await harness.use_cases.register_privately().handle(
        RegisterUser(email="ada@example.org", username="ada", password=PASSWORD)
    )

    assert [user.username.value for user in harness.store.users.values()] == ["ada"]
    assert ["/verify-email#token=" in mail.text for mail in await _delivered(harness)] == [True]


async def test_a_taken_email_creates_nothing_and_mails_its_owner_a_notice(harness: Harness) -> None:
    owner = await harness.a_user(email="ada@example.org", username="ada")
    before = await _delivered(harness)

    await harness.use_cases.register_privately().handle(
        RegisterUser(email="ADA@example.org", username="someone-else", password=PASSWORD)
    )

    assert list(harness.store.users) == [owner.id]
    new_mails = (await _delivered(harness))[len(before) :]
    assert [(mail.to, mail.subject) for mail in new_mails] == [("ada@example.org", ATTEMPT_SUBJECT)]
    assert "#token=" not in new_mails[0].text


async def test_a_taken_email_still_costs_a_password_hash(harness: Harness) -> None:
    await harness.a_user(email="ada@example.org", username="ada")
    hashed_before = harness.hasher.hash_calls

    await harness.use_cases.register_privately().handle(
        RegisterUser(email="ada@example.org", username="other", password=PASSWORD)
    )

    assert harness.hasher.hash_calls == hashed_before + 1


async def test_a_taken_username_and_broken_rules_are_still_reported(harness: Harness) -> None:
    await harness.a_user(email="ada@example.org", username="ada")
    with pytest.raises(UsernameTakenError):
        await harness.use_cases.register_privately().handle(
            RegisterUser(email="new@example.org", username="ADA", password=PASSWORD)
        )
    with pytest.raises(ValidationFailedError):
        await harness.use_cases.register_privately().handle(
            RegisterUser(email="not-an-email", username="x", password="weak")
        )
