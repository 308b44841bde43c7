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
