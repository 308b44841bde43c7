"""IdentifyCaller: the caller behind a request's credential, an access token or an API key."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from application.auth.authenticate import Authenticate, AuthenticateHandler
from application.auth.authenticate_api_key import AuthenticateApiKey, AuthenticateApiKeyHandler
from domain.api_keys import API_KEY_PREFIX
from domain.audit import NO_CONTEXT, RequestContext
from domain.sessions import Access, Principal


@dataclass(frozen=True, slots=True, kw_only=True)
class IdentifyCaller:
    credential: str
    # What the requested use case needs of its caller; None: anything (GET /auth/verify).
    access: Access | None = Access.ACCOUNT
    # Where the request comes from, worked out when needed: for API keys only (their IP ranges and
    # audit trail), and for those only with ranges or a refusal.
    context: Callable[[], RequestContext] = lambda: NO_CONTEXT


def is_api_key(credential: str) -> bool:
    """Whether a credential is presented as an API key (whether it is a valid one is for the check)."""
    return credential.startswith(API_KEY_PREFIX)


class IdentifyCallerHandler:
    """Identify the caller of a request.

    - A credential starting with `bst_` is an API key (`AuthenticateApiKey`): it acts for its owner
      within its scopes, for the task use cases only.
    - Anything else is an access token (`Authenticate`): a login's session, which may use every use
      case its account's roles allow, or a service account, within its token's scopes.
    - Neither reads the database on a request (a key's lookup is cached per process).
    """

    def __init__(self, tokens: AuthenticateHandler, keys: AuthenticateApiKeyHandler) -> None:
        # The access-token check itself, for a caller that already knows the credential is no key
        # (the hottest path of all: it saves building a command and a call).
        self.tokens, self._keys = tokens, keys

    async def handle(self, command: IdentifyCaller) -> Principal:
        if is_api_key(command.credential):
            return await self._keys.handle(
                AuthenticateApiKey(key=command.credential, access=command.access, context=command.context)
            )
        return await self.tokens.handle(Authenticate(access_token=command.credential, access=command.access))
