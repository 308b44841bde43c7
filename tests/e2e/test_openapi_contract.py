"""The OpenAPI document as a contract: schemathesis with every check (schemathesis.toml) against a real
`bastion serve` finds nothing besides the deliberate exclusions listed there (docs/api.md, "The OpenAPI document")."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.e2e.servers import BASTION, PASSWORD, environment, server

pytestmark = pytest.mark.slow

SCHEMATHESIS = str(Path(sys.executable).with_name("schemathesis"))
CONFIG = Path(__file__).with_name("schemathesis.toml")
ADMIN_EMAIL = "admin@example.org"
# Test cases per operation in the fuzzing phase (the coverage and stateful phases add their own):
# about 40 s on two cores, the same cases on every run (deterministic generation, one worker).
MAX_EXAMPLES = 30
# Far above what one client sends here: the run exercises the contract, not the throttling.
GENEROUS_LIMITS = {"rate_limit_per_minute": "1000000", "login_rate_limit_per_minute": "1000000"}


def _create_admin(workdir: Path) -> None:
    """An admin account in `workdir`'s database, whose token the run uses (so /admin/* answers 200 too)."""
    env = environment(workdir)
    upgrade = subprocess.run([BASTION, "db", "upgrade"], cwd=workdir, env=env, capture_output=True, check=False)
    assert upgrade.returncode == 0, upgrade.stderr
    admin = [BASTION, "create-admin", "--email", ADMIN_EMAIL, "--username", "admin", "--password-stdin"]
    created = subprocess.run(admin, cwd=workdir, env=env, input=f"{PASSWORD}\n", capture_output=True, text=True)
    assert created.returncode == 0, created.stderr


def test_schemathesis_with_every_check_finds_nothing_outside_the_deliberate_exclusions(tmp_path: Path) -> None:
    _create_admin(tmp_path)
    with server(tmp_path, max_failed_logins="1000", **GENEROUS_LIMITS) as base:
        command = [SCHEMATHESIS, "--config-file", str(CONFIG), "run", f"{base}/schema/openapi.json"]
        options = ["--max-examples", str(MAX_EXAMPLES), "--generation-deterministic"]
        credentials = {"BASTION_FUZZ_EMAIL": ADMIN_EMAIL, "BASTION_FUZZ_PASSWORD": PASSWORD}
        run = subprocess.run(
            [*command, *options, "--workers", "1", "--no-color"],
            cwd=tmp_path,
            env={**os.environ, **credentials},
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
    assert run.returncode == 0, run.stdout[-20_000:] + run.stderr[-2_000:]
