"""The `bastion` command line: serve, db upgrade, create-admin."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import logging
import sys
from collections.abc import Sequence

from adapters.sql.migrate import upgrade
from application.create_admin import CreateAdmin
from domain.errors import DomainError, ValidationFailedError
from entrypoints.container import production, start, stop
from entrypoints.settings import Settings, SettingsError, load_settings

logger = logging.getLogger("bastion.cli")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="bastion", description="Bastion authentication service")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="run the HTTP API")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1)
    database = commands.add_parser("db", help="database maintenance")
    database_commands = database.add_subparsers(dest="db_command", required=True)
    database_commands.add_parser("upgrade", help="apply migrations to BASTION_DATABASE_URL")
    admin = commands.add_parser("create-admin", help="create an administrator account")
    admin.add_argument("--email", required=True)
    admin.add_argument("--username", required=True)
    admin.add_argument("--full-name", default=None)
    admin.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    return parser


def _serve(settings: Settings, host: str, port: int, workers: int) -> int:
    import uvicorn

    if workers > 1 and not settings.redis_url:
        logger.warning(
            "serving with %d workers and no BASTION_REDIS_URL: rate limits and token revocations are kept "
            "per process, so a logout seen by one worker is not enforced by the others until the access "
            "token expires; set BASTION_REDIS_URL to share them",
            workers,
        )
    if not settings.is_production and settings.database_url.startswith("sqlite"):
        upgrade(settings.database_url, schema=settings.database_schema or None)
    uvicorn.run(
        "entrypoints.asgi:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        http="httptools",
        loop="uvloop",
        proxy_headers=False,
        server_header=False,
        access_log=False,
    )
    return 0


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    password = getpass.getpass("Password: ")
    if getpass.getpass("Repeat password: ") != password:
        raise SystemExit("bastion: the passwords differ")
    return password


async def _create_admin(settings: Settings, command: CreateAdmin) -> str:
    use_cases, adapters = production(settings)
    await start(use_cases, adapters)
    try:
        user = await use_cases.create_admin().handle(command)
    finally:
        await stop(use_cases, adapters)
    return user.id


def _report(error: DomainError) -> str:
    if isinstance(error, ValidationFailedError):
        return "; ".join(f"{item.field}: {item.message}" for item in error.errors)
    return error.message


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    try:
        settings = load_settings()
    except SettingsError as exc:
        sys.stderr.write(f"bastion: {exc}\n")
        return 2
    if args.command == "serve":
        return _serve(settings, args.host, args.port, args.workers)
    if args.command == "db":
        upgrade(settings.database_url, schema=settings.database_schema or None)
        sys.stdout.write("database is at the latest migration\n")
        return 0
    command = CreateAdmin(
        email=args.email,
        username=args.username,
        full_name=args.full_name,
        password=_read_password(args.password_stdin),
    )
    try:
        user_id = asyncio.run(_create_admin(settings, command))
    except DomainError as exc:
        sys.stderr.write(f"bastion: {_report(exc)}\n")
        return 1
    sys.stdout.write(f"created admin {user_id}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
