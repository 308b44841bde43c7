"""The login of an account with TOTP on, through the production wiring over the memory adapters."""

from __future__ import annotations

from datetime import timedelta

import pyotp
import pytest

from application.auth.complete_mfa_login import CompleteMfaLogin
from application.auth.log_in import LogIn
from application.auth.login_sessions import MfaRequired
from application.mfa.confirm_totp import ConfirmTotp
from application.mfa.set_up_totp import SetUpTotp
from domain.accounts import User
from domain.errors import InvalidCredentialsError, MfaFailedError, TooManyAttemptsError
from domain.sessions import TokenPair
from tests.unit.application.conftest import PASSWORD, Harness

STEP = timedelta(seconds=30)


async def _enrolled(harness: Harness) -> tuple[User, str, list[str]]:
    user = await harness.a_user()
    setup = await harness.use_cases.set_up_totp().handle(SetUpTotp(user_id=user.id, password=PASSWORD))
    earlier = pyotp.TOTP(setup.secret).at(harness.clock.now() - STEP)
    codes = await harness.use_cases.confirm_totp().handle(ConfirmTotp(user_id=user.id, code=earlier))
    return user, setup.secret, codes


async def _first_step(harness: Harness, password: str = PASSWORD) -> MfaRequired:
    result = await harness.log_in.handle(LogIn(identifier="ada@example.org", password=password))
    assert isinstance(result, MfaRequired)
    return result


async def _second_step(harness: Harness, token: str, code: str) -> TokenPair:
    return await harness.use_cases.complete_mfa_login().handle(CompleteMfaLogin(mfa_token=token, code=code))


async def test_a_pending_setup_does_not_change_the_login(harness: Harness) -> None:
    user = await harness.a_user()
    await harness.use_cases.set_up_totp().handle(SetUpTotp(user_id=user.id, password=PASSWORD))

    assert isinstance(await harness.logged_in(), TokenPair)


async def test_the_session_of_a_second_step_remembers_how_it_logged_in(harness: Harness) -> None:
    _, secret, codes = await _enrolled(harness)

    with_totp = await _second_step(
        harness, (await _first_step(harness)).mfa_token, pyotp.TOTP(secret).at(harness.clock.now())
    )
    with_code = await _second_step(harness, (await _first_step(harness)).mfa_token, codes[0])

    assert harness.session_of(with_totp).amr == ("pwd", "otp", "mfa")
    assert harness.session_of(with_code).amr == ("pwd", "mfa")
    assert (await harness.principal(with_totp)).amr == ("pwd", "otp", "mfa")


async def test_a_right_password_on_an_mfa_account_does_not_forget_earlier_failures(harness: Harness) -> None:
    await _enrolled(harness)
    for _ in range(3):
        with pytest.raises(InvalidCredentialsError):
            await harness.log_in.handle(LogIn(identifier="ada@example.org", password="Wrong-1"))

    await _first_step(harness)
    for _ in range(2):
        with pytest.raises(InvalidCredentialsError):
            await harness.log_in.handle(LogIn(identifier="ada@example.org", password="Wrong-1"))

    with pytest.raises(TooManyAttemptsError):
        await _first_step(harness)


async def test_a_completed_second_step_resets_the_failures_of_both_identifiers(harness: Harness) -> None:
    _, secret, _ = await _enrolled(harness)
    for identifier in ("ada@example.org", "ada"):
        for _ in range(4):
            with pytest.raises(InvalidCredentialsError):
                await harness.log_in.handle(LogIn(identifier=identifier, password="Wrong-1"))

    await _second_step(harness, (await _first_step(harness)).mfa_token, pyotp.TOTP(secret).at(harness.clock.now()))

    for identifier in ("ada@example.org", "ada"):
        for _ in range(4):
            with pytest.raises(InvalidCredentialsError):
                await harness.log_in.handle(LogIn(identifier=identifier, password="Wrong-1"))


async def test_a_code_for_an_expired_challenge_fails_like_a_wrong_one(harness: Harness) -> None:
    _, secret, _ = await _enrolled(harness)
    token = (await _first_step(harness)).mfa_token
    harness.clock.advance(timedelta(minutes=5))

    with pytest.raises(MfaFailedError):
        await _second_step(harness, token, pyotp.TOTP(secret).at(harness.clock.now()))
