"""PrometheusMetrics: requests tallied per process come out as a histogram would have counted them."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.parser import text_string_to_metric_families

from adapters.metrics.prometheus import PrometheusMetrics

DURATIONS = [0.0, 0.001, 0.0010001, 0.0049, 0.25, 0.2500001, 9.99, 10.0, 12.5, 0.03]


def _samples(text: str, prefix: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {
        (
            sample.name,
            tuple(sorted((k, v) for k, v in sample.labels.items() if k not in {"method", "route", "status"})),
        ): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.name.startswith(prefix)
    }


def test_tallied_requests_match_what_the_histogram_counts_one_by_one() -> None:
    _assert_counted_as_the_histogram_would(DURATIONS)


@given(st.lists(st.floats(min_value=0.0, max_value=20.0) | st.sampled_from(DURATIONS), min_size=1, max_size=60))
def test_any_durations_are_counted_as_the_histogram_would_one_by_one(durations: list[float]) -> None:
    _assert_counted_as_the_histogram_would(durations)


def _assert_counted_as_the_histogram_would(durations: list[float]) -> None:
    metrics = PrometheusMetrics()
    for seconds in durations:
        metrics.observe_request("GET", "/health", 200, seconds)
    reference = CollectorRegistry()
    histogram = Histogram(
        "bastion_http_request_duration_seconds",
        "reference",
        buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
        registry=reference,
    )
    counter = Counter("bastion_http_requests", "reference", registry=reference)
    for seconds in durations:
        histogram.observe(seconds)
        counter.inc()

    ours = _samples(metrics.exposition(outbox_pending=None).decode(), "bastion_http_request")
    theirs = _samples(generate_latest(reference).decode(), "bastion_http_request")

    assert ours.keys() == theirs.keys()
    assert all(abs(ours[key] - theirs[key]) < 1e-9 for key in ours)


def test_tallies_reach_the_metrics_at_a_flush_and_are_not_counted_twice() -> None:
    metrics = PrometheusMetrics()
    metrics.observe_request("POST", "/auth/login", 401, 0.05)
    metrics.flush()
    metrics.flush()
    metrics.observe_request("POST", "/auth/login", 401, 0.05)

    text = metrics.exposition(outbox_pending=3).decode()

    assert 'bastion_http_requests_total{method="POST",route="/auth/login",status="401"} 2.0' in text
    assert "bastion_outbox_pending 3.0" in text


def test_client_credentials_grants_are_tallied_and_flushed_once() -> None:
    metrics = PrometheusMetrics()
    metrics.client_credentials("success")
    metrics.client_credentials("invalid_client")
    metrics.flush()
    metrics.flush()
    metrics.client_credentials("success")

    text = metrics.exposition(outbox_pending=None).decode()

    assert 'bastion_client_credentials_total{result="success"} 2.0' in text
    assert 'bastion_client_credentials_total{result="invalid_client"} 1.0' in text
