"""The settings of social login: each listed provider's client gathered from its variables (or their
files), the known issuers, and every configuration that must stop the start."""

from __future__ import annotations

from pathlib import Path

import pytest

from entrypoints.oauth_settings import OAuthClient
from entrypoints.settings import Settings, SettingsError, load_settings

SECRET = {"BASTION_SECRET_KEY": "s" * 48}
ALLOW = {"BASTION_OAUTH_REDIRECT_ALLOWLIST": "https://app.example/signed-in, http://localhost:3000/cb"}


def client(name: str, **extra: str) -> dict[str, str]:
    prefix = f"BASTION_OAUTH_{name.upper()}_"
    return {f"{prefix}CLIENT_ID": f"{name}-id", f"{prefix}CLIENT_SECRET": f"{name}-secret", **extra}


def test_each_listed_provider_gets_its_client_and_issuer(tmp_path: Path) -> None:
    secret_file = tmp_path / "github_secret"
    secret_file.write_text("from-a-file\n")
    environ = {
        **SECRET,
        **ALLOW,
        "BASTION_OAUTH_PROVIDERS": "google, github,corp",
        **client("google"),
        "BASTION_OAUTH_GITHUB_CLIENT_ID": "gh-id",
        "BASTION_OAUTH_GITHUB_CLIENT_SECRET_FILE": str(secret_file),
        **client("corp", BASTION_OAUTH_CORP_ISSUER="https://sso.example.org/realms/staff"),
        # Not listed: ignored.
        **client("other"),
    }
    oauth = load_settings(environ, env_file=None).oauth
    assert oauth.provider_names == ["google", "github", "corp"]
    assert oauth.clients["github"] == OAuthClient(client_id="gh-id", client_secret="from-a-file")
    assert "other" not in oauth.clients
    assert oauth.issuer_of("google") == "https://accounts.google.com"
    assert oauth.issuer_of("github") is None
    assert oauth.issuer_of("corp") == "https://sso.example.org/realms/staff"
    assert [oauth.display_name_of(name) for name in oauth.provider_names] == ["Google", "GitHub", "corp"]
    assert oauth.redirect_list == ["https://app.example/signed-in", "http://localhost:3000/cb"]


def test_no_provider_is_the_default_and_needs_nothing() -> None:
    oauth = Settings().oauth
    assert oauth.provider_names == []
    assert oauth.clients == {}


@pytest.mark.parametrize(
    ("environ", "complaint"),
    [
        (
            {"BASTION_OAUTH_PROVIDERS": "google"},
            "BASTION_OAUTH_GOOGLE_CLIENT_ID and BASTION_OAUTH_GOOGLE_CLIENT_SECRET",
        ),
        ({"BASTION_OAUTH_PROVIDERS": "corp", **client("corp")}, "BASTION_OAUTH_CORP_ISSUER must be set"),
        (
            {"BASTION_OAUTH_PROVIDERS": "corp", **client("corp", BASTION_OAUTH_CORP_ISSUER="http://sso.example.org")},
            "BASTION_OAUTH_CORP_ISSUER must be https",
        ),
        ({"BASTION_OAUTH_PROVIDERS": "Google", **client("Google")}, "is not a provider name"),
        ({"BASTION_OAUTH_PROVIDERS": "google,google", **client("google")}, "distinct names"),
        (
            {
                "BASTION_OAUTH_PROVIDERS": "google",
                **client("google"),
                "BASTION_OAUTH_REDIRECT_ALLOWLIST": "",
                "BASTION_HOSTED_PAGES": "false",
            },
            "BASTION_OAUTH_REDIRECT_ALLOWLIST must list",
        ),
        (
            {"BASTION_OAUTH_PROVIDERS": "google", **client("google"), "BASTION_OAUTH_REDIRECT_ALLOWLIST": "app/cb"},
            "is not an absolute http(s) URL",
        ),
        (
            {"BASTION_OAUTH_REDIRECT_ALLOWLIST": "http://app.example/cb"},
            "must be https",
        ),
        (
            {"BASTION_OAUTH_REDIRECT_ALLOWLIST": "https://app.example/cb#frag"},
            "must not have a fragment",
        ),
    ],
)
def test_an_unusable_social_login_configuration_stops_the_start(environ: dict[str, str], complaint: str) -> None:
    with pytest.raises(SettingsError) as raised:
        load_settings({**SECRET, **ALLOW, **environ}, env_file=None)
    assert complaint in str(raised.value)


def test_a_client_without_its_secret_stops_the_start() -> None:
    environ = {**SECRET, **ALLOW, "BASTION_OAUTH_PROVIDERS": "google", "BASTION_OAUTH_GOOGLE_CLIENT_ID": "id"}
    with pytest.raises(SettingsError, match="client_secret"):
        load_settings(environ, env_file=None)


def test_from_flat_takes_a_clients_variables_or_the_whole_client() -> None:
    by_variables = Settings.from_flat(
        oauth_providers="google",
        oauth_google_client_id="id",
        oauth_google_client_secret="secret",
        oauth_redirect_allowlist="https://app.example/cb",
    )
    whole = Settings.from_flat(
        oauth_providers="google",
        oauth_clients={"google": {"client_id": "id", "client_secret": "secret"}},
        oauth_redirect_allowlist="https://app.example/cb",
    )
    assert by_variables.oauth == whole.oauth
    with pytest.raises(TypeError, match="oauth_unknown_client_id"):
        Settings.from_flat(oauth_unknown_client_id="id")


def test_the_hosted_pages_are_allowed_client_urls_of_their_own() -> None:
    environ = {**SECRET, "BASTION_OAUTH_PROVIDERS": "google", **client("google")}
    settings = load_settings({**environ, "BASTION_PUBLIC_URL": "https://auth.example.org"}, env_file=None)
    assert settings.oauth.allowed_redirects(settings.server.base_url, hosted_pages=True) == [
        "https://auth.example.org/login",
        "https://auth.example.org/account",
    ]
    assert settings.oauth.allowed_redirects(settings.server.base_url, hosted_pages=False) == []
