"""The container tests skip only where their tools are missing, and never when CI=true."""

from __future__ import annotations

import pytest

from tests.container.podman import require

MISSING = "bastion-no-such-program"


def test_a_missing_tool_skips_the_container_tests_outside_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "false")
    with pytest.raises(pytest.skip.Exception, match=f"{MISSING} is not installed"):
        require(MISSING)


def test_a_missing_tool_fails_the_container_tests_in_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI=true: the container tests must run"):
        require(MISSING)


def test_a_present_tool_is_found() -> None:
    assert require("sh").endswith("/sh")
