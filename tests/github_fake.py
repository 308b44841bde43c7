"""A GitHub-shaped OAuth 2.0 provider for tests: GitHub Enterprise Server paths under one base URL,
served by Flask in a thread (`LocalWsgiServer`), sharing no code with Bastion.

- `GET /login/oauth/authorize`: auto-approves as `user` for the registered client; needs a PKCE
  challenge (S256) and redirects to `redirect_uri` with `code` and `state`.
- `POST /login/oauth/access_token`: as GitHub, answers 200 with `{"error": ...}` for a wrong client,
  an unknown or used code (codes are single use), another `redirect_uri` or a verifier that does not
  match the challenge; else `{"access_token", "token_type": "bearer", "scope"}`.
- `GET /api/v3/user` and `GET /api/v3/user/emails` with `Authorization: Bearer <token>`: the user
  and `emails` as they are at the call, 401 for an unknown token.
- `running_github_fake()` yields a started `GitHubFake`; `fake.server` has `down()`, `up()`, `delay`
  and `fail(path, status)`; `fake.token_requests` keeps each token request's form.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from flask import Flask, Response, jsonify, redirect, request
from werkzeug.wrappers import Response as BaseResponse

from tests.local_wsgi_server import LocalWsgiServer

CLIENT_ID = "bastion-github-client"
CLIENT_SECRET = "github-client-secret-for-tests"


@dataclass(slots=True)
class GitHubUser:
    id: int = 4242
    login: str = "ada"
    name: str | None = "Ada Lovelace"


@dataclass(slots=True)
class _Grant:
    redirect_uri: str
    code_challenge: str


def s256(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()


@dataclass(slots=True)
class GitHubFake:
    user: GitHubUser = field(default_factory=GitHubUser)
    emails: list[dict[str, Any]] = field(
        default_factory=lambda: [
            {"email": "ada@users.noreply.example", "primary": False, "verified": True, "visibility": None},
            {"email": "ada@example.org", "primary": True, "verified": True, "visibility": "public"},
        ]
    )
    token_requests: list[dict[str, str]] = field(default_factory=list)
    server: LocalWsgiServer = field(init=False)
    _codes: dict[str, _Grant] = field(default_factory=dict)
    _tokens: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.server = LocalWsgiServer(self._app())

    @property
    def url(self) -> str:
        return self.server.url

    def _app(self) -> Flask:
        app = Flask("github_fake")
        app.add_url_rule("/login/oauth/authorize", view_func=self._authorize)
        app.add_url_rule("/login/oauth/access_token", view_func=self._access_token, methods=["POST"])
        app.add_url_rule("/api/v3/user", view_func=self._user)
        app.add_url_rule("/api/v3/user/emails", view_func=self._emails)
        return app

    def _authorize(self) -> BaseResponse:
        query = request.args
        if query.get("client_id") != CLIENT_ID or query.get("code_challenge_method") != "S256":
            return Response("unknown client or no PKCE", status=400)
        if not query.get("code_challenge") or not query.get("redirect_uri"):
            return Response("missing parameters", status=400)
        code = secrets.token_urlsafe(16)
        self._codes[code] = _Grant(query["redirect_uri"], query["code_challenge"])
        return redirect(f"{query['redirect_uri']}?{urlencode({'code': code, 'state': query.get('state', '')})}")

    def _access_token(self) -> Response:
        form = request.form.to_dict()
        self.token_requests.append(form)
        if form.get("client_id") != CLIENT_ID or form.get("client_secret") != CLIENT_SECRET:
            return jsonify(error="incorrect_client_credentials")
        grant = self._codes.pop(form.get("code", ""), None)
        if grant is None or grant.redirect_uri != form.get("redirect_uri"):
            return jsonify(error="bad_verification_code")
        if s256(form.get("code_verifier", "")) != grant.code_challenge:
            return jsonify(error="bad_verification_code", error_description="PKCE verification failed")
        token = "gho_" + secrets.token_urlsafe(24)
        self._tokens.add(token)
        return jsonify(access_token=token, token_type="bearer", scope="read:user,user:email")

    def _authorized(self) -> bool:
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        return scheme.lower() in ("bearer", "token") and token in self._tokens

    def _user(self) -> Response:
        if not self._authorized():
            return Response('{"message": "Bad credentials"}', status=401, content_type="application/json")
        return jsonify(id=self.user.id, login=self.user.login, name=self.user.name)

    def _emails(self) -> Response:
        if not self._authorized():
            return Response('{"message": "Bad credentials"}', status=401, content_type="application/json")
        return jsonify(self.emails)


@contextmanager
def running_github_fake() -> Iterator[GitHubFake]:
    fake = GitHubFake()
    with fake.server:
        yield fake
