"""Domain errors: every failure the core can report, each with a stable public code.

The `code` of each class is part of the public API (it becomes the problem `type`), and
`message` is always safe to show a client: it never contains input echoed back, a token,
a hash or anything an attacker could use to tell accounts apart.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar, TypeVar

T = TypeVar("T")


class DomainError(Exception):
    """Base of every error the domain and the use cases raise."""

    code: ClassVar[str] = "domain_error"
    message: ClassVar[str] = "The request could not be completed."

    def __init__(self, message: str | None = None) -> None:
        if message is not None:
            self.message = message  # type: ignore[misc]
        super().__init__(self.message)


@dataclass(frozen=True, slots=True)
class FieldError:
    """One broken rule on one input field (`field` is a dotted path)."""

    field: str
    message: str


class ValidationFailedError(DomainError):
    """Raised when input breaks one or more rules; every broken rule is listed."""

    code = "validation_failed"
    message = "The request did not pass validation."

    def __init__(self, errors: list[FieldError]) -> None:
        super().__init__()
        self.errors = tuple(errors)


def collected(errors: list[FieldError], parse: Callable[[], T], fallback: T) -> T:
    """What `parse` gives, or `fallback` with the broken rules of its `ValidationFailedError` added
    to `errors`: so that a command's every broken rule is reported at once."""
    try:
        return parse()
    except ValidationFailedError as error:
        errors.extend(error.errors)
        return fallback


class ConflictError(DomainError):
    """Base of errors raised when a change would break a uniqueness rule."""

    code = "conflict"
    message = "The request conflicts with the current state."


class EmailTakenError(ConflictError):
    """Raised when registering or changing to an email that another account uses."""

    code = "email_taken"
    message = "An account with this email already exists."


class UsernameTakenError(ConflictError):
    """Raised when registering or changing to a username that another account uses."""

    code = "username_taken"
    message = "This username is taken."


class InvalidCredentialsError(DomainError):
    """Raised for an unknown account and a wrong password alike, so the two cannot be told apart."""

    code = "invalid_credentials"
    message = "The credentials are not valid."


class AccountDisabledError(DomainError):
    """Raised after a correct password when the account has been deactivated."""

    code = "account_disabled"
    message = "This account is disabled."


class EmailNotVerifiedError(DomainError):
    """Raised after a correct password when verified email is required and missing."""

    code = "email_not_verified"
    message = "The email address of this account is not verified."


class TooManyAttemptsError(DomainError):
    """Raised when a client or an identifier is throttled; `retry_after_s` says when to try again."""

    code = "too_many_attempts"
    message = "Too many attempts. Try again later."

    def __init__(self, retry_after_s: int) -> None:
        super().__init__()
        self.retry_after_s = max(1, retry_after_s)


class TokenInvalidError(DomainError):
    """Raised for a token that is malformed, forged, unknown, revoked or of the wrong kind."""

    code = "invalid_token"
    message = "The token is not valid."


class TokenExpiredError(TokenInvalidError):
    """Raised for a well-formed token whose lifetime is over."""

    code = "token_expired"
    message = "The token has expired."


class RefreshTokenReusedError(TokenInvalidError):
    """Raised when a used refresh token comes back after the grace window: the session is revoked."""

    code = "refresh_token_reused"
    message = "The refresh token was already used; the session has been ended."


class NotFoundError(DomainError):
    """Raised for a resource that does not exist or does not belong to the caller."""

    code = "not_found"
    message = "The resource was not found."


class SessionNotFoundError(NotFoundError):
    """Raised when a session does not exist or belongs to another user."""

    code = "session_not_found"
    message = "The session was not found."


class TaskNotFoundError(NotFoundError):
    """Raised when a task does not exist or belongs to another user (the two look the same)."""

    code = "task_not_found"
    message = "The task was not found."


class PermissionDeniedError(DomainError):
    """Raised when an authenticated principal lacks the permission an action needs."""

    code = "permission_denied"
    message = "You are not allowed to do this."


class OneTimeTokenInvalidError(DomainError):
    """Raised for a reset or verification token that is unknown, malformed, expired or already used."""

    code = "invalid_or_expired_token"
    message = "The link is invalid or has expired."


class WrongPasswordError(DomainError):
    """Raised when the current password given to confirm a sensitive change is wrong."""

    code = "wrong_password"
    message = "The password is not correct."


class UserNotFoundError(NotFoundError):
    """Raised when an administrator names an account that does not exist."""

    code = "user_not_found"
    message = "The user was not found."


class SelfLockoutError(ConflictError):
    """Raised when an administrator would remove their own admin role or deactivate themselves."""

    code = "self_lockout"
    message = "Administrators cannot remove their own admin role or deactivate themselves."


class WrongCodeError(DomainError):
    """Raised when a second-factor code given to confirm or change two-factor authentication is wrong
    (or was already used)."""

    code = "wrong_code"
    message = "The code is not correct."


class MfaFailedError(InvalidCredentialsError):
    """Raised at the second step of a login for a wrong code, or an `mfa_token` that is unknown,
    expired, used up or out of tries: one answer, so nothing tells them apart."""

    code = "mfa_failed"
    message = "The code or the MFA token is not valid."


class MfaAlreadyEnabledError(ConflictError):
    """Raised when TOTP is set up again while it is on (it must be turned off first)."""

    code = "mfa_already_enabled"
    message = "Two-factor authentication is already on."


class MfaNotEnabledError(ConflictError):
    """Raised when two-factor authentication is changed or confirmed while it is not in that state:
    confirming without a pending setup, turning off or renewing codes while it is off."""

    code = "mfa_not_enabled"
    message = "Two-factor authentication is not in a state that allows this."


class MfaRequiredError(PermissionDeniedError):
    """Raised when a route requires a login with a second factor and the token's `amr` has none."""

    code = "mfa_required"
    message = "This requires a login with a second factor."


class AdminIpNotAllowedError(PermissionDeniedError):
    """Raised when an administration route is called from a client IP outside the ranges that
    BASTION_ADMIN_ALLOWED_IPS allows."""

    code = "admin_ip_not_allowed"
    message = "Administration is not allowed from this address."


class PasskeyRefusedError(DomainError):
    """Raised when a passkey registration is refused: a malformed or unverifiable response, a wrong
    origin, relying party or challenge, an expired or used challenge, or a credential already
    registered."""

    code = "passkey_refused"
    message = "The passkey could not be registered."


class PasskeyLoginFailedError(InvalidCredentialsError):
    """Raised when a passkey assertion is refused (unknown credential, wrong signature, origin or
    challenge, a counter that went backwards, an expired or used challenge): one answer for all."""

    code = "passkey_login_failed"
    message = "The passkey could not be verified."


class PasskeyNotFoundError(NotFoundError):
    """Raised when a passkey id names no passkey of the caller's account."""

    code = "passkey_not_found"
    message = "The passkey was not found."


class TooManyPasskeysError(ConflictError):
    """Raised when an account that has the most passkeys allowed registers another."""

    code = "too_many_passkeys"
    message = "This account has the most passkeys allowed; remove one first."


class ApiKeyNotFoundError(NotFoundError):
    """Raised when a key id names no unrevoked key of the caller's account."""

    code = "api_key_not_found"
    message = "The API key was not found."


class TooManyApiKeysError(ConflictError):
    """Raised when an account that has the most API keys allowed creates another."""

    code = "too_many_api_keys"
    message = "This account has the most API keys allowed; revoke one first."


class InsufficientScopeError(PermissionDeniedError):
    """Raised when a caller authenticated with an API key or a service account's token asks for what
    its scopes do not allow (any account management or administration included)."""

    code = "insufficient_scope"
    message = "The API key does not allow this."


class ServiceAccountNotFoundError(NotFoundError):
    """Raised when an id names no service account (or a deleted one)."""

    code = "service_account_not_found"
    message = "The service account was not found."


class InvalidClientError(DomainError):
    """Raised by the client credentials grant for an unknown client, a deleted one and a wrong
    secret alike (RFC 6749 section 5.2 `invalid_client`), after the same hashing work."""

    code = "invalid_client"
    message = "Client authentication failed."


class InvalidScopeError(DomainError):
    """Raised when a client asks for a scope that is unknown or not granted to it (RFC 6749 section
    5.2 `invalid_scope`)."""

    code = "invalid_scope"
    message = "The requested scope is invalid or not granted to this client."


class IdentityProviderRefusedError(DomainError):
    """Raised when a social login provider refuses the code (expired, replayed, another PKCE verifier)
    or what it returns does not verify (the ID token's signature, `alg`, `iss`, `aud`, `exp`, `iat`,
    `nonce`). `reason` is a short code for the audit and the `#error=` of the redirect."""

    code = "identity_provider_refused"
    message = "The identity provider's answer could not be verified."

    def __init__(self, reason: str) -> None:
        super().__init__()
        self.reason = reason


class UnknownProviderError(NotFoundError):
    """Raised when a social login names a provider that is not configured."""

    code = "provider_not_found"
    message = "The identity provider was not found."


class RedirectNotAllowedError(DomainError):
    """Raised when a social login asks to be sent back to a URL outside the allow-list."""

    code = "redirect_uri_not_allowed"
    message = "The redirect_uri is not allowed."


class OAuthStateInvalidError(DomainError):
    """Raised when a provider's callback carries a `state` no social login started (forged or long
    purged): there is no client to send the browser back to."""

    code = "invalid_state"
    message = "The sign-in could not be matched to a request; start again."


class LoginCodeInvalidError(DomainError):
    """Raised when the one-time code of a social login is unknown, expired or already used."""

    code = "invalid_login_code"
    message = "The sign-in code is invalid or expired."


class IdentityNotFoundError(NotFoundError):
    """Raised when an identity id names no linked identity of the caller's account."""

    code = "identity_not_found"
    message = "The linked identity was not found."


class LastLoginMethodError(ConflictError):
    """Raised when removing a way to log in would leave the account none (no password, no other
    linked identity, no passkey)."""

    code = "last_login_method"
    message = "This is the account's last way to log in; add another one first."
