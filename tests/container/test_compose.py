"""compose.yaml, run for real with podman-compose: PostgreSQL, Redis and a mail catcher, the migrations
in their own service before serving, Bastion with two workers and its secrets from files.

The images of postgres, redis and mailpit cannot be pulled here, so an override file names
stand-ins built from Debian packages (`services/Containerfile`) and the image the other tests
built; everything else is compose.yaml and deploy/bastion.env.example as they are.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.container.podman import ROOT, Podman, require
from tests.e2e.servers import free_port, wait_for

pytestmark = pytest.mark.container

UP_TIMEOUT_S = 600
READY_TIMEOUT_S = 180
MAIL_TIMEOUT_S = 30
PASSWORD = "Correct-Horse-9"
# The public address of deploy/bastion.env.example, which its BASTION_ALLOWED_HOSTS lists.
PUBLIC_HOST = "localhost:8000"
# The processes of uvicorn's workers are started by multiprocessing.
WORKER_COUNT = (
    "import os; print(sum(b'spawn_main' in open(f'/proc/{pid}/cmdline', 'rb').read()"
    " for pid in os.listdir('/proc') if pid.isdigit() and int(pid) != os.getpid()))"
)


@dataclass(frozen=True)
class Deployment:
    project: str
    url: str

    def container(self, service: str) -> str:
        return f"{self.project}_{service}_1"

    def post(self, path: str, body: dict[str, str]) -> httpx.Response:
        return httpx.post(self.url + path, json=body, headers={"Host": PUBLIC_HOST}, timeout=10)

    def ready(self) -> bool:
        try:
            return httpx.get(self.url + "/health/ready", headers={"Host": PUBLIC_HOST}, timeout=5).status_code == 200
        except httpx.HTTPError:
            return False


def _secret_files(directory: Path) -> dict[str, Path]:
    """The three files of deploy/secrets/, made as docs/operations.md says."""
    password = secrets.token_urlsafe(24)
    contents = {
        "postgres_password": password,
        "database_url": f"postgresql+asyncpg://bastion:{password}@postgres:5432/bastion",
        "secret_key": secrets.token_urlsafe(48),
    }
    files = {}
    for name, content in contents.items():
        files[name] = directory / f"{name}.txt"
        files[name].write_text(content + "\n")
        files[name].chmod(0o644)  # bind-mounted as they are, for the services' own users
    return files


@pytest.fixture(scope="module")
def deployment(
    podman: Podman, bastion_image: str, service_images: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Deployment]:
    compose = require("podman-compose")
    directory = tmp_path_factory.mktemp("compose")
    override = {
        "services": {
            **{service: {"image": image} for service, image in service_images.items()},
            "migrate": {"image": bastion_image},
            "bastion": {"image": bastion_image},
        },
        "secrets": {name: {"file": str(path)} for name, path in _secret_files(directory).items()},
    }
    override_file = directory / "compose.override.yaml"
    override_file.write_text(json.dumps(override))  # JSON is YAML
    port = free_port()
    project = f"bastion_test_{secrets.token_hex(4)}"
    environ = {
        "BASTION_ENV_FILE": str(ROOT / "deploy" / "bastion.env.example"),
        "BASTION_HOST_PORT": str(port),
        "MAILPIT_HOST_PORT": str(free_port()),
    }
    argv = [compose, "-p", project, "-f", str(ROOT / "compose.yaml"), "-f", str(override_file)]
    deployment = Deployment(project, f"http://127.0.0.1:{port}")
    try:
        podman.command([*argv, "up", "-d"], environ=environ, timeout=UP_TIMEOUT_S)
        try:
            wait_for(deployment.ready, READY_TIMEOUT_S)
        except AssertionError:
            logs = "\n".join(
                podman.run("logs", deployment.container(service), check=False).stderr[-3000:]
                for service in ("postgres", "migrate", "bastion")
            )
            raise AssertionError(f"the deployment did not get ready:\n{logs}") from None
        yield deployment
    finally:
        podman.command([*argv, "down", "-v"], environ=environ, check=False, timeout=UP_TIMEOUT_S)
        # podman-compose 1.0 leaves the project's network behind.
        podman.run("network", "rm", "-f", f"{project}_default", check=False)


def test_the_deployment_registers_logs_in_and_mails_through_the_catcher(podman: Podman, deployment: Deployment) -> None:
    account = {"email": "ada@example.org", "username": "ada", "password": PASSWORD}
    assert deployment.post("/auth/register", account).status_code == 201
    login = deployment.post("/auth/login", {"email": "ada@example.org", "password": PASSWORD})
    assert login.status_code == 200, login.text
    wait_for(
        lambda: "/verify-email#token=" in podman.run("logs", deployment.container("mailpit"), check=False).stdout,
        MAIL_TIMEOUT_S,
    )


def test_the_migrations_ran_to_completion_in_their_own_service(podman: Podman, deployment: Deployment) -> None:
    state = podman.run("inspect", "--format", "{{.State.Status}} {{.State.ExitCode}}", deployment.container("migrate"))
    assert state.stdout.split() == ["exited", "0"]


def test_bastion_serves_with_two_workers_and_its_secrets_only_as_files(podman: Podman, deployment: Deployment) -> None:
    bastion = deployment.container("bastion")
    assert podman.run("exec", bastion, "python3", "-c", WORKER_COUNT).stdout.strip() == "2"
    health = podman.run("healthcheck", "run", bastion, check=False)  # compose.yaml's own check
    assert health.returncode == 0, health.stdout + health.stderr
    environment = podman.run("exec", bastion, "env").stdout.splitlines()
    variables = dict(line.split("=", 1) for line in environment if "=" in line)
    assert variables["BASTION_SECRET_KEY_FILE"] == "/run/secrets/secret_key"
    assert variables["BASTION_DATABASE_URL_FILE"] == "/run/secrets/database_url"
    assert "BASTION_SECRET_KEY" not in variables
    assert "BASTION_DATABASE_URL" not in variables
