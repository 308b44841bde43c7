"""The image of the Containerfile, built on a local Debian base: it serves as a non-root user against
PostgreSQL and Redis, with its settings' secrets from files, and its HEALTHCHECK reports healthy."""

from __future__ import annotations

import secrets
from collections.abc import Iterator

import httpx
import pytest

from tests.container.network import NETWORK, seen_from_container, throw_away_database
from tests.container.podman import Podman
from tests.e2e.servers import free_port, wait_for
from tests.redis_servers import new_prefix, redis_url

pytestmark = pytest.mark.container

START_TIMEOUT_S = 60
PASSWORD = "Correct-Horse-9"


class Served:
    """A running container of the image, and how to reach it."""

    def __init__(self, name: str, port: int) -> None:
        self.name = name
        self.url = f"http://127.0.0.1:{port}"
        # The public address its settings name, which BASTION_ALLOWED_HOSTS lists.
        self.headers = {"Host": f"localhost:{port}"}

    def get(self, path: str) -> httpx.Response:
        return httpx.get(self.url + path, headers=self.headers, timeout=5)

    def post(self, path: str, body: dict[str, str]) -> httpx.Response:
        return httpx.post(self.url + path, json=body, headers=self.headers, timeout=10)


def _ready(served: Served) -> bool:
    try:
        return served.get("/health/ready").status_code == 200
    except httpx.HTTPError:
        return False


@pytest.fixture(scope="module")
def served(podman: Podman, bastion_image: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    port, name = free_port(), f"bastion-test-{secrets.token_hex(4)}"
    secret_file = tmp_path_factory.mktemp("secrets") / "secret_key"
    secret_file.write_text(secrets.token_urlsafe(48) + "\n")
    secret_file.chmod(0o644)  # read by the image's user through the bind mount
    with throw_away_database() as database_url:
        settings = {
            "BASTION_DATABASE_URL": seen_from_container(database_url),
            "BASTION_REDIS_URL": seen_from_container(redis_url()),
            "BASTION_REDIS_PREFIX": new_prefix(),
            "BASTION_SECRET_KEY_FILE": "/run/secrets/secret_key",
            "BASTION_PUBLIC_URL": f"http://localhost:{port}",
            "BASTION_ALLOWED_HOSTS": f"localhost:{port}",
            # Nothing listens there: mail stays in the outbox, which these tests do not read.
            "BASTION_SMTP_HOST": "127.0.0.1",
            "BASTION_SMTP_PORT": "25",
            "BASTION_SMTP_STARTTLS": "false",
        }
        options = [
            "--network",
            NETWORK,
            "-v",
            f"{secret_file}:/run/secrets/secret_key:ro",
            *(option for variable, value in settings.items() for option in ("-e", f"{variable}={value}")),
        ]
        podman.run("run", "--rm", *options, bastion_image, "db", "upgrade", timeout=180)
        podman.run("run", "-d", "--name", name, "-p", f"127.0.0.1:{port}:8000", *options, bastion_image)
        try:
            served = Served(name, port)
            try:
                wait_for(lambda: _ready(served), START_TIMEOUT_S)
            except AssertionError:
                logs = podman.run("logs", name, check=False)
                raise AssertionError(f"the container did not get ready:\n{logs.stdout}\n{logs.stderr}") from None
            yield served
        finally:
            podman.run("rm", "-f", "-t", "5", name, check=False)


def test_the_image_serves_registration_and_login(served: Served) -> None:
    account = {"email": "ada@example.org", "username": "ada", "password": PASSWORD}
    assert served.post("/auth/register", account).status_code == 201
    login = served.post("/auth/login", {"email": "ada@example.org", "password": PASSWORD})
    assert login.status_code == 200, login.text
    assert login.json()["token_type"] == "bearer"
    health = served.get("/health").json()
    assert health["environment"] == "production"


def test_the_service_runs_as_a_user_that_is_not_root_and_the_image_holds_only_the_environment(
    podman: Podman, served: Served, bastion_image: str
) -> None:
    assert podman.run("exec", served.name, "id", "-u").stdout.strip() == "10001"
    assert podman.run("image", "inspect", "--format", "{{.Config.User}}", bastion_image).stdout.strip() == "10001:10001"
    assert podman.run("exec", served.name, "ls", "-A", "/app").stdout.split() == [".venv"]


def test_the_healthcheck_of_the_image_reports_healthy(podman: Podman, served: Served) -> None:
    result = podman.run("healthcheck", "run", served.name, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    status = podman.run("inspect", "--format", "{{.State.Health.Status}}", served.name).stdout.strip()
    assert status == "healthy"
