"""X-Request-ID on every answer, in problem documents and in every log line written while serving."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import AsyncIterator

import pytest

from entrypoints.http.log_format import JsonFormatter, TextFormatter
from entrypoints.http.request_context import current_request_id
from tests.http.conftest import PASSWORD, Api, make_settings, memory_api

GENERATED = re.compile(r"[0-9a-f]{32}")


@pytest.mark.parametrize(("method", "path"), [("GET", "/health"), ("GET", "/no/such/route"), ("GET", "/auth/me")])
async def test_every_answer_carries_a_fresh_request_id(api: Api, method: str, path: str) -> None:
    first = await api.client.request(method, path)
    second = await api.client.request(method, path)

    assert GENERATED.fullmatch(first.headers["x-request-id"])
    assert first.headers["x-request-id"] != second.headers["x-request-id"]


async def test_problem_documents_carry_the_request_id_of_their_answer(api: Api) -> None:
    for response in (
        await api.client.get("/auth/me"),
        await api.client.get("/no/such/route"),
        await api.client.post("/auth/register", json={"email": "x"}),
    ):
        assert response.headers["content-type"].startswith("application/problem+json")
        assert response.json()["request_id"] == response.headers["x-request-id"]


async def test_a_request_id_from_an_untrusted_peer_is_not_believed(api: Api) -> None:
    response = await api.client.get("/health", headers={"X-Request-ID": "forged-by-the-client"})
    assert response.headers["x-request-id"] != "forged-by-the-client"


@pytest.fixture
async def logging_api() -> AsyncIterator[Api]:
    # Started in the fixture, so that the app's logging set-up comes before the test's log capture.
    async with memory_api(make_settings(log_requests=True)) as api:
        yield api


async def test_the_request_line_and_the_audit_line_name_the_request(
    logging_api: Api, caplog: pytest.LogCaptureFixture
) -> None:
    api = logging_api
    caplog.set_level(logging.INFO)
    await api.register()
    caplog.clear()
    answer = await api.client.post("/auth/login", json={"email": "ada@example.org", "password": PASSWORD})
    request_id = answer.headers["x-request-id"]

    [request_line] = [record for record in caplog.records if record.name == "bastion.http"]
    assert (request_line.method, request_line.route, request_line.status) == ("POST", "/auth/login", 200)  # type: ignore[attr-defined]
    text = TextFormatter()
    audit = [record for record in caplog.records if record.name == "bastion.audit"]
    assert audit
    token = current_request_id.set(request_id)
    try:
        assert all(f"request_id={request_id} - " in text.format(record) for record in [*audit, request_line])
        as_json = json.loads(JsonFormatter().format(request_line))
    finally:
        current_request_id.reset(token)
    assert as_json["request_id"] == request_id
    assert (as_json["method"], as_json["route"], as_json["status"]) == ("POST", "/auth/login", 200)
    assert isinstance(as_json["duration_ms"], float)


async def test_request_lines_are_off_by_default(api: Api, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    await api.client.get("/health")
    assert [record for record in caplog.records if record.name == "bastion.http"] == []


def test_lines_outside_a_request_carry_no_request_id() -> None:
    record = logging.LogRecord("bastion.cli", logging.INFO, __file__, 1, "started", None, None)
    assert "request_id=" not in TextFormatter().format(record)
    assert "request_id" not in json.loads(JsonFormatter().format(record))
