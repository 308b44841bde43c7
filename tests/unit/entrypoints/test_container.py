"""The composition root: every HTTP use case comes from its own provider; lifecycles start and stop in order."""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path

import pytest

from adapters.http_client.range_breach_check import RangeBreachCheck
from adapters.no_breach_check import NoBreachCheck
from adapters.sql.migrations.migrate import upgrade_async
from application.errors import DependencyUnavailableError
from application.passwords import NfcPasswordHasher
from entrypoints.container.http import http_handlers
from entrypoints.container.lifecycle import in_memory, production, start, stop
from entrypoints.http.handlers import HttpHandlers
from entrypoints.settings import Settings

SECRET = "container-test-secret-" + "x" * 32


def test_every_http_handler_is_the_use_case_provider_of_the_same_name() -> None:
    use_cases, _ = in_memory(Settings.from_flat(environment="test", secret_key=SECRET))
    handlers = http_handlers(use_cases)
    for field in fields(HttpHandlers):
        assert getattr(handlers, field.name) is getattr(use_cases, field.name), field.name


def test_route_dependencies_are_every_handler_but_the_middlewares_own() -> None:
    use_cases, _ = in_memory(Settings.from_flat(environment="test", secret_key=SECRET))
    dependencies = http_handlers(use_cases).route_dependencies()
    middleware_only = {"throttle_request", "authenticate"}
    assert set(dependencies) == {field.name for field in fields(HttpHandlers)} - middleware_only


async def test_the_memory_service_starts_and_stops_its_outbox_worker() -> None:
    use_cases, adapters = in_memory(Settings.from_flat(environment="test", secret_key=SECRET))
    # The social login providers are the real ones over HTTP (with no provider configured, none).
    assert list(adapters.lifecycle()) == [adapters.identity_providers()]
    assert adapters.identity_providers().providers == ()

    await start(use_cases, adapters)
    worker = use_cases.outbox_worker()
    assert worker.running
    await stop(use_cases, adapters)
    assert not worker.running


async def test_the_webhook_worker_runs_only_when_webhooks_are_on(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'bastion.db'}"
    await upgrade_async(url)
    webhook = {"webhook_url": "https://r.example/", "webhook_secret": "whsec_" + "A" * 32}
    use_cases, adapters = production(Settings.from_flat(environment="test", secret_key=SECRET, database_url=url))
    assert use_cases.webhook_worker() not in list(use_cases.lifecycle())
    assert adapters.webhooks() is None

    use_cases, adapters = production(
        Settings.from_flat(environment="test", secret_key=SECRET, database_url=url, **webhook)
    )
    worker = use_cases.webhook_worker()
    await start(use_cases, adapters)
    assert worker.running
    assert use_cases.outbox_worker().running
    await stop(use_cases, adapters)
    assert not worker.running
    assert adapters.webhooks() is not None


async def test_a_production_service_on_sqlite_releases_its_threads_and_connections_when_stopped(
    tmp_path: Path,
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'bastion.db'}"
    await upgrade_async(url)
    settings = Settings.from_flat(environment="test", secret_key=SECRET, database_url=url)
    use_cases, adapters = production(settings)
    assert list(adapters.lifecycle()) == [
        adapters.hasher(),
        adapters.database(),
        adapters.breached_passwords(),
        adapters.identity_providers(),
        adapters.all_metrics(),
    ]

    await start(use_cases, adapters)
    assert await adapters.uow().ping()
    await stop(use_cases, adapters)

    assert not use_cases.outbox_worker().running
    with pytest.raises(DependencyUnavailableError):
        await adapters.hasher().hash("after the stop")


@pytest.mark.parametrize(("setting", "kind"), [("off", NoBreachCheck), ("range", RangeBreachCheck)])
def test_the_breach_check_is_the_configured_one_and_is_stopped_with_the_service(setting: str, kind: type) -> None:
    settings = Settings.from_flat(environment="test", secret_key=SECRET, password_breach_check=setting)
    _, adapters = production(settings)
    assert isinstance(adapters.breached_passwords(), kind)
    assert adapters.breached_passwords() in list(adapters.lifecycle())


def test_every_use_case_hashes_through_the_nfc_hasher_and_checks_the_shipped_list() -> None:
    use_cases, _ = in_memory(Settings.from_flat(environment="test", secret_key=SECRET))
    assert isinstance(use_cases.hasher(), NfcPasswordHasher)
    assert "Password123!" in use_cases.policies().password.common
    # The HTTP layer reaches hashing only through use cases built with that hasher.
    for name in ("register_user", "register_privately", "log_in", "change_password", "confirm_password_reset"):
        assert getattr(use_cases, name)()._hasher is use_cases.hasher(), name
    assert use_cases.password_confirmation()._hasher is use_cases.hasher()
    assert use_cases.delete_account()._confirmation is use_cases.password_confirmation()
    assert use_cases.change_password()._confirmation is use_cases.password_confirmation()


def test_each_configured_provider_is_built_from_its_settings_and_stopped_with_the_service() -> None:
    settings = Settings.from_flat(
        environment="test",
        secret_key=SECRET,
        oauth_providers="google,github,corp",
        oauth_clients={
            "google": {"client_id": "g", "client_secret": "gs"},
            "github": {"client_id": "h", "client_secret": "hs", "issuer": "https://github.example.org"},
            "corp": {"client_id": "c", "client_secret": "cs", "issuer": "https://sso.example.org"},
        },
        oauth_redirect_allowlist="https://app.example/cb",
    )
    use_cases, adapters = production(settings)
    providers = adapters.identity_providers().providers
    assert [(type(one).__name__, one.name, one.display_name) for one in providers] == [
        ("OidcProvider", "google", "Google"),
        ("GitHubProvider", "github", "GitHub"),
        ("OidcProvider", "corp", "corp"),
    ]
    assert use_cases.provider_directory().callback_url("corp") == "http://localhost:8000/auth/oauth/corp/callback"
    assert adapters.identity_providers() in list(adapters.lifecycle())
