"""NotConfiguredProbe: the readiness word for an optional dependency that is not configured."""

from __future__ import annotations

from application.ops.check_readiness import ServiceProbe


class NotConfiguredProbe(ServiceProbe):
    """Always `disabled`: the service runs on its in-process implementation by choice."""

    def __init__(self, name: str) -> None:
        self.name = name

    async def status(self) -> str:
        return "disabled"
