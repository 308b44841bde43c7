"""Fixtures of the container tests: podman, the local base, and the images built on it, per session."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.container.podman import ROOT, Podman, base_image, build, require

SERVICES = Path(__file__).resolve().parent / "services"
# What the Containerfile copies: a change to any of it builds the image again.
BASTION_SOURCES = ("Containerfile", "pyproject.toml", "uv.lock", "README.md")
BASTION_INPUTS = [ROOT / name for name in (*BASTION_SOURCES, "domain", "application", "adapters", "entrypoints")]


@pytest.fixture(scope="session")
def podman(tmp_path_factory: pytest.TempPathFactory) -> Podman:
    return Podman(require("podman"), tmp_path_factory.mktemp("podman"))


@pytest.fixture(scope="session")
def base(podman: Podman) -> str:
    return base_image(podman)


@pytest.fixture(scope="session")
def bastion_image(podman: Podman, base: str) -> str:
    return build(podman, "bastion-test", ROOT / "Containerfile", inputs=BASTION_INPUTS, base=base)


@pytest.fixture(scope="session")
def service_images(podman: Podman, base: str) -> dict[str, str]:
    """compose.yaml's postgres, redis and mailpit images, made from Debian packages."""
    inputs = [SERVICES]
    return {
        service: build(
            podman, f"bastion-test-{target}", SERVICES / "Containerfile", inputs=inputs, base=base, target=target
        )
        for service, target in (("postgres", "postgres"), ("redis", "redis"), ("mailpit", "mailcatcher"))
    }
