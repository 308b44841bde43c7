"""Assembling a service (`production`, `in_memory`) and running its lifecycle (`start`, `stop`)."""

from __future__ import annotations

from collections.abc import Sequence

from adapters.lifecycle import Lifecycle
from entrypoints.container.adapters import MemoryAdapters, ProductionAdapters
from entrypoints.container.use_cases import UseCases
from entrypoints.settings import Settings

AdapterSet = ProductionAdapters | MemoryAdapters


def production(settings: Settings) -> tuple[UseCases, ProductionAdapters]:
    adapters = ProductionAdapters(settings=settings)
    return UseCases(settings=settings, adapters=adapters), adapters


def in_memory(settings: Settings) -> tuple[UseCases, MemoryAdapters]:
    adapters = MemoryAdapters(settings=settings)
    return UseCases(settings=settings, adapters=adapters), adapters


async def start(use_cases: UseCases, adapters: AdapterSet) -> None:
    """Start every adapter of the set's `lifecycle` in order, seed the revocation list from the
    database, then start the use cases' background work (the outbox worker)."""
    # Built here, so that unreadable signing keys stop the start instead of a request, and the
    # list of common passwords is read before the first request rather than during it.
    adapters.issuer()
    use_cases.policies()
    adapter_components: Sequence[Lifecycle] = adapters.lifecycle()
    for component in adapter_components:
        await component.start()
    await use_cases.seed_revocations().handle()
    use_case_components: Sequence[Lifecycle] = use_cases.lifecycle()
    for component in use_case_components:
        await component.start()


async def stop(use_cases: UseCases, adapters: AdapterSet) -> None:
    """Stop what `start` started, in reverse order."""
    components: list[Lifecycle] = [*adapters.lifecycle(), *use_cases.lifecycle()]
    for component in reversed(components):
        await component.stop()
