"""CheckReadiness: can this instance serve requests safely?"""

from __future__ import annotations

from dataclasses import dataclass

from application.unit_of_work import UnitOfWork


@dataclass(frozen=True, slots=True)
class Readiness:
    database: bool

    @property
    def ready(self) -> bool:
        return self.database


class CheckReadinessHandler:
    """Report whether the dependencies answer.

    - The instance is ready exactly when the database answers.
    """

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    async def handle(self) -> Readiness:
        return Readiness(database=await self._uow.ping())
