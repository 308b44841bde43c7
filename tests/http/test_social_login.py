"""Social login over HTTP against a real OpenID Connect provider (Authlib's, tests/oidc_provider.py)
and a GitHub-shaped fake: sign-up, returning sign-in, the account rules, the one-time code exchange,
linking and unlinking, the MFA step, and every attack on the round trip."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest

from adapters.clock import SystemClock
from domain.paging import Page
from tests.github_fake import GitHubFake, running_github_fake
from tests.http.conftest import PASSWORD, Api, answer_body, bearer
from tests.http.mfa_steps import claims, enrolled
from tests.http.social_login_steps import (
    APP,
    PUBLIC_URL,
    audit_types,
    authorize,
    browser,
    exchange,
    landing,
    provider_callback,
    sign_in,
    signed_in,
    social_api,
    social_settings,
)
from tests.oidc_provider import LocalOidcProvider, running_oidc_provider


@pytest.fixture
def idp() -> Iterator[LocalOidcProvider]:
    with running_oidc_provider() as provider:
        yield provider


@pytest.fixture
def github() -> Iterator[GitHubFake]:
    with running_github_fake() as fake:
        yield fake


@pytest.fixture
async def api(idp: LocalOidcProvider, github: GitHubFake) -> AsyncIterator[Api]:
    async with social_api(social_settings(idp, github)) as api:
        yield api


async def user_count(api: Api) -> int:
    async with api.adapters.reader() as view:
        _, total = await view.users.search(None, Page())
    return total


async def test_the_providers_are_listed_in_their_configured_order(api: Api) -> None:
    response = await api.client.get("/auth/oauth/providers")
    assert response.status_code == 200
    assert response.json() == [{"name": "local", "display_name": "local"}, {"name": "github", "display_name": "GitHub"}]


async def test_authorize_sends_the_browser_to_the_provider_with_state_nonce_and_pkce(
    api: Api, idp: LocalOidcProvider
) -> None:
    response = await api.client.get("/auth/oauth/local/authorize", params={"redirect_uri": APP})
    assert response.status_code == 302, response.text
    location = urlsplit(response.headers["location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == f"{idp.issuer}/authorize"
    query = {key: values[0] for key, values in parse_qs(location.query).items()}
    assert query["response_type"] == "code"
    assert query["redirect_uri"] == f"{PUBLIC_URL}/auth/oauth/local/callback"
    assert query["code_challenge_method"] == "S256"
    assert len(query["state"]) >= 43
    assert len(query["nonce"]) >= 43
    assert len(query["code_challenge"]) == 43
    cookie = response.headers["set-cookie"]
    assert cookie.startswith("bastion_oauth_browser=")
    for attribute in ("HttpOnly", "Secure", "SameSite=Lax", "Path=/auth/oauth/"):
        assert attribute.lower() in cookie.lower(), cookie
    # Nothing of the flow's secrets in the cookie: it only binds the browser.
    assert query["state"] not in cookie
    assert query["nonce"] not in cookie


async def test_a_new_identity_with_a_verified_email_creates_an_account_without_a_password(api: Api) -> None:
    pair = await signed_in(api)
    assert set(pair) == {"access_token", "refresh_token", "token_type", "expires_in", "device_token"}
    assert claims(pair)["amr"] == ["ext"]
    me = (await api.client.get("/auth/me", headers=bearer(pair))).json()
    assert me["email"] == "ada@example.org"
    assert me["email_verified"] is True
    assert me["username"] == "ada"
    assert me["full_name"] == "Ada Lovelace"
    identities = (await api.client.get("/auth/identities", headers=bearer(pair))).json()
    assert [(one["provider"], one["email"]) for one in identities] == [("local", "ada@example.org")]
    assert set(identities[0]) == {"id", "provider", "email", "created_at"}
    # No password: a password login is refused like a wrong one.
    refused = await api.client.post("/auth/login", json={"email": "ada@example.org", "password": PASSWORD})
    assert refused.status_code == 401
    types = await audit_types(api)
    for expected in ("user.registered", "oauth.linked", "oauth.login", "login.succeeded"):
        assert expected in types


async def test_a_known_identity_signs_in_to_its_account_again(api: Api) -> None:
    first = claims(await signed_in(api))
    again = claims(await signed_in(api))
    assert again["sub"] == first["sub"]
    assert again["sid"] != first["sid"]
    assert await user_count(api) == 1


async def test_a_taken_username_gets_a_random_suffix(api: Api, idp: LocalOidcProvider) -> None:
    await api.register(email="someone@example.org", username="ada")
    pair = await signed_in(api)
    username = (await api.client.get("/auth/me", headers=bearer(pair))).json()["username"]
    assert username.startswith("ada-")
    assert len(username) == len("ada-") + 6


@pytest.mark.parametrize("verified", [False, "false", None])
async def test_an_unverified_email_creates_nothing(api: Api, idp: LocalOidcProvider, verified: Any) -> None:
    idp.user.email_verified = verified
    assert await sign_in(api) == {"error": "email_not_verified"}
    assert await user_count(api) == 0
    assert "oauth.refused" in await audit_types(api)


async def test_an_email_of_an_existing_account_is_never_linked_silently(api: Api) -> None:
    owner = await api.registered_and_logged_in()
    assert await sign_in(api) == {"error": "account_exists"}
    assert (await api.client.get("/auth/identities", headers=bearer(owner))).json() == []
    assert await user_count(api) == 1


async def test_the_owner_links_an_identity_and_then_signs_in_with_it(api: Api, idp: LocalOidcProvider) -> None:
    owner = await api.registered_and_logged_in()
    response = await api.client.post("/auth/identities/local/link", params={"redirect_uri": APP}, headers=bearer(owner))
    assert response.status_code == 200, response.text
    # The link round trip may end in another browser: it is bound to the account, not to a cookie.
    callback = await provider_callback(response.json()["authorize_url"])
    async with browser(api.client.app) as other_browser:
        assert landing(await other_browser.get(callback)) == {"linked": "local"}
    identities = (await api.client.get("/auth/identities", headers=bearer(owner))).json()
    assert [one["provider"] for one in identities] == ["local"]
    assert claims(await signed_in(api))["sub"] == claims(owner)["sub"]
    assert "oauth.linked" in await audit_types(api)


async def test_an_identity_linked_to_another_account_cannot_be_linked_again(api: Api) -> None:
    await signed_in(api)  # the identity now belongs to the account it created
    await api.register(email="grace@example.org", username="grace")
    pair = await api.log_in("grace@example.org")
    link = await api.client.post("/auth/identities/local/link", params={"redirect_uri": APP}, headers=bearer(pair))
    callback = await provider_callback(link.json()["authorize_url"])
    assert landing(await api.client.get(callback)) == {"error": "identity_in_use"}


async def test_unlinking_keeps_at_least_one_way_to_log_in(api: Api, github: GitHubFake) -> None:
    pair = await signed_in(api)
    only = (await api.client.get("/auth/identities", headers=bearer(pair))).json()[0]
    refused = await api.client.delete(f"/auth/identities/{only['id']}", headers=bearer(pair))
    assert refused.status_code == 409
    assert answer_body(refused)["type"].endswith("last_login_method")
    link = await api.client.post("/auth/identities/github/link", params={"redirect_uri": APP}, headers=bearer(pair))
    callback = await provider_callback(link.json()["authorize_url"])
    assert landing(await api.client.get(callback)) == {"linked": "github"}
    assert (await api.client.delete(f"/auth/identities/{only['id']}", headers=bearer(pair))).status_code == 204
    left = (await api.client.get("/auth/identities", headers=bearer(pair))).json()
    assert [one["provider"] for one in left] == ["github"]
    assert (await api.client.delete(f"/auth/identities/{left[0]['id']}", headers=bearer(pair))).status_code == 409
    assert "oauth.unlinked" in await audit_types(api)


async def test_an_account_with_a_password_may_unlink_its_only_identity(api: Api) -> None:
    owner = await api.registered_and_logged_in()
    link = await api.client.post("/auth/identities/local/link", params={"redirect_uri": APP}, headers=bearer(owner))
    await api.client.get(await provider_callback(link.json()["authorize_url"]))
    identity = (await api.client.get("/auth/identities", headers=bearer(owner))).json()[0]
    assert (await api.client.delete(f"/auth/identities/{identity['id']}", headers=bearer(owner))).status_code == 204
    # Gone: the provider identity is unknown again, and its email has an account.
    assert await sign_in(api) == {"error": "account_exists"}


async def test_unlinking_another_accounts_identity_is_not_found(api: Api) -> None:
    pair = await signed_in(api)
    theirs = (await api.client.get("/auth/identities", headers=bearer(pair))).json()[0]["id"]
    await api.register(email="grace@example.org", username="grace")
    mine = await api.log_in("grace@example.org")
    for identity_id in (theirs, "no-such-id", "x" * 500):
        response = await api.client.delete(f"/auth/identities/{identity_id}", headers=bearer(mine))
        assert response.status_code == 404, identity_id


async def test_github_signs_up_with_the_primary_verified_email(api: Api, github: GitHubFake) -> None:
    pair = await signed_in(api, "github")
    me = (await api.client.get("/auth/me", headers=bearer(pair))).json()
    assert (me["email"], me["email_verified"]) == ("ada@example.org", True)
    github.emails = [{"email": "grace@example.org", "primary": True, "verified": False, "visibility": None}]
    github.user.id = 99
    assert await sign_in(api, "github") == {"error": "email_not_verified"}


async def test_the_code_exchange_works_once(api: Api) -> None:
    code = (await sign_in(api))["code"]
    assert (await exchange(api, code)).status_code == 200
    again = await exchange(api, code)
    assert again.status_code == 400
    assert answer_body(again)["type"].endswith("invalid_login_code")


async def test_concurrent_exchanges_of_one_code_give_one_token_pair(api: Api) -> None:
    code = (await sign_in(api))["code"]
    answers = await asyncio.gather(*(exchange(api, code) for _ in range(5)))
    assert sorted(answer.status_code for answer in answers) == [200, 400, 400, 400, 400]


@pytest.mark.parametrize("code", ["", "x", "nope" * 100, "é" * 10])
async def test_a_malformed_or_unknown_code_is_400(api: Api, code: str) -> None:
    response = await exchange(api, code)
    assert response.status_code in (400, 422)
    assert response.headers["content-type"].startswith("application/problem+json")


async def test_an_account_with_a_second_factor_gets_the_mfa_step(api: Api) -> None:
    owner, _, recovery_codes = await enrolled(api, SystemClock())
    link = await api.client.post("/auth/identities/local/link", params={"redirect_uri": APP}, headers=bearer(owner))
    await api.client.get(await provider_callback(link.json()["authorize_url"]))
    answer = await exchange(api, (await sign_in(api))["code"])
    assert answer.status_code == 200
    step = answer.json()
    assert step["mfa_required"] is True
    assert step["methods"] == ["totp", "recovery_code"]
    done = await api.client.post("/auth/login/mfa", json={"mfa_token": step["mfa_token"], "code": recovery_codes[0]})
    assert done.status_code == 200, done.text
    assert claims(done.json())["amr"] == ["ext", "mfa"]


# -- attacks on the round trip --------------------------------------------------------------------


async def test_a_forged_state_is_a_400_problem(api: Api) -> None:
    for state in ("forged" * 10, "", "x" * 5000):
        response = await api.client.get("/auth/oauth/local/callback", params={"code": "c", "state": state})
        assert response.status_code in (400, 422), state
        assert response.headers["content-type"].startswith("application/problem+json")
    missing = await api.client.get("/auth/oauth/local/callback", params={"code": "c"})
    assert missing.status_code == 400


async def test_a_replayed_callback_changes_nothing(api: Api) -> None:
    callback = await provider_callback(await authorize(api.client))
    assert "code" in landing(await api.client.get(callback))
    assert landing(await api.client.get(callback)) == {"error": "invalid_state"}
    assert await user_count(api) == 1


async def test_a_callback_replayed_in_another_browser_is_refused(
    api: Api, idp: LocalOidcProvider, github: GitHubFake
) -> None:
    # The attacker starts a sign-in with their own provider account and sends the callback URL to a
    # victim: the victim's browser lacks the binding cookie, so nobody is signed in.
    callback = await provider_callback(await authorize(api.client))
    app = api.client.app
    async with browser(app) as victim:
        answer = await victim.get(callback)
    assert landing(answer) == {"error": "invalid_state"}
    assert await user_count(api) == 0


async def test_a_replayed_provider_code_is_refused(api: Api) -> None:
    first = await provider_callback(await authorize(api.client))
    used_code = parse_qs(urlsplit(first).query)["code"][0]
    await api.client.get(first)
    second = await provider_callback(await authorize(api.client))
    state = parse_qs(urlsplit(second).query)["state"][0]
    forged = "/auth/oauth/local/callback?" + urlencode({"code": used_code, "state": state})
    assert landing(await api.client.get(forged)) == {"error": "invalid_response"}


@pytest.mark.parametrize(
    ("claims_override", "signing"),
    [
        ({"nonce": "another-nonce"}, "published"),
        ({"aud": "someone-else"}, "published"),
        ({"iss": "https://evil.example"}, "published"),
        ({"exp": int(time.time()) - 600, "iat": int(time.time()) - 1200}, "published"),
        ({}, "unpublished"),
        ({}, "none"),
        ({}, "client_secret"),
    ],
    ids=["wrong nonce", "wrong audience", "wrong issuer", "expired", "another key", "alg none", "hs256"],
)
async def test_an_id_token_that_does_not_verify_creates_nothing(
    api: Api, idp: LocalOidcProvider, claims_override: dict[str, Any], signing: str
) -> None:
    idp.id_token_claims = claims_override
    idp.id_token_signing = signing
    assert await sign_in(api) == {"error": "invalid_response"}
    assert await user_count(api) == 0
    assert "oauth.refused" in await audit_types(api)


async def test_a_provider_that_is_down_is_a_503_and_creates_nothing(api: Api, idp: LocalOidcProvider) -> None:
    callback = await provider_callback(await authorize(api.client))
    idp.server.down()
    response = await api.client.get(callback)
    assert response.status_code == 503
    assert response.headers["content-type"].startswith("application/problem+json")
    assert await user_count(api) == 0


async def test_authorize_is_a_503_when_the_discovery_document_does_not_answer(api: Api, idp: LocalOidcProvider) -> None:
    idp.server.down()
    response = await api.client.get("/auth/oauth/local/authorize", params={"redirect_uri": APP})
    assert response.status_code == 503


@pytest.mark.parametrize(
    "redirect_uri",
    [APP + "/", APP + "?x=1", APP + "#x", "https://evil.example/signed-in", "javascript:alert(1)", ""],
)
async def test_a_redirect_uri_outside_the_allow_list_is_400(api: Api, redirect_uri: str) -> None:
    response = await api.client.get("/auth/oauth/local/authorize", params={"redirect_uri": redirect_uri})
    assert response.status_code in (400, 422)
    if redirect_uri:
        assert answer_body(response)["type"].endswith("redirect_uri_not_allowed")


async def test_an_unknown_provider_is_404(api: Api) -> None:
    response = await api.client.get("/auth/oauth/facebook/authorize", params={"redirect_uri": APP})
    assert response.status_code == 404
    assert (
        await api.client.get("/auth/oauth/facebook/callback", params={"state": "s", "code": "c"})
    ).status_code == 404
    pair = await api.registered_and_logged_in()
    linked = await api.client.post("/auth/identities/facebook/link", params={"redirect_uri": APP}, headers=bearer(pair))
    assert linked.status_code == 404


async def test_the_user_declining_at_the_provider_ends_in_access_denied(api: Api) -> None:
    callback = await provider_callback(await authorize(api.client))
    state = parse_qs(urlsplit(callback).query)["state"][0]
    declined = "/auth/oauth/local/callback?" + urlencode({"error": "access_denied", "state": state})
    assert landing(await api.client.get(declined)) == {"error": "access_denied"}
    callback = await provider_callback(await authorize(api.client))
    state = parse_qs(urlsplit(callback).query)["state"][0]
    odd = "/auth/oauth/local/callback?" + urlencode({"error": "<script>", "state": state})
    assert landing(await api.client.get(odd)) == {"error": "provider_error"}


async def test_api_keys_cannot_list_link_or_unlink_identities(api: Api) -> None:
    pair = await signed_in(api)
    created = await api.client.post(
        "/auth/api-keys", json={"name": "script", "scopes": ["tasks:read"]}, headers=bearer(pair)
    )
    assert created.status_code == 201, created.text
    key = {"X-API-Key": created.json()["key"]}
    assert (await api.client.get("/auth/identities", headers=key)).status_code in (401, 403)
    linked = await api.client.post("/auth/identities/local/link", params={"redirect_uri": APP}, headers=key)
    assert linked.status_code in (401, 403)


async def test_the_export_lists_linked_identities(api: Api) -> None:
    pair = await signed_in(api)
    export = (await api.client.get("/auth/me/export", headers=bearer(pair))).json()
    assert [(one["provider"], one["subject"], one["email"]) for one in export["identities"]] == [
        ("local", "user-42", "ada@example.org")
    ]


async def test_metrics_count_social_logins_by_provider_and_result(api: Api, idp: LocalOidcProvider) -> None:
    await signed_in(api)
    idp.id_token_claims = {"nonce": "other"}
    await sign_in(api)
    text = (await api.client.get("/metrics")).text
    assert 'bastion_oauth_logins_total{provider="local",result="success"} 1.0' in text
    assert 'bastion_oauth_logins_total{provider="local",result="wrong_nonce"} 1.0' in text
