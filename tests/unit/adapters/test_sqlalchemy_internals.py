"""Pins every use the SQL driver makes of SQLAlchemy beyond its documented API.

All of it goes through `adapters.sql.driver.sqlalchemy_internals`; each test here pins one thing
that module relies on (a compiler attribute, a dialect's placeholders, a bind parameter's flags, a
type's processors called without an engine). When an SQLAlchemy upgrade changes one of them, the
test named after it fails here, with a message that says what the driver needs, instead of
statements failing somewhere in the repositories.
"""

from __future__ import annotations

import ast
import re
import sqlite3
from contextlib import closing
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Boolean, Column, Dialect, Integer, MetaData, String, Table, bindparam, insert, select, update
from sqlalchemy.engine.interfaces import BindTyping
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.types import TypeEngine

from adapters.sql import driver
from adapters.sql.driver import sqlalchemy_internals as internals
from adapters.sql.driver.sqlalchemy_internals import (
    POSTGRESQL_DIALECT,
    SQLITE_DIALECT,
    Processor,
    bind_processor,
    compile_positional,
    placeholders,
    result_columns,
    result_processor,
)
from adapters.sql.tables import UtcDateTime, metadata

DIALECTS = [pytest.param(POSTGRESQL_DIALECT, id="postgresql"), pytest.param(SQLITE_DIALECT, id="sqlite")]

_items = Table(
    "items",
    MetaData(),
    Column("id", Integer, primary_key=True),
    Column("name", String(20)),
    Column("done", Boolean),
    Column("due", UtcDateTime()),
)

A_TIME = datetime(2031, 5, 17, 9, 30, 15, 6, tzinfo=timezone(timedelta(hours=2)))


def _names(compiler: SQLCompiler) -> list[str]:
    return [name for name, _, _, _ in placeholders(compiler)]


# --------------------------------------------------------------------------------------------
# The dialects: placeholders the drivers take


def test_the_postgresql_dialect_writes_asyncpg_placeholders() -> None:
    assert POSTGRESQL_DIALECT.name == "postgresql", "Statement caches compiled SQL by dialect name"
    assert POSTGRESQL_DIALECT.positional, "asyncpg takes positional arguments only"
    assert POSTGRESQL_DIALECT.paramstyle == "numeric_dollar", "asyncpg takes $1, $2, ... and nothing else"
    sql = compile_positional(select(_items.c.id).where(_items.c.name == bindparam("name")), POSTGRESQL_DIALECT, None)
    assert "= $1" in sql.string, f"the asyncpg dialect no longer writes $1 placeholders: {sql.string!r}"


def test_the_postgresql_dialect_casts_each_placeholder_to_its_type() -> None:
    # asyncpg sends the SQL as it is: PostgreSQL infers untyped parameters from their context,
    # which fails or guesses wrong where the context says nothing (CASE, VALUES, CTEs).
    assert POSTGRESQL_DIALECT.bind_typing is BindTyping.RENDER_CASTS, "the asyncpg dialect stopped rendering casts"
    sql = compile_positional(select(_items.c.id).where(_items.c.name == bindparam("name")), POSTGRESQL_DIALECT, None)
    assert "$1::VARCHAR" in sql.string, f"the placeholder lost its type cast: {sql.string!r}"


def test_the_sqlite_dialect_writes_sqlite3_placeholders() -> None:
    assert SQLITE_DIALECT.name == "sqlite", "Statement caches compiled SQL by dialect name"
    assert SQLITE_DIALECT.positional, "the driver passes sqlite3 a list of arguments"
    assert SQLITE_DIALECT.paramstyle == "qmark", "the driver hands sqlite3 the SQL with ? placeholders"


# --------------------------------------------------------------------------------------------
# Compiling: the compiler, its SQL and `column_keys`


@pytest.mark.parametrize("dialect", DIALECTS)
def test_compiling_gives_an_sql_compiler_with_the_sql_text(dialect: Dialect) -> None:
    compiler = compile_positional(select(_items.c.id), dialect, None)

    assert isinstance(compiler, SQLCompiler), "the driver reads positiontup, binds and returning of an SQLCompiler"
    assert compiler.string.startswith("SELECT items.id"), f"Compiled.string is not the SQL: {compiler.string!r}"


@pytest.mark.parametrize("dialect", DIALECTS)
def test_column_keys_make_a_bare_insert_set_only_those_columns_from_parameters_of_their_names(
    dialect: Dialect,
) -> None:
    compiler = compile_positional(insert(_items), dialect, ["id", "name"])

    assert "(id, name)" in compiler.string, f"column_keys no longer chooses the INSERT's columns: {compiler.string!r}"
    assert _names(compiler) == ["id", "name"], "the parameters of a bare INSERT are no longer named after the columns"


@pytest.mark.parametrize("dialect", DIALECTS)
def test_column_keys_make_a_bare_update_set_only_those_columns(dialect: Dialect) -> None:
    statement = update(_items).where(_items.c.id == bindparam("item_id"))

    compiler = compile_positional(statement, dialect, ["done"])

    assert "SET done=" in compiler.string, f"column_keys no longer chooses the UPDATE's columns: {compiler.string!r}"
    assert _names(compiler) == ["done", "item_id"], "an UPDATE's parameters: SET first, then WHERE"


# --------------------------------------------------------------------------------------------
# Placeholders: positiontup, binds and the bind parameters' flags


def test_placeholders_come_in_the_order_sqlite3_fills_them() -> None:
    statement = select(_items.c.name).where(_items.c.id == bindparam("second"), _items.c.name == bindparam("first"))
    compiler = compile_positional(statement, SQLITE_DIALECT, None)
    values = {"second": 7, "first": "seven"}

    with closing(sqlite3.connect(":memory:")) as connection:
        connection.execute("CREATE TABLE items (id INTEGER, name TEXT, done INTEGER, due TEXT)")
        connection.execute("INSERT INTO items VALUES (7, 'seven', 0, NULL)")
        rows = connection.execute(compiler.string, [values[name] for name in _names(compiler)]).fetchall()

    assert _names(compiler) == ["second", "first"], "positiontup no longer follows the SQL's placeholders"
    assert rows == [("seven",)], "arguments in placeholder order no longer fill the SQL's placeholders"


def test_placeholders_come_in_the_order_of_asyncpgs_numbers() -> None:
    statement = select(_items.c.name).where(_items.c.id == bindparam("second"), _items.c.name == bindparam("first"))
    compiler = compile_positional(statement, POSTGRESQL_DIALECT, None)

    numbers = [int(number) for number in re.findall(r"\$(\d+)", compiler.string)]

    assert numbers == [1, 2], f"the placeholders are no longer numbered in the SQL's order: {compiler.string!r}"
    assert _names(compiler) == ["second", "first"], "positiontup[i] is no longer the parameter of $i+1"


def test_a_parameter_used_twice_is_one_argument_for_asyncpg_and_two_for_sqlite3() -> None:
    now = bindparam("now", type_=UtcDateTime())
    statement = select(_items.c.id).where(_items.c.due > now, _items.c.due < now)

    postgresql = compile_positional(statement, POSTGRESQL_DIALECT, None)
    sqlite = compile_positional(statement, SQLITE_DIALECT, None)

    assert postgresql.string.count("$1::") == 2, "asyncpg's SQL no longer repeats $1 for a repeated parameter"
    assert _names(postgresql) == ["now"], "a repeated parameter is no longer one asyncpg argument"
    assert _names(sqlite) == ["now", "now"], "a repeated parameter is no longer one sqlite3 argument per ?"


@pytest.mark.parametrize("dialect", DIALECTS)
def test_a_bindparam_without_a_value_is_filled_from_the_callers_values(dialect: Dialect) -> None:
    compiler = compile_positional(select(_items.c.id).where(_items.c.id == bindparam("item_id")), dialect, None)

    (name, fixed, _, type_) = placeholders(compiler)[0]

    assert (name, fixed) == ("item_id", False), "BindParameter.required / .key no longer mark a caller's parameter"
    assert isinstance(type_, Integer), "the parameter no longer takes the type of the column it is compared with"


@pytest.mark.parametrize("dialect", DIALECTS)
def test_a_literal_of_the_statement_is_a_fixed_argument_with_its_value(dialect: Dialect) -> None:
    compiler = compile_positional(select(_items.c.id).limit(5), dialect, None)

    fixed_values = [(fixed, value) for _, fixed, value, _ in placeholders(compiler)]

    assert fixed_values[0] == (True, 5), "a literal (LIMIT 5) is no longer a bind with .value and .required False"


@pytest.mark.parametrize("dialect", DIALECTS)
def test_a_bindparam_given_a_value_is_a_fixed_argument(dialect: Dialect) -> None:
    statement = select(_items.c.id).where(_items.c.name == bindparam("name", "fixed"))
    compiler = compile_positional(statement, dialect, None)

    assert [(fixed, value) for _, fixed, value, _ in placeholders(compiler)] == [(True, "fixed")], (
        "a bindparam with a value no longer has .required False and .callable None"
    )


# --------------------------------------------------------------------------------------------
# Result columns: returning, is_select, exported_columns


@pytest.mark.parametrize("dialect", DIALECTS)
def test_a_select_returns_its_columns_by_key_labels_included(dialect: Dialect) -> None:
    statement = select(_items.c.id, _items.c.name.label("title"))

    columns = result_columns(statement, compile_positional(statement, dialect, None))

    assert [key for key, _ in columns] == ["id", "title"], "is_select / exported_columns no longer give the columns"
    assert isinstance(columns[0][1], Integer), "an exported column no longer carries its type"


@pytest.mark.parametrize("dialect", DIALECTS)
def test_a_statement_with_returning_returns_the_returned_columns(dialect: Dialect) -> None:
    statement = update(_items).values(done=True).returning(_items.c.id, _items.c.due)

    columns = result_columns(statement, compile_positional(statement, dialect, None))

    assert [key for key, _ in columns] == ["id", "due"], "SQLCompiler.returning / exported_columns changed"


@pytest.mark.parametrize("dialect", DIALECTS)
def test_a_statement_without_returning_returns_no_columns(dialect: Dialect) -> None:
    statement = update(_items).values(done=True)

    assert result_columns(statement, compile_positional(statement, dialect, None)) == [], (
        "an UPDATE without RETURNING now looks like it returns rows (returning / is_select changed)"
    )


# --------------------------------------------------------------------------------------------
# Processors: the types' conversions, called without an engine


@pytest.mark.parametrize("dialect", DIALECTS)
def test_every_column_type_of_the_schema_has_processors_without_an_engine(dialect: Dialect) -> None:
    # The driver asks each type for its processors with the dialect alone: no engine, no connection,
    # and no driver-reported column type (coltype None).
    processors = {
        f"{table.name}.{column.name}": (bind_processor(column.type, dialect), result_processor(column.type, dialect))
        for table in metadata.tables.values()
        for column in table.columns
    }

    not_callable = [name for name, pair in processors.items() if any(p is not None and not callable(p) for p in pair)]
    assert not not_callable, f"processors that cannot be called: {not_callable}"


def _processors(type_: TypeEngine[Any], dialect: Dialect) -> tuple[Processor, Processor]:
    stored, read = bind_processor(type_, dialect), result_processor(type_, dialect)
    assert stored is not None, f"{type_!r} has no bind processor on {dialect.name}"
    assert read is not None, f"{type_!r} has no result processor on {dialect.name}"
    return stored, read


def test_sqlite_stores_utc_datetimes_as_text_and_reads_them_back_aware() -> None:
    stored, read = _processors(UtcDateTime(), SQLITE_DIALECT)

    text = stored(A_TIME)

    assert text == "2031-05-17 07:30:15.000006", f"SQLite datetimes are no longer stored as UTC text: {text!r}"
    assert (read(text), read(text).tzinfo) == (A_TIME, UTC), "SQLite datetimes no longer read back aware UTC"


def test_sqlite_stores_booleans_as_integers_and_reads_them_back_as_booleans() -> None:
    stored, read = _processors(Boolean(), SQLITE_DIALECT)

    assert (stored(True), stored(False)) == (1, 0), "SQLite booleans are no longer stored as 1 / 0"
    assert (read(1), read(0)) == (True, False), "SQLite's 1 / 0 no longer read back as booleans"


def test_postgresql_binds_aware_utc_datetimes_and_reads_naive_ones_as_utc() -> None:
    stored, read = _processors(UtcDateTime(), POSTGRESQL_DIALECT)

    bound = stored(A_TIME)

    assert (bound, bound.tzinfo) == (A_TIME, UTC), f"asyncpg no longer gets an aware UTC datetime: {bound!r}"
    assert read(datetime(2031, 5, 17, 7, 30)).tzinfo is UTC, "timestamps no longer read back aware UTC"


# --------------------------------------------------------------------------------------------
# The module is the only way in


PINNED = {
    "POSTGRESQL_DIALECT",
    "SQLITE_DIALECT",
    "Processor",
    "compile_positional",
    "placeholders",
    "result_columns",
    "bind_processor",
    "result_processor",
}
INTERNAL_ATTRIBUTES = {
    "positiontup",
    "binds",
    "required",
    "callable",
    "returning",
    "is_select",
    "exported_columns",
    "dialect_impl",
    "bind_processor",
    "result_processor",
}


def test_the_tests_here_pin_the_whole_surface_of_the_module() -> None:
    tree = ast.parse(Path(internals.__file__).read_text())
    defined = {node.name for node in tree.body if isinstance(node, ast.FunctionDef | ast.ClassDef)}
    defined |= {
        node.target.id for node in tree.body if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name)
    }
    defined |= {
        target.id
        for node in tree.body
        if isinstance(node, ast.Assign)
        for target in node.targets
        if isinstance(target, ast.Name)
    }

    assert defined == PINNED, "a name added to (or gone from) sqlalchemy_internals needs its test here"


def test_no_other_module_of_the_driver_reaches_into_sqlalchemy() -> None:
    package = Path(driver.__file__).parent
    for path in sorted(package.glob("*.py")):
        if path.name == "sqlalchemy_internals.py":
            continue
        tree = ast.parse(path.read_text())
        modules = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module}
        sqlalchemy_modules = {module for module in modules if module.split(".")[0] == "sqlalchemy"}
        attributes = {node.attr for node in ast.walk(tree) if isinstance(node, ast.Attribute)}

        assert sqlalchemy_modules <= {"sqlalchemy", "sqlalchemy.engine"}, f"{path.name} imports {sqlalchemy_modules}"
        assert not attributes & INTERNAL_ATTRIBUTES, f"{path.name} reads {attributes & INTERNAL_ATTRIBUTES} itself"
