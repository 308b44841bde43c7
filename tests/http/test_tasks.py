"""The Task Management API over HTTP: CRUD, paging, validation, ownership and hostile input."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from litestar.testing import AsyncTestClient

from adapters.memory.clock import FrozenClock
from entrypoints.asgi import build_app
from tests.backends import SQL_BACKENDS, migrated_database
from tests.http.conftest import PASSWORD, Api, answer_body, bearer, make_settings

PROBLEM = "application/problem+json"
LEAKS = ("Traceback", "sqlalchemy", "SELECT", 'File "', "Error(", "/work/", "site-packages")
TASK_FIELDS = {"id", "title", "description", "completed", "created_at", "updated_at"}
HOSTILE = [
    "\x00",
    "a\x00b",
    "' OR 1=1 --",
    "'); DROP TABLE tasks; --",
    "\U0001d56c" * 200,
    "\U0001d56c" * 5000,
    "\u202eevil",
    "line\r\nbreak",
    "<script>alert(1)</script>",
    "%00",
    "{{7*7}}",
]
HOSTILE_IDS = ["' OR 1=1 --", "%00", "x" * 5000, "..%2F..%2Fetc", "%ED%A0%80", "null", "1", "*"]


def assert_problem(response: Any, status: int, code: str | None = None) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body = response.json()
    assert body["status"] == status
    if code is not None:
        assert body["type"] == f"urn:bastion:problem:{code}"
    for leak in LEAKS:
        assert leak not in response.text


def error_fields(response: Any) -> list[str]:
    return [error["field"] for error in response.json()["errors"]]


class Client:
    """One logged-in user of the API."""

    def __init__(self, api: Api, pair: dict[str, Any]) -> None:
        self.api, self.headers = api, bearer(pair)

    async def create(self, title: str = "Write the report", **fields: Any) -> dict[str, Any]:
        response = await self.api.client.post("/tasks", json={"title": title, **fields}, headers=self.headers)
        assert response.status_code == 201, response.text
        return dict(response.json())

    async def get(self, path: str, **params: Any) -> Any:
        return await self.api.client.get(path, params=params, headers=self.headers)

    async def post(self, path: str, body: Any) -> Any:
        return await self.api.client.post(path, json=body, headers=self.headers)

    async def patch(self, path: str, body: Any) -> Any:
        return await self.api.client.patch(path, json=body, headers=self.headers)

    async def delete(self, path: str) -> Any:
        return await self.api.client.delete(path, headers=self.headers)


@pytest.fixture
async def ada(api: Api) -> Client:
    return Client(api, await api.registered_and_logged_in())


@pytest.fixture
async def bob(api: Api) -> Client:
    await api.register(email="bob@example.org", username="bob")
    return Client(api, await api.log_in("bob@example.org"))


# CRUD


async def test_a_created_task_is_returned_with_201(ada: Client) -> None:
    response = await ada.post("/tasks", {"title": "  Write the report  ", "description": "Two pages."})

    assert response.status_code == 201
    task = response.json()
    assert set(task) == TASK_FIELDS
    assert task["title"] == "Write the report"
    assert task["description"] == "Two pages."
    assert task["completed"] is False
    assert task["created_at"] == task["updated_at"]
    assert task["created_at"].endswith("Z")


async def test_a_task_may_be_created_completed_without_description(ada: Client) -> None:
    task = await ada.create(completed=True)

    assert task["completed"] is True
    assert task["description"] is None


async def test_the_owner_reads_a_task_by_id(ada: Client) -> None:
    task = await ada.create()

    response = await ada.get(f"/tasks/{task['id']}")

    assert response.status_code == 200
    assert response.json() == task


async def test_a_patch_changes_only_the_fields_sent(ada: Client) -> None:
    task = await ada.create("Draft", description="Keep me")

    response = await ada.patch(f"/tasks/{task['id']}", {"title": "Final", "completed": True})

    assert response.status_code == 200
    updated = response.json()
    assert (updated["title"], updated["description"], updated["completed"]) == ("Final", "Keep me", True)
    assert updated["created_at"] == task["created_at"]
    assert updated["updated_at"] >= task["updated_at"]
    assert (await ada.get(f"/tasks/{task['id']}")).json() == updated


async def test_a_patch_with_a_null_description_clears_it(ada: Client) -> None:
    task = await ada.create(description="Obsolete")

    response = await ada.patch(f"/tasks/{task['id']}", {"description": None})

    assert response.status_code == 200
    assert response.json()["description"] is None
    assert response.json()["title"] == task["title"]


async def test_an_empty_patch_changes_nothing(ada: Client) -> None:
    task = await ada.create()

    response = await ada.patch(f"/tasks/{task['id']}", {})

    assert response.status_code == 200
    assert response.json() == task


async def test_a_deleted_task_is_gone(ada: Client) -> None:
    task = await ada.create()

    response = await ada.delete(f"/tasks/{task['id']}")

    assert response.status_code == 204
    assert response.content == b""
    assert_problem(await ada.get(f"/tasks/{task['id']}"), 404, "task_not_found")
    assert_problem(await ada.delete(f"/tasks/{task['id']}"), 404, "task_not_found")


# Listing


async def test_the_list_shows_the_callers_tasks_newest_first(api: Api, ada: Client, bob: Client) -> None:
    clock = FrozenClock(datetime.now(UTC))
    api.adapters.clock.override(clock)
    first = await ada.create("First")
    clock.advance(timedelta(seconds=1))
    second = await ada.create("Second")
    await bob.create("Bob's")

    response = await ada.get("/tasks")

    assert response.status_code == 200
    assert response.json() == {"items": [second, first], "total": 2, "limit": 20, "offset": 0}


async def test_the_list_pages_with_limit_and_offset_and_gives_the_total(ada: Client) -> None:
    for number in range(5):
        await ada.create(f"Task {number}")
    everything = (await ada.get("/tasks")).json()["items"]

    response = await ada.get("/tasks", limit=2, offset=2)

    assert response.status_code == 200
    assert response.json() == {"items": everything[2:4], "total": 5, "limit": 2, "offset": 2}
    past_the_end = (await ada.get("/tasks", limit=2, offset=10)).json()
    assert past_the_end == {"items": [], "total": 5, "limit": 2, "offset": 10}


async def test_the_list_filters_on_completion(ada: Client) -> None:
    done = await ada.create("Done", completed=True)
    still_open = await ada.create("Open")

    completed = (await ada.get("/tasks", completed="true")).json()
    not_completed = (await ada.get("/tasks", completed="false")).json()

    assert (completed["items"], completed["total"]) == ([done], 1)
    assert (not_completed["items"], not_completed["total"]) == ([still_open], 1)


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"limit": "0"}, "limit"),
        ({"limit": "101"}, "limit"),
        ({"limit": "abc"}, "limit"),
        ({"limit": "1.5"}, "limit"),
        ({"limit": "99999999999999999999999999"}, "limit"),
        ({"offset": "-1"}, "offset"),
        ({"offset": "x"}, "offset"),
        ({"offset": "99999999999999999999999999"}, "offset"),
        ({"completed": "maybe"}, "completed"),
    ],
)
async def test_bad_paging_or_filter_values_are_422(ada: Client, params: dict[str, str], field: str) -> None:
    response = await ada.get("/tasks", **params)

    assert_problem(response, 422, "validation_failed")
    assert error_fields(response) == [field]


async def test_paging_at_the_bounds_is_accepted(ada: Client) -> None:
    for params in ({"limit": "1"}, {"limit": "100"}, {"offset": "0"}):
        assert (await ada.get("/tasks", **params)).status_code == 200


# Validation


@pytest.mark.parametrize("title", ["", "   ", "x" * 201])
async def test_a_title_out_of_bounds_is_422(ada: Client, title: str) -> None:
    response = await ada.post("/tasks", {"title": title})

    assert_problem(response, 422, "validation_failed")
    assert error_fields(response) == ["title"]


async def test_titles_of_1_and_200_characters_are_accepted(ada: Client) -> None:
    assert (await ada.create("x"))["title"] == "x"
    assert (await ada.create("x" * 200))["title"] == "x" * 200


async def test_a_description_over_10000_characters_is_422(ada: Client) -> None:
    response = await ada.post("/tasks", {"title": "Long", "description": "x" * 10_001})

    assert_problem(response, 422, "validation_failed")
    assert error_fields(response) == ["description"]


async def test_a_description_of_10000_characters_is_accepted(ada: Client) -> None:
    assert (await ada.create(description="x" * 10_000))["description"] == "x" * 10_000


@pytest.mark.parametrize("body", [{}, {"title": None}, {"title": 5}, {"title": "x", "completed": "yes"}, [], "x"])
async def test_wrong_shapes_on_create_are_422(ada: Client, body: Any) -> None:
    assert_problem(await ada.post("/tasks", body), 422, "validation_failed")


@pytest.mark.parametrize("body", [{"title": None}, {"title": ""}, {"completed": None}, {"description": 3}, []])
async def test_wrong_shapes_on_patch_are_422_and_change_nothing(ada: Client, body: Any) -> None:
    task = await ada.create()

    assert_problem(await ada.patch(f"/tasks/{task['id']}", body), 422, "validation_failed")
    assert (await ada.get(f"/tasks/{task['id']}")).json() == task


async def test_a_body_that_is_not_json_is_400(ada: Client) -> None:
    task = await ada.create()
    for method, path in (("POST", "/tasks"), ("PATCH", f"/tasks/{task['id']}")):
        headers = {**ada.headers, "Content-Type": "text/plain"}
        response = await ada.api.client.request(method, path, content=b'{"title": "x"}', headers=headers)
        assert_problem(response, 400)
        malformed = await ada.api.client.request(
            method, path, content=b'{"title": ', headers={**ada.headers, "Content-Type": "application/json"}
        )
        assert_problem(malformed, 400)


# Mass assignment


@pytest.mark.parametrize(
    "extra",
    [
        {"owner_id": "someone-else"},
        {"id": "00000000-0000-4000-8000-000000000000"},
        {"created_at": "2000-01-01T00:00:00Z"},
        {"updated_at": "2000-01-01T00:00:00Z"},
        {"user_id": "someone-else"},
    ],
)
async def test_server_owned_fields_in_a_create_body_are_refused(ada: Client, extra: dict[str, str]) -> None:
    response = await ada.post("/tasks", {"title": "Mine", **extra})

    assert_problem(response, 422, "validation_failed")
    assert (await ada.get("/tasks")).json()["total"] == 0


@pytest.mark.parametrize(
    "extra",
    [
        {"owner_id": "someone-else"},
        {"id": "00000000-0000-4000-8000-000000000000"},
        {"created_at": "2000-01-01T00:00:00Z"},
        {"updated_at": "2000-01-01T00:00:00Z"},
    ],
)
async def test_server_owned_fields_in_a_patch_body_are_refused(ada: Client, extra: dict[str, str]) -> None:
    task = await ada.create()

    response = await ada.patch(f"/tasks/{task['id']}", {"title": "Changed", **extra})

    assert_problem(response, 422, "validation_failed")
    assert (await ada.get(f"/tasks/{task['id']}")).json() == task


async def test_an_owner_id_in_a_body_cannot_give_a_task_to_someone_else(ada: Client, bob: Client) -> None:
    bob_id = (await bob.get("/auth/me")).json()["id"]

    await ada.post("/tasks", {"title": "Gift", "owner_id": bob_id})

    assert (await bob.get("/tasks")).json()["total"] == 0


# Ownership (IDOR)


async def test_another_user_gets_404_for_every_verb_and_the_task_is_unchanged(ada: Client, bob: Client) -> None:
    task = await ada.create("Private", description="Secret")
    path = f"/tasks/{task['id']}"

    assert_problem(await bob.get(path), 404, "task_not_found")
    assert_problem(await bob.patch(path, {"title": "Mine now", "completed": True}), 404, "task_not_found")
    assert_problem(await bob.patch(path, {"description": None}), 404, "task_not_found")
    assert_problem(await bob.delete(path), 404, "task_not_found")

    assert (await ada.get(path)).json() == task
    assert (await bob.get("/tasks")).json()["total"] == 0


async def test_a_foreign_task_answers_exactly_like_a_missing_one(ada: Client, bob: Client) -> None:
    task = await ada.create()

    foreign = await bob.get(f"/tasks/{task['id']}")
    missing = await bob.get("/tasks/00000000-0000-4000-8000-000000000000")

    assert foreign.status_code == missing.status_code == 404
    assert answer_body(foreign) == answer_body(missing)


@pytest.mark.parametrize("task_id", HOSTILE_IDS)
async def test_hostile_task_ids_are_404_for_every_verb(ada: Client, task_id: str) -> None:
    await ada.create()
    path = f"/tasks/{task_id}"

    assert_problem(await ada.get(path), 404)
    assert_problem(await ada.patch(path, {"completed": True}), 404)
    assert_problem(await ada.delete(path), 404)


async def test_every_task_route_needs_a_bearer_token(api: Api, ada: Client) -> None:
    task = await ada.create()
    path = f"/tasks/{task['id']}"
    calls = [("GET", "/tasks"), ("POST", "/tasks"), ("GET", path), ("PATCH", path), ("DELETE", path)]
    for method, url in calls:
        response = await api.client.request(method, url, json={"title": "x"})
        assert_problem(response, 401)
        assert response.headers["www-authenticate"].startswith("Bearer")
        forged = await api.client.request(method, url, json={"title": "x"}, headers={"Authorization": "Bearer x.y.z"})
        assert_problem(forged, 401)
    assert (await ada.get(path)).json() == task


# The account around the tasks


async def test_me_counts_the_callers_tasks(ada: Client, bob: Client) -> None:
    assert (await ada.get("/auth/me")).json()["task_count"] == 0
    await ada.create(completed=True)
    task = await ada.create()
    await ada.create()
    await bob.create(completed=True)
    await ada.patch(f"/tasks/{task['id']}", {"completed": True})

    me = (await ada.get("/auth/me")).json()

    assert (me["task_count"], me["completed_task_count"]) == (3, 2)


async def test_deleting_the_account_deletes_its_tasks(api: Api, ada: Client, bob: Client) -> None:
    await ada.create()
    await ada.create()
    kept = await bob.create()

    response = await api.client.request("DELETE", "/auth/me", json={"password": PASSWORD}, headers=ada.headers)

    assert response.status_code == 204
    assert [task.id for task in api.adapters.store().tasks.values()] == [kept["id"]]
    assert (await bob.get("/tasks")).json()["items"] == [kept]


# Hostile input


@pytest.mark.parametrize("value", HOSTILE)
async def test_hostile_titles_and_descriptions_are_stored_verbatim_or_refused(ada: Client, value: str) -> None:
    for body in ({"title": value}, {"title": "Ok", "description": value}):
        response = await ada.post("/tasks", body)
        if response.status_code == 201:
            task = response.json()
            assert (await ada.get(f"/tasks/{task['id']}")).json() == task
            patched = await ada.patch(f"/tasks/{task['id']}", body)
            assert patched.status_code == 200, patched.text
        else:
            assert_problem(response, response.status_code)
            assert response.status_code in (413, 422)


async def test_nul_and_line_breaks_are_refused_in_a_title(ada: Client) -> None:
    for title in ("a\x00b", "line\r\nbreak"):
        response = await ada.post("/tasks", {"title": title})
        assert_problem(response, 422, "validation_failed")
        assert error_fields(response) == ["title"]


async def test_a_nul_is_refused_in_a_description(ada: Client) -> None:
    response = await ada.post("/tasks", {"title": "Ok", "description": "a\x00b"})

    assert_problem(response, 422, "validation_failed")
    assert error_fields(response) == ["description"]


async def test_a_long_description_in_four_byte_characters_is_accepted(ada: Client) -> None:
    description = "\U0001d56c" * 10_000
    body = json.dumps({"title": "Unicode", "description": description}, ensure_ascii=False).encode()

    response = await ada.api.client.post(
        "/tasks", content=body, headers={**ada.headers, "Content-Type": "application/json"}
    )

    assert response.status_code == 201, response.text
    assert response.json()["description"] == description


async def test_a_lone_surrogate_is_refused_not_a_crash(ada: Client) -> None:
    body = b'{"title": "\\ud800", "description": "\\udfff"}'
    response = await ada.api.client.post(
        "/tasks", content=body, headers={**ada.headers, "Content-Type": "application/json"}
    )

    assert_problem(response, response.status_code)
    assert response.status_code in (400, 422)


@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(title=st.text(max_size=250), description=st.none() | st.text(max_size=300))
async def test_arbitrary_task_text_never_fails_with_500(ada: Client, title: str, description: str | None) -> None:
    response = await ada.post("/tasks", {"title": title, "description": description})
    assert response.status_code in (201, 422), response.text


async def test_the_openapi_schema_documents_the_task_routes(api: Api) -> None:
    response = await api.client.get("/schema/openapi.json")

    assert response.status_code == 200
    paths = response.json()["paths"]
    assert set(paths["/tasks"]) >= {"get", "post"}
    assert set(paths["/tasks/{task_id}"]) >= {"get", "patch", "delete"}


# The same over the production wiring on SQLite and PostgreSQL (real hashing, real SQL).


@pytest.fixture(params=SQL_BACKENDS)
async def sql_api(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[AsyncTestClient[Any]]:
    async with migrated_database(request.param, tmp_path) as database:
        sql_settings = make_settings(database_url=database.url, database_schema=database.schema or "")
        async with AsyncTestClient(build_app(sql_settings), base_url="http://127.0.0.1:8000") as client:
            yield client


async def _sql_user(client: AsyncTestClient[Any], name: str) -> dict[str, str]:
    body = {"email": f"{name}@example.org", "username": name, "password": PASSWORD}
    assert (await client.post("/auth/register", json=body)).status_code == 201
    login = await client.post("/auth/login", json={"email": body["email"], "password": PASSWORD})
    return bearer(login.json())


@pytest.mark.slow
async def test_tasks_work_end_to_end_on_sql_backends(sql_api: AsyncTestClient[Any]) -> None:
    ada, bob = await _sql_user(sql_api, "ada"), await _sql_user(sql_api, "bob")
    created = await sql_api.post("/tasks", json={"title": "Report", "description": "日本語 🙂"}, headers=ada)
    assert created.status_code == 201
    task = created.json()
    path = f"/tasks/{task['id']}"
    await sql_api.post("/tasks", json={"title": "Done", "completed": True}, headers=ada)

    patched = await sql_api.patch(path, json={"completed": True, "description": None}, headers=ada)
    assert patched.status_code == 200
    assert (patched.json()["completed"], patched.json()["description"]) == (True, None)
    listed = (await sql_api.get("/tasks", params={"completed": "true", "limit": 1}, headers=ada)).json()
    assert (len(listed["items"]), listed["total"]) == (1, 2)
    me = (await sql_api.get("/auth/me", headers=ada)).json()
    assert (me["task_count"], me["completed_task_count"]) == (2, 2)

    assert_problem(await sql_api.get(path, headers=bob), 404, "task_not_found")
    assert_problem(await sql_api.patch(path, json={"title": "Mine"}, headers=bob), 404, "task_not_found")
    assert_problem(await sql_api.delete(path, headers=bob), 404, "task_not_found")
    assert (await sql_api.delete(path, headers=ada)).status_code == 204
    assert_problem(await sql_api.get(path, headers=ada), 404, "task_not_found")


@pytest.mark.slow
async def test_hostile_input_never_fails_on_sql_backends(sql_api: AsyncTestClient[Any]) -> None:
    ada = await _sql_user(sql_api, "ada")
    for value in HOSTILE:
        for body in ({"title": value}, {"title": "Ok", "description": value}):
            response = await sql_api.post("/tasks", json=body, headers=ada)
            assert response.status_code in (201, 413, 422), (body, response.text)
    for task_id in HOSTILE_IDS:
        for method in ("GET", "PATCH", "DELETE"):
            response = await sql_api.request(method, f"/tasks/{task_id}", json={"completed": True}, headers=ada)
            assert_problem(response, 404)
    listed = await sql_api.get("/tasks", params={"offset": str(2**31 - 1), "limit": 100}, headers=ada)
    assert listed.status_code == 200


@pytest.mark.slow
async def test_deleting_the_account_deletes_its_tasks_on_sql_backends(sql_api: AsyncTestClient[Any]) -> None:
    ada = await _sql_user(sql_api, "ada")
    task = (await sql_api.post("/tasks", json={"title": "Gone soon"}, headers=ada)).json()

    deleted = await sql_api.request("DELETE", "/auth/me", json={"password": PASSWORD}, headers=ada)
    assert deleted.status_code == 204

    again = await _sql_user(sql_api, "ada")
    assert (await sql_api.get("/tasks", headers=again)).json()["total"] == 0
    assert_problem(await sql_api.get(f"/tasks/{task['id']}", headers=again), 404, "task_not_found")
