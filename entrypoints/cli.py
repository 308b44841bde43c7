"""The `bastion` command line: serve, db upgrade, create-admin, users, api-keys, service-accounts, keys, hash.

`COMMANDS` is the whole interface (`entrypoints.command_table`): each subcommand is one row (its
words, help, arguments and handler) and one handler, which gets the settings and the parsed
arguments and returns the exit code: 0 done, 1 refused by a use case, 2 unusable settings or keys.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import logging
import logging.config
import sys
from collections.abc import Awaitable, Callable, Sequence
from datetime import timedelta
from importlib.metadata import version

from adapters.clock import SystemClock
from adapters.crypto.calibration import calibrate
from adapters.sql.migrations.migrate import upgrade
from adapters.sql.migrations.status import create_schema, readiness_problem
from application.admin.create_admin import CreateAdmin
from application.admin.get_user import GetUser
from application.admin.list_users import ListUsers
from application.admin.reset_mfa import ResetMfa
from application.admin.update_user import UpdateUser
from application.api_keys.list_api_keys import ListApiKeys
from application.api_keys.revoke_api_key import RevokeApiKey
from application.service_accounts.create_service_account import CreateServiceAccount
from application.service_accounts.delete_service_account import DeleteServiceAccount
from application.service_accounts.list_service_accounts import ListServiceAccounts
from application.service_accounts.rotate_service_account_secret import RotateServiceAccountSecret
from domain.accounts import Role
from domain.api_keys import Scope
from domain.errors import DomainError, ValidationFailedError
from domain.service_accounts import scope_text
from entrypoints.command_table import Command, Handler, arg, build_parser, parse
from entrypoints.container.adapters import key_store
from entrypoints.container.lifecycle import production, start, stop
from entrypoints.container.use_cases import UseCases
from entrypoints.http.log_format import server_log_config
from entrypoints.serving import serve
from entrypoints.settings import Settings, SettingsError, load_settings


def _print(lines: Sequence[str]) -> int:
    sys.stdout.write("".join(f"{line}\n" for line in lines))
    return 0


def _refuse(message: object, code: int) -> int:
    sys.stderr.write(f"bastion: {message}\n")
    return code


def _database_problem(settings: Settings) -> str | None:
    """What stops the commands from using the database, in one line with its fix."""
    return readiness_problem(settings.database.url, settings.database.schema or None)


def _serve(settings: Settings, args: argparse.Namespace) -> int:
    # In development an SQLite database is migrated when the server starts.
    migrates_on_start = not settings.server.is_production and settings.database.url.startswith("sqlite")
    try:
        production(settings)[1].issuer()  # unusable keys first: `serve` refuses them with its own words
    except ValueError:
        return serve(settings, host=args.host, port=args.port, workers=args.workers)
    problem = None if migrates_on_start else _database_problem(settings)
    if problem:
        return _refuse(problem, 2)
    return serve(settings, host=args.host, port=args.port, workers=args.workers)


def _db_upgrade(settings: Settings, args: argparse.Namespace) -> int:
    schema = settings.database.schema or None
    if schema:
        create_schema(settings.database.url, schema)
    upgrade(settings.database.url, schema=schema)
    return _print(["database is at the latest migration"])


async def _started(settings: Settings, work: Callable[[UseCases], Awaitable[list[str]]]) -> list[str]:
    use_cases, adapters = production(settings)
    await start(use_cases, adapters)
    try:
        return await work(use_cases)
    finally:
        await stop(use_cases, adapters)


def _report(error: DomainError) -> str:
    if isinstance(error, ValidationFailedError):
        return "; ".join(f"{item.field}: {item.message}" for item in error.errors)
    return error.message


def _as_operator(settings: Settings, work: Callable[[UseCases], Awaitable[list[str]]]) -> int:
    """Run `work` on the started production use cases and print its lines; a refusal exits 1,
    a database that is not ready 2."""
    problem = _database_problem(settings)
    if problem:
        return _refuse(problem, 2)
    try:
        lines = asyncio.run(_started(settings, work))
    except DomainError as exc:
        return _refuse(_report(exc), 1)
    return _print(lines)


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    password = getpass.getpass("Password: ")
    if getpass.getpass("Repeat password: ") != password:
        raise SystemExit("bastion: the passwords differ")
    return password


def _create_admin(settings: Settings, args: argparse.Namespace) -> int:
    command = CreateAdmin(
        email=args.email,
        username=args.username,
        full_name=args.full_name,
        password=_read_password(args.password_stdin),
    )

    async def create(use_cases: UseCases) -> list[str]:
        user = await use_cases.create_admin().handle(command)
        return [f"created admin {user.id}"]

    return _as_operator(settings, create)


def _users_list(settings: Settings, args: argparse.Namespace) -> int:
    async def listing(use_cases: UseCases) -> list[str]:
        page = await use_cases.list_users().handle(
            ListUsers(actor_id=None, query=args.query, limit=args.limit, offset=args.offset)
        )
        lines = [
            f"{user.id}  {user.email}  {user.username}  roles={','.join(sorted(user.roles))}"
            f"  active={user.is_active}  verified={user.email_verified}"
            for user in page.items
        ]
        return [*lines, f"{len(page.items)} of {page.total}"]

    return _as_operator(settings, listing)


async def _update_user(
    use_cases: UseCases, email: str, *, roles: tuple[str, ...] | None = None, is_active: bool | None = None
) -> list[str]:
    user = await use_cases.get_user().handle(GetUser(actor_id=None, email=email))
    command = UpdateUser(actor_id=None, user_id=user.id, roles=roles, is_active=is_active)
    updated = await use_cases.update_user().handle(command)
    return [f"{updated.email}: roles={','.join(sorted(updated.roles))} active={updated.is_active}"]


def _users_set_role(settings: Settings, args: argparse.Namespace) -> int:
    return _as_operator(settings, lambda use_cases: _update_user(use_cases, args.email, roles=tuple(args.roles)))


def _users_deactivate(settings: Settings, args: argparse.Namespace) -> int:
    return _as_operator(settings, lambda use_cases: _update_user(use_cases, args.email, is_active=False))


def _users_activate(settings: Settings, args: argparse.Namespace) -> int:
    return _as_operator(settings, lambda use_cases: _update_user(use_cases, args.email, is_active=True))


def _users_reset_mfa(settings: Settings, args: argparse.Namespace) -> int:
    async def reset(use_cases: UseCases) -> list[str]:
        user = await use_cases.get_user().handle(GetUser(actor_id=None, email=args.email))
        await use_cases.reset_mfa().handle(ResetMfa(actor_id=None, user_id=user.id))
        return [f"{user.email.value}: second factors off, sessions ended"]

    return _as_operator(settings, reset)


def _api_keys_list(settings: Settings, args: argparse.Namespace) -> int:
    async def listing(use_cases: UseCases) -> list[str]:
        user = await use_cases.get_user().handle(GetUser(actor_id=None, email=args.email))
        keys = await use_cases.list_api_keys().handle(ListApiKeys(user_id=user.id))
        lines = [
            f"{key.id}  {key.shown}...  {key.name!r}  scopes={','.join(sorted(scope.value for scope in key.scopes))}"
            f"  expires={key.expires_at.isoformat() if key.expires_at else 'never'}"
            f"  last_used={key.last_used_at.isoformat() if key.last_used_at else 'never'}"
            for key in keys
        ]
        return [*lines, f"{len(keys)} unrevoked keys of {user.email.value}"]

    return _as_operator(settings, listing)


def _api_keys_revoke(settings: Settings, args: argparse.Namespace) -> int:
    async def revoke(use_cases: UseCases) -> list[str]:
        user = await use_cases.get_user().handle(GetUser(actor_id=None, email=args.email))
        await use_cases.revoke_api_key().handle(RevokeApiKey(user_id=user.id, key_id=args.key_id, by="operator"))
        return [f"revoked API key {args.key_id} of {user.email.value}"]

    return _as_operator(settings, revoke)


def _service_accounts_list(settings: Settings, args: argparse.Namespace) -> int:
    async def listing(use_cases: UseCases) -> list[str]:
        accounts = await use_cases.list_service_accounts().handle(ListServiceAccounts(actor_id=None))
        lines = [
            f"{account.id}  {account.client_id}  {account.name!r}"
            f"  scopes={','.join(sorted(scope.value for scope in account.scopes))}"
            f"  created={account.created_at.isoformat()}"
            f"  secret_rotated={account.secret_rotated_at.isoformat() if account.secret_rotated_at else 'never'}"
            for account in accounts
        ]
        return [*lines, f"{len(accounts)} service accounts"]

    return _as_operator(settings, listing)


# A secret printed by the command line is never shown again: only its hash is stored.
_SHOWN_ONCE = "the client secret is shown only now: store it safely (a lost one is replaced by rotate-secret)"


def _service_accounts_create(settings: Settings, args: argparse.Namespace) -> int:
    async def create(use_cases: UseCases) -> list[str]:
        command = CreateServiceAccount(actor_id=None, name=args.name, scopes=list(args.scopes))
        made = await use_cases.create_service_account().handle(command)
        account = made.account
        return [
            f"created service account {account.id} {account.name!r} with scopes {scope_text(account.scopes)}",
            f"client_id: {account.client_id}",
            f"client_secret: {made.client_secret}",
            _SHOWN_ONCE,
        ]

    return _as_operator(settings, create)


def _service_accounts_delete(settings: Settings, args: argparse.Namespace) -> int:
    async def delete(use_cases: UseCases) -> list[str]:
        await use_cases.delete_service_account().handle(DeleteServiceAccount(actor_id=None, account_id=args.id))
        return [f"deleted service account {args.id}: its secret and its tokens stop working on every process"]

    return _as_operator(settings, delete)


def _service_accounts_rotate_secret(settings: Settings, args: argparse.Namespace) -> int:
    async def rotate(use_cases: UseCases) -> list[str]:
        secret = await use_cases.rotate_service_account_secret().handle(
            RotateServiceAccountSecret(actor_id=None, account_id=args.id)
        )
        return [
            f"new client secret of service account {args.id} (the old one no longer works;"
            " tokens already granted live until they expire)",
            f"client_secret: {secret}",
            _SHOWN_ONCE,
        ]

    return _as_operator(settings, rotate)


def _keys_generate(settings: Settings, args: argparse.Namespace) -> int:
    try:
        kid = key_store(settings).generate(SystemClock().now())
    except ValueError as exc:
        return _refuse(exc, 2)
    return _print([f"generated signing key {kid}"])


def _keys_rotate(settings: Settings, args: argparse.Namespace) -> int:
    policy = settings.tokens.session_policy
    lifetime = policy.access_ttl + policy.revocation_margin
    try:
        store, now = key_store(settings), SystemClock().now()
        pruned = store.prune(now, token_lifetime=lifetime)
        kid = store.rotate(now, token_lifetime=lifetime)
    except ValueError as exc:
        return _refuse(exc, 2)
    return _print(
        [f"signing with new key {kid}; restart every instance to use it", *(f"pruned key {old}" for old in pruned)]
    )


def _hash_calibrate(settings: Settings, args: argparse.Namespace) -> int:
    target: timedelta = args.target
    calibration = calibrate(target)
    best = calibration.suggestion
    return _print(
        [
            *(
                f"m={m.memory_kib} KiB  t={m.time_cost}  p={m.parallelism}: {m.verify_seconds * 1000:.1f} ms per verify"
                for m in calibration.measurements
            ),
            f"suggested for about {target.total_seconds() * 1000:.0f} ms, measured again at"
            f" {best.verify_seconds * 1000:.1f} ms (never below the OWASP floor m=19456, t=2, p=1):",
            f"BASTION_ARGON2_MEMORY_KIB={best.memory_kib}",
            f"BASTION_ARGON2_TIME_COST={best.time_cost}",
            f"BASTION_ARGON2_PARALLELISM={best.parallelism}",
            "each concurrent verify holds that much memory; BASTION_HASH_THREADS bounds how many run at once",
        ]
    )


# The help of the words that only group subcommands (`bastion db upgrade`).
GROUPS = {
    "db": "database maintenance",
    "users": "manage accounts as an operator",
    "api-keys": "personal API keys of accounts, as an operator",
    "service-accounts": "machine clients of the OAuth2 client credentials grant, as an operator",
    "keys": "signing keys of EdDSA, ES256 or RS256 (BASTION_JWT_KEYS_DIR)",
    "hash": "password hashing",
}
_EMAIL = arg("email", help="the email address of the account")
_SERVICE_ACCOUNT_ID = arg("id", help="the id of the service account, as `bastion service-accounts list` shows it")


def _duration(text: str) -> timedelta:
    """`250ms`, `0.25s` or a bare number of milliseconds."""
    number, unit = (
        (text[:-2], 1e-3) if text.endswith("ms") else (text[:-1], 1.0) if text.endswith("s") else (text, 1e-3)
    )
    try:
        seconds = float(number) * unit
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a duration: {text!r} (for example 250ms or 0.5s)") from None
    if seconds < 0:
        raise argparse.ArgumentTypeError(f"not a duration: {text!r} (it is negative)")
    return timedelta(seconds=seconds)


EPILOG = """\
Every setting comes from a BASTION_* environment variable or from a .env file in the working
directory (the environment wins); README.md lists them all under "Settings". BASTION_<NAME>_FILE
reads the value of BASTION_<NAME> from a file (container secrets).
"""

# Every subcommand by its words, in the order `bastion --help` lists them.
COMMANDS: dict[tuple[str, ...], Command] = {
    ("serve",): Command(
        "run the HTTP API",
        _serve,
        (
            arg("--host", default="127.0.0.1", help="the address to listen on"),
            arg("--port", type=int, default=8000, help="the TCP port to listen on"),
            arg("--workers", type=int, default=1, help="worker processes (each with its own hashing threads)"),
        ),
    ),
    ("db", "upgrade"): Command("apply migrations to BASTION_DATABASE_URL", _db_upgrade),
    ("create-admin",): Command(
        "create an administrator account",
        _create_admin,
        (
            arg("--email", required=True, help="the administrator's email address (required)"),
            arg("--username", required=True, help="the administrator's username (required)"),
            arg("--full-name", default=None, help="the administrator's full name (default: none)"),
            arg(
                "--password-stdin",
                action="store_true",
                help="read the password from standard input (default: from a prompt)",
            ),
        ),
    ),
    ("users", "list"): Command(
        "list accounts",
        _users_list,
        (
            arg("--query", default=None, help="part of an email or username (default: every account)"),
            arg("--limit", type=int, default=50, help="how many accounts to print"),
            arg("--offset", type=int, default=0, help="how many accounts to skip first"),
        ),
    ),
    ("users", "set-role"): Command(
        "set the roles of an account (it always keeps 'user')",
        _users_set_role,
        (_EMAIL, arg("roles", nargs="+", choices=[role.value for role in Role], help="the roles to hold")),
    ),
    ("users", "deactivate"): Command("deactivate an account and end its sessions", _users_deactivate, (_EMAIL,)),
    ("users", "activate"): Command("activate a deactivated account again", _users_activate, (_EMAIL,)),
    ("users", "reset-mfa"): Command(
        "turn off the second factors of an account (TOTP, recovery codes) and end its sessions",
        _users_reset_mfa,
        (_EMAIL,),
    ),
    ("api-keys", "list"): Command("list the unrevoked API keys of an account", _api_keys_list, (_EMAIL,)),
    ("api-keys", "revoke"): Command(
        "revoke an API key of an account (at once, on every process)",
        _api_keys_revoke,
        (_EMAIL, arg("key_id", help="the id of the key, as `bastion api-keys list` shows it")),
    ),
    ("service-accounts", "list"): Command("list the service accounts (never their secrets)", _service_accounts_list),
    ("service-accounts", "create"): Command(
        "create a service account; prints its client_id and its client secret, once",
        _service_accounts_create,
        (
            arg("name", help="what the client is, 1 to 100 characters"),
            arg(
                "--scope",
                dest="scopes",
                action="append",
                required=True,
                choices=[scope.value for scope in Scope],
                help="a scope it may be granted, repeated for more (required)",
            ),
        ),
    ),
    ("service-accounts", "delete"): Command(
        "delete a service account: its secret and tokens stop working at once, on every process",
        _service_accounts_delete,
        (_SERVICE_ACCOUNT_ID,),
    ),
    ("service-accounts", "rotate-secret"): Command(
        "give a service account a new client secret, printed once (the old one stops working)",
        _service_accounts_rotate_secret,
        (_SERVICE_ACCOUNT_ID,),
    ),
    ("keys", "generate"): Command("create a signing key", _keys_generate),
    ("keys", "rotate"): Command("start signing with a new key; prune keys whose tokens have all expired", _keys_rotate),
    ("hash", "calibrate"): Command(
        "measure argon2id here and suggest parameters",
        _hash_calibrate,
        (
            arg(
                "--target",
                "--target-ms",
                type=_duration,
                default="250ms",
                help="the verify time to aim for: 250ms, 0.5s or a number of milliseconds",
            ),
        ),
    ),
}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="bastion",
        description="Bastion authentication service",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {version('bastion')}")
    args = parse(build_parser(parser, GROUPS, COMMANDS), argv)
    try:
        settings = load_settings(workers=args.workers if args.command == "serve" else 1)
    except SettingsError as exc:
        return _refuse(exc, 2)
    # Every command logs in the service's format (BASTION_LOG_FORMAT), like the server itself.
    logging.config.dictConfig(server_log_config(settings.server.json_logs))
    run: Handler = args.run
    return run(settings, args)


if __name__ == "__main__":
    raise SystemExit(main())
