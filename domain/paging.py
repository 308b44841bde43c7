"""Pagination of listings."""

from __future__ import annotations

from dataclasses import dataclass

from domain.errors import FieldError, ValidationFailedError

MAX_PAGE_SIZE = 100


@dataclass(frozen=True, slots=True, kw_only=True)
class Page:
    """Pagination of a listing."""

    limit: int = 20
    offset: int = 0

    @classmethod
    def parse(cls, limit: int, offset: int) -> Page:
        """Raises:
        ValidationFailedError: `limit` is not within 1..100 or `offset` is negative (both reported).
        """
        errors = []
        if not 1 <= limit <= MAX_PAGE_SIZE:
            errors.append(FieldError("limit", f"Must be between 1 and {MAX_PAGE_SIZE}."))
        if offset < 0:
            errors.append(FieldError("offset", "Must not be negative."))
        if errors:
            raise ValidationFailedError(errors)
        return cls(limit=limit, offset=offset)


SEARCH_QUERY_MAX_LENGTH = 320


def parse_search_query(raw: str | None, *, field_name: str = "q") -> str | None:
    """A listing's search text: trimmed, cut to `SEARCH_QUERY_MAX_LENGTH`, None when empty.

    Raises:
        ValidationFailedError: the text holds a NUL or another control character, which no stored
            value contains and which some databases cannot even compare.
    """
    value = (raw or "").strip()[:SEARCH_QUERY_MAX_LENGTH]
    if any(char < " " or char == "\x7f" or "\ud800" <= char <= "\udfff" for char in value):
        raise ValidationFailedError([FieldError(field_name, "Must not contain control characters.")])
    return value or None
