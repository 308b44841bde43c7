from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.http.conftest import PASSWORD, Api, bearer

PROBLEM = "application/problem+json"
LEAKS = ("Traceback", "sqlalchemy", "SELECT", 'File "', "Error(", "/work/", "site-packages")

JSON_ROUTES = ["/auth/register", "/auth/login", "/token", "/auth/refresh", "/auth/logout"]


def assert_clean_problem(response: object, *statuses: int) -> None:
    status = response.status_code  # type: ignore[attr-defined]
    assert status in statuses, (status, response.text)  # type: ignore[attr-defined]
    assert response.headers["content-type"].startswith(PROBLEM)  # type: ignore[attr-defined]
    body = response.json()  # type: ignore[attr-defined]
    assert {"type", "title", "status", "detail"} <= set(body)
    assert body["status"] == status
    for leak in LEAKS:
        assert leak not in response.text  # type: ignore[attr-defined]


@pytest.mark.parametrize("path", JSON_ROUTES)
async def test_malformed_json_is_a_400_problem(api: Api, path: str) -> None:
    response = await api.client.post(path, content=b'{"email": ', headers={"Content-Type": "application/json"})
    assert_clean_problem(response, 400)


@pytest.mark.parametrize("path", ["/auth/register", "/auth/refresh", "/auth/logout"])
async def test_a_non_json_content_type_is_a_400_problem(api: Api, path: str) -> None:
    response = await api.client.post(path, content=b"{}", headers={"Content-Type": "text/plain"})
    assert_clean_problem(response, 400)


@pytest.mark.parametrize("path", JSON_ROUTES)
async def test_an_empty_body_is_a_400_problem(api: Api, path: str) -> None:
    response = await api.client.post(path, content=b"", headers={"Content-Type": "application/json"})
    assert_clean_problem(response, 400)


@pytest.mark.parametrize("path", JSON_ROUTES)
@pytest.mark.parametrize("body", [[], "text", 42, None, {"email": 5, "password": []}, {"refresh_token": {"$ne": 1}}])
async def test_wrong_json_shapes_are_422_problems(api: Api, path: str, body: object) -> None:
    response = await api.client.post(path, content=json.dumps(body), headers={"Content-Type": "application/json"})
    assert_clean_problem(response, 422)


@pytest.mark.parametrize("path", JSON_ROUTES)
async def test_an_oversized_body_is_a_413_problem(api: Api, path: str) -> None:
    body = json.dumps({"email": "a@b.org", "password": "x" * 70_000, "refresh_token": "y"})
    response = await api.client.post(path, content=body, headers={"Content-Type": "application/json"})
    assert_clean_problem(response, 413)


HOSTILE = [
    "\x00",
    "a\x00b@example.org",
    "' OR 1=1 --",
    "admin'); DROP TABLE users; --",
    "\U0001d56c" * 5000,
    "\ud7ff" * 300,
    "../../etc/passwd",
    "<script>alert(1)</script>",
    "%00",
    "\uff41\uff44\uff4d\uff49\uff4e@example.org",
]


@pytest.mark.parametrize("value", HOSTILE)
async def test_hostile_strings_in_every_register_field_are_4xx(api: Api, value: str) -> None:
    for field in ("email", "username", "password", "full_name"):
        body = {"email": "ok@example.org", "username": "okay", "password": PASSWORD, "full_name": "Ok", field: value}
        response = await api.client.post("/auth/register", json=body)
        if response.status_code == 201:
            # Acceptable only where the value is harmless as data (a display name).
            assert field == "full_name", (field, value)
            await api.client.post("/auth/login", json={"email": "ok@example.org", "password": PASSWORD})
            continue
        assert_clean_problem(response, 409, 413, 422)


@pytest.mark.parametrize("value", HOSTILE)
async def test_hostile_strings_at_login_and_refresh_are_4xx(api: Api, value: str) -> None:
    login = await api.client.post("/auth/login", json={"email": value, "password": value})
    assert_clean_problem(login, 401, 413, 422)
    form = await api.client.post("/token", data={"username": value, "password": value})
    assert_clean_problem(form, 401, 413, 422)
    refresh = await api.client.post("/auth/refresh", json={"refresh_token": value})
    assert_clean_problem(refresh, 401, 413, 422)


async def test_hostile_session_ids_are_not_found(api: Api) -> None:
    pair = await api.registered_and_logged_in()
    for value in ("' OR 1=1 --", "%00", "x" * 5000, "..%2F..%2Fetc"):
        response = await api.client.delete(f"/auth/sessions/{value}", headers=bearer(pair))
        assert_clean_problem(response, 404)


@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(body=st.dictionaries(st.sampled_from(["email", "username", "password", "full_name", "x"]), st.text()))
async def test_arbitrary_registration_bodies_never_fail_with_500(api: Api, body: dict[str, str]) -> None:
    response = await api.client.post("/auth/register", json=body)
    assert response.status_code < 500, response.text


async def test_unknown_route_and_method_are_problem_documents(api: Api) -> None:
    assert_clean_problem(await api.client.get("/nope"), 404)
    assert_clean_problem(await api.client.put("/auth/login", json={}), 405)
