"""A command line declared as a table: each subcommand's words, help line, arguments and handler.

`build_parser` turns the table into an argparse parser whose parsed arguments carry the handler
as `run`. Subcommands are one word (`bastion serve`) or two (`bastion db upgrade`); the first of
two names a group, whose help comes from `groups` and whose chosen word lands in `<group>_command`.
`parse` reads a command line with it: a group named without its subcommand (or no command at all)
prints that group's help and exits 2. Every help shows the defaults of its options.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from entrypoints.settings import Settings

Handler = Callable[[Settings, argparse.Namespace], int]
_Subcommands = argparse._SubParsersAction


class _Format(argparse.ArgumentDefaultsHelpFormatter):
    """Help lines ending in the option's default, except where there is none to show (a required
    option, a flag, no value): those say it in their help text."""

    def _get_help_string(self, action: argparse.Action) -> str | None:
        if action.required or action.default is None or action.default is False:
            return action.help
        return super()._get_help_string(action)


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
        grouping = commands.add_parser(word, help=help_line, description=help_line, formatter_class=_Format)
        groups[word] = _subcommands(grouping, f"{word}_command")
    return groups[word]


def _subcommands(parser: argparse.ArgumentParser, dest: str) -> _Subcommands[argparse.ArgumentParser]:
    """Subcommands of `parser`; naming none leaves `parser` as `usage` for `parse` to print."""
    parser.set_defaults(run=None, usage=parser)
    return parser.add_subparsers(dest=dest)


def build_parser(
    parser: argparse.ArgumentParser, groups: Mapping[str, str], commands: Mapping[tuple[str, ...], Command]
) -> argparse.ArgumentParser:
    """`parser` with a subcommand per row of `commands`, listed in the table's order."""
    top = _subcommands(parser, "command")
    added: dict[str, _Subcommands[argparse.ArgumentParser]] = {}
    for words, command in commands.items():
        *group, name = words
        where = _group(top, added, group[0], groups[group[0]]) if group else top
        subcommand = where.add_parser(name, help=command.help, description=command.help, formatter_class=_Format)
        for argument in command.arguments:
            subcommand.add_argument(*argument.flags, **argument.options)
        subcommand.set_defaults(run=command.run)
    return parser


def parse(parser: argparse.ArgumentParser, argv: Sequence[str] | None) -> argparse.Namespace:
    """The parsed command line; a group without its subcommand prints the group's help and exits 2."""
    args = parser.parse_args(argv)
    if args.run is None:
        usage: argparse.ArgumentParser = args.usage
        usage.print_help(sys.stderr)
        raise SystemExit(2)
    return args
