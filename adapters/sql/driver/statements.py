"""Core statements compiled once per dialect into the SQL, parameter order and conversions a driver takes."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ClauseElement, Dialect

from adapters.sql.driver.sqlalchemy_internals import (
    Processor,
    bind_processor,
    compile_positional,
    placeholders,
    result_columns,
    result_processor,
)

Row = dict[str, Any]


@dataclass(frozen=True, slots=True)
class CompiledStatement:
    """A statement as one driver runs it: its SQL, how to make its arguments and how to read its rows."""

    sql: str
    # Per positional parameter: its name, a fixed value (a literal of the statement) or None when
    # the caller supplies it, and the type's bind processor.
    parameters: tuple[tuple[str, bool, Any, Processor | None], ...]
    columns: tuple[str, ...]
    result_processors: tuple[Processor | None, ...]

    def arguments(self, values: Mapping[str, Any]) -> list[Any]:
        arguments = []
        for name, fixed, literal, process in self.parameters:
            value = literal if fixed else values[name]
            arguments.append(process(value) if process is not None and value is not None else value)
        return arguments

    def rows(self, records: Sequence[Sequence[Any]]) -> list[Row]:
        columns, processors = self.columns, self.result_processors
        return [
            {
                name: (process(value) if process is not None and value is not None else value)
                for name, process, value in zip(columns, processors, record, strict=True)
            }
            for record in records
        ]


class Statement:
    """A Core statement with named `bindparam`s, compiled once per dialect.

    `build` is the statement itself or, for dialect-specific constructs (`INSERT ... ON CONFLICT`),
    a function of the dialect name ("sqlite" or "postgresql") that builds it. Result columns are
    named by their keys: label computed columns.
    """

    __slots__ = ("_build", "_column_keys", "_compiled")

    def __init__(
        self, build: ClauseElement | Callable[[str], ClauseElement], *, column_keys: Sequence[str] | None = None
    ) -> None:
        """`column_keys`: for a bare `insert(table)` or `update(table)`, the columns to set, each from
        the parameter of the same name."""
        self._build = build
        self._column_keys = list(column_keys) if column_keys is not None else None
        self._compiled: dict[str, CompiledStatement] = {}

    def compiled(self, dialect: Dialect) -> CompiledStatement:
        compiled = self._compiled.get(dialect.name)
        if compiled is None:
            compiled = self._compiled[dialect.name] = self._compile(dialect)
        return compiled

    def _compile(self, dialect: Dialect) -> CompiledStatement:
        statement = self._build if isinstance(self._build, ClauseElement) else self._build(dialect.name)
        compiler = compile_positional(statement, dialect, self._column_keys)
        parameters = tuple(
            (name, fixed, literal, bind_processor(type_, dialect))
            for name, fixed, literal, type_ in placeholders(compiler)
        )
        columns = result_columns(statement, compiler)
        return CompiledStatement(
            compiler.string,
            parameters,
            tuple(key for key, _ in columns),
            tuple(result_processor(type_, dialect) for _, type_ in columns),
        )
