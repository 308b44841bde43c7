"""New passwords over HTTP: common passwords (in their usual variations) and breached ones are 422 on
register, change password and reset confirmation, under the field that carries the password; NFC makes
one password of both Unicode spellings; BASTION_PASSWORD_POLICY=nist drops composition, asks for 15."""

from __future__ import annotations

import unicodedata
from typing import Any

import pytest

from adapters.memory.breached_passwords import MemoryBreachedPasswords
from domain.passwords import BREACHED_PASSWORD, COMMON_PASSWORD
from tests.http.conftest import PASSWORD, Api, bearer, make_settings, memory_api

COMMON = ["Password123!", "Passw0rd!", "Qwerty123!", "Welcome1!"]
BREACHED = "Unlisted-But-Leaked-7"
NFC = unicodedata.normalize("NFC", "Crème-Brûlée-9")
NFD = unicodedata.normalize("NFD", NFC)


def refused(response: Any, field: str, message: str) -> bool:
    return response.status_code == 422 and {"field": field, "message": message} in response.json()["errors"]


async def register(api: Api, password: str, email: str = "ada@example.org") -> Any:
    body = {"email": email, "username": email.split("@")[0], "password": password}
    return await api.client.post("/auth/register", json=body)


async def reset_token(api: Api) -> str:
    await api.client.post("/auth/password-reset", json={"email": "ada@example.org"})
    return await api.last_link_token("reset-password")


@pytest.mark.parametrize("password", COMMON)
async def test_registration_refuses_a_common_password(api: Api, password: str) -> None:
    response = await register(api, password)
    assert refused(response, "password", COMMON_PASSWORD), response.text


@pytest.mark.parametrize("password", COMMON)
async def test_change_password_refuses_a_common_new_password(api: Api, password: str) -> None:
    pair = await api.registered_and_logged_in()
    body = {"current_password": PASSWORD, "new_password": password}
    response = await api.client.post("/auth/change-password", json=body, headers=bearer(pair))
    assert refused(response, "new_password", COMMON_PASSWORD), response.text


@pytest.mark.parametrize("password", COMMON)
async def test_reset_confirmation_refuses_a_common_new_password(api: Api, password: str) -> None:
    await api.register()
    body = {"token": await reset_token(api), "new_password": password}
    response = await api.client.post("/auth/password-reset/confirm", json=body)
    assert refused(response, "new_password", COMMON_PASSWORD), response.text


async def breached_api(api: Api) -> MemoryBreachedPasswords:
    breaches: MemoryBreachedPasswords = api.adapters.breached_passwords()
    breaches.breached.add(BREACHED)
    return breaches


async def test_registration_refuses_a_breached_password_and_creates_nothing(api: Api) -> None:
    await breached_api(api)
    assert refused(await register(api, BREACHED), "password", BREACHED_PASSWORD)
    assert (await register(api, PASSWORD)).status_code == 201


async def test_change_password_refuses_a_breached_new_password(api: Api) -> None:
    await breached_api(api)
    pair = await api.registered_and_logged_in()
    body = {"current_password": PASSWORD, "new_password": BREACHED}
    response = await api.client.post("/auth/change-password", json=body, headers=bearer(pair))
    assert refused(response, "new_password", BREACHED_PASSWORD)
    await api.log_in()  # unchanged


async def test_reset_confirmation_refuses_a_breached_new_password_and_keeps_the_token(api: Api) -> None:
    await breached_api(api)
    await api.register()
    token = await reset_token(api)
    response = await api.client.post("/auth/password-reset/confirm", json={"token": token, "new_password": BREACHED})
    assert refused(response, "new_password", BREACHED_PASSWORD)
    ok = await api.client.post("/auth/password-reset/confirm", json={"token": token, "new_password": "Another-Horse-7"})
    assert ok.status_code == 204, ok.text


async def test_the_breach_check_is_asked_before_a_taken_email_is_refused(api: Api) -> None:
    # So that a registration takes the breach check's time whether or not the email is taken.
    breaches = await breached_api(api)
    await api.register()
    taken = await register(api, "Another-Horse-7")
    assert taken.status_code == 409
    assert breaches.asked == [PASSWORD, "Another-Horse-7"]


async def test_the_breach_check_is_not_asked_about_a_password_the_policy_refuses(api: Api) -> None:
    breaches = await breached_api(api)
    await register(api, "Password123!")
    assert breaches.asked == []


async def test_a_password_registered_in_one_unicode_form_logs_in_in_the_other(api: Api) -> None:
    assert (await register(api, NFC)).status_code == 201
    await api.log_in(password=NFD)
    assert (await register(api, NFD, email="bob@example.org")).status_code == 201
    pair = await api.log_in("bob@example.org", password=NFC)

    body = {"current_password": NFD, "new_password": NFD + "x"}
    changed = await api.client.post("/auth/change-password", json=body, headers=bearer(pair))
    assert changed.status_code == 204, changed.text
    await api.log_in("bob@example.org", password=NFC + "x")


async def test_the_nist_policy_asks_for_15_characters_and_no_composition() -> None:
    async with memory_api(make_settings(password_policy="nist")) as api:
        short = await register(api, "Another-Horse7")  # 14 characters
        assert refused(short, "password", "Must be at least 15 characters long.")
        assert (await register(api, "purple monkey dishwasher")).status_code == 201
        common = await register(api, "qwerty123456789!", email="bob@example.org")
        assert refused(common, "password", COMMON_PASSWORD)
