"""compose.yaml and deploy/bastion.env.example: the order of the services, and settings that exist and
that production accepts (tests/container runs them for real where podman is installed)."""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

import yaml
from dotenv import dotenv_values

from entrypoints.settings import FILE_SUFFIX, GROUP_OF, PREFIX, load_settings

ROOT = Path(__file__).resolve().parents[2]


def _compose() -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load((ROOT / "compose.yaml").read_text())
    return document


def _example() -> dict[str, str]:
    return {name: value or "" for name, value in dotenv_values(ROOT / "deploy" / "bastion.env.example").items()}


def test_the_migrations_complete_before_bastion_serves_with_two_workers() -> None:
    services = _compose()["services"]
    assert services["migrate"]["command"] == ["db", "upgrade"]
    assert services["migrate"]["depends_on"]["postgres"] == {"condition": "service_healthy"}
    assert services["bastion"]["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}
    command = services["bastion"]["command"]
    assert command[0] == "serve"
    assert command[command.index("--workers") + 1] == "2"


def test_secrets_are_files_and_reach_bastion_only_as_file_settings() -> None:
    compose = _compose()
    assert all(set(secret) == {"file"} for secret in compose["secrets"].values())
    environment = compose["services"]["bastion"]["environment"]
    assert environment["BASTION_SECRET_KEY_FILE"] == "/run/secrets/secret_key"
    assert environment["BASTION_DATABASE_URL_FILE"] == "/run/secrets/database_url"
    assert set(compose["services"]["bastion"]["secrets"]) == {"secret_key", "database_url"}
    assert "BASTION_SECRET_KEY" not in _example()


def test_every_variable_of_the_compose_files_is_a_setting() -> None:
    names = [*_compose()["services"]["bastion"]["environment"], *_example()]
    unknown = [
        name for name in names if name.removeprefix(PREFIX).lower().removesuffix(FILE_SUFFIX.lower()) not in GROUP_OF
    ]
    assert not unknown


def test_production_accepts_the_example_with_the_compose_environment_and_two_workers(tmp_path: Path) -> None:
    environment = {**_compose()["services"]["bastion"]["environment"], **_example()}
    for variable in ("BASTION_SECRET_KEY_FILE", "BASTION_DATABASE_URL_FILE"):
        environment[variable] = str(tmp_path / variable)
    (tmp_path / "BASTION_SECRET_KEY_FILE").write_text(secrets.token_urlsafe(48) + "\n")
    (tmp_path / "BASTION_DATABASE_URL_FILE").write_text("postgresql+asyncpg://bastion:pw@postgres:5432/bastion\n")
    settings = load_settings(environment, env_file=None, workers=2)
    assert settings.server.is_production
    assert settings.database.url.startswith("postgresql+asyncpg://")
    assert settings.mail.host == "mailpit"


def test_the_build_context_holds_only_the_packages_and_the_project_files() -> None:
    ignored = (ROOT / ".containerignore").read_text()
    patterns = [line for line in ignored.splitlines() if line and not line.startswith("#")]
    assert patterns[0] == "*"  # everything is left out but what is listed after it
    listed = {pattern.removeprefix("!") for pattern in patterns if pattern.startswith("!")}
    assert listed == {"pyproject.toml", "uv.lock", "README.md", "domain/", "application/", "adapters/", "entrypoints/"}
    assert (ROOT / ".dockerignore").read_text() == ignored  # Docker reads the other name
