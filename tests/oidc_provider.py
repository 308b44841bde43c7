"""A real OpenID Connect provider for tests, built on Authlib's authorization server (Flask) and served
by werkzeug in a thread on a free port of 127.0.0.1 (`LocalWsgiServer`). It shares no code with Bastion.

- `running_oidc_provider()` yields a started `LocalOidcProvider`; its `issuer` is its base URL.
- Endpoints: `/.well-known/openid-configuration`, `/authorize` (auto-approves as `user` and redirects
  to `redirect_uri` with `code` and `state`), `/token` (authorization code grant, PKCE S256 required,
  client authentication `client_secret_basic`, or `client_secret_post` with `use_client_secret_post()`;
  codes are single use and bound to the verifier), `/userinfo` (bearer token), `/jwks`.
- Knobs: `user` (sub, email, email_verified, name); `email_in_id_token`; `userinfo_sub`; `discovery`
  (members that override the discovery document); `id_token_claims` (claims that override the ID
  token's, e.g. `{"nonce": "other"}`, `{"exp": <past>}`), `id_token_drop` (claims removed);
  `id_token_signing`: "published" (default), "unpublished" (a key not in the JWKS, same `kid`),
  "none" (`alg: none`), "client_secret" (HS256 keyed with the client secret); `rotate_keys(alg)`
  publishes a new key (RS*, PS*, ES*, EdDSA) and signs with it; discovery announces the algorithms of
  the published keys.
- Outages: `provider.server.down()` closes the port (`up()` reopens it), `provider.server.delay = 2.0`
  makes every answer late, `provider.server.fail(path, status)` answers `path` with `status` and no body.
- Records: `token_requests` (each token request's form, and its Authorization header as
  `authorization`), `codes_challenged` (the PKCE challenge of each code issued).
- `follow_authorization(url)` (from `tests.local_wsgi_server`) is the browser's hop.
"""

from __future__ import annotations

import base64
import functools
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from typing import Any

from authlib.integrations.flask_oauth2 import AuthorizationServer, ResourceProtector
from authlib.oauth2 import OAuth2Error
from authlib.oauth2.rfc6749 import InvalidRequestError, grants
from authlib.oauth2.rfc6750 import BearerTokenValidator
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oidc.core import OpenIDCode, UserInfo, UserInfoEndpoint
from flask import Flask, Response, jsonify, request
from joserfc import jwt
from joserfc.jwk import ECKey, Key, KeyParameters, OctKey, OKPKey, RSAKey

from tests.local_wsgi_server import LocalWsgiServer
from tests.oidc_provider_records import (
    CLIENT_SECRET,
    SCOPE,
    IssuedCode,
    IssuedToken,
    OidcUser,
    RegisteredClient,
    user_info,
)


def _signing_key(kid: str, algorithm: str = "RS256") -> Key:
    parameters: KeyParameters = {"kid": kid, "use": "sig", "alg": algorithm}
    if algorithm.startswith(("RS", "PS")):
        return RSAKey.generate_key(2048, parameters=parameters)
    if algorithm == "EdDSA":
        return OKPKey.generate_key("Ed25519", parameters=parameters)
    return ECKey.generate_key({"ES256": "P-256", "ES384": "P-384", "ES512": "P-521"}[algorithm], parameters=parameters)


@functools.cache
def _first_keys() -> tuple[Key, Key]:
    # Generating RSA keys takes a while; every provider of a test run starts with the same two. The
    # second has the first's `kid` but is never published.
    return _signing_key("key-1"), _signing_key("key-1")


class LocalOidcProvider:
    def __init__(self) -> None:
        self.user = OidcUser()
        self.email_in_id_token = True
        self.userinfo_sub: str | None = None
        self.discovery: dict[str, Any] = {}
        self.id_token_claims: dict[str, Any] = {}
        self.id_token_drop: set[str] = set()
        self.id_token_signing = "published"
        self.token_requests: list[dict[str, str]] = []
        self.client = RegisteredClient()
        published, self._unpublished = _first_keys()
        self.keys = [published]
        self.codes: dict[str, IssuedCode] = {}
        self.codes_challenged: list[str] = []
        self.tokens: dict[str, IssuedToken] = {}
        self.server = LocalWsgiServer(self._app())

    @property
    def issuer(self) -> str:
        return self.server.url

    @property
    def signing_key(self) -> Key:
        return self.keys[-1]

    @property
    def signing_algorithm(self) -> str:
        return str(self.signing_key.get("alg"))

    def rotate_keys(self, algorithm: str = "RS256") -> None:
        """Publish a new key (for `algorithm`) next to the old ones and sign with it from now on."""
        self.keys.append(_signing_key(f"key-{len(self.keys) + 1}", algorithm))

    def use_client_secret_post(self) -> None:
        self.client.auth_method = "client_secret_post"
        self.discovery["token_endpoint_auth_methods_supported"] = ["client_secret_post"]

    def discovery_document(self) -> dict[str, Any]:
        return {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "userinfo_endpoint": f"{self.issuer}/userinfo",
            "jwks_uri": f"{self.issuer}/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": sorted({str(key.get("alg")) for key in self.keys}),
            "scopes_supported": SCOPE.split(),
            "token_endpoint_auth_methods_supported": [self.client.auth_method],
            "code_challenge_methods_supported": ["S256"],
            **self.discovery,
        }

    def tampered(self, id_token: str) -> str:
        """`id_token` as the knobs make it: claims overridden or dropped, signed another way."""
        if not self.id_token_claims and not self.id_token_drop and self.id_token_signing == "published":
            return id_token
        payload = id_token.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        claims = {name: value for name, value in claims.items() if name not in self.id_token_drop}
        claims |= self.id_token_claims
        if self.id_token_signing == "none":
            header = base64.urlsafe_b64encode(b'{"alg":"none","typ":"JWT"}').rstrip(b"=").decode()
            body = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
            return f"{header}.{body}."
        if self.id_token_signing == "client_secret":
            secret = OctKey.import_key(CLIENT_SECRET)
            return jwt.encode({"alg": "HS256", "kid": self.signing_key.kid}, claims, secret, algorithms=["HS256"])
        key = self._unpublished if self.id_token_signing == "unpublished" else self.signing_key
        algorithm = str(key.get("alg"))
        return jwt.encode({"alg": algorithm, "kid": key.kid}, claims, key, algorithms=[algorithm])

    def _app(self) -> Flask:
        app = Flask("oidc_provider")
        server = AuthorizationServer(app, query_client=self._query_client, save_token=self._save_token)
        server.register_grant(_CodeGrant.bound_to(self), [_OpenIDCode(self), _StrictCodeChallenge(required=True)])
        protector = ResourceProtector()
        protector.register_token_validator(_BearerValidator(self))
        server.register_endpoint(_UserInfo(self, resource_protector=protector))

        @app.get("/.well-known/openid-configuration")
        def discovery() -> Response:
            return jsonify(self.discovery_document())

        @app.get("/jwks")
        def jwks() -> Response:
            return jsonify(keys=[key.as_dict(private=False) for key in self.keys])

        @app.get("/authorize")
        def authorize() -> Response:
            user = replace(self.user)
            try:
                grant = server.get_consent_grant(end_user=user)
            except OAuth2Error as error:
                return server.handle_error_response(None, error)  # type: ignore[no-any-return]
            return server.create_authorization_response(grant_user=user, grant=grant)  # type: ignore[no-any-return]

        @app.post("/token")
        def token() -> Response:
            self.token_requests.append(
                {**request.form.to_dict(), "authorization": request.headers.get("Authorization", "")}
            )
            return server.create_token_response()  # type: ignore[no-any-return]

        @app.route("/userinfo", methods=["GET", "POST"])
        def userinfo() -> Response:
            return server.create_endpoint_response("userinfo")  # type: ignore[no-any-return]

        return app

    def _query_client(self, client_id: str) -> RegisteredClient | None:
        return self.client if client_id == self.client.client_id else None

    def _save_token(self, token: dict[str, Any], oauth_request: Any) -> None:
        self.tokens[token["access_token"]] = IssuedToken(
            token["access_token"], token["scope"], oauth_request.user, oauth_request.client
        )


class _CodeGrant(grants.AuthorizationCodeGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic", "client_secret_post"]
    provider: LocalOidcProvider

    @classmethod
    def bound_to(cls, provider: LocalOidcProvider) -> type[_CodeGrant]:
        return type("BoundCodeGrant", (cls,), {"provider": provider})

    def save_authorization_code(self, code: str, oauth_request: Any) -> None:
        payload = oauth_request.payload
        self.provider.codes_challenged.append(payload.data.get("code_challenge"))
        self.provider.codes[code] = IssuedCode(
            code=code,
            redirect_uri=payload.redirect_uri,
            scope=payload.scope,
            nonce=payload.data.get("nonce"),
            code_challenge=payload.data.get("code_challenge"),
            code_challenge_method=payload.data.get("code_challenge_method"),
            user=oauth_request.user,
        )

    def query_authorization_code(self, code: str, client: RegisteredClient) -> IssuedCode | None:
        return self.provider.codes.get(code)

    def delete_authorization_code(self, authorization_code: IssuedCode) -> None:
        self.provider.codes.pop(authorization_code.code, None)

    def authenticate_user(self, authorization_code: IssuedCode) -> OidcUser:
        return authorization_code.user


class _OpenIDCode(OpenIDCode):
    def __init__(self, provider: LocalOidcProvider) -> None:
        super().__init__(require_nonce=True)
        self.provider = provider

    def exists_nonce(self, nonce: str, oauth_request: Any) -> bool:
        return any(code.nonce == nonce for code in self.provider.codes.values())

    def resolve_client_private_key(self, client: RegisteredClient) -> Key:
        return self.provider.signing_key

    def get_client_algorithm(self, client: RegisteredClient) -> str:
        return self.provider.signing_algorithm

    def get_client_claims(self, client: RegisteredClient) -> dict[str, Any]:
        return {"iss": self.provider.issuer, "aud": [client.client_id]}

    def get_encode_header(self, client: RegisteredClient) -> dict[str, Any]:
        return {"alg": self.provider.signing_algorithm, "kid": self.provider.signing_key.kid}

    def generate_user_info(self, user: OidcUser, scope: str) -> UserInfo:
        return user_info(user, with_email=self.provider.email_in_id_token)

    def process_token(self, grant: Any, response: Any) -> dict[str, Any]:
        token: dict[str, Any] = super().process_token(grant, response)
        if "id_token" in token:
            token["id_token"] = self.provider.tampered(token["id_token"])
        return token


class _StrictCodeChallenge(CodeChallenge):
    # Authlib requires PKCE of public clients only; this provider requires S256 of every client.
    SUPPORTED_CODE_CHALLENGE_METHOD = ["S256"]

    def validate_code_challenge(self, grant: Any, redirect_uri: str) -> None:
        if not grant.request.payload.data.get("code_challenge"):
            raise InvalidRequestError("Missing 'code_challenge'", redirect_uri=redirect_uri)
        super().validate_code_challenge(grant, redirect_uri)


class _BearerValidator(BearerTokenValidator):
    def __init__(self, provider: LocalOidcProvider) -> None:
        super().__init__()
        self.provider = provider

    def authenticate_token(self, token_string: str) -> IssuedToken | None:
        return self.provider.tokens.get(token_string)


class _UserInfo(UserInfoEndpoint):
    def __init__(self, provider: LocalOidcProvider, **options: Any) -> None:
        super().__init__(**options)
        self.provider = provider

    def generate_user_info(self, user: OidcUser, scope: str) -> UserInfo:
        info = user_info(user)
        if self.provider.userinfo_sub is not None:
            info["sub"] = self.provider.userinfo_sub
        return info

    def get_issuer(self) -> str:
        return self.provider.issuer


@contextmanager
def running_oidc_provider() -> Iterator[LocalOidcProvider]:
    provider = LocalOidcProvider()
    with provider.server:
        yield provider
