"""PrometheusMetrics: the counters, histogram and gauges of `GET /metrics`, with prometheus-client.

One process: the metrics live in a registry of this object's own. Several worker processes
(`bastion serve --workers N`): `bastion serve` points `PROMETHEUS_MULTIPROC_DIR` at a fresh
directory before any worker starts; every process then writes its values to memory-mapped files
there, and a scrape, answered by any one worker, sums the files of all of them. A worker that
stops cleanly takes its share of the hash-queue gauge with it; the counters of every worker that
ever ran stay in the sum, as counters must.

Requests are noted on the request path in plain per-process lists (each series' durations since
the last flush: one `list.append`), and added to the shared metrics once a second (and before every
exposition and at stop), where the durations of a series are sorted once and counted per bucket:
writing each request to the memory-mapped files (a lock, a `getpid` and three writes), or even
finding its bucket on the request path, cost a measurable share of the fastest routes
(bench/README.md). A scrape therefore sees another worker's requests within a second.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import os
from bisect import bisect_right
from collections.abc import Iterable
from typing import Any

import prometheus_client
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest, multiprocess, values
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from domain.ports.metrics import SecurityMetrics

MULTIPROCESS_DIR_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"

# Seconds; a password check takes tens to hundreds of milliseconds, a token check well under one.
_DURATION_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
# A duration falls in the first bucket whose upper bound is at least as large (as `Histogram.observe`).
_UPPER_BOUNDS = (*_DURATION_BUCKETS, math.inf)
FLUSH_SECONDS = 1.0
# Any other method a client sends is counted as "other": label values never come from clients.
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


class _Gauges(Collector):
    """Gauges whose value is read when scraped (the outbox backlog, from the database)."""

    def __init__(self, outbox_pending: int | None) -> None:
        self._outbox_pending = outbox_pending

    def collect(self) -> Iterable[GaugeMetricFamily]:
        if self._outbox_pending is not None:
            yield GaugeMetricFamily(
                "bastion_outbox_pending",
                "Outbox entries (mail and webhooks) neither delivered nor given up",
                value=self._outbox_pending,
            )


class PrometheusMetrics(SecurityMetrics):
    """Every metric of `GET /metrics`; `multiprocess_dir` set: shared by the workers (see the module).

    Label values come from fixed sets only (a route's template, never its path; known methods; a
    login result), so no client can grow the number of series."""

    # The text format every Prometheus version reads (the HTTP layer adds `charset=utf-8`).
    content_type = "text/plain; version=0.0.4"

    def __init__(self, *, multiprocess_dir: str | None = None) -> None:
        prometheus_client.disable_created_metrics()
        self._multiprocess_dir = multiprocess_dir
        if multiprocess_dir is not None and values.ValueClass is values.MutexValue:
            # prometheus-client chose its value class when first imported, before the variable was set.
            values.ValueClass = values.MultiProcessValue()
        self._registry = CollectorRegistry(auto_describe=False)
        registry = None if multiprocess_dir else self._registry
        self._logins = Counter("bastion_logins", "Logins by result", ["result"], registry=registry)
        self._refreshes = Counter("bastion_refreshes", "Refresh-token uses by result", ["result"], registry=registry)
        self._lockouts = Counter("bastion_lockouts", "Accounts or devices locked out", registry=registry)
        self._mfa = Counter(
            "bastion_mfa", "Second-factor codes checked at login by method and result", ["method", "result"],
            registry=registry,
        )  # fmt: skip
        self._api_key_auth = Counter(
            "bastion_api_key_auth", "API key authentications by result", ["result"], registry=registry
        )
        self._api_key_tallies: dict[str, int] = {}
        self._client_credentials = Counter(
            "bastion_client_credentials", "Client credentials grants by result", ["result"], registry=registry
        )
        self._client_credentials_tallies: dict[str, int] = {}
        self._oauth = Counter(
            "bastion_oauth_logins", "Social login callbacks by provider and result", ["provider", "result"],
            registry=registry,
        )  # fmt: skip
        self._rate_limited = Counter(
            "bastion_rate_limited", "Requests refused by a rate limit", ["limit"], registry=registry
        )
        self._requests = Counter(
            "bastion_http_requests", "HTTP requests answered", ["method", "route", "status"], registry=registry
        )
        self._durations = Histogram(
            "bastion_http_request_duration_seconds",
            "Time to answer an HTTP request",
            ["method", "route", "status"],
            buckets=_DURATION_BUCKETS,
            registry=registry,
        )
        self._hash_queue = Gauge(
            "bastion_hash_queue_depth",
            "Password hashes and checks queued or running",
            multiprocess_mode="livesum",
            registry=registry,
        )
        self._request_series: dict[tuple[str, str, int], tuple[Any, Any]] = {}
        # The durations of the requests since the last flush, by route, status and method (nested:
        # cheaper to look up than a tuple key).
        self._durations_since_flush: dict[str, dict[int, dict[str, list[float]]]] = {}
        self._flusher: asyncio.Task[None] | None = None

    def login(self, result: str) -> None:
        self._logins.labels(result).inc()

    def refresh(self, result: str) -> None:
        self._refreshes.labels(result).inc()

    def lockout(self) -> None:
        self._lockouts.inc()

    def mfa(self, method: str, result: str) -> None:
        self._mfa.labels(method, result).inc()

    def oauth(self, provider: str, result: str) -> None:
        self._oauth.labels(provider, result).inc()

    def rate_limited(self, limit: str) -> None:
        self._rate_limited.labels(limit).inc()

    def api_key_auth(self, result: str) -> None:
        # Tallied like the requests (a key may authenticate every request), added at the next flush.
        self._api_key_tallies[result] = self._api_key_tallies.get(result, 0) + 1

    def client_credentials(self, result: str) -> None:
        # Tallied like the API key checks (a client may ask for a token on every call), added at the next flush.
        self._client_credentials_tallies[result] = self._client_credentials_tallies.get(result, 0) + 1

    def observe_request(self, method: str, route: str, status: int, seconds: float) -> None:
        """One HTTP request answered with `status` after `seconds`; `route` is the route's template.
        Called on the event loop only (as `flush` is)."""
        try:
            self._durations_since_flush[route][status][method].append(seconds)
        except KeyError:
            self._durations_since_flush.setdefault(route, {}).setdefault(status, {})[method] = [seconds]

    def flush(self) -> None:
        """Add the requests, API key authentications and client credentials grants noted since the
        last flush to the metrics."""
        durations, self._durations_since_flush = self._durations_since_flush, {}
        key_tallies, self._api_key_tallies = self._api_key_tallies, {}
        grant_tallies, self._client_credentials_tallies = self._client_credentials_tallies, {}
        for result, count in key_tallies.items():
            self._api_key_auth.labels(result).inc(count)
        for result, count in grant_tallies.items():
            self._client_credentials.labels(result).inc(count)
        for route, by_status in durations.items():
            for status, by_method in by_status.items():
                for method, seconds in by_method.items():
                    self._add(self._series((method, route, status)), seconds)

    @staticmethod
    def _add(series: tuple[Any, Any], seconds: list[float]) -> None:
        """Count `seconds` as `Histogram.observe` would one by one: each in the first bucket whose
        upper bound is at least as large."""
        requests, histogram = series
        requests.inc(len(seconds))
        # A histogram's own `observe` takes one value; these are its parts, many values at once.
        histogram._sum.inc(math.fsum(seconds))
        seconds.sort()
        counted = 0
        for bucket, bound in zip(histogram._buckets, _UPPER_BOUNDS, strict=True):
            at_most = bisect_right(seconds, bound, lo=counted)
            if at_most > counted:
                bucket.inc(at_most - counted)
                counted = at_most

    def _series(self, key: tuple[str, str, int]) -> tuple[Any, Any]:
        series = self._request_series.get(key)
        if series is None:
            method, route, status = key
            labels = (method if method in _METHODS else "other", route, str(status))
            series = self._request_series[key] = (self._requests.labels(*labels), self._durations.labels(*labels))
        return series

    def hash_queue_changed(self, depth: int) -> None:
        """The password hasher now holds `depth` jobs, queued or running."""
        self._hash_queue.set(depth)

    def exposition(self, *, outbox_pending: int | None) -> bytes:
        """The text exposition format of every metric (summed over the workers when shared)."""
        self.flush()
        if self._multiprocess_dir is None:
            registry = self._registry
        else:
            registry = CollectorRegistry(auto_describe=False)
            multiprocess.MultiProcessCollector(registry, path=self._multiprocess_dir)
        gauges = CollectorRegistry(auto_describe=False)
        gauges.register(_Gauges(outbox_pending))
        return generate_latest(registry) + generate_latest(gauges)

    async def start(self) -> None:
        """Flush the request tallies once a second from now on."""
        self._flusher = asyncio.create_task(self._flush_regularly(), name="metrics flush")

    async def stop(self) -> None:
        """The last tallies go out; a stopping worker's gauges leave the sum of the live ones."""
        if self._flusher is not None:
            self._flusher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._flusher
        self.flush()
        if self._multiprocess_dir is not None:
            multiprocess.mark_process_dead(os.getpid(), self._multiprocess_dir)

    async def _flush_regularly(self) -> None:
        while True:
            await asyncio.sleep(FLUSH_SECONDS)
            self.flush()
