"""The SecurityMetrics port: counters of the security signals an operator watches."""

from __future__ import annotations

from abc import abstractmethod
from typing import Protocol


class SecurityMetrics(Protocol):
    """Where the subscribers of the domain events count what happened.

    Every label value comes from a small fixed set (a login result, a limit's name), never from
    anything a client chose, so the number of series stays bounded."""

    @abstractmethod
    def login(self, result: str) -> None:
        """One login ended with `result`: `success`, or the refusal's reason (`invalid_credentials`,
        `locked`, `account_disabled`, `email_not_verified`)."""

    @abstractmethod
    def refresh(self, result: str) -> None:
        """One refresh token was used: `success`, or `reuse_detected` (a used token presented again
        after the grace window, which ends its session)."""

    @abstractmethod
    def lockout(self) -> None:
        """A failed password check locked an account or a device out."""

    @abstractmethod
    def rate_limited(self, limit: str) -> None:
        """A request was refused by the per-client limit `limit` (`ip` or `sensitive`)."""

    @abstractmethod
    def mfa(self, method: str, result: str) -> None:
        """One second-factor code was checked at the second step of a login: `method` is `totp` or
        `recovery_code` (for a refused code, the method its shape suggests), `result` is `success`,
        `failure` (a wrong code) or `locked` (refused unchecked while the account is locked out)."""

    @abstractmethod
    def api_key_auth(self, result: str) -> None:
        """One request presented an API key: `success`, or why it was refused (`invalid`: not a key
        this service made or none stored, `revoked`, `expired`, `ip_not_allowed`, `scope`)."""

    @abstractmethod
    def client_credentials(self, result: str) -> None:
        """One client asked for a token by the client credentials grant: `success`, or the refusal's
        OAuth2 error (`invalid_client`: no such client, a deleted one or a wrong secret;
        `invalid_scope`: a scope the account lacks)."""

    @abstractmethod
    def oauth(self, provider: str, result: str) -> None:
        """One social login callback ended: `provider` is a configured provider's name, `result`
        `success` or the refusal's reason (`invalid_response`, `email_not_verified`, `account_exists`,
        `account_disabled`, `access_denied`, ...)."""
