"""The vendored assets of the interactive docs are the files their README and SHA256SUMS describe."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from entrypoints.http.api_docs import ASSETS_DIRECTORY, SCALAR, SWAGGER_UI

SUMS = ASSETS_DIRECTORY / "SHA256SUMS"
README = ASSETS_DIRECTORY / "README.md"
# What a package directory may hold besides the files SHA256SUMS lists.
LICENCE_FILES = {"LICENSE", "NOTICE"}


def recorded_sums() -> dict[str, str]:
    """SHA256SUMS as {relative path: hex digest} (the `sha256sum` format: digest, two spaces, path)."""
    sums = {}
    for line in SUMS.read_text().splitlines():
        digest, path = line.split("  ", 1)
        sums[path] = digest
    return sums


@pytest.mark.parametrize(("path", "digest"), recorded_sums().items())
def test_a_vendored_file_has_its_recorded_sha256(path: str, digest: str) -> None:
    assert hashlib.sha256((ASSETS_DIRECTORY / path).read_bytes()).hexdigest() == digest


@pytest.mark.parametrize("package", [SCALAR, SWAGGER_UI])
def test_every_file_of_a_package_directory_is_recorded_or_a_licence(package: str) -> None:
    directory = ASSETS_DIRECTORY / package
    assert (directory / "LICENSE").is_file()
    recorded = {Path(path).name for path in recorded_sums() if str(Path(path).parent) == package}
    assert recorded
    for file in directory.iterdir():
        assert file.name in recorded or file.name in LICENCE_FILES or file.name.endswith(".LICENSE.txt"), file


@pytest.mark.parametrize("package", [SCALAR, SWAGGER_UI])
def test_the_readme_names_the_served_versions(package: str) -> None:
    assert f"`{package}/`" in README.read_text()
