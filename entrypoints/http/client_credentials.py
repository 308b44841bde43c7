"""Reading the client credentials grant off a token request (RFC 6749 sections 2.3.1, 4.4 and 5.2).

The client authenticates with HTTP Basic (`client_secret_basic`: its id and secret, each
form-urlencoded, joined by `:`) or with the form fields `client_id` and `client_secret`
(`client_secret_post`), never both. Errors are problem documents that also carry the OAuth2
`error` code, so OAuth2 client libraries understand them.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any
from urllib.parse import unquote_plus

from litestar import Request

from application.service_accounts.issue_service_token import IssueServiceToken
from domain.errors import InvalidClientError
from entrypoints.http.bodies import decode_form
from entrypoints.http.client_ip import request_context
from entrypoints.http.problems import problem
from entrypoints.http.service_account_schemas import ClientCredentialsForm

CLIENT_CREDENTIALS = "client_credentials"
# The grants POST /token serves: the password grant (also without `grant_type`, as before) and this one.
TOKEN_GRANTS = frozenset({"password", CLIENT_CREDENTIALS})
# Longer Basic credentials are refused before they are decoded.
_MAX_BASIC_LENGTH = 1024


def oauth_error(status: int, error: str, title: str) -> Exception:
    """A problem document carrying the OAuth2 `error` code (RFC 6749 section 5.2)."""
    return problem(status, error, title, extra={"error": error})


def unsupported_grant() -> Exception:
    return oauth_error(400, "unsupported_grant_type", "The grant type is not supported.")


async def client_credentials_command(request: Request[Any, Any, Any]) -> IssueServiceToken:
    """The grant's command from the request's form and `Authorization` header. Without client
    authentication, or with malformed Basic credentials, its `client_id` is empty: the use case
    refuses it (401 `invalid_client`) and counts it with every other grant.

    Raises:
        ProblemDetailsException: both methods at once (400 `invalid_request`), a malformed form (422).
    """
    form = await decode_form(request, ClientCredentialsForm)
    context = request_context(request)
    try:
        basic = _basic_credentials(request.headers.get("authorization"))
    except InvalidClientError:
        return IssueServiceToken(client_id="", client_secret="", scope=form.scope, context=context)
    # A parameter without a value counts as omitted (RFC 6749 section 3.2).
    posted_id, posted_secret = form.client_id or None, form.client_secret or None
    if basic is not None and (posted_id is not None or posted_secret is not None):
        raise oauth_error(400, "invalid_request", "Authenticate the client by one method only.")
    if basic is not None:
        client_id, client_secret = basic
    elif posted_id is not None and posted_secret is not None:
        client_id, client_secret = posted_id, posted_secret
    else:
        client_id, client_secret = "", ""
    return IssueServiceToken(client_id=client_id, client_secret=client_secret, scope=form.scope, context=context)


def _basic_credentials(header: str | None) -> tuple[str, str] | None:
    """The client id and secret of an `Authorization: Basic` header; None without such a header.

    Raises:
        InvalidClientError: the header is not Basic or its credentials are malformed.
    """
    if header is None:
        return None
    scheme, _, encoded = header.partition(" ")
    if scheme.lower() != "basic" or len(encoded) > _MAX_BASIC_LENGTH:
        raise InvalidClientError
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        raise InvalidClientError from None
    client_id, colon, client_secret = decoded.partition(":")
    if not colon:
        raise InvalidClientError
    return unquote_plus(client_id), unquote_plus(client_secret)
