from __future__ import annotations

import pytest

from tests.http.conftest import Api

SECURITY_HEADERS = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
}


async def test_health_is_healthy(api: Api) -> None:
    response = await api.client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "healthy", "app_name": "Bastion", "environment": "test"}


async def test_readiness_reports_the_database(api: Api) -> None:
    response = await api.client.get("/health/ready")
    assert response.status_code == 200
    assert response.json()["checks"]["database"] == "ok"


@pytest.mark.parametrize("path", ["/health", "/auth/me", "/nope", "/schema/openapi.json"])
async def test_every_response_carries_the_security_headers(api: Api, path: str) -> None:
    response = await api.client.get(path)
    for name, value in SECURITY_HEADERS.items():
        assert response.headers[name] == value
    assert "default-src 'none'" in response.headers["content-security-policy"]
    assert "strict-transport-security" not in response.headers


async def test_cors_allows_the_configured_origin_only(api: Api) -> None:
    allowed = await api.client.options(
        "/auth/login",
        headers={"Origin": "http://localhost:3000", "Access-Control-Request-Method": "POST"},
    )
    assert allowed.headers.get("access-control-allow-origin") == "http://localhost:3000"
    refused = await api.client.options(
        "/auth/login",
        headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"},
    )
    assert refused.headers.get("access-control-allow-origin") != "https://evil.example"


async def test_openapi_schema_renders_and_lists_the_auth_routes(api: Api) -> None:
    response = await api.client.get("/schema/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.1")
    for path in ("/auth/register", "/auth/login", "/token", "/auth/refresh", "/auth/me", "/auth/sessions"):
        assert path in schema["paths"]


async def test_interactive_docs_are_served(api: Api) -> None:
    response = await api.client.get("/schema")
    assert response.status_code == 200
    assert "text/html" in response.headers["content-type"]
