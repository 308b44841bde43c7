"""Revocation across real server processes, with and without Redis: every worker refuses a revoked
access token within a second (through the database's revocation log when Redis is absent or down),
and a restarted server keeps refusing the tokens revoked before, a deleted account's included."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e.servers import BASTION, PASSWORD, environment, only, server, started_workers
from tests.redis_servers import PrivateRedis

pytestmark = pytest.mark.slow

# The contract: within 1 s; the followers poll twice a second.
PICKUP_S = 1.2
CHECKS = 40


def _logged_in(base: str, email: str = "ada@example.org", username: str = "ada") -> dict[str, Any]:
    httpx.post(f"{base}/auth/register", json={"email": email, "username": username, "password": PASSWORD})
    response = httpx.post(f"{base}/auth/login", json={"email": email, "password": PASSWORD})
    assert response.status_code == 200, response.text
    return dict(response.json())


def _bearer(pair: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": f"Bearer {pair['access_token']}"}


def _verify_statuses(base: str, pair: dict[str, Any]) -> list[int]:
    return [httpx.get(f"{base}/auth/verify", headers=_bearer(pair)).status_code for _ in range(CHECKS)]


def _statuses_of_each_worker(base: str, workers: list[int], pair: dict[str, Any]) -> list[set[int]]:
    """The statuses of /auth/verify, asked of each worker in turn (the others paused meanwhile)."""
    statuses = []
    for worker in workers:
        with only(worker, workers):
            statuses.append({httpx.get(f"{base}/auth/verify", headers=_bearer(pair)).status_code for _ in range(5)})
    return statuses


def test_two_workers_without_redis_refuse_a_logged_out_token_within_a_second(tmp_path: Path) -> None:
    with server(tmp_path, workers=2) as base:
        workers = started_workers(tmp_path, base, 2)
        pair = _logged_in(base)
        assert _statuses_of_each_worker(base, workers, pair) == [{204}, {204}]

        logout = httpx.post(f"{base}/auth/logout", json={"refresh_token": pair["refresh_token"]}, headers=_bearer(pair))
        assert logout.status_code == 204
        time.sleep(PICKUP_S)

        assert _statuses_of_each_worker(base, workers, pair) == [{401}, {401}]


def test_a_deactivation_from_the_command_line_reaches_the_running_workers(tmp_path: Path) -> None:
    with server(tmp_path, workers=2) as base:
        workers = started_workers(tmp_path, base, 2)
        pair = _logged_in(base)
        done = subprocess.run(
            [BASTION, "users", "deactivate", "ada@example.org"],
            cwd=tmp_path, env=environment(tmp_path), capture_output=True, text=True, timeout=60, check=False,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        time.sleep(PICKUP_S)

        assert _statuses_of_each_worker(base, workers, pair) == [{401}, {401}]


def test_a_restarted_server_keeps_refusing_the_tokens_of_a_deleted_account(tmp_path: Path) -> None:
    with server(tmp_path) as base:
        pair = _logged_in(base)
        other = _logged_in(base, "bob@example.org", "bob")
        deleted = httpx.request("DELETE", f"{base}/auth/me", json={"password": PASSWORD}, headers=_bearer(pair))
        assert deleted.status_code == 204

    with server(tmp_path) as base:
        assert set(_verify_statuses(base, pair)) == {401}
        assert set(_verify_statuses(base, other)) == {204}


@pytest.mark.redis
def test_with_redis_stopped_mid_run_the_other_worker_still_refuses_a_logged_out_token(tmp_path: Path) -> None:
    redis = PrivateRedis(tmp_path)
    redis.start()
    try:
        with server(tmp_path, workers=2, redis_url=redis.url) as base:
            workers = started_workers(tmp_path, base, 2)
            pair = _logged_in(base)
            assert _statuses_of_each_worker(base, workers, pair) == [{204}, {204}]
            redis.stop()

            logout = httpx.post(
                f"{base}/auth/logout", json={"refresh_token": pair["refresh_token"]}, headers=_bearer(pair)
            )
            assert logout.status_code == 204
            time.sleep(PICKUP_S)

            assert _statuses_of_each_worker(base, workers, pair) == [{401}, {401}]
    finally:
        redis.stop()
