"""RequestBatches: requests reach their observer in batches while the application runs, at once otherwise."""

from __future__ import annotations

import asyncio
import logging
from collections import deque

import pytest

from entrypoints.http.request_context import LineValues, RequestBatches, metric_values


def _values(route: str, status: int = 200) -> LineValues:
    return (100.0, 0.25, "0123456789abcdef", "GET", route, status)


def test_a_request_outside_the_running_application_is_observed_at_once() -> None:
    seen: list[list[LineValues]] = []
    batches = RequestBatches(seen.append, interval=3600)

    batches.append(_values("/first"))
    batches.append(_values("/second"))

    assert seen == [[_values("/first")], [_values("/second")]]


def test_while_the_application_runs_requests_wait_for_the_task_in_one_batch() -> None:
    seen: list[list[LineValues]] = []
    batches = RequestBatches(seen.append, interval=0.01)

    async def serve() -> list[list[LineValues]]:
        await batches.start()
        batches.append(_values("/first"))
        batches.append(_values("/second"))
        # A request called no Python code: its values went straight into the queue.
        assert isinstance(getattr(batches.append, "__self__", None), deque)
        waiting = list(seen)
        await asyncio.sleep(0.05)
        await batches.stop()
        return waiting

    waiting = asyncio.run(serve())

    assert waiting == []
    assert seen == [[_values("/first"), _values("/second")]]


def test_drain_hands_over_what_waits_and_stop_hands_over_the_rest() -> None:
    seen: list[list[LineValues]] = []
    batches = RequestBatches(seen.append, interval=3600)

    async def serve() -> None:
        await batches.start()
        batches.append(_values("/first"))
        batches.drain()
        batches.drain()  # nothing waits: no empty batch
        batches.append(_values("/second"))
        await batches.stop()
        batches.append(_values("/third"))  # stopped: at once

    asyncio.run(serve())

    assert seen == [[_values("/first")], [_values("/second")], [_values("/third")]]


def test_an_observer_that_fails_loses_its_batch_is_logged_and_gets_the_next(caplog: pytest.LogCaptureFixture) -> None:
    seen: list[list[LineValues]] = []

    def observe(batch: list[LineValues]) -> None:
        if batch[0][4] == "/broken":
            raise RuntimeError("a bug in the observer")
        seen.append(batch)

    batches = RequestBatches(observe, interval=0.01)

    async def serve() -> None:
        await batches.start()
        batches.append(_values("/broken"))
        await asyncio.sleep(0.05)
        batches.append(_values("/after"))
        await asyncio.sleep(0.05)
        await batches.stop()

    with caplog.at_level(logging.ERROR, logger="bastion.http"):
        asyncio.run(serve())

    assert seen == [[_values("/after")]]
    assert [record.getMessage() for record in caplog.records] == ["the observations of a batch of requests were lost"]


def test_the_metrics_take_method_route_status_and_seconds_of_each_request() -> None:
    batch = [_values("/health"), (5.0, 0.5, "id", "POST", "/auth/login", 401)]

    assert list(metric_values(batch)) == [("GET", "/health", 200, 0.25), ("POST", "/auth/login", 401, 0.5)]
