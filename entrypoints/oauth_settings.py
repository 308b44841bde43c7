"""The settings of social login: BASTION_OAUTH_PROVIDERS, the allow-list of client URLs, and each
provider's client (BASTION_OAUTH_<NAME>_CLIENT_ID, _CLIENT_SECRET, _ISSUER), checked at start."""

from __future__ import annotations

from collections.abc import Mapping
from ipaddress import ip_address
from typing import Annotated
from urllib.parse import urlsplit

import msgspec

from domain.identities import PROVIDER_NAME

# The issuers of the providers Bastion knows by name; any other needs BASTION_OAUTH_<NAME>_ISSUER.
KNOWN_ISSUERS = {"google": "https://accounts.google.com"}
GITHUB = "github"
DISPLAY_NAMES = {"google": "Google", "github": "GitHub"}
# Each provider's variables, without BASTION_OAUTH_<NAME>_, in lower case.
CLIENT_FIELDS = ("client_id", "client_secret", "issuer")
MAX_PROVIDERS = 20
# The hosted pages that a sign-in (or a link) may return to.
HOSTED_PAGE_RETURNS = ("/login", "/account")


def _comma_separated(value: str) -> list[str]:
    return [item.strip() for item in value.split(",") if item.strip()]


class OAuthClient(msgspec.Struct, frozen=True, kw_only=True):
    """Bastion's client registration at one provider."""

    client_id: Annotated[str, msgspec.Meta(min_length=1, max_length=512)]
    client_secret: Annotated[str, msgspec.Meta(min_length=1, max_length=1024)]
    # The OpenID Connect issuer; for `github`, a GitHub Enterprise Server URL (unset: github.com).
    issuer: str | None = None


class OAuthSettings(msgspec.Struct, frozen=True, kw_only=True):
    """Social login: the providers offered, their clients, and where clients may be sent back to."""

    providers: str = msgspec.field(default="", name="oauth_providers")
    """BASTION_OAUTH_PROVIDERS: comma-separated provider names (`google`, `github`, or a name of your
    own for any OpenID Connect provider), each configured by BASTION_OAUTH_<NAME>_CLIENT_ID,
    _CLIENT_SECRET and (for a provider of your own) _ISSUER; empty: no social login."""
    redirect_allowlist: str = msgspec.field(default="", name="oauth_redirect_allowlist")
    """BASTION_OAUTH_REDIRECT_ALLOWLIST: comma-separated client URLs a social login may send the browser
    back to (with the one-time code in the fragment), matched exactly."""
    timeout_seconds: Annotated[float, msgspec.Meta(gt=0, le=60)] = msgspec.field(
        default=5.0, name="oauth_timeout_seconds"
    )
    """BASTION_OAUTH_TIMEOUT_SECONDS: how long one exchange with a provider may take before the request
    answers 503."""
    clients: dict[str, OAuthClient] = msgspec.field(default_factory=dict, name="oauth_clients")
    """BASTION_OAUTH_<NAME>_CLIENT_ID, _CLIENT_SECRET, _ISSUER: each listed provider's client, gathered
    from its variables (not a variable of its own)."""

    @property
    def provider_names(self) -> list[str]:
        return _comma_separated(self.providers)

    @property
    def redirect_list(self) -> list[str]:
        return _comma_separated(self.redirect_allowlist)

    def allowed_redirects(self, base_url: str, *, hosted_pages: bool) -> list[str]:
        """The client URLs a sign-in may return to: the allow-list, and with the hosted pages on,
        their own /login and /account pages."""
        pages = [f"{base_url.rstrip('/')}{path}" for path in HOSTED_PAGE_RETURNS] if hosted_pages else []
        return self.redirect_list + pages

    def display_name_of(self, name: str) -> str:
        """What a sign-in button shows: `Google`, `GitHub`, or a provider's own name."""
        return DISPLAY_NAMES.get(name, name)

    def issuer_of(self, name: str) -> str | None:
        """The configured issuer of provider `name`, else the known one (None for github.com)."""
        client = self.clients.get(name)
        return (client.issuer if client is not None else None) or KNOWN_ISSUERS.get(name)


def gather_clients(named: Mapping[str, str]) -> dict[str, dict[str, str]]:
    """The clients' values among the variables `named` (without BASTION_, in lower case): for each
    provider of `oauth_providers`, its `oauth_<name>_client_id` and so on."""
    clients: dict[str, dict[str, str]] = {}
    for name in _comma_separated(named.get("oauth_providers", "")):
        values = {field: named[key] for field in CLIENT_FIELDS if (key := f"oauth_{name}_{field}") in named}
        if values:
            clients[name] = values
    return clients


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ip_address(host).is_loopback
    except ValueError:
        return False


def _url_problem(url: str, *, production: bool) -> str | None:
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        return "is not an absolute http(s) URL"
    if parts.fragment or "#" in url:
        return "must not have a fragment"
    if parts.scheme == "http" and (production or not _is_loopback(parts.hostname)):
        return "must be https (http only for localhost, outside production)"
    return None


def oauth_problem(oauth: OAuthSettings, *, production: bool, hosted_pages: bool = False) -> str | None:
    """What makes the social login settings unusable, if anything. With the hosted pages on, their
    /login and /account pages are allowed client URLs already, so the allow-list may be empty."""
    names = oauth.provider_names
    if len(names) != len(set(names)) or len(names) > MAX_PROVIDERS:
        return f"BASTION_OAUTH_PROVIDERS must list distinct names, at most {MAX_PROVIDERS}"
    for name in names:
        variable = f"BASTION_OAUTH_{name.upper()}"
        if not PROVIDER_NAME.fullmatch(name):
            return f"BASTION_OAUTH_PROVIDERS: {name!r} is not a provider name (a-z, 0-9, _; 32 characters at most)"
        if name not in oauth.clients:
            return f"{variable}_CLIENT_ID and {variable}_CLIENT_SECRET must be set"
        issuer = oauth.issuer_of(name)
        if issuer is None and name != GITHUB:
            return f"{variable}_ISSUER must be set to the provider's OpenID Connect issuer"
        if issuer is not None and (problem := _url_problem(issuer, production=production)):
            return f"{variable}_ISSUER {problem}"
    for url in oauth.redirect_list:
        if problem := _url_problem(url, production=production):
            return f"BASTION_OAUTH_REDIRECT_ALLOWLIST: {url!r} {problem}"
    if names and not oauth.redirect_list and not hosted_pages:
        return "BASTION_OAUTH_REDIRECT_ALLOWLIST must list the client URLs social logins return to"
    return None
