from __future__ import annotations

import pytest

from tests.http.conftest import PASSWORD, Api, make_settings, memory_api

PROBLEM = "application/problem+json"


async def test_register_returns_the_user_without_secrets(api: Api) -> None:
    response = await api.client.post(
        "/auth/register",
        json={"email": "Ada@Example.org", "username": "ada", "password": PASSWORD, "full_name": "Ada Lovelace"},
    )
    assert response.status_code == 201
    body = response.json()
    assert set(body) == {
        "id", "email", "username", "full_name", "is_active", "is_superuser", "roles",
        "email_verified", "mfa_enabled", "last_login", "created_at",
    }  # fmt: skip
    assert body["email"] == "Ada@Example.org"
    assert body["roles"] == ["user"]
    assert body["is_superuser"] is False
    assert body["is_active"] is True
    assert body["email_verified"] is False
    assert "password" not in response.text
    assert response.headers["cache-control"] == "no-store"


async def test_register_rejects_unknown_fields_so_roles_cannot_be_assigned(api: Api) -> None:
    for field, value in [("roles", ["admin"]), ("is_superuser", True), ("is_active", False), ("email_verified", True)]:
        body = {"email": "eve@example.org", "username": "eve", "password": PASSWORD, field: value}
        response = await api.client.post("/auth/register", json=body)
        assert response.status_code == 422, field
        assert response.headers["content-type"].startswith(PROBLEM)
    # Nothing was created by the refused attempts.
    created = await api.register("eve@example.org", "eve")
    assert created["roles"] == ["user"]


@pytest.mark.parametrize("email", ["ADA@example.org", "ada@EXAMPLE.ORG"])
async def test_register_with_a_taken_email_in_any_case_is_a_conflict(api: Api, email: str) -> None:
    await api.register("ada@example.org", "ada")
    response = await api.client.post("/auth/register", json={"email": email, "username": "other", "password": PASSWORD})
    assert response.status_code == 409
    assert response.json()["type"] == "urn:bastion:problem:email_taken"


async def test_register_with_a_taken_username_in_any_case_is_a_conflict(api: Api) -> None:
    await api.register("ada@example.org", "ada")
    response = await api.client.post(
        "/auth/register", json={"email": "b@example.org", "username": "ADA", "password": PASSWORD}
    )
    assert response.status_code == 409
    assert response.json()["type"] == "urn:bastion:problem:username_taken"


async def test_register_reports_every_broken_rule_at_once(api: Api) -> None:
    response = await api.client.post(
        "/auth/register", json={"email": "not-an-email", "username": "a!", "password": "short"}
    )
    assert response.status_code == 422
    body = response.json()
    assert body["type"] == "urn:bastion:problem:validation_failed"
    fields = [error["field"] for error in body["errors"]]
    assert "email" in fields
    assert "username" in fields
    assert fields.count("password") >= 4  # length, uppercase, digit, special


async def test_with_registration_privacy_new_and_taken_emails_answer_alike() -> None:
    async with memory_api(make_settings(registration_privacy=True)) as private:
        new = await private.client.post(
            "/auth/register", json={"email": "ada@example.org", "username": "ada", "password": PASSWORD}
        )
        taken = await private.client.post(
            "/auth/register", json={"email": "Ada@Example.org", "username": "ada2", "password": PASSWORD}
        )
        assert (new.status_code, taken.status_code) == (202, 202)
        assert new.json() == taken.json()
        assert set(new.json()) == {"detail"}
        username_taken = await private.client.post(
            "/auth/register", json={"email": "bob@example.org", "username": "ADA", "password": PASSWORD}
        )
        assert username_taken.status_code == 409
        login = await private.client.post("/auth/login", json={"email": "ada@example.org", "password": PASSWORD})
        assert login.status_code == 200
