"""The account lifecycle by email, on the memory adapters with a frozen clock."""

from __future__ import annotations

import asyncio
import re
from dataclasses import replace
from datetime import timedelta

import pytest

from adapters.memory.mailer import MemoryMailer
from application.account.change_password import ChangePassword
from application.account.confirm_password_reset import ConfirmPasswordReset
from application.account.delete_account import DeleteAccount
from application.account.request_password_reset import RequestPasswordReset
from application.account.resend_verification import ResendVerification
from application.account.update_profile import UpdateProfile
from application.account.verify_email import VerifyEmail
from domain.errors import OneTimeTokenInvalidError, UsernameTakenError, ValidationFailedError, WrongPasswordError
from domain.mail import MailMessage
from tests.unit.application.conftest import PASSWORD, Harness

NEW_PASSWORD = "N3w-password!"


async def delivered(harness: Harness) -> list[MailMessage]:
    await harness.use_cases.deliver_outbox().handle()
    mailer: MemoryMailer = harness.use_cases.adapters.mailer()
    return list(mailer.sent)


def token_in(message: MailMessage, kind: str) -> str:
    match = re.search(rf"/{kind}#token=([A-Za-z0-9_-]+)", message.text)
    assert match, message.text
    return match.group(1)


async def reset_token(harness: Harness, email: str = "ada@example.org") -> str:
    # A second later, so the reset mail is the newest whatever order the outbox gives equal times.
    harness.clock.advance(timedelta(seconds=1))
    await harness.use_cases.request_password_reset().handle(RequestPasswordReset(email=email))
    resets = [mail for mail in await delivered(harness) if "/reset-password#" in mail.text]
    return token_in(resets[-1], "reset-password")


async def confirm(harness: Harness, token: str, new_password: str = NEW_PASSWORD) -> None:
    await harness.use_cases.confirm_password_reset().handle(
        ConfirmPasswordReset(token=token, new_password=new_password)
    )


async def test_registration_queues_one_verification_mail_in_the_outbox(harness: Harness) -> None:
    await harness.a_user()
    assert len(harness.store.outbox) == 1
    mails = await delivered(harness)
    assert [mail.to for mail in mails] == ["ada@example.org"]
    assert "/verify-email#token=" in mails[0].text
    # Delivered entries are never sent again.
    assert len(await delivered(harness)) == 1


async def test_an_admin_created_by_an_operator_gets_no_verification_mail(harness: Harness) -> None:
    from application.auth.register_user import RegisterUser

    await harness.create_admin.handle(RegisterUser(email="root@example.org", username="root", password=PASSWORD))
    assert await delivered(harness) == []


async def test_verify_email_marks_the_account_and_is_single_use(harness: Harness) -> None:
    user = await harness.a_user()
    token = token_in((await delivered(harness))[0], "verify-email")
    await harness.use_cases.verify_email().handle(VerifyEmail(token=token))
    assert harness.stored_user(user.id).email_verified
    with pytest.raises(OneTimeTokenInvalidError):
        await harness.use_cases.verify_email().handle(VerifyEmail(token=token))


async def test_a_verification_token_expires(harness: Harness) -> None:
    await harness.a_user()
    token = token_in((await delivered(harness))[0], "verify-email")
    harness.clock.advance(timedelta(hours=24))
    with pytest.raises(OneTimeTokenInvalidError):
        await harness.use_cases.verify_email().handle(VerifyEmail(token=token))


async def test_a_reset_token_cannot_verify_an_email_nor_the_other_way_round(harness: Harness) -> None:
    await harness.a_user()
    verification = token_in((await delivered(harness))[0], "verify-email")
    reset = await reset_token(harness)
    with pytest.raises(OneTimeTokenInvalidError):
        await harness.use_cases.verify_email().handle(VerifyEmail(token=reset))
    with pytest.raises(OneTimeTokenInvalidError):
        await harness.use_cases.confirm_password_reset().handle(
            ConfirmPasswordReset(token=verification, new_password=NEW_PASSWORD)
        )


async def test_resend_is_silent_for_a_verified_address(harness: Harness) -> None:
    user = await harness.a_user()
    harness.verify_email(user.id)
    before = len(await delivered(harness))
    await harness.use_cases.resend_verification().handle(ResendVerification(user_id=user.id))
    assert len(await delivered(harness)) == before


async def test_reset_for_unknown_malformed_or_inactive_email_mails_nothing(harness: Harness) -> None:
    user = await harness.a_user()
    await harness.a_user(email="gone@example.org", username="gone")
    harness.deactivate(next(u.id for u in harness.store.users.values() if u.id != user.id))
    before = len(await delivered(harness))
    for email in ("nobody@example.org", "gone@example.org", "not-an-email", "", "x" * 10_000):
        await harness.use_cases.request_password_reset().handle(RequestPasswordReset(email=email))
    assert len(await delivered(harness)) == before
    assert not any(token.purpose.value == "password_reset" for token in harness.store.one_time_tokens.values())


async def test_a_reset_request_does_the_same_work_for_known_and_unknown_emails(harness: Harness) -> None:
    await harness.a_user()
    tokens_before = dict(harness.store.one_time_tokens)
    queued: list[MailMessage] = []
    for email in ("ada@example.org", "nobody@example.org"):
        before = set(harness.store.outbox)
        await harness.use_cases.request_password_reset().handle(RequestPasswordReset(email=email))
        [new] = set(harness.store.outbox) - before
        queued.append(harness.store.outbox[new].message)

    known, unknown = queued
    assert replace(known, to="") == replace(unknown, to="")
    assert known.composer == "password_reset"
    assert harness.store.one_time_tokens == tokens_before, "no token is made before the worker composes"


async def test_at_most_three_reset_mails_per_account_per_hour(harness: Harness) -> None:
    await harness.a_user()
    for _ in range(5):
        await harness.use_cases.request_password_reset().handle(RequestPasswordReset(email="ada@example.org"))
        harness.clock.advance(timedelta(minutes=1))
    resets = [mail for mail in await delivered(harness) if "/reset-password#" in mail.text]
    assert len(resets) == 3

    harness.clock.advance(timedelta(minutes=30))
    await harness.use_cases.request_password_reset().handle(RequestPasswordReset(email="ada@example.org"))
    assert len([mail for mail in await delivered(harness) if "/reset-password#" in mail.text]) == 3

    harness.clock.advance(timedelta(hours=1))
    await harness.use_cases.request_password_reset().handle(RequestPasswordReset(email="ada@example.org"))
    assert len([mail for mail in await delivered(harness) if "/reset-password#" in mail.text]) == 4
    mailed = [
        event.data["mailed"]
        for event in harness.store.audit_events.values()
        if event.type.value == "password.reset_requested"
    ]
    assert mailed == [True, True, True, False, False, False, True]


async def test_confirm_reset_changes_the_password_and_ends_every_session(harness: Harness) -> None:
    user = await harness.a_user()
    pair = await harness.logged_in()
    token = await reset_token(harness)
    await harness.use_cases.confirm_password_reset().handle(
        ConfirmPasswordReset(token=token, new_password=NEW_PASSWORD)
    )
    assert harness.store.sessions[harness.session_of(pair).id].revoked_at is not None
    assert harness.stored_user(user.id).email_verified
    await harness.logged_in(password=NEW_PASSWORD)


async def test_confirm_reset_clears_the_lockout(make_harness: object) -> None:
    harness: Harness = make_harness(max_failed_logins=2)  # type: ignore[operator]
    await harness.a_user()
    from domain.errors import InvalidCredentialsError, TooManyAttemptsError

    for _ in range(2):
        with pytest.raises(InvalidCredentialsError):
            await harness.logged_in(password="Wrong-pass-1")
    with pytest.raises(TooManyAttemptsError):
        await harness.logged_in()
    token = await reset_token(harness)
    await harness.use_cases.confirm_password_reset().handle(
        ConfirmPasswordReset(token=token, new_password=NEW_PASSWORD)
    )
    await harness.logged_in(password=NEW_PASSWORD)


async def test_concurrent_confirmations_of_one_token_let_exactly_one_through(harness: Harness) -> None:
    await harness.a_user()
    token = await reset_token(harness)
    results = await asyncio.gather(
        *(
            harness.use_cases.confirm_password_reset().handle(
                ConfirmPasswordReset(token=token, new_password=NEW_PASSWORD)
            )
            for _ in range(5)
        ),
        return_exceptions=True,
    )
    assert sum(result is None for result in results) == 1
    assert all(isinstance(result, OneTimeTokenInvalidError) for result in results if result is not None)


async def test_confirm_reset_refuses_a_weak_password_before_using_the_token(harness: Harness) -> None:
    await harness.a_user()
    token = await reset_token(harness)
    with pytest.raises(ValidationFailedError):
        await confirm(harness, token, "weak")
    await harness.use_cases.confirm_password_reset().handle(
        ConfirmPasswordReset(token=token, new_password=NEW_PASSWORD)
    )


async def test_change_password_needs_the_current_one(harness: Harness) -> None:
    user = await harness.a_user()
    pair = await harness.logged_in()
    principal = await harness.principal(pair)
    with pytest.raises(WrongPasswordError):
        await harness.use_cases.change_password().handle(
            ChangePassword(
                user_id=user.id, session_id=principal.session_id, current_password="nope", new_password=NEW_PASSWORD
            )
        )
    await harness.use_cases.change_password().handle(
        ChangePassword(
            user_id=user.id, session_id=principal.session_id, current_password=PASSWORD, new_password=NEW_PASSWORD
        )
    )
    assert await harness.principal(pair)  # the calling session survives
    await harness.logged_in(password=NEW_PASSWORD)


async def test_change_password_invalidates_outstanding_reset_links(harness: Harness) -> None:
    user = await harness.a_user()
    principal = await harness.principal(await harness.logged_in())
    token = await reset_token(harness)
    await harness.use_cases.change_password().handle(
        ChangePassword(
            user_id=user.id, session_id=principal.session_id, current_password=PASSWORD, new_password=NEW_PASSWORD
        )
    )
    with pytest.raises(OneTimeTokenInvalidError):
        await harness.use_cases.confirm_password_reset().handle(
            ConfirmPasswordReset(token=token, new_password=PASSWORD)
        )


async def test_update_profile_changes_only_what_is_given(harness: Harness) -> None:
    user = await harness.a_user(full_name="Ada")
    await harness.a_user(email="bob@example.org", username="bob")
    updated = await harness.use_cases.update_profile().handle(UpdateProfile(user_id=user.id, username="Ada_L"))
    assert (updated.username.value, updated.full_name) == ("Ada_L", "Ada")
    cleared = await harness.use_cases.update_profile().handle(
        UpdateProfile(user_id=user.id, full_name=None, change_full_name=True)
    )
    assert cleared.full_name is None
    with pytest.raises(UsernameTakenError):
        await harness.use_cases.update_profile().handle(UpdateProfile(user_id=user.id, username="BOB"))
    # Changing only the case of one's own username is not a conflict.
    await harness.use_cases.update_profile().handle(UpdateProfile(user_id=user.id, username="ada_l"))


async def test_delete_account_removes_the_user_and_everything_of_it(harness: Harness) -> None:
    user = await harness.a_user()
    pair = await harness.logged_in()
    with pytest.raises(WrongPasswordError):
        await harness.use_cases.delete_account().handle(DeleteAccount(user_id=user.id, password="nope"))
    await harness.use_cases.delete_account().handle(DeleteAccount(user_id=user.id, password=PASSWORD))
    assert user.id not in harness.store.users
    assert not [s for s in harness.store.sessions.values() if s.user_id == user.id]
    assert not [t for t in harness.store.refresh_tokens.values() if t.user_id == user.id]
    assert not [t for t in harness.store.one_time_tokens.values() if t.user_id == user.id]
    from domain.errors import TokenInvalidError

    with pytest.raises(TokenInvalidError):
        await harness.principal(pair)


async def test_an_smtp_outage_delays_mail_without_losing_it(harness: Harness) -> None:
    mailer: MemoryMailer = harness.use_cases.adapters.mailer()
    mailer.down = True
    await harness.a_user()
    assert await delivered(harness) == []
    mailer.down = False
    assert await delivered(harness) == []  # not due yet: the retry waits
    harness.clock.advance(timedelta(seconds=5))
    mails = await delivered(harness)
    assert [mail.to for mail in mails] == ["ada@example.org"]
    harness.clock.advance(timedelta(hours=1))
    assert len(await delivered(harness)) == 1


async def test_a_newer_reset_request_invalidates_the_links_sent_before(harness: Harness) -> None:
    await harness.a_user()
    older = await reset_token(harness)
    newer = await reset_token(harness)

    with pytest.raises(OneTimeTokenInvalidError):
        await confirm(harness, older)
    await confirm(harness, newer)
    await harness.logged_in(password=NEW_PASSWORD)


def _password_changed_notices(mails: list[MailMessage]) -> list[MailMessage]:
    return [mail for mail in mails if mail.subject == "Your Bastion password was changed"]


async def test_changing_the_password_mails_the_owner_a_notice(harness: Harness) -> None:
    user = await harness.a_user()
    principal = await harness.principal(await harness.logged_in())
    await harness.use_cases.change_password().handle(
        ChangePassword(
            user_id=user.id, session_id=principal.session_id, current_password=PASSWORD, new_password=NEW_PASSWORD
        )
    )

    [notice] = _password_changed_notices(await delivered(harness))
    assert notice.to == "ada@example.org"
    assert "#token=" not in notice.text
    assert harness.clock.now().strftime("%Y-%m-%d %H:%M") in notice.text  # when, in UTC


async def test_a_password_reset_mails_the_owner_a_notice(harness: Harness) -> None:
    await harness.a_user()
    await confirm(harness, await reset_token(harness))

    assert [mail.to for mail in _password_changed_notices(await delivered(harness))] == ["ada@example.org"]


async def test_a_refused_password_change_mails_nothing(harness: Harness) -> None:
    user = await harness.a_user()
    principal = await harness.principal(await harness.logged_in())
    with pytest.raises(WrongPasswordError):
        await harness.use_cases.change_password().handle(
            ChangePassword(
                user_id=user.id, session_id=principal.session_id, current_password="nope", new_password=NEW_PASSWORD
            )
        )

    assert _password_changed_notices(await delivered(harness)) == []
