"""`bastion` explains itself: its version, the help of every option and where settings come from."""

from __future__ import annotations

from importlib.metadata import version

import pytest

from entrypoints import cli


def _exit_output(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int | str | None, str, str]:
    with pytest.raises(SystemExit) as exited:
        cli.main(argv)
    out, err = capsys.readouterr()
    return exited.value.code, out, err


def test_version_prints_the_package_version(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _exit_output(["--version"], capsys)
    assert (code, out) == (0, f"bastion {version('bastion')}\n")


@pytest.mark.parametrize("group", sorted(cli.GROUPS))
def test_a_group_alone_prints_its_usage_and_exits_non_zero(group: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _exit_output([group], capsys)
    assert code == 2
    assert err.startswith(f"usage: bastion {group}")
    assert "required" not in err
    assert f"{group}_command" not in err
    assert all(name in err for *words, name in cli.COMMANDS if words == [group])


def test_the_top_level_help_says_where_settings_come_from(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _exit_output(["--help"], capsys)
    assert code == 0
    assert "BASTION_* environment variable" in out
    assert ".env file in the working" in out
    assert '"Settings"' in out


@pytest.mark.parametrize("words", list(cli.COMMANDS), ids=" ".join)
def test_every_option_has_a_help_text_that_shows_its_default(
    words: tuple[str, ...], capsys: pytest.CaptureFixture[str]
) -> None:
    for argument in cli.COMMANDS[words].arguments:
        assert argument.options.get("help"), f"{' '.join(words)} {argument.flags[0]} has no help"
    code, out, _ = _exit_output([*words, "--help"], capsys)
    assert code == 0
    flat = " ".join(out.split())
    for argument in cli.COMMANDS[words].arguments:
        options = argument.options
        if argument.flags[0].startswith("--"):
            shown = "(default:" in options["help"] or "(required)" in options["help"]
            expected = options["help"] if shown else f"{options['help']} (default: {options['default']})"
            assert expected in flat
