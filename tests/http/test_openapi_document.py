"""What the OpenAPI document promises besides success: problem documents, both login bodies, bounds and rules."""

from __future__ import annotations

from typing import Any

from tests.http.conftest import Api

PROBLEM = "application/problem+json"


async def _document(api: Api) -> dict[str, Any]:
    response = await api.client.get("/schema/openapi.json")
    assert response.status_code == 200
    return dict(response.json())


def _operations(document: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    return [
        (f"{method.upper()} {path}", operation)
        for path, item in document["paths"].items()
        for method, operation in item.items()
    ]


async def test_every_error_response_is_a_problem_document_with_its_headers(api: Api) -> None:
    document = await _document(api)
    for name, operation in _operations(document):
        for status, response in operation["responses"].items():
            if int(status) < 400 or name == "GET /health/ready":
                continue
            assert list(response["content"]) == [PROBLEM], name
            assert response["content"][PROBLEM]["schema"] == {"$ref": "#/components/schemas/Problem"}
            if status == "401":
                assert response["headers"]["WWW-Authenticate"]["required"] is True
            if status in ("429", "503"):
                assert response["headers"]["Retry-After"]["required"] is True
    problem = document["components"]["schemas"]["Problem"]
    assert problem["required"] == ["detail", "status", "title", "type"]
    assert {"request_id", "errors"} <= set(problem["properties"])


async def test_routes_document_what_they_answer(api: Api) -> None:
    paths = (await _document(api))["paths"]
    assert {"401", "403", "404", "422", "429", "503"} <= set(paths["/tasks/{task_id}"]["patch"]["responses"])
    assert {"400", "409", "413", "422", "429"} <= set(paths["/auth/register"]["post"]["responses"])
    assert "401" not in paths["/auth/register"]["post"]["responses"]
    assert paths["/auth/register"]["post"].get("security") is None
    assert paths["/auth/me"]["get"]["security"] == [{"BearerToken": []}]


async def test_both_login_bodies_and_both_answers_are_documented_on_both_login_routes(api: Api) -> None:
    paths = (await _document(api))["paths"]
    for path in ("/auth/login", "/token"):
        content = paths[path]["post"]["requestBody"]["content"]
        assert set(content["application/json"]["schema"]["properties"]) == {
            "email",
            "username",
            "password",
            "device_token",
        }
        form = content["application/x-www-form-urlencoded"]["schema"]
        # POST /token also takes the client credentials grant of service accounts.
        forms = form["oneOf"] if path == "/token" else [form]
        assert [body["required"] for body in forms] == [["username", "password"], ["grant_type"]][: len(forms)]
        response = paths[path]["post"]["responses"]["200"]["content"]["application/json"]["schema"]
        # The two answers of a login: the token pair, or the MFA step of an account with a second factor.
        answers = [
            {"$ref": "#/components/schemas/LogInResponse"},
            {"$ref": "#/components/schemas/MfaRequiredResponse"},
        ]
        if path == "/token":
            answers.append({"$ref": "#/components/schemas/ServiceTokenResponse"})
        assert response == {"oneOf": answers}


async def test_bounds_and_rules_are_in_the_schema(api: Api) -> None:
    document = await _document(api)
    for path in ("/tasks", "/admin/users", "/admin/audit-events"):
        parameters = {
            parameter["name"]: parameter["schema"] for parameter in document["paths"][path]["get"]["parameters"]
        }
        assert (parameters["limit"]["minimum"], parameters["limit"]["maximum"]) == (1, 100)
        assert parameters["offset"]["minimum"] == 0
    register = document["components"]["schemas"]["RegisterRequest"]
    assert register["additionalProperties"] is False
    properties = register["properties"]
    assert (properties["password"]["minLength"], properties["password"]["maxLength"]) == (8, 128)
    assert "upper-case letter" in properties["password"]["description"]
    assert properties["email"]["maxLength"] == 254
    assert "pattern" in properties["email"]
    assert (properties["username"]["minLength"], properties["username"]["maxLength"]) == (3, 50)
    assert properties["full_name"]["maxLength"] == 100
