"""Identifiers of the domain's entities, and the check that keeps implausible ids away from storage."""

from __future__ import annotations

import uuid
from typing import NewType

UserId = NewType("UserId", str)


SessionId = NewType("SessionId", str)


ID_MAX_LENGTH = 64


def is_plausible_id(value: str) -> bool:
    """Whether `value` could be one of our ids (printable ASCII of a sane length); anything else,
    NUL bytes included, is not found without asking a database that might choke on it."""
    return 0 < len(value) <= ID_MAX_LENGTH and value.isascii() and value.isprintable()


def new_user_id() -> UserId:
    return UserId(str(uuid.uuid4()))


def new_session_id() -> SessionId:
    return SessionId(str(uuid.uuid4()))
