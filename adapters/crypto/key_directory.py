"""The files of a signing key directory: the key files, and `retired.json`, the index of retired keys.

Files are written owner-only (mode 0600) and all at once (a temporary file renamed over the target),
so a crash never leaves half a key or half an index. Errors name files, never key material.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import stat
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from adapters.crypto.signing_key_material import KeyStoreError, SigningKey, check_key, parse_key

INDEX_FILE = "retired.json"
_STAMP = "%Y%m%dT%H%M%SZ"
_KEY_SUFFIXES = (".jwk", ".pem")
_MAX_FILE_BYTES = 64 * 1024

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class StoredKey:
    """A key of the directory, with every file that holds it."""

    kid: str
    key: SigningKey
    created_at: datetime
    paths: tuple[Path, ...]


@dataclass(frozen=True, slots=True)
class Retirement:
    """When a key was retired, and the access token lifetime at that moment."""

    retired_at: datetime
    token_lifetime: timedelta


def create_directory(directory: Path) -> None:
    """Create `directory` (owner-only) and its parents, unless it exists."""
    try:
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as error:
        raise KeyStoreError(f"cannot create the key directory {directory}: {error.strerror}") from None


def write_key(directory: Path, key: SigningKey, algorithm: str, now: datetime) -> str:
    """Write `key` as `<now, %Y%m%dT%H%M%SZ>_<kid>.jwk`, a private JWK declared for signing with
    `algorithm`; its `kid`, the RFC 7638 thumbprint."""
    kid = key.thumbprint()
    document = key.as_dict(private=True) | {"kid": kid, "alg": algorithm, "use": "sig"}
    _write_atomically(directory / f"{_stamp(now)}_{kid}.jwk", json.dumps(document).encode())
    return kid


def read_keys(directory: Path, algorithm: str) -> list[StoredKey]:
    """Every key in the `*.jwk` and `*.pem` files of `directory`, each checked against `algorithm`."""
    by_kid: dict[str, StoredKey] = {}
    for path in sorted(directory.iterdir()):
        if path.name.startswith(".") or path.suffix.lower() not in _KEY_SUFFIXES:
            continue
        stored = _read_key(path, algorithm)
        known = by_kid.get(stored.kid)
        if known is not None:  # the same key twice (a PEM and a JWK of it): one key, every file
            stored = StoredKey(
                kid=stored.kid,
                key=stored.key,
                created_at=max(known.created_at, stored.created_at),
                paths=(*known.paths, *stored.paths),
            )
        by_kid[stored.kid] = stored
    return list(by_kid.values())


def delete_files(paths: Iterable[Path]) -> None:
    """Delete `paths`; one already gone is no error."""
    for path in paths:
        try:
            path.unlink(missing_ok=True)
        except OSError as error:
            raise KeyStoreError(f"cannot delete {path.name}: {error.strerror}") from None


def read_retirements(directory: Path) -> dict[str, Retirement]:
    """The retired keys by `kid`, from the index of `directory` (none without an index)."""
    path = directory / INDEX_FILE
    try:
        document = json.loads(path.read_bytes())
    except FileNotFoundError:
        return {}
    except OSError as error:
        raise KeyStoreError(f"cannot read {INDEX_FILE}: {error.strerror}") from None
    except ValueError:
        raise KeyStoreError(f"{INDEX_FILE} is not valid JSON") from None
    try:
        return {
            kid: Retirement(
                retired_at=_aware(datetime.fromisoformat(entry["retired_at"])),
                token_lifetime=timedelta(seconds=int(entry["token_lifetime_seconds"])),
            )
            for kid, entry in document["retired"].items()
        }
    except (KeyError, TypeError, ValueError, AttributeError):
        raise KeyStoreError(f"{INDEX_FILE} is not a valid index of retired keys") from None


def write_retirements(directory: Path, retirements: Mapping[str, Retirement]) -> None:
    """Replace the index of `directory` with `retirements`."""
    document = {
        "retired": {
            kid: {
                "retired_at": retirement.retired_at.astimezone(UTC).isoformat(),
                "token_lifetime_seconds": int(retirement.token_lifetime.total_seconds()),
            }
            for kid, retirement in sorted(retirements.items())
        }
    }
    _write_atomically(directory / INDEX_FILE, json.dumps(document, indent=2).encode())


def _read_key(path: Path, algorithm: str) -> StoredKey:
    try:
        status = path.stat()
        if not stat.S_ISREG(status.st_mode) or status.st_size > _MAX_FILE_BYTES:
            raise KeyStoreError(f"{path.name} is not a key file: not a regular file, or too large")
        content = path.read_bytes()
    except OSError as error:
        raise KeyStoreError(f"cannot read the key file {path.name}: {error.strerror}") from None
    if os.name == "posix" and status.st_mode & 0o077:
        logger.warning("The key file %s is readable by other users; restrict it to mode 0600.", path.name)
    key = parse_key(content, path)
    check_key(key, algorithm, path)
    return StoredKey(kid=key.thumbprint(), key=key, created_at=_created_at(path, status.st_mtime), paths=(path,))


def _created_at(path: Path, modified: float) -> datetime:
    stamp = path.name.partition("_")[0]
    try:
        return datetime.strptime(stamp, _STAMP).replace(tzinfo=UTC)
    except ValueError:
        return datetime.fromtimestamp(modified, UTC)


def _stamp(now: datetime) -> str:
    return _aware(now).astimezone(UTC).strftime(_STAMP)


def _aware(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("a naive datetime has no definite time; use an aware UTC datetime")
    return moment


def _write_atomically(path: Path, content: bytes) -> None:
    """Write `content` to `path` readable by the owner only, all or nothing."""
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    try:
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except OSError as error:
        raise KeyStoreError(f"cannot write {path.name}: {error.strerror}") from None
    try:
        with os.fdopen(descriptor, "wb") as file:
            file.write(content)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
