"""The command table: a row per subcommand becomes an argparse subcommand that carries its handler."""

from __future__ import annotations

import argparse

import pytest

from entrypoints import cli
from entrypoints.command_table import Command, arg, build_parser, parse
from entrypoints.settings import Settings


def _ping(settings: Settings, args: argparse.Namespace) -> int:
    return int(args.count)


def _pong(settings: Settings, args: argparse.Namespace) -> int:
    return 7


GROUPS = {"net": "network tools"}
COMMANDS = {
    ("ping",): Command("send a ping", _ping, (arg("--count", type=int, default=3, help="how many"),)),
    ("net", "pong"): Command("answer a ping", _pong),
}


def _parser() -> argparse.ArgumentParser:
    return build_parser(argparse.ArgumentParser(prog="tool"), GROUPS, COMMANDS)


def test_a_row_becomes_a_subcommand_with_its_arguments_and_handler() -> None:
    args = _parser().parse_args(["ping", "--count", "5"])
    assert (args.command, args.run, args.count) == ("ping", _ping, 5)
    assert args.run(Settings(), args) == 5


def test_two_words_make_a_group_whose_choice_is_named_after_it() -> None:
    args = _parser().parse_args(["net", "pong"])
    assert (args.command, args.net_command, args.run) == ("net", "pong", _pong)


@pytest.mark.parametrize("argv", [["net"], []], ids=["group", "nothing"])
def test_a_group_without_its_subcommand_prints_its_help_and_is_refused(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        parse(_parser(), argv)
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("usage: tool")
    assert ("answer a ping" if argv else "network tools") in err
    assert "required" not in err
    assert "_command" not in err


def test_help_shows_the_defaults_of_options(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        parse(_parser(), ["ping", "--help"])
    assert "(default: 3)" in capsys.readouterr().out


def test_help_lists_the_rows_in_table_order_with_their_help(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        _parser().parse_args(["--help"])
    out = capsys.readouterr().out
    assert "{ping,net}" in out
    assert out.index("send a ping") < out.index("network tools")


def test_bastions_table_offers_every_documented_command() -> None:
    assert list(cli.COMMANDS) == [
        ("serve",),
        ("db", "upgrade"),
        ("create-admin",),
        ("users", "list"),
        ("users", "set-role"),
        ("users", "deactivate"),
        ("users", "activate"),
        ("users", "reset-mfa"),
        ("api-keys", "list"),
        ("api-keys", "revoke"),
        ("service-accounts", "list"),
        ("service-accounts", "create"),
        ("service-accounts", "delete"),
        ("service-accounts", "rotate-secret"),
        ("keys", "generate"),
        ("keys", "rotate"),
        ("hash", "calibrate"),
    ]
