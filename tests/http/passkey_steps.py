"""The steps of passkeys over HTTP, shared by the passkey tests: a software authenticator for the
relying party of the test settings (`localhost`, origin http://localhost:8000), registration and
the two ways of logging in with a passkey."""

from __future__ import annotations

from typing import Any

from tests.http.conftest import PASSWORD, Api, bearer
from tests.webauthn_authenticator import Algorithm, SoftAuthenticator, SoftCredential

ORIGIN = "http://localhost:8000"
RP_ID = "localhost"


def authenticator() -> SoftAuthenticator:
    return SoftAuthenticator(rp_id=RP_ID, origin=ORIGIN)


async def registration_options(api: Api, pair: dict[str, Any]) -> dict[str, Any]:
    response = await api.client.post(
        "/auth/passkeys/register/options", json={"password": PASSWORD}, headers=bearer(pair)
    )
    assert response.status_code == 200, response.text
    return dict(response.json())


async def registered(
    api: Api, pair: dict[str, Any], device: SoftAuthenticator, *, alg: Algorithm = "ES256", name: str | None = None,
    **tampering: Any,
) -> tuple[dict[str, Any], SoftCredential]:  # fmt: skip
    """A passkey made by `device` for the account of `pair`, as the API answered its registration."""
    begun = await registration_options(api, pair)
    credential, held = device.register(begun["options"], alg=alg, **tampering)
    body: dict[str, Any] = {"challenge_id": begun["challenge_id"], "credential": credential}
    if name is not None:
        body["name"] = name
    response = await api.client.post("/auth/passkeys/register", json=body, headers=bearer(pair))
    assert response.status_code == 201, response.text
    return dict(response.json()), held


async def login_options(api: Api) -> dict[str, Any]:
    response = await api.client.post("/auth/passkeys/login/options", json={})
    assert response.status_code == 200, response.text
    return dict(response.json())


async def passwordless(api: Api, device: SoftAuthenticator, **tampering: Any) -> Any:
    """The answer to a passwordless login with `device`'s assertion for fresh options."""
    begun = await login_options(api)
    assertion = device.authenticate(begun["options"], **tampering)
    return await api.client.post(
        "/auth/passkeys/login", json={"challenge_id": begun["challenge_id"], "credential": assertion}
    )


async def mfa_options(api: Api, token: str) -> Any:
    return await api.client.post("/auth/login/mfa/options", json={"mfa_token": token})


async def password_step(api: Api, identifier: str = "ada@example.org") -> dict[str, Any]:
    answer = await api.client.post("/auth/login", json={"email": identifier, "password": PASSWORD})
    assert answer.status_code == 200, answer.text
    return dict(answer.json())
