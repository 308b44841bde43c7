"""How a test container reaches the host's PostgreSQL and Redis, and a database of its own per run."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit, urlunsplit

import asyncpg

from tests.backends import postgres_url, service_unavailable

# slirp4netns with allow_host_loopback shows the host's 127.0.0.1 to the container as this address,
# while the container keeps a network of its own (its port 8000 is not the host's).
NETWORK = "slirp4netns:allow_host_loopback=true"
HOST_LOOPBACK = "10.0.2.2"
LOOPBACK_NAMES = ("127.0.0.1", "localhost")


def seen_from_container(url: str) -> str:
    """`url` with a loopback host replaced by the address the container reaches the host's loopback at."""
    parts = urlsplit(url)
    if parts.hostname not in LOOPBACK_NAMES:
        return url
    userinfo, _, hostport = parts.netloc.rpartition("@")
    host = hostport.replace(parts.hostname, HOST_LOOPBACK, 1)
    return urlunsplit(parts._replace(netloc=f"{userinfo}@{host}" if userinfo else host))


def _server_dsn(url: str, database: str) -> str:
    parts = urlsplit(url.replace("postgresql+asyncpg://", "postgresql://", 1))
    return urlunsplit(parts._replace(path=f"/{database}"))


async def _execute(url: str, statement: str) -> None:
    connection = await asyncpg.connect(_server_dsn(url, urlsplit(url).path.lstrip("/") or "postgres"), timeout=5)
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


@contextmanager
def throw_away_database() -> Iterator[str]:
    """The URL (as the host sees it) of a new, empty database on the test server, dropped afterwards."""
    url = postgres_url()
    name = f"bastion_container_{secrets.token_hex(4)}"
    try:
        asyncio.run(_execute(url, f'CREATE DATABASE "{name}"'))
    except (OSError, asyncpg.PostgresError) as exc:
        service_unavailable(f"PostgreSQL of BASTION_TEST_DATABASE_URL does not answer: {exc}")
    try:
        yield urlunsplit(urlsplit(url)._replace(path=f"/{name}"))
    finally:
        asyncio.run(_execute(url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
