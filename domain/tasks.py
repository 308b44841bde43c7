"""The Task Management API's entity: the resource that authentication protects."""

from __future__ import annotations

import unicodedata
import uuid
from dataclasses import dataclass, replace
from datetime import datetime
from typing import NewType

from domain.errors import FieldError, ValidationFailedError
from domain.ids import UserId

TaskId = NewType("TaskId", str)
TITLE_MAX_LENGTH = 200
DESCRIPTION_MAX_LENGTH = 10_000


@dataclass(slots=True, kw_only=True)
class Task:
    """A to-do item of one user; only its owner ever sees it."""

    id: TaskId
    owner_id: UserId
    title: str
    description: str | None
    completed: bool
    created_at: datetime
    updated_at: datetime

    @classmethod
    def create(cls, *, owner_id: UserId, title: str, description: str | None, completed: bool, now: datetime) -> Task:
        """Raises:
        ValidationFailedError: the title or the description breaks its length rule.
        """
        return cls(
            id=TaskId(str(uuid.uuid4())),
            owner_id=owner_id,
            title=parse_title(title),
            description=parse_description(description),
            completed=completed,
            created_at=now,
            updated_at=now,
        )

    def edit(
        self,
        *,
        title: str | None,
        description: str | None,
        change_description: bool,
        completed: bool | None,
        now: datetime,
    ) -> bool:
        """Apply changes already checked by `parse_title` and `parse_description` (None leaves a value
        as it is; `change_description` with None clears the description). `updated_at` moves only
        when a value changes. Whether one did."""
        new_title = self.title if title is None else title
        new_description = description if change_description else self.description
        new_completed = self.completed if completed is None else completed
        if (new_title, new_description, new_completed) == (self.title, self.description, self.completed):
            return False
        self.title, self.description, self.completed, self.updated_at = new_title, new_description, new_completed, now
        return True

    def copy(self) -> Task:
        return replace(self)


def parse_title(raw: str, *, field_name: str = "title") -> str:
    """Raises:
    ValidationFailedError: the title is empty after trimming, too long, or has control characters.
    """
    value = raw.strip()
    if not value or len(value) > TITLE_MAX_LENGTH:
        raise _invalid_field(field_name, f"Must be 1 to {TITLE_MAX_LENGTH} characters.")
    if any(unicodedata.category(char) in _CONTROL_CATEGORIES for char in value):
        raise _invalid_field(field_name, "Must not contain control characters.")
    return value


def parse_description(raw: str | None, *, field_name: str = "description") -> str | None:
    """Raises:
    ValidationFailedError: the description is too long or contains NUL or lone surrogates.
    """
    if raw is None:
        return None
    if len(raw) > DESCRIPTION_MAX_LENGTH:
        raise _invalid_field(field_name, f"Must be at most {DESCRIPTION_MAX_LENGTH} characters.")
    if "\x00" in raw or any(unicodedata.category(char) == "Cs" for char in raw):
        raise _invalid_field(field_name, "Must be valid text without NUL characters.")
    return raw


_CONTROL_CATEGORIES = frozenset({"Cc", "Cs", "Zl", "Zp"})


def _invalid_field(field_name: str, message: str) -> ValidationFailedError:
    return ValidationFailedError([FieldError(field_name, message)])
