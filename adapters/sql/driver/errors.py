"""Translation of driver exceptions at the SQL adapter boundary.

Unique violations become the domain's conflict errors, recognised by the column or constraint
name that both drivers put in their message (SQLite: `UNIQUE constraint failed:
users.email_normalized`; asyncpg: `... unique constraint "uq_users_email_normalized"`).
Connection-level failures become `DependencyUnavailableError("database")`; the driver's text only
travels on as the exception's `__cause__`, for the logs, never towards a client.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

import asyncpg  # type: ignore[import-untyped]  # asyncpg ships no type information
from sqlalchemy import exc as sa_exc

from application.errors import DependencyUnavailableError
from domain.errors import ConflictError, EmailTakenError, UsernameTakenError

DEPENDENCY = "database"

# SQLSTATE classes of PostgreSQL that mean "the server cannot serve you now": connection
# exceptions, insufficient resources (too many connections), operator intervention (shutdown).
_UNAVAILABLE_SQLSTATE_PREFIXES = ("08", "53", "57P")


_INTEGRITY_ERRORS = (sa_exc.IntegrityError, sqlite3.IntegrityError, asyncpg.IntegrityConstraintViolationError)


def conflict_for(error: BaseException) -> ConflictError | None:
    """The domain conflict that a unique violation stands for, or None for any other integrity error."""
    message = str(error.orig if isinstance(error, sa_exc.IntegrityError) else error)
    if "email_normalized" in message:
        return EmailTakenError()
    if "username_normalized" in message:
        return UsernameTakenError()
    return None


def is_unavailable(error: BaseException) -> bool:
    """True when `error` says the database cannot be reached or cannot serve requests right now."""
    if isinstance(
        error,
        OSError | sa_exc.TimeoutError | sa_exc.OperationalError | sa_exc.InterfaceError | sqlite3.OperationalError,
    ):
        # OSError covers refused connections and the builtin TimeoutError (asyncio's timeouts too);
        # OperationalError covers SQLite's "database is locked" after the busy timeout.
        return True
    if isinstance(error, sa_exc.DBAPIError):
        return error.connection_invalidated or _has_unavailable_sqlstate(error.orig)
    # asyncpg raises its own exceptions, unwrapped, while a connection is being opened.
    return isinstance(error, asyncpg.InterfaceError) or _has_unavailable_sqlstate(error)


def _has_unavailable_sqlstate(error: BaseException | None) -> bool:
    sqlstate = getattr(error, "sqlstate", None)
    return isinstance(sqlstate, str) and sqlstate.startswith(_UNAVAILABLE_SQLSTATE_PREFIXES)


@contextmanager
def translated_errors() -> Iterator[None]:
    """Re-raise unique violations as domain conflicts and connection failures as unavailability.

    Raises:
        EmailTakenError: a unique violation on the normalised email.
        UsernameTakenError: a unique violation on the normalised username.
    """
    try:
        yield
    except _INTEGRITY_ERRORS as error:
        conflict = conflict_for(error)
        if conflict is None:
            raise
        raise conflict from error
    except Exception as error:
        if is_unavailable(error):
            raise DependencyUnavailableError(DEPENDENCY) from error
        raise
