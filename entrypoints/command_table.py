"""A command line declared as a table: each subcommand's words, help line, arguments and handler.

`build_parser` turns the table into an argparse parser whose parsed arguments carry the handler
as `run`. Subcommands are one word (`bastion serve`) or two (`bastion db upgrade`); the first of
two names a group, whose help comes from `groups` and whose chosen word lands in `<group>_command`.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from entrypoints.settings import Settings

Handler = Callable[[Settings, argparse.Namespace], int]
_Subcommands = argparse._SubParsersAction


@dataclass(frozen=True)
class Argument:
    """What `ArgumentParser.add_argument` is given for one argument of a subcommand."""

    flags: tuple[str, ...]
    options: dict[str, Any]


def arg(*flags: str, **options: Any) -> Argument:
    return Argument(flags, options)


@dataclass(frozen=True)
class Command:
    """One subcommand: its help line, the handler that runs it (the exit code) and its arguments."""

    help: str
    run: Handler
    arguments: tuple[Argument, ...] = ()


def _group(
    commands: _Subcommands[argparse.ArgumentParser],
    groups: dict[str, _Subcommands[argparse.ArgumentParser]],
    word: str,
    help_line: str,
) -> _Subcommands[argparse.ArgumentParser]:
    """The subcommands under `word` (`db` of `bastion db upgrade`), added on first use."""
    if word not in groups:
        grouping = commands.add_parser(word, help=help_line)
        groups[word] = grouping.add_subparsers(dest=f"{word}_command", required=True)
    return groups[word]


def build_parser(
    parser: argparse.ArgumentParser, groups: Mapping[str, str], commands: Mapping[tuple[str, ...], Command]
) -> argparse.ArgumentParser:
    """`parser` with a subcommand per row of `commands`, listed in the table's order."""
    top = parser.add_subparsers(dest="command", required=True)
    added: dict[str, _Subcommands[argparse.ArgumentParser]] = {}
    for words, command in commands.items():
        *group, name = words
        where = _group(top, added, group[0], groups[group[0]]) if group else top
        subcommand = where.add_parser(name, help=command.help)
        for argument in command.arguments:
            subcommand.add_argument(*argument.flags, **argument.options)
        subcommand.set_defaults(run=command.run)
    return parser
