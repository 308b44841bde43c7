"""What Bastion reads of an OpenID Connect discovery document (OpenID Connect Discovery 1.0, section 3)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from adapters.identity_providers.provider_http import is_allowed_url, is_loopback_http

# The signature algorithms an ID token may use: asymmetric only. Never `none`, never HS*: an HMAC
# "signature" keyed with the client secret proves nothing about who made the token.
# "Ed25519" is RFC 9864's name for what "EdDSA" names with an Ed25519 key.
ASYMMETRIC_ALGORITHMS = frozenset(
    {"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA", "Ed25519"}
)
# OpenID Connect Discovery 1.0, section 3: RS256 when the provider does not say.
DEFAULT_SIGNING_ALGORITHMS = ("RS256",)
_ENDPOINTS = ("authorization_endpoint", "token_endpoint", "jwks_uri")


class MetadataError(ValueError):
    """The discovery document is unusable; the message says why, and holds no secret."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ProviderMetadata:
    """The endpoints and choices of one provider, as its discovery document states them."""

    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str
    userinfo_endpoint: str | None
    signing_algorithms: frozenset[str]
    # RFC 6749 section 2.3.1: HTTP Basic unless the provider supports only client_secret_post.
    post_client_secret: bool
    fetched_at: datetime


def parse_metadata(document: Any, *, issuer: str, fetched_at: datetime) -> ProviderMetadata:
    """The metadata in `document` (parsed JSON) of the provider whose issuer is `issuer`.

    - `issuer` must match exactly (OpenID Connect Discovery 1.0, section 4.3), so that a document
      served for another provider cannot redirect Bastion's flow there.
    - Every endpoint is https, except when the issuer itself is plain http on a loopback host.
    - At least one asymmetric algorithm in common with `ASYMMETRIC_ALGORITHMS`.

    Raises:
        MetadataError: any of the above does not hold, or the document is not an object.
    """
    if not isinstance(document, dict):
        raise MetadataError("not a JSON object")
    if document.get("issuer") != issuer:
        raise MetadataError("its issuer is not the configured issuer")
    loopback = is_loopback_http(issuer)
    endpoints = {name: _endpoint(document, name, loopback) for name in _ENDPOINTS}
    userinfo = document.get("userinfo_endpoint")
    return ProviderMetadata(
        authorization_endpoint=endpoints["authorization_endpoint"],
        token_endpoint=endpoints["token_endpoint"],
        jwks_uri=endpoints["jwks_uri"],
        userinfo_endpoint=None if userinfo is None else _endpoint(document, "userinfo_endpoint", loopback),
        signing_algorithms=_signing_algorithms(document),
        post_client_secret=_post_client_secret(document),
        fetched_at=fetched_at,
    )


def _endpoint(document: dict[str, Any], name: str, loopback: bool) -> str:
    url = document.get(name)
    if not isinstance(url, str) or not is_allowed_url(url, allow_loopback_http=loopback):
        raise MetadataError(f"{name} is missing or not an https URL")
    return url


def _signing_algorithms(document: dict[str, Any]) -> frozenset[str]:
    supported = document.get("id_token_signing_alg_values_supported", DEFAULT_SIGNING_ALGORITHMS)
    if not isinstance(supported, list | tuple):
        raise MetadataError("id_token_signing_alg_values_supported is not a list")
    algorithms = ASYMMETRIC_ALGORITHMS.intersection(name for name in supported if isinstance(name, str))
    if not algorithms:
        raise MetadataError("the provider signs ID tokens with no asymmetric algorithm")
    return algorithms


def _post_client_secret(document: dict[str, Any]) -> bool:
    methods = document.get("token_endpoint_auth_methods_supported")
    if not isinstance(methods, list):
        return False
    return "client_secret_post" in methods and "client_secret_basic" not in methods
