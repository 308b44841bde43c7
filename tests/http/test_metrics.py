"""GET /metrics: what each signal counts, labelled only with values the service chose."""

from __future__ import annotations

import uuid
from typing import Any

from prometheus_client.parser import text_string_to_metric_families

from tests.http.conftest import PASSWORD, Api, bearer, make_settings, memory_api

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


async def _scrape(api: Api) -> Samples:
    response = await api.client.get("/metrics")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain; version=0.0.4")
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def _value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


async def _wrong_login(api: Api) -> Any:
    return await api.client.post("/auth/login", json={"email": "ada@example.org", "password": "Wrong-passw0rd!"})


async def test_requests_are_counted_by_method_route_template_and_status(api: Api) -> None:
    pair = await api.registered_and_logged_in()
    task_id = uuid.uuid4()
    for _ in range(2):
        assert (await api.client.get(f"/tasks/{task_id}", headers=bearer(pair))).status_code == 404

    samples = await _scrape(api)

    labels = {"method": "GET", "route": "/tasks/{task_id}", "status": "404"}
    assert _value(samples, "bastion_http_requests_total", **labels) == 2
    assert _value(samples, "bastion_http_request_duration_seconds_count", **labels) == 2
    assert _value(samples, "bastion_http_request_duration_seconds_bucket", le="+Inf", **labels) == 2
    assert _value(samples, "bastion_http_requests_total", method="POST", route="/auth/register", status="201") == 1
    assert not any(str(task_id) in str(key) for key in samples)


async def test_paths_and_methods_a_client_invents_do_not_become_labels(api: Api) -> None:
    for number in range(3):
        await api.client.get(f"/no-such-page-{number}")
    await api.client.request("BREW", "/health")

    samples = await _scrape(api)

    assert _value(samples, "bastion_http_requests_total", method="GET", route="(unrouted)", status="404") == 3
    brewed = [key for key in samples if key[0] == "bastion_http_requests_total" and ("method", "other") in key[1]]
    assert len(brewed) == 1
    assert not any("no-such-page" in str(key) or "BREW" in str(key) for key in samples)


async def test_logins_are_counted_by_result_and_the_failure_that_locks_is_a_lockout() -> None:
    async with memory_api(make_settings(max_failed_logins=3, lockout_minutes=30)) as api:
        await api.register()
        await api.log_in()
        for _ in range(3):
            assert (await _wrong_login(api)).status_code == 401
        assert (await _wrong_login(api)).status_code == 429

        samples = await _scrape(api)

    assert _value(samples, "bastion_logins_total", result="success") == 1
    assert _value(samples, "bastion_logins_total", result="invalid_credentials") == 3
    assert _value(samples, "bastion_logins_total", result="locked") == 1
    assert _value(samples, "bastion_lockouts_total") == 1


async def test_refreshes_are_counted_and_reuse_after_the_grace_window_is_reported() -> None:
    async with memory_api(make_settings(refresh_reuse_grace_seconds=0)) as api:
        pair = await api.registered_and_logged_in()
        for _ in range(2):
            await api.client.post("/auth/refresh", json={"refresh_token": pair["refresh_token"]})

        samples = await _scrape(api)

    assert _value(samples, "bastion_refreshes_total", result="success") == 1
    assert _value(samples, "bastion_refreshes_total", result="reuse_detected") == 1


async def test_requests_refused_by_a_rate_limit_are_counted_by_limit() -> None:
    async with memory_api(make_settings(rate_limit_per_minute=100, login_rate_limit_per_minute=1)) as api:
        for _ in range(3):
            await api.client.post("/auth/login", json={"email": "x@example.org", "password": PASSWORD})

        samples = await _scrape(api)

    assert _value(samples, "bastion_rate_limited_total", limit="sensitive") == 2
    assert _value(samples, "bastion_rate_limited_total", limit="ip") == 0


async def test_the_outbox_backlog_and_the_hash_queue_are_gauges(api: Api) -> None:
    await api.register()  # queues the verification mail

    samples = await _scrape(api)
    assert _value(samples, "bastion_outbox_pending") == 1
    assert ("bastion_hash_queue_depth", frozenset()) in samples

    await api.delivered_mail()
    assert _value(await _scrape(api), "bastion_outbox_pending") == 0


async def test_metrics_switched_off_are_neither_served_nor_observed() -> None:
    async with memory_api(make_settings(metrics_enabled=False)) as api:
        response = await api.client.get("/metrics")

    assert response.status_code == 404
