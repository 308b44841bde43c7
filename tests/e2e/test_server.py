"""The real `bastion` command: a server process on a free port, over a fresh SQLite file."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import httpx
import pytest

from tests.e2e.servers import BASTION, PASSWORD, ServerLog, environment, only, server, started_workers

pytestmark = pytest.mark.slow

# Varied enough for production: a secret of few distinct bytes is refused before anything else.
STRONG_SECRET = "q3Zr9-Vt_LkP0aWx7Ny2Bc5Hd8Fg1Js4Mu6Eo"


def test_walk_through_on_a_real_server_survives_a_restart(tmp_path: Path) -> None:
    with server(tmp_path) as base:
        registered = httpx.post(
            f"{base}/auth/register", json={"email": "ada@example.org", "username": "ada", "password": PASSWORD}
        )
        assert registered.status_code == 201
        pair = httpx.post(f"{base}/auth/login", json={"email": "ada@example.org", "password": PASSWORD}).json()
    assert (tmp_path / ".bastion-secret").stat().st_mode & 0o077 == 0
    with server(tmp_path) as base:
        headers = {"Authorization": f"Bearer {pair['access_token']}"}
        assert httpx.get(f"{base}/auth/me", headers=headers).status_code == 200
        refreshed = httpx.post(f"{base}/auth/refresh", json={"refresh_token": pair["refresh_token"]})
        assert refreshed.status_code == 200
        new_pair = refreshed.json()
        logout = httpx.post(
            f"{base}/auth/logout",
            json={"refresh_token": new_pair["refresh_token"]},
            headers={"Authorization": f"Bearer {new_pair['access_token']}"},
        )
        assert logout.status_code == 204
        me = httpx.get(f"{base}/auth/me", headers={"Authorization": f"Bearer {new_pair['access_token']}"})
        assert me.status_code == 401


def test_committed_audit_events_reach_the_server_log_as_json_lines_in_order(tmp_path: Path) -> None:
    log = ServerLog()
    with server(tmp_path, log=log) as base, httpx.Client(base_url=base) as client:
        client.post("/auth/register", json={"email": "ada@example.org", "username": "ada", "password": PASSWORD})
        client.post("/auth/login", json={"username": "ada", "password": "Wrong-Horse-9"})
        pair = client.post("/auth/login", json={"username": "ada", "password": PASSWORD}).json()
        assert client.post("/auth/refresh", json={"refresh_token": pair["refresh_token"]}).status_code == 200
    lines = [line for line in log.text.splitlines() if " - bastion.audit - " in line]
    events = [json.loads(line[line.index("{") :]) for line in lines]
    assert [event["type"] for event in events] == [
        "user.registered",
        "login.failed",
        "login.succeeded",
        "token.refreshed",
    ]
    assert len({event["id"] for event in events}) == 4


def _bearer(pair: dict[str, str]) -> dict[str, str]:
    return {"Authorization": f"Bearer {pair['access_token']}"}


def test_two_workers_agree_on_the_signing_secret_and_are_warned_about_redis(tmp_path: Path) -> None:
    log = ServerLog()
    with server(tmp_path, workers=2, log=log) as base:
        httpx.post(f"{base}/auth/register", json={"email": "ada@example.org", "username": "ada", "password": PASSWORD})
        with httpx.Client(base_url=base) as client:
            pairs = [
                client.post("/auth/login", json={"username": "ada", "password": PASSWORD}).json() for _ in range(4)
            ]
        workers = started_workers(tmp_path, base, 2)
        for worker in workers:
            with only(worker, workers):
                statuses = {httpx.get(f"{base}/auth/me", headers=_bearer(pair)).status_code for pair in pairs}
            assert statuses == {200}, worker
    assert "2 workers and no BASTION_REDIS_URL" in log.text


def test_create_admin_reads_the_password_from_stdin(tmp_path: Path) -> None:
    env = environment(tmp_path)
    upgrade = subprocess.run([BASTION, "db", "upgrade"], cwd=tmp_path, env=env, capture_output=True, check=False)
    assert upgrade.returncode == 0, upgrade.stderr
    created = subprocess.run(
        [BASTION, "create-admin", "--email", "root@example.org", "--username", "root", "--password-stdin"],
        input=PASSWORD + "\n",
        text=True,
        cwd=tmp_path,
        env=env,
        capture_output=True,
        check=False,
    )
    assert created.returncode == 0, created.stderr
    weak = subprocess.run(
        [BASTION, "create-admin", "--email", "b@example.org", "--username", "bob", "--password-stdin"],
        input="weak\n",
        text=True,
        cwd=tmp_path,
        env=env,
        capture_output=True,
        check=False,
    )
    assert weak.returncode == 1
    assert "password" in weak.stderr
    with server(tmp_path) as base:
        pair = httpx.post(f"{base}/auth/login", json={"username": "root", "password": PASSWORD}).json()
        me = httpx.get(f"{base}/auth/me", headers={"Authorization": f"Bearer {pair['access_token']}"}).json()
        assert me["roles"] == ["admin", "user"]
        assert me["is_superuser"] is True


def test_production_refuses_to_start_without_a_secret(tmp_path: Path) -> None:
    env = {**environment(tmp_path), "BASTION_ENVIRONMENT": "production"}
    result = subprocess.run([BASTION, "serve"], cwd=tmp_path, env=env, capture_output=True, text=True, check=False)
    assert result.returncode != 0
    assert "BASTION_SECRET_KEY" in result.stderr


@pytest.mark.parametrize(
    ("settings", "complaint"),
    [
        ({"secret_key": STRONG_SECRET, "debug": "true"}, "BASTION_DEBUG"),
        ({"secret_key": STRONG_SECRET, "allowed_hosts": "*"}, "BASTION_ALLOWED_HOSTS"),
        ({"secret_key": STRONG_SECRET, "public_url": ""}, "BASTION_PUBLIC_URL"),
        ({"secret_key": "short"}, "BASTION_SECRET_KEY"),
        ({"secret_key": STRONG_SECRET, "jwt_algorithm": "EdDSA"}, "BASTION_JWT_KEYS_DIR"),
        ({"secret_key": STRONG_SECRET, "smtp_host": ""}, "BASTION_SMTP_HOST"),
    ],
)
def test_production_refuses_unsafe_settings(tmp_path: Path, settings: dict[str, str], complaint: str) -> None:
    safe = {
        "environment": "production",
        "allowed_hosts": "auth.example.org",
        "public_url": "https://auth.example.org",
        "smtp_host": "127.0.0.1",
    }
    env = environment(tmp_path, **{**safe, **settings})
    result = subprocess.run([BASTION, "serve"], cwd=tmp_path, env=env, capture_output=True, text=True, check=False)
    assert result.returncode != 0
    assert complaint in result.stderr
    assert "Traceback" not in result.stderr


def test_production_refuses_a_missing_key_directory(tmp_path: Path) -> None:
    env = environment(
        tmp_path,
        environment="production",
        secret_key=STRONG_SECRET,
        allowed_hosts="auth.example.org",
        public_url="https://auth.example.org",
        smtp_host="127.0.0.1",
        jwt_algorithm="ES256",
        jwt_keys_dir=str(tmp_path / "nowhere"),
    )
    result = subprocess.run([BASTION, "serve"], cwd=tmp_path, env=env, capture_output=True, text=True, check=False)
    assert result.returncode == 2
    assert "refusing to start" in result.stderr


def test_keys_generate_and_rotate_from_the_command_line(tmp_path: Path) -> None:
    env = environment(tmp_path, jwt_algorithm="ES256", jwt_keys_dir=str(tmp_path / "keys"))
    generated = subprocess.run([BASTION, "keys", "generate"], env=env, capture_output=True, text=True, check=False)
    assert generated.returncode == 0, generated.stderr
    rotated = subprocess.run([BASTION, "keys", "rotate"], env=env, capture_output=True, text=True, check=False)
    assert rotated.returncode == 0, rotated.stderr
    assert "signing with new key" in rotated.stdout
    with server(tmp_path, jwt_algorithm="ES256", jwt_keys_dir=str(tmp_path / "keys")) as base:
        keys = httpx.get(f"{base}/.well-known/jwks.json").json()["keys"]
        assert len(keys) == 2
        assert all(key["alg"] == "ES256" and "d" not in key for key in keys)


def test_operators_list_promote_and_deactivate_users(tmp_path: Path) -> None:
    env = environment(tmp_path)

    def bastion(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([BASTION, *args], cwd=tmp_path, env=env, capture_output=True, text=True, check=False)

    assert bastion("db", "upgrade").returncode == 0
    with server(tmp_path) as base:
        httpx.post(f"{base}/auth/register", json={"email": "ada@example.org", "username": "ada", "password": PASSWORD})
    listed = bastion("users", "list", "--query", "ADA")
    assert listed.returncode == 0, listed.stderr
    assert "ada@example.org" in listed.stdout
    assert "1 of 1" in listed.stdout
    promoted = bastion("users", "set-role", "ada@example.org", "admin")
    assert "roles=admin,user" in promoted.stdout
    deactivated = bastion("users", "deactivate", "ada@example.org")
    assert "active=False" in deactivated.stdout
    unknown = bastion("users", "deactivate", "nobody@example.org")
    assert unknown.returncode == 1
    with server(tmp_path) as base:
        login = httpx.post(f"{base}/auth/login", json={"username": "ada", "password": PASSWORD})
        assert login.status_code == 403


def test_with_json_logs_every_line_of_the_server_is_one_json_object(tmp_path: Path) -> None:
    log = ServerLog()
    with server(tmp_path, log=log, log_format="json", log_requests="true") as base:
        answer = httpx.post(f"{base}/auth/register", json={"email": "ada@example.org", "username": "ada"})
    lines = [json.loads(line) for line in log.text.splitlines() if line.strip()]
    assert {"time", "level", "logger", "message"} <= set(lines[0])
    [request_line] = [line for line in lines if line["logger"] == "bastion.http" and line["method"] == "POST"]
    assert request_line["request_id"] == answer.headers["x-request-id"]
    assert (request_line["method"], request_line["route"], request_line["status"]) == ("POST", "/auth/register", 422)
