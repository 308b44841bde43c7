"""`make bench`: Bastion's throughput and latency as ratios to a bare Litestar app, measured side by side.

    .venv/bin/python bench/run.py [--duration 8] [--repetitions 3] [--backends sqlite,postgres]
                                  [--output bench/results/<date>-<HHMM>.md]

What one run does (see bench/README.md for how to read the table):

1. Records the machine, the versions and the argon2 parameters (the settings' defaults, which the
   server runs with), and times one argon2id verify in this process (median of 20) to get the login
   bound: hashing threads / verify time.
2. Starts the ceiling app (`bench/ceiling_app.py`, one JSON /health handler) with uvicorn and the
   same server options as `bastion serve`.
3. For each backend: a fresh database (SQLite file in a temporary directory, or a database
   `bastion_bench_<random>` created on the PostgreSQL server and dropped afterwards), `bastion db
   upgrade`, 10,000 users inserted through SQL sharing ONE argon2id hash made with the service's
   parameters (device tokens, TOTP and, when their row runs, passkeys seeded through SQL too),
   then `bastion serve --workers 1` with throttling and lockout switched off. The bench user
   (bench0@example.org) logs in over HTTP and creates its 20 tasks and an API key (tasks:read) over HTTP.
4. A 2-second warm-up of every endpoint, then `--repetitions` rounds; each round runs bare /health
   on the ceiling app and every Bastion endpoint once (wrk, `--connections` connections, `--duration`
   seconds), then the /health probe alone (idle) and the same probe during a login storm. Rounds
   interleave the endpoints so that drift of the machine touches all of them alike. Each column of
   the table is the median over the rounds.
5. Samples the server's VmRSS (the uvicorn worker is the `bastion serve` process itself with one
   worker) every 0.2 s during the whole backend section and reports the maximum.
6. Prints the markdown table and writes it, with the per-round numbers, to the results file.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import os
import platform
import re
import secrets
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections import defaultdict
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from importlib import metadata
from pathlib import Path
from typing import Any

import asyncpg
import msgspec
import passkey_seed
import pyotp
from pwdlib.hashers.argon2 import Argon2Hasher
from sqlalchemy import insert, text, update
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from adapters.crypto.token_sealer import AeadTokenSealer
from adapters.sql.tables import one_time_tokens, refresh_tokens, second_factors, service_accounts, sessions, users
from domain.opaque_tokens import hash_token
from entrypoints.settings import Settings

REPO = Path(__file__).resolve().parent.parent
BENCH = REPO / "bench"
WRK_DIR = BENCH / "wrk"
BIN = Path(sys.executable).parent

HOST = "127.0.0.1"
PASSWORD = "Bench-Password-1!"
USER_COUNT = 10_000
TASK_COUNT = 20
BENCH_USER = 0  # bench0@example.org: the bearer of /auth/verify, /auth/me and /tasks, owner of the tasks
LOGIN_USERS = (1, 1000)  # first index and count of the users /auth/login cycles through
DEVICE_TOKEN_SUFFIX = secrets.token_urlsafe(24)
# `--setting NAME=VALUE` (BASTION_NAME), e.g. to compare a run with request logging on and off.
EXTRA_SETTINGS: dict[str, str] = {}  # makes each run's device tokens unguessable
REFRESH_USERS_FROM = 1001  # pre-issued refresh tokens belong to users from here on, round robin
# First index and count of the users with TOTP on that "POST /auth/login + TOTP" walks through (each
# at most once per run: a code is accepted once per account), all sharing one TOTP secret.
TOTP_USERS = (2001, 7999)
TOTP_SECRET = base64.b32encode(secrets.token_bytes(20)).decode("ascii")
# First index and count of the users with one synced passkey each that "POST /auth/passkeys/login"
# cycles through, presenting the device token seeded for them (the users of LOGIN_USERS).
PASSKEY_USERS = LOGIN_USERS
# Rows whose requests each use up an item the driver seeded (a refresh token, a login challenge):
# measured with a pool sized from the warm-up, measured again with a larger one if it ran out.
POOLED = ("refresh", "passkey_login")
MIN_POOL = 4000
WARMUP_SECONDS = 2
PROBE_THREADS, PROBE_CONNECTIONS, PROBE_DELAY_MS = 1, 4, 10
WRK_TIMEOUT = "10s"
VERIFY_SAMPLES = 20
DEFAULT_POSTGRES = "postgresql://postgres@127.0.0.1:5432/postgres"
MAX_ERROR_SHARE = 0.01  # a row with more failed requests than this is marked invalid


# --------------------------------------------------------------------------------------------
# What is measured, and the targets of the issue


@dataclass(frozen=True, slots=True)
class Endpoint:
    key: str
    label: str
    method: str
    path: str
    script: str
    bearer: bool = False
    api_key: bool = False  # sends the bench user's API key (scope tasks:read) as X-API-Key
    expected_status: int = 200


ENDPOINTS = (
    Endpoint("bare", "bare /health (ceiling app)", "GET", "/health", "get.lua"),
    Endpoint("health", "GET /health", "GET", "/health", "get.lua"),
    Endpoint("verify", "GET /auth/verify", "GET", "/auth/verify", "get.lua", bearer=True, expected_status=204),
    Endpoint(
        "verify_key", "GET /auth/verify (API key)", "GET", "/auth/verify", "get.lua", api_key=True, expected_status=204
    ),
    Endpoint("me", "GET /auth/me", "GET", "/auth/me", "get.lua", bearer=True),
    Endpoint("tasks", f"GET /tasks ({TASK_COUNT} items)", "GET", f"/tasks?limit={TASK_COUNT}", "get.lua", bearer=True),
    Endpoint(
        "tasks_key",
        f"GET /tasks (API key, {TASK_COUNT} items)",
        "GET",
        f"/tasks?limit={TASK_COUNT}",
        "get.lua",
        api_key=True,
    ),
    Endpoint("refresh", "POST /auth/refresh", "POST", "/auth/refresh", "refresh.lua"),
    Endpoint("login", "POST /auth/login", "POST", "/auth/login", "login.lua"),
    Endpoint("login_totp", "POST /auth/login + TOTP (2 requests a login)", "POST", "/auth/login", "login_totp.lua"),
    Endpoint("client_credentials", "POST /token (client credentials)", "POST", "/token", "client_credentials.lua"),
    Endpoint("passkey_login", "POST /auth/passkeys/login", "POST", "/auth/passkeys/login", "passkey_login.lua"),
)

# Minimum requests/s as a ratio to bare /health, by (endpoint, backend).
RATIO_TARGETS = {
    ("verify", "sqlite"): 0.45,
    ("verify", "postgres"): 0.45,
    ("verify_key", "sqlite"): 0.45,
    ("verify_key", "postgres"): 0.45,
    ("me", "postgres"): 0.15,
    ("me", "sqlite"): 0.10,
    ("refresh", "postgres"): 0.08,
}
# Minimum requests/s as a ratio to another row of the same section, by endpoint: (that row, minimum).
# GET /tasks with an API key within 10 % of GET /tasks with a JWT.
ROW_TARGETS = {"tasks_key": ("tasks", 0.90)}
LOGIN_BOUND_SHARE = 0.90
# The rows whose requests wait for an argon2id verify, and how long their check waits for the hash
# queue that the row before may have left full (64 checks at about 50 a second).
ARGON2_ROWS = ("login", "login_totp", "client_credentials")
HASH_QUEUE_DRAIN_S = 3.0
STORM_P99_FACTOR = 2.0
RSS_LIMIT_MB = 200.0


# --------------------------------------------------------------------------------------------
# wrk


@dataclass(frozen=True, slots=True)
class WrkResult:
    requests: int
    duration_s: float
    p50_ms: float
    p99_ms: float
    max_ms: float
    errors: int  # socket errors, timeouts and responses with a status >= 400
    # refresh, passkey and TOTP logins: requests made after a thread ran out of tokens, challenges or users
    replays: int
    # CPU seconds the server used during the run, when its bench measures them (`Bench.cpu_clock`)
    server_cpu_s: float | None = None

    @property
    def rps(self) -> float:
        return self.requests / self.duration_s if self.duration_s else 0.0

    def line(self) -> str:
        extra = f", {self.errors} errors" if self.errors else ""
        extra += f", {self.replays} replays" if self.replays else ""
        return f"{self.rps:,.0f} req/s, p50 {self.p50_ms:.2f} ms, p99 {self.p99_ms:.2f} ms{extra}"


class _WrkJson(msgspec.Struct):
    requests: int
    duration_us: int
    p50_us: float
    p99_us: float
    max_us: float
    connect: int
    read: int
    write: int
    status: int
    timeout: int
    wrapped: int


async def run_wrk(
    url: str,
    script: str,
    *,
    duration: int,
    threads: int,
    connections: int,
    env: Mapping[str, str] | None = None,
    cpus: str | None = None,
) -> WrkResult:
    """One wrk run; with `cpus` (a `taskset` CPU list), wrk runs on those CPUs only."""
    argv = ["taskset", "--cpu-list", cpus] if cpus else []
    argv += ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--timeout", WRK_TIMEOUT, "--latency"]
    argv += ["-s", str(WRK_DIR / script), url]
    process = await asyncio.create_subprocess_exec(
        *argv,
        env={**os.environ, "BENCH_WRK_DIR": str(WRK_DIR), **(env or {})},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await process.communicate()
    text_output = output.decode(errors="replace")
    match = re.search(r"^BENCH_JSON (\{.*\})$", text_output, re.MULTILINE)
    if process.returncode != 0 or match is None:
        raise RuntimeError(f"wrk failed on {url}:\n{text_output}")
    raw = msgspec.json.decode(match.group(1), type=_WrkJson)
    return WrkResult(
        requests=raw.requests,
        duration_s=raw.duration_us / 1e6,
        p50_ms=raw.p50_us / 1000,
        p99_ms=raw.p99_us / 1000,
        max_ms=raw.max_us / 1000,
        errors=raw.connect + raw.read + raw.write + raw.status + raw.timeout,
        replays=raw.wrapped,
    )


# --------------------------------------------------------------------------------------------
# Servers


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


def _get(url: str, headers: Mapping[str, str] | None = None) -> tuple[int, bytes]:
    request = urllib.request.Request(url, headers=dict(headers or {}))
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def _post_json(url: str, body: object, bearer: str | None = None) -> tuple[int, Any]:
    headers = {"Content-Type": "application/json"}
    if bearer:
        headers["Authorization"] = f"Bearer {bearer}"
    request = urllib.request.Request(url, data=msgspec.json.encode(body), headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, msgspec.json.decode(response.read())
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(errors="replace")


class RssSampler:
    """The maximum VmRSS of one process, read from /proc every 0.2 s in a thread."""

    def __init__(self, pid: int) -> None:
        self._path = Path(f"/proc/{pid}/status")
        self._stop = threading.Event()
        self.peak_kib = 0
        self.first_kib = 0
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def start(self) -> None:
        self.first_kib = self.peak_kib = self._read()
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()

    def current_kib(self) -> int:
        return self._read()

    def _read(self) -> int:
        try:
            status = self._path.read_text()
        except OSError:
            return 0
        match = re.search(r"^VmRSS:\s+(\d+) kB", status, re.MULTILINE)
        return int(match.group(1)) if match else 0

    def _loop(self) -> None:
        while not self._stop.wait(0.2):
            self.peak_kib = max(self.peak_kib, self._read())


@dataclass(slots=True)
class Server:
    name: str
    argv: list[str]
    env: dict[str, str]
    cwd: Path
    port: int
    process: asyncio.subprocess.Process | None = None
    log_path: Path | None = None

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    async def start(self) -> None:
        self.log_path = self.cwd / f"{self.name}.log"
        with self.log_path.open("wb") as log:
            self.process = await asyncio.create_subprocess_exec(
                *self.argv, env=self.env, cwd=self.cwd, stdout=log, stderr=subprocess.STDOUT
            )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.returncode is not None:
                break
            with contextlib.suppress(OSError):
                status, _ = await asyncio.to_thread(_get, self.url + "/health")
                if status == 200:
                    return
            await asyncio.sleep(0.2)
        raise RuntimeError(f"{self.name} did not start; its log says:\n{self.log_tail()}")

    async def stop(self) -> None:
        if self.process is None or self.process.returncode is not None:
            return
        self.process.terminate()
        try:
            await asyncio.wait_for(self.process.wait(), timeout=15)
        except TimeoutError:
            self.process.kill()
            await self.process.wait()

    def log_tail(self, lines: int = 40) -> str:
        if self.log_path is None or not self.log_path.exists():
            return "(no log)"
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])


def _clean_env() -> dict[str, str]:
    """The driver's environment without any BASTION_* variable, so only ours reach the servers."""
    return {key: value for key, value in os.environ.items() if not key.startswith("BASTION_")}


def bastion_env(database_url: str) -> dict[str, str]:
    return {
        **_clean_env(),
        "BASTION_ENVIRONMENT": "development",
        "BASTION_DATABASE_URL": database_url,
        "BASTION_SECRET_KEY": secrets.token_urlsafe(48),
        # A benchmark from one address must not be throttled or locked out.
        "BASTION_RATE_LIMIT_PER_MINUTE": "0",
        "BASTION_LOGIN_RATE_LIMIT_PER_MINUTE": "0",
        "BASTION_MAX_FAILED_LOGINS": "0",
        **EXTRA_SETTINGS,
    }


def ceiling_server(cwd: Path) -> Server:
    port = free_port()
    argv = [str(BIN / "uvicorn"), "--app-dir", str(BENCH), "--host", HOST, "--port", str(port)]
    argv += ["--http", "httptools", "--loop", "uvloop", "--no-access-log", "--no-server-header", "--no-proxy-headers"]
    return Server("ceiling", [*argv, "ceiling_app:app"], _clean_env(), cwd, port)


def bastion_server(backend: str, env: dict[str, str], cwd: Path) -> Server:
    port = free_port()
    argv = [str(BIN / "bastion"), "serve", "--host", HOST, "--port", str(port), "--workers", "1"]
    return Server(f"bastion-{backend}", argv, env, cwd, port)


async def migrate(env: dict[str, str], cwd: Path) -> None:
    process = await asyncio.create_subprocess_exec(
        str(BIN / "bastion"),
        "db",
        "upgrade",
        env=env,
        cwd=cwd,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await process.communicate()
    if process.returncode != 0:
        raise RuntimeError(f"bastion db upgrade failed:\n{output.decode(errors='replace')}")


# --------------------------------------------------------------------------------------------
# Databases and data


@contextlib.asynccontextmanager
async def database(backend: str, workdir: Path, postgres_admin: str) -> AsyncIterator[str]:
    """A fresh, empty database for one backend section; the SQLAlchemy URL Bastion gets."""
    if backend == "sqlite":
        yield f"sqlite+aiosqlite:///{workdir / 'bench.db'}"
        return
    name = f"bastion_bench_{secrets.token_hex(4)}"
    await administer(postgres_admin, f'CREATE DATABASE "{name}"')
    base = postgres_admin.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://", 1)
    try:
        yield f"{base}/{name}"
    finally:
        await administer(postgres_admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def administer(postgres_admin: str, statement: str) -> None:
    """One statement on its own connection to the administrative URL (CREATE or DROP DATABASE)."""
    admin = await asyncpg.connect(postgres_admin)
    try:
        await admin.execute(statement)
    finally:
        await admin.close()


def email_of(index: int) -> str:
    return f"bench{index}@example.org"


async def seed_users(engine: AsyncEngine, password_hash: str) -> list[str]:
    """USER_COUNT active, verified users sharing one password hash; their ids, by index."""
    now = datetime.now(UTC)
    ids = [str(uuid.uuid4()) for _ in range(USER_COUNT)]
    rows = [
        {
            "id": user_id,
            "email": email_of(index),
            "email_normalized": email_of(index),
            "username": f"bench{index}",
            "username_normalized": f"bench{index}",
            "full_name": f"Bench User {index}",
            "hashed_password": password_hash,
            "roles": "user",
            "is_active": True,
            "email_verified": True,
            "last_login": None,
            "created_at": now - timedelta(days=index % 365),
            "updated_at": now,
            "failed_login_attempts": 0,
            "locked_until": None,
        }
        for index, user_id in enumerate(ids)
    ]
    async with engine.begin() as connection:
        for start in range(0, len(rows), 2000):
            await connection.execute(insert(users), rows[start : start + 2000])
    return ids


def device_token_of(index: int) -> str:
    """The device token that user `index` presents at login (login.lua builds the same string)."""
    return f"benchdevice{index}x{DEVICE_TOKEN_SUFFIX}"


async def seed_device_tokens(engine: AsyncEngine, user_ids: Sequence[str]) -> None:
    """A device token for each user that /auth/login cycles through, stored as Bastion stores them
    (SHA-256 hash, purpose `device`): the logins measured are those of returning users on a known
    device, the common path (a first login from a device also stores a device token and queues a
    "new sign-in" mail)."""
    now = datetime.now(UTC)
    first, count = LOGIN_USERS
    rows = [
        {
            "token_hash": hash_token(device_token_of(index)),
            "user_id": user_ids[index],
            "purpose": "device",
            "created_at": now,
            "expires_at": now + timedelta(days=90),
            "used_at": None,
        }
        for index in range(first, first + count)
    ]
    async with engine.begin() as connection:
        await connection.execute(insert(one_time_tokens), rows)


async def seed_second_factors(engine: AsyncEngine, user_ids: Sequence[str], secret_key: str) -> None:
    """TOTP on for the users of TOTP_USERS, with the secret TOTP_SECRET sealed as the server seals it
    (AES-GCM under a key derived from its BASTION_SECRET_KEY)."""
    now = datetime.now(UTC)
    sealer = AeadTokenSealer(secret_key.encode(), "totp secret")
    first, count = TOTP_USERS
    chosen = [user_ids[index] for index in range(first, first + count)]
    rows = [
        {
            "user_id": user_id,
            "sealed_secret": sealer.seal(TOTP_SECRET),
            "state": "active",
            "created_at": now,
            "confirmed_at": now,
            "last_step": None,
        }
        for user_id in chosen
    ]
    async with engine.begin() as connection:
        for start in range(0, len(chosen), 2000):
            await connection.execute(
                update(users).where(users.c.id.in_(chosen[start : start + 2000])).values(mfa_enabled=True)
            )
            await connection.execute(insert(second_factors), rows[start : start + 2000])


async def forget_accepted_steps(engine: AsyncEngine) -> None:
    """Make every TOTP code of the run acceptable once more to each account (a code is accepted once)."""
    async with engine.begin() as connection:
        await connection.execute(update(second_factors).values(last_step=None))


def write_totp_codes(path: Path, seconds: int) -> str:
    """The code of every 30-second step from the last one to `seconds` from now (and a margin), one
    `<step> <code>` per line, for login_totp.lua; the file's path."""
    totp, now = pyotp.TOTP(TOTP_SECRET), int(time.time())
    steps = range(now // 30 - 1, (now + seconds) // 30 + 3)
    path.write_text("".join(f"{step} {totp.at(step * 30)}\n" for step in steps))
    return str(path)


async def check_totp_login(base_url: str, index: int) -> None:
    """Both steps of a login with TOTP by hand: the first answers an `mfa_token`, the second a token pair."""
    status, first = await asyncio.to_thread(
        _post_json, base_url + "/auth/login", {"email": email_of(index), "password": PASSWORD}
    )
    if status != 200 or not isinstance(first, dict) or "mfa_token" not in first:
        raise RuntimeError(f"the first step of {email_of(index)} answered {status}: {first}")
    body = {"mfa_token": first["mfa_token"], "code": pyotp.TOTP(TOTP_SECRET).now()}
    status, second = await asyncio.to_thread(_post_json, base_url + "/auth/login/mfa", body)
    if status != 200 or not isinstance(second, dict) or "access_token" not in second:
        raise RuntimeError(f"the second step of {email_of(index)} answered {status}: {second}")


async def issue_refresh_tokens(engine: AsyncEngine, user_ids: Sequence[str], count: int, offset: int) -> list[str]:
    """`count` fresh refresh tokens, each the only token of its own new session, stored as Bastion
    stores them (SHA-256 of the value); users are taken round robin from `user_ids` from `offset`."""
    now = datetime.now(UTC)
    expires = now + timedelta(days=7)
    values, session_rows, token_rows = [], [], []
    for number in range(count):
        value = secrets.token_urlsafe(32)
        session_id = str(uuid.uuid4())
        user_id = user_ids[(offset + number) % len(user_ids)]
        values.append(value)
        session_rows.append(
            {
                "id": session_id,
                "user_id": user_id,
                "created_at": now,
                "last_used_at": now,
                "expires_at": expires,
                "ip": HOST,
                "user_agent": "bench",
                "revoked_at": None,
            }
        )
        token_rows.append(
            {
                "token_hash": hash_token(value),
                "session_id": session_id,
                "user_id": user_id,
                "issued_at": now,
                "expires_at": expires,
                "used_at": None,
            }
        )
    async with engine.begin() as connection:
        for start in range(0, count, 2000):
            await connection.execute(insert(sessions), session_rows[start : start + 2000])
            await connection.execute(insert(refresh_tokens), token_rows[start : start + 2000])
    return values


def _write_slices(prefix: str, values: Sequence[str], threads: int) -> None:
    """One file per wrk thread (`<prefix><n>.txt`), each with every n-th token: no two threads share one."""
    for thread in range(threads):
        Path(f"{prefix}{thread}.txt").write_text("\n".join(values[thread::threads]) + "\n")


async def seed_passkeys(
    engine: AsyncEngine, user_ids: Sequence[str], env: Mapping[str, str]
) -> passkey_seed.PasskeyHolders:
    """A synced passkey for each user of PASSKEY_USERS, for the relying party of the server run with
    `env`; the logins present the device tokens seeded for those users."""
    first, count = PASSKEY_USERS
    indexes = range(first, first + count)
    party = passkey_seed.relying_party(env)
    chosen = [user_ids[index] for index in indexes]
    return await passkey_seed.seed_passkeys(engine, party, chosen, [device_token_of(index) for index in indexes])


async def check_passkey_login(base_url: str, body: str) -> None:
    """One seeded body by hand: a token pair whose access token says `amr` ["hwk", "user", "mfa"]."""
    status, answer = await asyncio.to_thread(_post_json, base_url + "/auth/passkeys/login", msgspec.json.decode(body))
    if status != 200 or not isinstance(answer, dict) or "access_token" not in answer:
        raise RuntimeError(f"a seeded passkey login answered {status}: {answer}")
    payload = answer["access_token"].split(".")[1]
    amr = msgspec.json.decode(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))["amr"]
    if amr != ["hwk", "user", "mfa"]:
        raise RuntimeError(f"a seeded passkey login was not a passkey login: amr {amr}")


async def log_in(base_url: str, index: int) -> dict[str, Any]:
    status, body = await asyncio.to_thread(
        _post_json, base_url + "/auth/login", {"email": email_of(index), "password": PASSWORD}
    )
    if status != 200 or not isinstance(body, dict):
        raise RuntimeError(f"login of {email_of(index)} answered {status}: {body}")
    return body


async def check_known_device_login(base_url: str, index: int) -> None:
    """A login with the seeded device token is recognised as a known device (the token comes back)."""
    body = {"email": email_of(index), "password": PASSWORD, "device_token": device_token_of(index)}
    status, answer = await asyncio.to_thread(_post_json, base_url + "/auth/login", body)
    if status != 200 or not isinstance(answer, dict) or answer.get("device_token") != device_token_of(index):
        raise RuntimeError(f"the seeded device token of {email_of(index)} was not recognised: {status}")


# The service account of the "POST /token (client credentials)" row; its secret is PASSWORD, so its
# hash is the one argon2id hash the users share (made with the service's parameters).
SERVICE_CLIENT_ID = "svc_bench"


async def seed_service_account(engine: AsyncEngine, password_hash: str) -> None:
    row = {
        "id": str(uuid.uuid4()), "name": "bench", "client_id": SERVICE_CLIENT_ID, "secret_hash": password_hash,
        "scopes": "tasks:read", "created_at": datetime.now(UTC), "secret_rotated_at": None, "deleted_at": None,
    }  # fmt: skip
    async with engine.begin() as connection:
        await connection.execute(insert(service_accounts), [row])


def client_authorization() -> str:
    """The HTTP Basic credentials of the bench service account (RFC 6749 section 2.3.1)."""
    return "Basic " + base64.b64encode(f"{SERVICE_CLIENT_ID}:{PASSWORD}".encode()).decode()


async def check_client_credentials(base_url: str) -> None:
    """The grant by hand: a service token with the account's scope comes back."""
    request = urllib.request.Request(
        base_url + "/token", data=b"grant_type=client_credentials", method="POST",
        headers={"Authorization": client_authorization(), "Content-Type": "application/x-www-form-urlencoded"},
    )  # fmt: skip
    with await asyncio.to_thread(urllib.request.urlopen, request, timeout=30) as response:
        answer = msgspec.json.decode(response.read())
    if answer.get("scope") != "tasks:read" or "refresh_token" in answer:
        raise RuntimeError(f"the client credentials grant answered {answer}")


async def create_api_key(base_url: str, access_token: str) -> str:
    """An API key of the bench user with the scope tasks:read, made over HTTP."""
    body = {"name": "bench", "scopes": ["tasks:read"]}
    status, answer = await asyncio.to_thread(_post_json, base_url + "/auth/api-keys", body, access_token)
    if status != 201 or not isinstance(answer, dict) or "key" not in answer:
        raise RuntimeError(f"POST /auth/api-keys answered {status}: {answer}")
    return str(answer["key"])


async def seed(engine: AsyncEngine, password_hash: str, secret_key: str) -> list[str]:
    """Everything the rows need before the server starts, except the passkeys (seeded when their row
    first runs): the users, their device tokens, TOTP for TOTP_USERS (sealed under `secret_key`, the
    server's BASTION_SECRET_KEY) and the service account; the users' ids, by index."""
    user_ids = await seed_users(engine, password_hash)
    await seed_device_tokens(engine, user_ids)
    await seed_second_factors(engine, user_ids, secret_key)
    await seed_service_account(engine, password_hash)
    return user_ids


async def create_tasks(base_url: str, access_token: str) -> None:
    for number in range(TASK_COUNT):
        task = {"title": f"Task {number}", "description": "A task of the benchmark user.", "completed": number % 3 == 0}
        status, body = await asyncio.to_thread(_post_json, base_url + "/tasks", task, access_token)
        if status != 201:
            raise RuntimeError(f"POST /tasks answered {status}: {body}")


# --------------------------------------------------------------------------------------------
# One backend section


@dataclass(frozen=True, slots=True)
class Load:
    duration: int
    repetitions: int
    threads: int
    connections: int


@dataclass(slots=True)
class Section:
    """The measurements of one backend."""

    backend: str
    runs: dict[str, list[WrkResult]] = field(default_factory=lambda: defaultdict(list))
    storm_login: list[WrkResult] = field(default_factory=list)
    rss_first_kib: int = 0
    rss_peak_kib: int = 0
    rss_steps: list[str] = field(default_factory=list)  # the worker's RSS after the warm-up and each round
    notes: list[str] = field(default_factory=list)
    database_version: str = ""


@dataclass(slots=True)
class Bench:
    """Everything one backend section drives."""

    load: Load
    ceiling: Server
    bastion: Server
    engine: AsyncEngine
    user_ids: list[str]
    tokens_dir: Path
    section: Section
    sampler: RssSampler
    pools: dict[str, int] = field(default_factory=lambda: dict.fromkeys(POOLED, MIN_POOL))
    refresh_offset: int = 0
    passkeys: passkey_seed.PasskeyHolders | None = None
    endpoints: Sequence[Endpoint] = ENDPOINTS
    with_storm: bool = True
    api_key: str = ""  # the bench user's key, made at set-up
    # First index and count of the TOTP users this bench's "login + TOTP" row walks through.
    totp_users: tuple[int, int] = TOTP_USERS
    # The CPU list wrk runs on (all CPUs when None), and the server's CPU seconds so far: when set,
    # each row's result carries the CPU the server used during its wrk run (not its set-up).
    wrk_cpus: str | None = None
    cpu_clock: Callable[[], float] | None = None

    def headers(self, endpoint: Endpoint, bearer: str | None) -> dict[str, str]:
        if endpoint.api_key:
            return {"X-API-Key": self.api_key}
        return {"Authorization": f"Bearer {bearer}"} if bearer else {}

    async def check(self, endpoint: Endpoint, bearer: str | None) -> None:
        """One request by hand before loading an endpoint: a broken setup must not be measured."""
        if endpoint.key in ARGON2_ROWS:
            # The previous row's load may have left password checks queued (up to the hash queue's
            # bound, 64): let them finish, or this check finds the queue full (503).
            await asyncio.sleep(HASH_QUEUE_DRAIN_S)
        if endpoint.key == "login":
            await check_known_device_login(self.bastion.url, LOGIN_USERS[0])
        if endpoint.key == "login_totp":
            await check_totp_login(self.bastion.url, self.totp_users[0])
            await forget_accepted_steps(self.engine)
        if endpoint.key == "passkey_login":
            await check_passkey_login(self.bastion.url, (await self.passkey_bodies(1))[0])
        if endpoint.key == "client_credentials":
            await check_client_credentials(self.bastion.url)
        if endpoint.method != "GET":
            return
        base = self.ceiling.url if endpoint.key == "bare" else self.bastion.url
        status, body = await asyncio.to_thread(_get, base + endpoint.path, self.headers(endpoint, bearer))
        if status != endpoint.expected_status:
            raise RuntimeError(f"{endpoint.label} answered {status}: {body[:300]!r}")
        if endpoint.key in ("tasks", "tasks_key") and len(msgspec.json.decode(body)["items"]) != TASK_COUNT:
            raise RuntimeError(f"{endpoint.label} did not list {TASK_COUNT} tasks")

    async def write_tokens(self, count: int) -> str:
        values = await issue_refresh_tokens(
            self.engine, self.user_ids[REFRESH_USERS_FROM:], count, offset=self.refresh_offset
        )
        self.refresh_offset += count
        prefix = str(self.tokens_dir / f"tokens-{self.refresh_offset}-")
        await asyncio.to_thread(_write_slices, prefix, values, self.load.threads)
        return prefix

    async def passkey_bodies(self, count: int) -> list[str]:
        """`count` login challenges stored, and the request body answering each (the passkeys are
        seeded on first use)."""
        if self.passkeys is None:
            self.passkeys = await seed_passkeys(self.engine, self.user_ids, self.bastion.env)
        rows, bodies = await asyncio.to_thread(passkey_seed.signed_challenges, self.passkeys, count)
        await passkey_seed.store_challenges(self.engine, rows)
        return bodies

    async def write_passkey_bodies(self, count: int) -> str:
        """`count` fresh request bodies in one file per wrk thread; the files' prefix."""
        bodies = await self.passkey_bodies(count)
        prefix = str(self.tokens_dir / f"passkey-bodies-{self.passkeys.used if self.passkeys else 0}-")
        await asyncio.to_thread(_write_slices, prefix, bodies, self.load.threads)
        return prefix

    async def measure(self, endpoint: Endpoint, duration: int) -> WrkResult:
        env: dict[str, str] = {}
        bearer = None
        if endpoint.bearer:
            bearer = (await log_in(self.bastion.url, BENCH_USER))["access_token"]
            env["BENCH_TOKEN"] = bearer
        if endpoint.api_key:
            env["BENCH_API_KEY"] = self.api_key
        if endpoint.key == "refresh":
            env["BENCH_TOKENS_PREFIX"] = await self.write_tokens(self.pools["refresh"])
        if endpoint.key == "passkey_login":
            env["BENCH_BODIES_PREFIX"] = await self.write_passkey_bodies(self.pools["passkey_login"])
        if endpoint.key == "login":
            env |= {"BENCH_USER_FIRST": str(LOGIN_USERS[0]), "BENCH_USER_COUNT": str(LOGIN_USERS[1])}
            env["BENCH_PASSWORD"] = PASSWORD
            env["BENCH_DEVICE_SUFFIX"] = DEVICE_TOKEN_SUFFIX
        if endpoint.key == "client_credentials":
            env["BENCH_AUTHORIZATION"] = client_authorization()
        if endpoint.key == "login_totp":
            env |= {"BENCH_USER_FIRST": str(self.totp_users[0]), "BENCH_USER_COUNT": str(self.totp_users[1])}
            env |= {"BENCH_PASSWORD": PASSWORD, "BENCH_THREADS": str(self.load.threads)}
            env["BENCH_CODES"] = await asyncio.to_thread(write_totp_codes, self.tokens_dir / "totp-codes.txt", duration)
        await self.check(endpoint, bearer)
        base = self.ceiling.url if endpoint.key == "bare" else self.bastion.url
        cpu_before = self.cpu_clock() if self.cpu_clock else 0.0
        result = await run_wrk(
            base + endpoint.path,
            endpoint.script,
            duration=duration,
            threads=self.load.threads,
            connections=self.load.connections,
            env=env,
            cpus=self.wrk_cpus,
        )
        if self.cpu_clock:
            result = replace(result, server_cpu_s=self.cpu_clock() - cpu_before)
        return result

    async def measure_row(self, endpoint: Endpoint, duration: int) -> WrkResult:
        """A row of POOLED needs one unused item per request (refresh token, login challenge): the pool
        is sized from the warm-up's rate, and the row is measured again with a larger pool if a thread
        still ran out (replays are never reported)."""
        result = await self.measure(endpoint, duration)
        if endpoint.key in POOLED and result.replays:
            self.section.notes.append(f"{endpoint.key} pool of {self.pools[endpoint.key]} ran out; measured again")
            self.pools[endpoint.key] *= 2
            result = await self.measure(endpoint, duration)
        return result

    async def probe(self, duration: int) -> WrkResult:
        return await run_wrk(
            self.bastion.url + "/health",
            "probe.lua",
            duration=duration,
            threads=PROBE_THREADS,
            connections=PROBE_CONNECTIONS,
            env={"BENCH_PROBE_DELAY_MS": str(PROBE_DELAY_MS)},
        )

    async def storm(self) -> tuple[WrkResult, WrkResult]:
        """The /health probe while POST /auth/login runs with the full load; the storm starts a second
        before the probe and ends a second after it."""
        endpoint = next(item for item in ENDPOINTS if item.key == "login")
        login = asyncio.create_task(self.measure(endpoint, self.load.duration + 2))
        await asyncio.sleep(1)
        probe = await self.probe(self.load.duration)
        return await login, probe

    async def warm_up(self) -> None:
        for endpoint in self.endpoints:
            result = await self.measure_row(endpoint, WARMUP_SECONDS)
            print(f"  warm-up {endpoint.label}: {result.line()}", flush=True)
            if endpoint.key in POOLED:
                self.pools[endpoint.key] = max(MIN_POOL, int(result.rps * self.load.duration * 1.5) + 2000)
        if self.with_storm:
            await self.probe(WARMUP_SECONDS)
        self.note_rss("after the warm-up")

    def note_rss(self, when: str) -> None:
        current, peak = self.sampler.current_kib() * 1024 / 1e6, self.sampler.peak_kib * 1024 / 1e6
        self.section.rss_steps.append(f"{when}: {current:.1f} MB (max so far {peak:.1f} MB)")
        print(f"  worker RSS {self.section.rss_steps[-1]}", flush=True)

    async def round(self, number: int) -> None:
        print(f"  round {number + 1}/{self.load.repetitions}", flush=True)
        for endpoint in self.endpoints:
            result = await self.measure_row(endpoint, self.load.duration)
            self.section.runs[endpoint.key].append(result)
            print(f"    {endpoint.label}: {result.line()}", flush=True)
        if not self.with_storm:
            self.note_rss(f"after round {number + 1}")
            return
        idle = await self.probe(self.load.duration)
        self.section.runs["idle"].append(idle)
        print(f"    GET /health probe, idle: {idle.line()}", flush=True)
        login, probe = await self.storm()
        self.section.runs["storm"].append(probe)
        self.section.storm_login.append(login)
        print(f"    GET /health probe, login storm: {probe.line()} (logins: {login.line()})", flush=True)
        self.note_rss(f"after round {number + 1}")


async def database_version(engine: AsyncEngine, backend: str) -> str:
    if backend == "sqlite":
        return f"SQLite {sqlite3.sqlite_version}"
    async with engine.connect() as connection:
        version = (await connection.execute(text("SHOW server_version"))).scalar_one()
    return f"PostgreSQL {version}"


async def run_backend(backend: str, load: Load, ceiling: Server, workdir: Path, args: argparse.Namespace) -> Section:
    section = Section(backend)
    backend_dir = workdir / backend
    backend_dir.mkdir()
    async with database(backend, backend_dir, args.postgres) as url:
        env = bastion_env(url)
        await migrate(env, backend_dir)
        engine = create_async_engine(url)
        try:
            section.database_version = await database_version(engine, backend)
            started = time.monotonic()
            user_ids = await seed(engine, args.password_hash, env["BASTION_SECRET_KEY"])
            print(f"  seeded {USER_COUNT:,} users in {time.monotonic() - started:.1f} s", flush=True)
            server = bastion_server(backend, env, backend_dir)
            await server.start()
            assert server.process is not None
            sampler = RssSampler(server.process.pid)
            sampler.start()
            try:
                bench = Bench(load, ceiling, server, engine, user_ids, backend_dir, section, sampler)
                bench.endpoints = [endpoint for endpoint in ENDPOINTS if endpoint.key in args.only]
                bench.with_storm = "storm" in args.only
                access = (await log_in(server.url, BENCH_USER))["access_token"]
                await create_tasks(server.url, access)
                bench.api_key = await create_api_key(server.url, access)
                await bench.warm_up()
                for number in range(load.repetitions):
                    await bench.round(number)
            except Exception:
                print(f"bastion ({backend}) log:\n{server.log_tail()}", file=sys.stderr)
                raise
            finally:
                sampler.stop()
                await server.stop()
            section.rss_first_kib, section.rss_peak_kib = sampler.first_kib, sampler.peak_kib
        finally:
            await engine.dispose()
    return section


# --------------------------------------------------------------------------------------------
# Facts about the run


def argon2_verify_seconds(settings: Settings) -> float:
    """The median time of one argon2id verify with the service's parameters, in this process."""
    hasher = Argon2Hasher(
        memory_cost=settings.hashing.memory_kib,
        time_cost=settings.hashing.time_cost,
        parallelism=settings.hashing.parallelism,
    )
    encoded = hasher.hash(PASSWORD)
    hasher.verify(PASSWORD, encoded)
    timings = []
    for _ in range(VERIFY_SAMPLES):
        started = time.perf_counter()
        hasher.verify(PASSWORD, encoded)
        timings.append(time.perf_counter() - started)
    return statistics.median(timings)


def _command_output(*argv: str) -> str:
    try:
        return subprocess.run(argv, capture_output=True, text=True, cwd=REPO, check=False).stdout.strip()
    except OSError:
        return ""


def _cpu_model() -> str:
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown CPU"


def _memory_gib() -> float:
    with contextlib.suppress(OSError, ValueError, IndexError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) / 1024 / 1024
    return 0.0


def facts(settings: Settings, verify_s: float, load: Load) -> list[str]:
    packages = ("litestar", "uvicorn", "httptools", "uvloop", "msgspec", "sqlalchemy", "asyncpg", "aiosqlite")
    packages += ("argon2-cffi", "pwdlib", "joserfc")
    versions = ", ".join(f"{name} {metadata.version(name)}" for name in packages)
    commit = _command_output("git", "rev-parse", "--short", "HEAD") or "unknown"
    if _command_output("git", "status", "--porcelain", "--untracked-files=no"):
        commit += " with uncommitted changes"
    wrk_version = _command_output("wrk", "-v").splitlines()[0:1] or ["wrk"]
    cores = len(os.sched_getaffinity(0))
    bound = settings.hashing.threads / verify_s
    return [
        f"- date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; Bastion commit {commit}",
        f"- machine: {cores} cores ({_cpu_model()}), {_memory_gib():.0f} GiB RAM, Linux {platform.release()}",
        f"- Python {platform.python_version()}; {versions}; {wrk_version[0].split(' Copyright')[0]}",
        f"- load: wrk with {load.threads} threads and {load.connections} connections, {load.duration} s per run, "
        f"{load.repetitions} rounds after a {WARMUP_SECONDS} s warm-up; each column is the median over the rounds; "
        f"the /health probe is wrk with {PROBE_THREADS} thread and {PROBE_CONNECTIONS} connections, each waiting "
        f"{PROBE_DELAY_MS} ms between requests (a light, steady rate, not load of its own); "
        f"wrk runs on the same machine as the server",
        f"- argon2id: m={settings.hashing.memory_kib} KiB, t={settings.hashing.time_cost}, "
        f"p={settings.hashing.parallelism}; {settings.hashing.threads} hashing threads, at most "
        f"{settings.hashing.max_pending} pending; one verify takes {verify_s * 1000:.1f} ms (median of "
        f"{VERIFY_SAMPLES}, in-process, idle machine), so the login bound is {settings.hashing.threads} / "
        f"{verify_s * 1000:.1f} ms = {bound:.1f} logins/s",
        f"- data: {USER_COUNT:,} users sharing one argon2id hash; the bearer user has {TASK_COUNT} tasks and "
        f"one API key (tasks:read); "
        f"logins cycle through {LOGIN_USERS[1]:,} users; every refresh presents a fresh pre-issued token of "
        f"its own session; Bastion `serve --workers 1`, throttling and lockout off, no Redis"
        + "".join(f"; {name}={value}" for name, value in EXTRA_SETTINGS.items()),
    ]


# --------------------------------------------------------------------------------------------
# The table


@dataclass(frozen=True, slots=True)
class Row:
    endpoint: str
    backend: str
    rps: str
    p50: str
    p99: str
    ratio: str
    target: str
    result: str
    errors: str


def _median(results: Sequence[WrkResult]) -> tuple[float, float, float, int]:
    return (
        statistics.median(r.rps for r in results),
        statistics.median(r.p50_ms for r in results),
        statistics.median(r.p99_ms for r in results),
        sum(r.errors for r in results),
    )


def _invalid(results: Sequence[WrkResult]) -> bool:
    """More failed requests than MAX_ERROR_SHARE of the row's requests."""
    return sum(r.errors for r in results) > MAX_ERROR_SHARE * sum(r.requests for r in results)


def _verdict(ok: bool, invalid: bool) -> str:
    if invalid:
        return "invalid (errors)"
    return "met" if ok else "**not met**"


def _endpoint_row(endpoint: Endpoint, section: Section, bare_rps: float, bound: float) -> Row:
    """The row of one endpoint: its ratio to bare /health, and its target (a ratio to bare /health,
    a share of the argon2 bound, or a ratio to another row of the same section)."""
    results = section.runs[endpoint.key]
    rps, p50, p99, _ = _median(results)
    errors, invalid = sum(r.errors for r in results), _invalid(results)
    ratio = rps / bare_rps if bare_rps else 0.0
    ratio_text, target, result = f"{ratio:.3f}", "—", "—"
    if endpoint.key in ARGON2_ROWS:
        # A login with TOTP takes two requests, of which only the first verifies a password; the
        # client credentials grant verifies the service account's secret, an argon2id hash too.
        share = (rps / 2 if endpoint.key == "login_totp" else rps) / bound
        ratio_text += f" ({share:.0%} of the argon2 bound {bound:.1f}/s)"
        target = f"≥ {LOGIN_BOUND_SHARE:.0%} of the bound"
        result = _verdict(share >= LOGIN_BOUND_SHARE, invalid)
    elif (endpoint.key, section.backend) in RATIO_TARGETS:
        minimum = RATIO_TARGETS[(endpoint.key, section.backend)]
        target = f"≥ {minimum:.2f}"
        result = _verdict(ratio >= minimum, invalid)
    elif endpoint.key in ROW_TARGETS and section.runs[ROW_TARGETS[endpoint.key][0]]:
        other_key, minimum = ROW_TARGETS[endpoint.key]
        other_label = next(item.label for item in ENDPOINTS if item.key == other_key)
        other_results = section.runs[other_key]
        other_rps = _median(other_results)[0]
        share = rps / other_rps if other_rps else 0.0
        ratio_text += f" ({share:.3f} of {other_label})"
        target = f"≥ {minimum:.2f} of {other_label}"
        result = _verdict(share >= minimum, invalid or _invalid(other_results))
    elif invalid:
        result = "invalid (errors)"
    return Row(
        endpoint.label,
        section.backend,
        f"{rps:,.0f}",
        f"{p50:.2f}",
        f"{p99:.2f}",
        ratio_text,
        target,
        result,
        str(errors),
    )


def section_rows(section: Section, bound: float) -> list[Row]:
    bare_rps = _median(section.runs["bare"])[0]
    rows = [_endpoint_row(endpoint, section, bare_rps, bound) for endpoint in ENDPOINTS if section.runs[endpoint.key]]
    if section.runs["storm"]:
        rows += _storm_rows(section)
    rows.append(_rss_row(section))
    return rows


def _storm_rows(section: Section) -> list[Row]:
    idle_rps, idle_p50, idle_p99, idle_errors = _median(section.runs["idle"])
    storm_rps, storm_p50, storm_p99, storm_errors = _median(section.runs["storm"])
    login_rps = statistics.median(r.rps for r in section.storm_login)
    rows = []
    rows.append(
        Row(
            f"GET /health probe, idle ({PROBE_CONNECTIONS} conn.)",
            section.backend,
            f"{idle_rps:,.0f}",
            f"{idle_p50:.2f}",
            f"{idle_p99:.2f}",
            "—",
            "—",
            "—",
            str(idle_errors),
        )
    )
    factor = storm_p99 / idle_p99 if idle_p99 else float("inf")
    rows.append(
        Row(
            f"GET /health probe, login storm ({login_rps:,.0f} logins/s)",
            section.backend,
            f"{storm_rps:,.0f}",
            f"{storm_p50:.2f}",
            f"{storm_p99:.2f}",
            f"p99 {factor:.1f}x idle",
            f"p99 ≤ {STORM_P99_FACTOR:.0f}x idle",
            _verdict(factor <= STORM_P99_FACTOR, False),
            str(storm_errors),
        )
    )
    return rows


def _rss_row(section: Section) -> Row:
    peak_mb = section.rss_peak_kib * 1024 / 1e6
    return Row(
        f"worker RSS, max (at start {section.rss_first_kib * 1024 / 1e6:.1f} MB)",
        section.backend,
        "—",
        "—",
        "—",
        f"{peak_mb:.1f} MB",
        f"< {RSS_LIMIT_MB:.0f} MB",
        _verdict(peak_mb < RSS_LIMIT_MB, False),
        "—",
    )


def markdown_table(rows: Sequence[Row]) -> list[str]:
    header = ("endpoint", "backend", "req/s", "p50 ms", "p99 ms", "ratio to bare /health", "target", "result", "errors")
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for row in rows:
        cells = (row.endpoint, row.backend, row.rps, row.p50, row.p99, row.ratio, row.target, row.result, row.errors)
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def details(sections: Sequence[Section]) -> list[str]:
    labels = {endpoint.key: endpoint.label for endpoint in ENDPOINTS}
    labels |= {"idle": "GET /health probe, idle", "storm": "GET /health probe, login storm"}
    lines = ["## Every round", ""]
    for section in sections:
        lines.append(f"### {section.backend} ({section.database_version})")
        lines.append("")
        for key, label in labels.items():
            for number, result in enumerate(section.runs[key], start=1):
                lines.append(f"- {label}, round {number}: {result.line()}")
        for number, result in enumerate(section.storm_login, start=1):
            lines.append(f"- POST /auth/login during the storm, round {number}: {result.line()}")
        lines += [f"- worker RSS {step}" for step in section.rss_steps]
        lines += [f"- note: {note}" for note in section.notes]
        lines.append("")
    return lines


# --------------------------------------------------------------------------------------------
# Main


def _arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Bastion's throughput as ratios to a bare Litestar app")
    parser.add_argument("--duration", type=int, default=8, help="seconds per wrk run (default 8)")
    parser.add_argument("--repetitions", type=int, default=3, help="rounds; the table shows medians (default 3)")
    parser.add_argument("--backends", default="sqlite,postgres", help="comma-separated: sqlite, postgres")
    parser.add_argument("--connections", type=int, default=64, help="wrk connections (default 64)")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads (default 2)")
    parser.add_argument(
        "--postgres",
        default=os.environ.get("BENCH_POSTGRES_URL", DEFAULT_POSTGRES),
        help="an administrative URL of the PostgreSQL server; the run creates and drops its own database",
    )
    parser.add_argument(
        "--output", type=Path, default=None, help="results file (default bench/results/<date>-<HHMM>.md, UTC)"
    )
    parser.add_argument(
        "--setting",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="an extra setting of the server under test, BASTION_NAME=VALUE (repeatable), e.g. LOG_REQUESTS=true",
    )
    parser.add_argument(
        "--only",
        default=",".join([*(endpoint.key for endpoint in ENDPOINTS), "storm"]),
        help="comma-separated rows to measure, for a quick look (default: all): "
        + ", ".join(endpoint.key for endpoint in ENDPOINTS)
        + ", storm; the ceiling (bare) is always measured",
    )
    args = parser.parse_args(argv)
    args.only = {name.strip() for name in args.only.split(",") if name.strip()} | {"bare"}
    unknown_rows = args.only - {endpoint.key for endpoint in ENDPOINTS} - {"storm"}
    if unknown_rows:
        parser.error(f"unknown rows: {', '.join(sorted(unknown_rows))}")
    args.backends = [name.strip() for name in args.backends.split(",") if name.strip()]
    unknown = set(args.backends) - {"sqlite", "postgres"}
    if unknown or not args.backends:
        parser.error(f"unknown backends: {', '.join(sorted(unknown)) or '(none)'}")
    for setting in args.setting:
        name, _, value = setting.partition("=")
        if not name.strip() or not _:
            parser.error(f"--setting wants NAME=VALUE, not {setting!r}")
        EXTRA_SETTINGS["BASTION_" + name.strip().upper().removeprefix("BASTION_")] = value
    if args.output is None:
        args.output = BENCH / "results" / f"{datetime.now(UTC):%Y-%m-%d-%H%M}.md"
    return args


async def _postgres_answers(url: str) -> bool:
    try:
        connection = await asyncpg.connect(url, timeout=5)
    except (OSError, asyncpg.PostgresError, TimeoutError):
        return False
    await connection.close()
    return True


async def _run(args: argparse.Namespace, load: Load) -> list[Section]:
    if "postgres" in args.backends and not await _postgres_answers(args.postgres):
        raise SystemExit(f"PostgreSQL does not answer at {args.postgres}; start it or pass --backends sqlite")
    sections = []
    with tempfile.TemporaryDirectory(prefix="bastion-bench-") as directory:
        workdir = Path(directory)
        ceiling = ceiling_server(workdir)
        await ceiling.start()
        try:
            for backend in args.backends:
                print(f"{backend}:", flush=True)
                sections.append(await run_backend(backend, load, ceiling, workdir, args))
        finally:
            await ceiling.stop()
    return sections


def main(argv: Sequence[str] | None = None) -> int:
    args = _arguments(argv)
    if shutil.which("wrk") is None:
        print("bench: wrk is missing; install it with `sudo apt-get install wrk` (Debian/Ubuntu)", file=sys.stderr)
        return 2
    load = Load(args.duration, args.repetitions, args.threads, args.connections)
    settings = Settings()  # the defaults: exactly what the benchmarked server runs with
    verify_s = argon2_verify_seconds(settings)
    args.password_hash = Argon2Hasher(
        memory_cost=settings.hashing.memory_kib,
        time_cost=settings.hashing.time_cost,
        parallelism=settings.hashing.parallelism,
    ).hash(PASSWORD)
    header = facts(settings, verify_s, load)
    print("\n".join(header), flush=True)
    started = time.monotonic()
    sections = asyncio.run(_run(args, load))
    minutes = (time.monotonic() - started) / 60
    bound = settings.hashing.threads / verify_s
    rows = [row for section in sections for row in section_rows(section, bound)]
    table = markdown_table(rows)
    print("\n" + "\n".join(table))
    print(f"\nthe run took {minutes:.1f} minutes")
    args.output.parent.mkdir(parents=True, exist_ok=True)
    title = f"# Bastion benchmark, {datetime.now(UTC):%Y-%m-%d}"
    footer = [f"The run took {minutes:.1f} minutes.", ""]
    body = [title, "", *header, "", *table, "", *footer, *details(sections)]
    args.output.write_text("\n".join(body))
    print(f"written to {args.output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
