"""The `bastion` command line: serve, db upgrade, create-admin."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import logging
import os
import sys
from collections.abc import Sequence
from datetime import timedelta

from adapters.clock import SystemClock
from adapters.crypto.calibration import calibrate
from adapters.sql.migrate import upgrade
from application.create_admin import CreateAdmin
from application.get_user import GetUser
from application.list_users import ListUsers
from application.update_user import UpdateUser
from domain.errors import DomainError, ValidationFailedError
from domain.model import Role
from entrypoints.container import key_store, production, start, stop
from entrypoints.process_tuning import tune_process
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
    users = commands.add_parser("users", help="manage accounts as an operator")
    user_commands = users.add_subparsers(dest="users_command", required=True)
    listing = user_commands.add_parser("list", help="list accounts")
    listing.add_argument("--query", default=None, help="part of an email or username")
    listing.add_argument("--limit", type=int, default=50)
    listing.add_argument("--offset", type=int, default=0)
    set_role = user_commands.add_parser("set-role", help="set the roles of an account (it always keeps 'user')")
    set_role.add_argument("email")
    set_role.add_argument("roles", nargs="+", choices=[role.value for role in Role])
    deactivate = user_commands.add_parser("deactivate", help="deactivate an account and end its sessions")
    deactivate.add_argument("email")
    keys = commands.add_parser("keys", help="signing keys of EdDSA, ES256 or RS256 (BASTION_JWT_KEYS_DIR)")
    key_commands = keys.add_subparsers(dest="keys_command", required=True)
    key_commands.add_parser("generate", help="create a signing key")
    key_commands.add_parser("rotate", help="start signing with a new key; prune keys whose tokens have all expired")
    hashing = commands.add_parser("hash", help="password hashing")
    hash_commands = hashing.add_subparsers(dest="hash_command", required=True)
    calibrate = hash_commands.add_parser("calibrate", help="measure argon2id here and suggest parameters")
    calibrate.add_argument("--target-ms", type=int, default=250, help="the verify time to aim for")
    return parser


def _calibrate(target_ms: int) -> str:
    measurements = calibrate(timedelta(milliseconds=target_ms))
    lines = [
        f"m={m.memory_kib} KiB  t={m.time_cost}  p={m.parallelism}: {m.verify_seconds * 1000:.1f} ms per verify"
        for m in measurements
    ]
    best = measurements[-1]
    lines += [
        f"suggested for about {target_ms} ms (never below the OWASP floor m=19456, t=2, p=1):",
        f"BASTION_ARGON2_MEMORY_KIB={best.memory_kib}",
        f"BASTION_ARGON2_TIME_COST={best.time_cost}",
        f"BASTION_ARGON2_PARALLELISM={best.parallelism}",
        "each concurrent verify holds that much memory; BASTION_HASH_THREADS bounds how many run at once",
    ]
    return "\n".join(lines)


def _keys(settings: Settings, command: str) -> str:
    store = key_store(settings)
    now = SystemClock().now()
    if command == "generate":
        return f"generated signing key {store.generate(now)}"
    lifetime = settings.tokens.session_policy.access_ttl + settings.tokens.session_policy.revocation_margin
    pruned = store.prune(now, token_lifetime=lifetime)
    kid = store.rotate(now, token_lifetime=lifetime)
    lines = [f"signing with new key {kid}; restart every instance to use it"]
    lines += [f"pruned key {old}" for old in pruned]
    return "\n".join(lines)


def _serve(settings: Settings, host: str, port: int, workers: int) -> int:
    import uvicorn

    # First, before any thread starts.
    tune_process(
        hash_threads=settings.hashing.threads, database_pool_size=settings.database.pool_size, environ=os.environ
    )
    try:
        production(settings)[1].issuer()
    except ValueError as exc:
        sys.stderr.write(f"bastion: refusing to start: {exc}\n")
        return 2

    if workers > 1 and not settings.redis.url:
        logger.warning(
            "serving with %d workers and no BASTION_REDIS_URL: rate limits and token revocations are kept "
            "per process, so a logout seen by one worker is not enforced by the others until the access "
            "token expires; set BASTION_REDIS_URL to share them",
            workers,
        )
    if not settings.server.is_production and settings.database.url.startswith("sqlite"):
        upgrade(settings.database.url, schema=settings.database.schema or None)
    logger.info(
        "%d hashing thread(s) per worker, at most %d password checks queued; argon2 holds %d KiB per running check",
        settings.hashing.threads,
        settings.hashing.max_pending,
        settings.hashing.memory_kib,
    )
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


async def _users(settings: Settings, args: argparse.Namespace) -> list[str]:
    """Run one `bastion users` command as the operator; the lines to print."""
    use_cases, adapters = production(settings)
    await start(use_cases, adapters)
    try:
        if args.users_command == "list":
            page = await use_cases.list_users().handle(
                ListUsers(actor_id=None, query=args.query, limit=args.limit, offset=args.offset)
            )
            lines = [
                f"{user.id}  {user.email}  {user.username}  roles={','.join(sorted(user.roles))}"
                f"  active={user.is_active}  verified={user.email_verified}"
                for user in page.items
            ]
            return [*lines, f"{len(page.items)} of {page.total}"]
        user = await use_cases.get_user().handle(GetUser(actor_id=None, email=args.email))
        if args.users_command == "set-role":
            command = UpdateUser(actor_id=None, user_id=user.id, roles=tuple(args.roles))
        else:
            command = UpdateUser(actor_id=None, user_id=user.id, is_active=False)
        updated = await use_cases.update_user().handle(command)
        return [f"{updated.email}: roles={','.join(sorted(updated.roles))} active={updated.is_active}"]
    finally:
        await stop(use_cases, adapters)


def _report(error: DomainError) -> str:
    if isinstance(error, ValidationFailedError):
        return "; ".join(f"{item.field}: {item.message}" for item in error.errors)
    return error.message


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    try:
        settings = load_settings(workers=args.workers if args.command == "serve" else 1)
    except SettingsError as exc:
        sys.stderr.write(f"bastion: {exc}\n")
        return 2
    if args.command == "serve":
        return _serve(settings, args.host, args.port, args.workers)
    if args.command == "db":
        upgrade(settings.database.url, schema=settings.database.schema or None)
        sys.stdout.write("database is at the latest migration\n")
        return 0
    if args.command == "hash":
        sys.stdout.write(_calibrate(args.target_ms) + "\n")
        return 0
    if args.command == "keys":
        try:
            sys.stdout.write(_keys(settings, args.keys_command) + "\n")
        except ValueError as exc:
            sys.stderr.write(f"bastion: {exc}\n")
            return 2
        return 0
    if args.command == "users":
        try:
            lines = asyncio.run(_users(settings, args))
        except DomainError as exc:
            sys.stderr.write(f"bastion: {_report(exc)}\n")
            return 1
        sys.stdout.write("".join(f"{line}\n" for line in lines))
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
