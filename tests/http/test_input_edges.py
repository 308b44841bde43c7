"""Input edges that must be a clear 4xx problem, never a 500 (API.md, Conventions)."""

from __future__ import annotations

import pytest

from tests.http.conftest import Api, bearer
from tests.http.test_admin import admin_pair
from tests.http.test_hostile_input import JSON_ROUTES, assert_clean_problem

JSON = {"Content-Type": "application/json"}


@pytest.mark.parametrize("path", JSON_ROUTES)
async def test_invalid_utf8_inside_a_json_string_is_a_400_problem(api: Api, path: str) -> None:
    body = b'{"email": "\xff\xfe", "password": "x", "refresh_token": "\xff"}'
    response = await api.client.post(path, content=body, headers=JSON)
    assert_clean_problem(response, 400)


@pytest.mark.parametrize("path", JSON_ROUTES)
@pytest.mark.parametrize("depth", [33, 5_000])
async def test_json_nested_deeper_than_32_levels_is_a_400_problem(
    api: Api, path: str, depth: int, caplog: pytest.LogCaptureFixture
) -> None:
    body = b'{"email": ' + b"[" * depth + b"]" * depth + b"}"
    response = await api.client.post(path, content=body, headers=JSON)
    assert_clean_problem(response, 400)
    assert "Traceback" not in caplog.text
    assert "RecursionError" not in caplog.text


@pytest.mark.parametrize("path", JSON_ROUTES)
async def test_json_nested_32_levels_is_judged_by_its_shape(api: Api, path: str) -> None:
    body = b'{"email": ' + b"[" * 31 + b"]" * 31 + b"}"
    response = await api.client.post(path, content=body, headers=JSON)
    assert_clean_problem(response, 422)


@pytest.mark.parametrize("path", JSON_ROUTES)
async def test_an_empty_body_without_content_length_is_a_400_problem(api: Api, path: str) -> None:
    request = api.client.build_request("POST", path, content=b"", headers=JSON)
    del request.headers["Content-Length"]
    response = await api.client.send(request)
    assert "content-length" not in {name.lower() for name in response.request.headers}
    assert_clean_problem(response, 400)


@pytest.mark.parametrize(
    ("path", "body", "missing"),
    [
        ("/auth/register", {"username": "ada", "password": "x"}, "email"),
        ("/auth/register", {"email": "ada@example.org", "password": "x"}, "username"),
        ("/auth/login", {"email": "ada@example.org"}, "password"),
        ("/auth/refresh", {}, "refresh_token"),
        ("/auth/password-reset/confirm", {"token": "t"}, "new_password"),
    ],
)
async def test_a_missing_required_field_is_named(api: Api, path: str, body: dict[str, str], missing: str) -> None:
    response = await api.client.post(path, json=body)
    assert_clean_problem(response, 422)
    assert missing in [error["field"] for error in response.json()["errors"]]


@pytest.mark.parametrize("query", ["\x00", "ada\x00", "line\nbreak"])
async def test_a_search_text_with_control_characters_is_a_422_problem(api: Api, query: str) -> None:
    admin = await admin_pair(api)
    response = await api.client.get("/admin/users", params={"q": query}, headers=bearer(admin))
    assert_clean_problem(response, 422)
    assert [error["field"] for error in response.json()["errors"]] == ["q"]


async def test_admin_and_task_answers_are_never_cached(api: Api) -> None:
    admin = await admin_pair(api)
    for path in ("/admin/users", "/admin/audit-events", "/tasks"):
        response = await api.client.get(path, headers=bearer(admin))
        assert response.status_code == 200, path
        assert response.headers["cache-control"] == "no-store", path
    assert (await api.client.get("/tasks")).headers["cache-control"] == "no-store"


async def test_logging_out_clears_the_site_data(api: Api) -> None:
    pair = await api.registered_and_logged_in()
    clear = '"cache", "cookies", "storage"'
    logout = await api.client.post("/auth/logout", json={"refresh_token": pair["refresh_token"]})
    assert (logout.status_code, logout.headers["clear-site-data"]) == (204, clear)
    other = await api.log_in()
    everywhere = await api.client.post("/auth/logout-all", headers=bearer(other))
    assert (everywhere.status_code, everywhere.headers["clear-site-data"]) == (204, clear)
