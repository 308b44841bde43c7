"""Every use the driver makes of SQLAlchemy beyond its documented API, in one place.

The driver compiles Core statements with SQLAlchemy's own dialects and then runs the SQL itself,
so it reads what the compiler leaves behind: the order of the positional parameters
(`SQLCompiler.positiontup`), the bound parameters by name (`SQLCompiler.binds`) and what each of
them holds, whether the statement returns rows (`SQLCompiler.returning`, `is_select`), and the
types' bind and result processors called without an engine. It also relies on the dialects
writing the placeholders the drivers take (`$1` for asyncpg, `?` for `sqlite3`), with the
parameter types cast in the PostgreSQL SQL.

None of that is promised across SQLAlchemy releases: `tests/unit/adapters/test_sqlalchemy_internals.py`
pins each function here, so an upgrade that changes one of them fails there, by name. Nothing else
in the driver touches SQLAlchemy below its public API; compiling happens once per statement and
dialect, never per request.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import ClauseElement, Dialect
from sqlalchemy.dialects.postgresql import asyncpg as postgresql_asyncpg
from sqlalchemy.dialects.sqlite import pysqlite
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.types import TypeEngine

Processor = Callable[[Any], Any]

POSTGRESQL_DIALECT: Dialect = postgresql_asyncpg.dialect()  # type: ignore[no-untyped-call]
"""SQLAlchemy's asyncpg dialect: `$n` placeholders, each cast to its type (`$1::VARCHAR`)."""

SQLITE_DIALECT: Dialect = pysqlite.dialect()
"""SQLAlchemy's `sqlite3` dialect: `?` placeholders."""


def compile_positional(statement: ClauseElement, dialect: Dialect, column_keys: Sequence[str] | None) -> SQLCompiler:
    """`statement` compiled for `dialect`; `column_keys` names the columns a bare `insert(table)` or
    `update(table)` sets, each from the parameter of the same name."""
    compiler = statement.compile(dialect=dialect, column_keys=column_keys)
    assert isinstance(compiler, SQLCompiler)
    return compiler


def placeholders(compiler: SQLCompiler) -> list[tuple[str, bool, Any, TypeEngine[Any]]]:
    """Per placeholder of the SQL, in order: the caller's parameter name, whether the value is fixed
    (a literal of the statement, or a `bindparam` given a value), that value, and the type.

    A parameter used twice is one placeholder for asyncpg (`$1` written twice) and two for `sqlite3`.
    """
    result = []
    for name in compiler.positiontup or ():
        bind = compiler.binds[name]
        fixed = not bind.required and bind.callable is None
        result.append((name if fixed else bind.key, fixed, bind.value, bind.type))
    return result


def result_columns(statement: ClauseElement, compiler: SQLCompiler) -> list[tuple[str, TypeEngine[Any]]]:
    """The key and type of each column of the rows a SELECT, or a statement with RETURNING, gives;
    empty for any other statement."""
    if not (compiler.returning or getattr(statement, "is_select", False)):
        return []
    exported = getattr(statement, "exported_columns", None)
    return [(column.key, column.type) for column in exported or ()]


def bind_processor(type_: TypeEngine[Any], dialect: Dialect) -> Processor | None:
    """What turns a Python value into the driver's value for `type_` (None: the value as it is)."""
    return type_.dialect_impl(dialect).bind_processor(dialect)


def result_processor(type_: TypeEngine[Any], dialect: Dialect) -> Processor | None:
    """What turns the driver's value into the Python value for `type_` (None: the value as it is)."""
    return type_.dialect_impl(dialect).result_processor(dialect, None)
