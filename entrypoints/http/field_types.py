"""The types of request fields, with the rules the OpenAPI document states for them.

msgspec enforces only generous size caps at the edge. The exact rules are the domain's, which
reports every broken rule of a request at once (a decoder stops at the first); `_rules` states them
in the OpenAPI schema alone, with the bounds of the default settings.
"""

from __future__ import annotations

from typing import Annotated

import msgspec

from domain.account_values import EMAIL_MAX_LENGTH, FULL_NAME_MAX_LENGTH
from domain.accounts import Role
from domain.api_keys import API_KEY_NAME_MAX_LENGTH, Scope
from domain.passkeys import PASSKEY_NAME_MAX_LENGTH
from domain.tasks import DESCRIPTION_MAX_LENGTH, TITLE_MAX_LENGTH


def _rules(description: str, **json_schema: object) -> msgspec.Meta:
    """`description` and JSON Schema keywords for the OpenAPI schema only (Litestar's `extra`)."""
    return msgspec.Meta(extra_json_schema={"description": description, "extra": json_schema})


# No NUL, C0/C1 control characters, line or paragraph separators (and, in names, bidi controls).
_CONTROL = r"\x00-\x1f\x7f-\x9f\u2028\u2029"
_BIDI = r"\u200e\u200f\u202a-\u202e\u2066-\u2069"
_EMAIL_LOCAL = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
_EMAIL_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"

# Looked up as given: any text (an unknown address answers like a wrong password, or 202).
Email = Annotated[str, msgspec.Meta(max_length=320, description="Email address (case-insensitive)")]
NewEmail = Annotated[
    str,
    msgspec.Meta(max_length=320),
    _rules(
        "Email address, compared case-insensitively: ASCII, a local part of at most 64 characters "
        "(letters, digits and !#$%&'*+/=?^_`{|}~- in dot-separated runs), and a domain of at least two labels.",
        maxLength=EMAIL_MAX_LENGTH,
        pattern=rf"^(?=[^@]{{1,64}}@){_EMAIL_LOCAL}@{_EMAIL_LABEL}(?:\.{_EMAIL_LABEL})+$",
    ),
]
Username = Annotated[
    str,
    msgspec.Meta(max_length=64),
    _rules(
        "3 to 50 letters, digits, `_` or `-`; unique, compared case-insensitively.",
        minLength=3,
        maxLength=50,
        pattern=r"^[A-Za-z0-9_-]{3,50}$",
    ),
]
# A login names the account by `email` when it is given at all, so an empty one is refused (422).
LogInEmail = Annotated[str, msgspec.Meta(max_length=320), _rules("The account's email address", minLength=1)]
Identifier = Annotated[str, msgspec.Meta(max_length=320, description="An email address or a username")]
Password = Annotated[str, msgspec.Meta(max_length=4096, description="The account's current password")]
NewPassword = Annotated[
    str,
    msgspec.Meta(max_length=4096),
    _rules(
        "By default 8 to 128 characters with an upper-case letter, a lower-case letter, a digit and a character "
        "that is neither a letter nor a digit; no NUL. BASTION_PASSWORD_MIN_LENGTH, BASTION_PASSWORD_MAX_LENGTH "
        "and BASTION_PASSWORD_REQUIRE_* change these rules. A violation answers 422 with one `errors` entry per "
        "broken rule.",
        minLength=8,
        maxLength=128,
    ),
]
DeviceToken = Annotated[
    str,
    msgspec.Meta(
        description="The `device_token` of an earlier successful login on this device: a login presenting it is "
        "judged by its own failure count, so a locked identifier does not lock out a device that logged in before."
    ),
]
# Not length-capped here: a token of the wrong length is an invalid token (400 or 401), which the
# use cases decide; the body size limit caps it anyway.
OpaqueToken = str
FullName = Annotated[
    str,
    msgspec.Meta(max_length=1000),
    _rules(
        "Display name: at most 100 characters once trimmed, without control or bidi control characters; "
        "blank means none.",
        maxLength=FULL_NAME_MAX_LENGTH,
        pattern=rf"^[^{_CONTROL}{_BIDI}]*$",
    ),
]

PasskeyName = Annotated[
    str,
    msgspec.Meta(max_length=1000),
    _rules(
        f"At most {PASSKEY_NAME_MAX_LENGTH} characters once trimmed, without control characters; "
        "blank means `Passkey`.",
        maxLength=PASSKEY_NAME_MAX_LENGTH,
        pattern=rf"^[^{_CONTROL}]*$",
    ),
]

ApiKeyName = Annotated[
    str,
    msgspec.Meta(max_length=1000),
    _rules(
        f"1 to {API_KEY_NAME_MAX_LENGTH} characters once trimmed, without control characters.",
        minLength=1,
        maxLength=API_KEY_NAME_MAX_LENGTH,
        pattern=rf"^[^{_CONTROL}]*[^\s{_CONTROL}][^{_CONTROL}]*$",
    ),
]
ScopeList = Annotated[
    list[Annotated[str, msgspec.Meta(max_length=32)]],
    msgspec.Meta(max_length=8),
    _rules(
        "What the key may do: `tasks:read` (GET of the task routes), `tasks:write` (the rest).",
        minItems=1,
        items={"type": "string", "enum": [scope.value for scope in Scope]},
    ),
]

_TEXT_CHARACTER = rf"[^{_CONTROL}]"
TaskTitle = Annotated[
    str,
    msgspec.Meta(max_length=1000),
    _rules(
        f"1 to {TITLE_MAX_LENGTH} characters once surrounding white space is trimmed, without control characters.",
        maxLength=TITLE_MAX_LENGTH,
        pattern=rf"^\s*[^\s{_CONTROL}](?:{_TEXT_CHARACTER}*[^\s{_CONTROL}])?\s*$",
    ),
]
TaskDescription = Annotated[
    str,
    msgspec.Meta(max_length=20_000),
    _rules(
        f"At most {DESCRIPTION_MAX_LENGTH} characters, without NUL.",
        maxLength=DESCRIPTION_MAX_LENGTH,
        pattern=r"^[^\x00]*$",
    ),
]
RoleList = Annotated[
    list[Annotated[str, msgspec.Meta(max_length=32)]],
    msgspec.Meta(max_length=8),
    _rules("The user's roles", items={"type": "string", "enum": [role.value for role in Role]}),
]

MfaCode = Annotated[
    str,
    msgspec.Meta(
        max_length=64,
        description="A current TOTP code (6 digits) or an unused recovery code (`xxxx-xxxx-xxxx`); "
        "anything else is simply a wrong code",
    ),
]
