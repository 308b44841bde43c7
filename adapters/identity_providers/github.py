"""GitHubProvider: sign-in with GitHub (or a GitHub Enterprise Server) through its OAuth 2.0 web flow and REST API."""

from __future__ import annotations

import logging
from typing import Any

from adapters.identity_providers.provider_http import (
    DEFAULT_TIMEOUT_SECONDS,
    ProviderHttpClient,
    is_allowed_url,
    with_query,
)
from domain.errors import IdentityProviderRefusedError
from domain.ports.identity_providers import AuthorizationRequest, CodeRedemption, IdentityProvider, ProviderIdentity

_logger = logging.getLogger("bastion.identity_providers")

GITHUB_URL = "https://github.com"
GITHUB_API_URL = "https://api.github.com"
SCOPE = "read:user user:email"
_API_HEADERS = {"Accept": "application/vnd.github+json", "X-GitHub-Api-Version": "2022-11-28"}


class GitHubProvider(ProviderHttpClient, IdentityProvider):
    """GitHub's OAuth 2.0 web application flow with PKCE (S256); GitHub issues no ID token, so the
    identity is read from its REST API with the access token.

    - `base_url` is https://github.com (API at https://api.github.com) or a GitHub Enterprise Server
      (web at `base_url`, API at `<base_url>/api/v3`); it is the identity's issuer.
    - The subject is the numeric user id (logins can be renamed and reused); the email is the primary
      one when GitHub says it is verified, else none (none too when the email list is refused, as it
      is to a GitHub App without the email permission). The name is the profile name, else the login.
    - GitHub answers a bad, expired or replayed code with 200 and an `error` member: that, like a 400
      or 401, is `IdentityProviderRefusedError("code_refused")`; wrong client credentials are
      `DependencyUnavailableError` (a configuration fault). The nonce is not used.
    - A redemption is bounded by `timeout_seconds` as a whole; no answer, a status of 500 or above, or
      an answer that is not what the API documents: `DependencyUnavailableError`.
    """

    def __init__(
        self,
        name: str,
        display_name: str,
        client_id: str,
        client_secret: str,
        *,
        base_url: str = GITHUB_URL,
        timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS,
    ) -> None:
        """Raises:
        ValueError: `base_url` is neither https nor plain http on a loopback host.
        """
        if not is_allowed_url(base_url, allow_loopback_http=True):
            raise ValueError(f"the base URL of {name} must be an https URL")
        super().__init__(name, timeout_seconds)
        self.name, self.display_name = name, display_name
        self._client_id, self._client_secret = client_id, client_secret
        self._base_url = base_url.rstrip("/")
        self._api_url = GITHUB_API_URL if self._base_url == GITHUB_URL else self._base_url + "/api/v3"

    async def authorization_url(self, request: AuthorizationRequest) -> str:
        parameters = {
            "client_id": self._client_id,
            "redirect_uri": request.redirect_uri,
            "scope": SCOPE,
            "state": request.state,
            "code_challenge": request.code_challenge,
            "code_challenge_method": "S256",
        }
        return with_query(self._base_url + "/login/oauth/authorize", parameters)

    async def redeem(self, redemption: CodeRedemption) -> ProviderIdentity:
        return await self.bounded(self._redeem(redemption))

    async def _redeem(self, redemption: CodeRedemption) -> ProviderIdentity:
        access_token = await self._access_token(redemption)
        headers = {**_API_HEADERS, "Authorization": f"Bearer {access_token}"}
        user = await self._user(headers)
        email = await self._primary_verified_email(headers)
        names = [name for name in (user.get("name"), user.get("login")) if isinstance(name, str) and name]
        return ProviderIdentity(
            issuer=self._base_url,
            subject=str(user["id"]),
            email=email,
            email_verified=email is not None,
            name=names[0] if names else None,
        )

    async def _access_token(self, redemption: CodeRedemption) -> str:
        form = {
            "client_id": self._client_id,
            "client_secret": self._client_secret,
            "code": redemption.code,
            "redirect_uri": redemption.redirect_uri,
            "code_verifier": redemption.code_verifier,
        }
        url = self._base_url + "/login/oauth/access_token"
        answer = await self.call("token", "POST", url, data=form, headers={"Accept": "application/json"})
        body = answer.json_object()
        error = None if body is None else body.get("error")
        if error == "incorrect_client_credentials":
            # Bastion's credentials, not the user's code: no retry by the user can help.
            raise self.unavailable("token", "client authentication refused (check the client id and secret)")
        if answer.status in (400, 401) or (answer.status == 200 and error is not None):
            raise IdentityProviderRefusedError("code_refused")
        access_token = None if body is None else body.get("access_token")
        if answer.status != 200 or not isinstance(access_token, str) or not access_token:
            raise self.unavailable("token", f"status {answer.status}, no access token")
        return access_token

    async def _user(self, headers: dict[str, str]) -> dict[str, Any]:
        answer = await self.call("user", "GET", f"{self._api_url}/user", headers=headers)
        user = answer.json_object()
        user_id = None if user is None else user.get("id")
        if answer.status != 200 or user is None or not isinstance(user_id, int) or isinstance(user_id, bool):
            raise self.unavailable("user", f"status {answer.status}, no numeric user id")
        return user

    async def _primary_verified_email(self, headers: dict[str, str]) -> str | None:
        answer = await self.call("user/emails", "GET", f"{self._api_url}/user/emails", headers=headers)
        if answer.status != 200 or not isinstance(answer.body, list):
            # A GitHub App without the email permission is answered 403 or 404: sign-in without an email.
            _logger.warning("identity provider %s: no email list (status %d)", self.name, answer.status)
            return None
        return _primary_verified(answer.body)


def _primary_verified(entries: list[Any]) -> str | None:
    for entry in entries:
        if isinstance(entry, dict) and entry.get("primary") is True and entry.get("verified") is True:
            email = entry.get("email")
            return email if isinstance(email, str) and email else None
    return None
