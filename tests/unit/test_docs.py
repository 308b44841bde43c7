"""The documentation stays true to the code and self-contained: every setting is documented, and
every link of the README and of docs/ points at a file of this repository that exists."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import msgspec
import pytest

from entrypoints import oauth_settings, settings_groups

ROOT = Path(__file__).resolve().parents[2]
DOCUMENTS = sorted([ROOT / "README.md", ROOT / "bench" / "README.md", *(ROOT / "docs").glob("*.md")])
CONFIGURATION = ROOT / "docs" / "configuration.md"

# [text](target) and [text]: target, the two forms of a Markdown link.
INLINE_LINK = re.compile(r"\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
REFERENCE_LINK = re.compile(r"^\s*\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)", re.MULTILINE)
# A path in code spans or prose that climbs out of the directory it is written in.
CLIMBING_PATH = re.compile(r"(?<![\w.])\.\./[\w./-]+")
EXTERNAL = ("http://", "https://", "mailto:")


# A provider's client: BASTION_OAUTH_<NAME>_CLIENT_ID and so on, gathered into `oauth_clients`.
PROVIDER_VARIABLE = re.compile(r"BASTION_OAUTH_[A-Z0-9_]+_(CLIENT_ID|CLIENT_SECRET|ISSUER)")
COMPOSED = {"BASTION_OAUTH_CLIENTS"}


def setting_groups() -> list[type[msgspec.Struct]]:
    return [
        group
        for module in (settings_groups, oauth_settings)
        for _, group in inspect.getmembers(module, inspect.isclass)
        if issubclass(group, msgspec.Struct)
        and group.__module__ == module.__name__
        and group.__name__.endswith("Settings")
    ]


def setting_variables() -> list[str]:
    """BASTION_<encoded name> of every field of every settings group."""
    every = (
        "BASTION_" + field.encode_name.upper() for group in setting_groups() for field in msgspec.structs.fields(group)
    )
    return sorted(name for name in every if name not in COMPOSED)


def test_the_settings_groups_are_found() -> None:
    assert len(setting_groups()) >= 8
    assert "BASTION_DATABASE_URL" in setting_variables()
    assert "BASTION_SMTP_FROM" in setting_variables()


def test_every_setting_of_the_code_is_in_the_configuration_reference() -> None:
    documented = set(re.findall(r"BASTION_[A-Z0-9_]+", CONFIGURATION.read_text()))
    missing = [name for name in setting_variables() if name not in documented]
    assert not missing, f"docs/configuration.md does not describe {missing}"


def test_every_setting_docstring_names_its_variable() -> None:
    """The docstrings the reference is checked against start with the variable they describe."""
    source = "".join(Path(module.__file__).read_text() for module in (settings_groups, oauth_settings))
    named = set(re.findall(r'"""(BASTION_[A-Z0-9_]+):', source))
    assert named == set(setting_variables())


def test_the_configuration_reference_names_no_setting_the_code_lacks() -> None:
    # BASTION_<NAME>_FILE is the file variant of BASTION_<NAME>.
    documented = {
        name.removesuffix("_FILE") for name in re.findall(r"\bBASTION_[A-Z0-9_]*[A-Z0-9]\b", CONFIGURATION.read_text())
    }
    # Variables of the test suite, not of the service.
    documented -= {"BASTION_TEST_DATABASE_URL", "BASTION_TEST_REDIS_URL"}
    documented = {name for name in documented if not PROVIDER_VARIABLE.fullmatch(name)}
    unknown = sorted(documented - set(setting_variables()))
    assert not unknown, f"docs/configuration.md documents settings the code does not read: {unknown}"


def links(text: str) -> list[str]:
    return [*INLINE_LINK.findall(text), *REFERENCE_LINK.findall(text)]


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda path: str(path.relative_to(ROOT)))
def test_every_link_points_at_a_file_of_the_repository(document: Path) -> None:
    problems: list[str] = []
    for target in links(document.read_text()):
        if target.startswith(EXTERNAL) or target.startswith("#"):
            continue
        path = target.split("#", 1)[0]
        resolved = (document.parent / path).resolve()
        if not resolved.is_relative_to(ROOT):
            problems.append(f"{target}: outside the repository")
        elif not resolved.exists():
            problems.append(f"{target}: no such file")
    assert not problems, f"{document.relative_to(ROOT)}: {problems}"


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda path: str(path.relative_to(ROOT)))
def test_no_document_names_a_path_outside_the_repository(document: Path) -> None:
    outside = [
        path
        for path in CLIMBING_PATH.findall(document.read_text())
        if not (document.parent / path).resolve().is_relative_to(ROOT)
    ]
    assert not outside, f"{document.relative_to(ROOT)} names paths outside the repository: {outside}"


def test_the_link_patterns_find_what_they_must() -> None:
    text = "See [the API](docs/api.md#errors), [x](../shared/API.md) and\n[ref]: ./docs/operations.md\n"
    assert links(text) == ["docs/api.md#errors", "../shared/API.md", "./docs/operations.md"]
    assert CLIMBING_PATH.findall("the contract is `../shared/API.md`.") == ["../shared/API.md"]
