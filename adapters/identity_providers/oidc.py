"""OidcProvider: any OpenID Connect provider (Google among them), found through its discovery document,
with httpx for the exchanges and joserfc for the ID token."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from adapters.identity_providers.id_token import IdTokenExpectations, check_claims, signed_claims, unverified_header
from adapters.identity_providers.oidc_metadata import MetadataError, ProviderMetadata, parse_metadata
from adapters.identity_providers.provider_http import (
    DEFAULT_TIMEOUT_SECONDS,
    ProviderHttpClient,
    basic_authorization,
    is_allowed_url,
    with_query,
)
from domain.errors import IdentityProviderRefusedError
from domain.ports.clock import Clock
from domain.ports.identity_providers import AuthorizationRequest, CodeRedemption, IdentityProvider, ProviderIdentity

_logger = logging.getLogger("bastion.identity_providers")

SCOPE = "openid email profile"
DISCOVERY_TTL = timedelta(hours=1)
JWKS_TTL = timedelta(hours=1)
# A token signed with a key Bastion does not know refetches the JWKS (the provider rolled its keys
# over), but not more often than this: forged `kid`s must not turn Bastion into a request amplifier.
JWKS_REFETCH_INTERVAL = timedelta(seconds=60)
_REFUSED_CODE_STATUSES = frozenset({400, 401})
_PUBLIC_KEY_TYPES = frozenset({"RSA", "EC", "OKP"})


@dataclass(frozen=True, slots=True, kw_only=True)
class OidcClientRegistration:
    """Bastion's registration as a client of one OpenID Connect provider."""

    # Exactly as the provider's discovery document and ID tokens spell it (e.g. https://accounts.google.com).
    issuer: str
    client_id: str
    client_secret: str


@dataclass(frozen=True, slots=True)
class _Jwks:
    keys: KeySet
    kids: frozenset[str | None]
    fetched_at: datetime

    def serves(self, kid: str | None, now: datetime) -> bool:
        age = now - self.fetched_at
        if age >= JWKS_TTL:
            return False
        return kid is None or kid in self.kids or age < JWKS_REFETCH_INTERVAL


class OidcProvider(ProviderHttpClient, IdentityProvider):
    """The authorization code flow with PKCE (S256) and a nonce against an OpenID Connect provider.

    - The discovery document (`<issuer>/.well-known/openid-configuration`) is read on first use and
      kept `DISCOVERY_TTL`; its issuer must be the configured one exactly, its endpoints https (plain
      http only for an http issuer on a loopback host). The JWKS is kept `JWKS_TTL`, and read again
      for an unknown `kid` at most every `JWKS_REFETCH_INTERVAL` (key rollover).
    - The client authenticates to the token endpoint with HTTP Basic (`client_secret_basic`), or with
      form fields when the provider lists only `client_secret_post`.
    - The ID token must be signed under an asymmetric algorithm the provider announces, by a key of
      its JWKS, for this issuer and client, unexpired (60 s leeway), with the flow's nonce and a
      subject (`id_token.py`). The email comes from the ID token, or else from the userinfo endpoint
      when that answers for the same subject; it counts as verified only when `email_verified` is
      true (or the string "true").
    - A redemption is bounded by `timeout_seconds` as a whole. No answer, a status of 500 or above, an
      unusable discovery document or JWKS: `DependencyUnavailableError`. The code refused (400, 401)
      or a token that does not verify: `IdentityProviderRefusedError`; but a refused client
      authentication (`invalid_client`: the configured secret is wrong) is `DependencyUnavailableError`.
    """

    def __init__(
        self,
        name: str,
        display_name: str,
        registration: OidcClientRegistration,
        clock: Clock,
        *,
        timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS,
    ) -> None:
        """Raises:
        ValueError: the issuer is neither https nor plain http on a loopback host.
        """
        if not is_allowed_url(registration.issuer, allow_loopback_http=True):
            raise ValueError(f"the issuer of {name} must be an https URL")
        super().__init__(name, timeout_seconds)
        self.name, self.display_name = name, display_name
        self._registration, self._clock = registration, clock
        self._metadata: ProviderMetadata | None = None
        self._jwks: _Jwks | None = None
        self._jwks_lock = asyncio.Lock()

    async def authorization_url(self, request: AuthorizationRequest) -> str:
        metadata = await self.bounded(self._discovered())
        parameters = {
            "response_type": "code",
            "client_id": self._registration.client_id,
            "redirect_uri": request.redirect_uri,
            "scope": SCOPE,
            "state": request.state,
            "nonce": request.nonce,
            "code_challenge": request.code_challenge,
            "code_challenge_method": "S256",
        }
        return with_query(metadata.authorization_endpoint, parameters)

    async def redeem(self, redemption: CodeRedemption) -> ProviderIdentity:
        return await self.bounded(self._redeem(redemption))

    async def _redeem(self, redemption: CodeRedemption) -> ProviderIdentity:
        metadata = await self._discovered()
        tokens = await self._tokens(metadata, redemption)
        claims = await self._verified_claims(metadata, tokens["id_token"], redemption.nonce)
        profile = claims if "email" in claims else await self._userinfo(metadata, tokens, claims["sub"])
        email = profile.get("email")
        names = [name for name in (claims.get("name"), profile.get("name")) if isinstance(name, str) and name]
        return ProviderIdentity(
            issuer=self._registration.issuer,
            subject=claims["sub"],
            email=email if isinstance(email, str) and email else None,
            email_verified=isinstance(email, str) and profile.get("email_verified") in (True, "true"),
            name=names[0] if names else None,
        )

    async def _discovered(self) -> ProviderMetadata:
        now = self._clock.now()
        if self._metadata is not None and now - self._metadata.fetched_at < DISCOVERY_TTL:
            return self._metadata
        url = self._registration.issuer.rstrip("/") + "/.well-known/openid-configuration"
        answer = await self.call("discovery", "GET", url, headers={"Accept": "application/json"})
        if answer.status != 200:
            raise self.unavailable("discovery", f"status {answer.status}")
        try:
            metadata = parse_metadata(answer.body, issuer=self._registration.issuer, fetched_at=now)
        except MetadataError as error:
            raise self.unavailable("discovery", str(error)) from None
        self._metadata = metadata
        return metadata

    async def _tokens(self, metadata: ProviderMetadata, redemption: CodeRedemption) -> dict[str, Any]:
        form = {
            "grant_type": "authorization_code",
            "code": redemption.code,
            "redirect_uri": redemption.redirect_uri,
            "code_verifier": redemption.code_verifier,
        }
        headers = {"Accept": "application/json"}
        client_id, client_secret = self._registration.client_id, self._registration.client_secret
        if metadata.post_client_secret:
            form |= {"client_id": client_id, "client_secret": client_secret}
        else:
            headers["Authorization"] = basic_authorization(client_id, client_secret)
        answer = await self.call("token", "POST", metadata.token_endpoint, data=form, headers=headers)
        tokens = answer.json_object()
        if answer.status in _REFUSED_CODE_STATUSES:
            if tokens is not None and tokens.get("error") == "invalid_client":
                # Bastion's credentials, not the user's code: no retry by the user can help.
                raise self.unavailable("token", "client authentication refused (check the client id and secret)")
            # The provider's `error_description` is not logged: it is free text from outside.
            _logger.info("identity provider %s refused the code (status %d)", self.name, answer.status)
            raise IdentityProviderRefusedError("code_refused")
        if answer.status != 200 or tokens is None:
            raise self.unavailable("token", f"status {answer.status}" if tokens is not None else "not JSON")
        if not isinstance(tokens.get("id_token"), str):
            raise IdentityProviderRefusedError("no_id_token")
        return tokens

    async def _verified_claims(self, metadata: ProviderMetadata, id_token: str, nonce: str) -> dict[str, Any]:
        header = unverified_header(id_token)
        if header.get("alg") not in metadata.signing_algorithms:
            raise IdentityProviderRefusedError("unsupported_alg")
        kid = header.get("kid")
        keys = await self._key_set(metadata, kid if isinstance(kid, str) else None)
        claims = signed_claims(id_token, keys, metadata.signing_algorithms)
        expected = IdTokenExpectations(
            issuer=self._registration.issuer, client_id=self._registration.client_id, nonce=nonce, now=self._clock.now()
        )
        check_claims(claims, expected)
        return claims

    async def _key_set(self, metadata: ProviderMetadata, kid: str | None) -> KeySet:
        if self._jwks is not None and self._jwks.serves(kid, self._clock.now()):
            return self._jwks.keys
        # One fetch at a time: the redemptions that wait for it find the fresh set when they get the lock.
        async with self._jwks_lock:
            now = self._clock.now()
            if self._jwks is not None and self._jwks.serves(kid, now):
                return self._jwks.keys
            self._jwks = await self._fetched_jwks(metadata, now)
            return self._jwks.keys

    async def _fetched_jwks(self, metadata: ProviderMetadata, now: datetime) -> _Jwks:
        answer = await self.call("jwks", "GET", metadata.jwks_uri, headers={"Accept": "application/json"})
        document = answer.json_object()
        published = document.get("keys") if document is not None and answer.status == 200 else None
        if not isinstance(published, list):
            raise self.unavailable("jwks", f"status {answer.status}" if document is not None else "not JSON")
        public = [key for key in published if isinstance(key, dict) and key.get("kty") in _PUBLIC_KEY_TYPES]
        try:
            keys = KeySet.import_key_set({"keys": public})
        except (JoseError, ValueError, TypeError):
            raise self.unavailable("jwks", "no usable key") from None
        return _Jwks(keys, frozenset(key.kid for key in keys), now)

    async def _userinfo(self, metadata: ProviderMetadata, tokens: dict[str, Any], subject: str) -> dict[str, Any]:
        access_token = tokens.get("access_token")
        if metadata.userinfo_endpoint is None or not isinstance(access_token, str):
            return {}
        headers = {"Authorization": f"Bearer {access_token}", "Accept": "application/json"}
        answer = await self.call("userinfo", "GET", metadata.userinfo_endpoint, headers=headers)
        profile = answer.json_object()
        if answer.status != 200 or profile is None or profile.get("sub") != subject:
            # OpenID Connect Core 1.0, section 5.3.2: a userinfo answer for another subject must not be used.
            _logger.warning(
                "identity provider %s: userinfo unusable (status %d), no email taken", self.name, answer.status
            )
            return {}
        return profile
