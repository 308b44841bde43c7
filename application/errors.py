"""Errors that are not business outcomes but infrastructure conditions the edge must report."""

from __future__ import annotations


class DependencyUnavailableError(Exception):
    """A dependency (database, hashing capacity, cache) cannot serve the request safely right now.

    Adapters raise it instead of their driver's exceptions; the edge answers 503. It is not a
    DomainError: no business rule was broken, and the request may succeed later.
    """

    def __init__(self, dependency: str) -> None:
        super().__init__(f"{dependency} is unavailable")
        self.dependency = dependency
