"""CheckReadiness: can this instance serve requests safely?"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from application.unit_of_work import UnitOfWork


class ServiceProbe(Protocol):
    """The health of one optional dependency, as a word for the readiness report."""

    name: str

    @abstractmethod
    async def status(self) -> str:
        """`ok`, `degraded` (not answering; the service runs on a fallback) or `disabled`; never raises."""


@dataclass(frozen=True, slots=True)
class Readiness:
    database: bool
    services: dict[str, str] = field(default_factory=dict)

    @property
    def ready(self) -> bool:
        return self.database


class CheckReadinessHandler:
    """Report whether the dependencies answer.

    - The instance is ready exactly when the database answers. An optional dependency that does
      not answer is reported `degraded` but keeps the instance ready: the service works on its
      in-process fallback, and taking every instance out of rotation would turn a cache outage
      into a full one.
    """

    def __init__(self, uow: UnitOfWork, probes: Sequence[ServiceProbe]) -> None:
        self._uow, self._probes = uow, probes

    async def handle(self) -> Readiness:
        services = {probe.name: await probe.status() for probe in self._probes}
        return Readiness(database=await self._uow.ping(), services=services)
