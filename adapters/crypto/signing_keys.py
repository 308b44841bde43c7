"""SigningKeyStore: the asymmetric keys that sign access tokens, kept as files in one directory."""

from __future__ import annotations

import json
import logging
import os
import secrets
import stat
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from joserfc.errors import JoseError
from joserfc.jwk import ECKey, JWKRegistry, OKPKey, RSAKey

ASYMMETRIC_ALGORITHMS = ("EdDSA", "ES256", "RS256")
# How long a retired key outlives the last token it can have signed: room for clock skew and for
# servers that still sign with it until they restart after a rotation.
PRUNE_MARGIN = timedelta(hours=1)
INDEX_FILE = "retired.json"
_STAMP = "%Y%m%dT%H%M%SZ"
_KEY_SUFFIXES = (".jwk", ".pem")
_MAX_FILE_BYTES = 64 * 1024
_MIN_RSA_BITS = 2048
_EXPECTED = {"EdDSA": "an OKP Ed25519 private key", "ES256": "an EC P-256 private key", "RS256": "an RSA private key"}

SigningKey = OKPKey | ECKey | RSAKey

logger = logging.getLogger(__name__)


class KeyStoreError(ValueError):
    """The key directory cannot provide usable signing keys. The message names files, never key material."""


@dataclass(frozen=True, slots=True)
class LoadedKeys:
    """The keys of one algorithm: the private key that signs, and the public keys that verify by `kid`
    (the signing key's public half first, then the others newest first)."""

    algorithm: str
    signing_kid: str
    signing_key: SigningKey
    verification_keys: Mapping[str, SigningKey]


@dataclass(frozen=True, slots=True)
class _StoredKey:
    kid: str
    key: SigningKey
    created_at: datetime
    paths: tuple[Path, ...]


@dataclass(frozen=True, slots=True)
class _Retirement:
    retired_at: datetime
    token_lifetime: timedelta


class SigningKeyStore:
    """The signing keys of one algorithm (`EdDSA`: Ed25519, `ES256`: P-256, `RS256`: RSA of 2048 bits
    or more), as files in `directory`.

    - Key files: `<created, %Y%m%dT%H%M%SZ>_<kid>.jwk`, a private JWK (JSON) written with mode 0600,
      and any `*.pem` unencrypted private key an operator drops in (created at its modification time).
      Other files are ignored. A `kid` is always the RFC 7638 thumbprint of the key.
    - `retired.json` records, per retired `kid`, when it was retired and the token lifetime then.
    - The newest key that is not retired signs; every key in the directory verifies.
    - Nothing here logs key material; error messages name files only.
    """

    def __init__(self, directory: Path, algorithm: str, *, rsa_bits: int = 3072) -> None:
        if algorithm not in ASYMMETRIC_ALGORITHMS:
            raise KeyStoreError(f"signing keys are for {', '.join(ASYMMETRIC_ALGORITHMS)}, not {algorithm!r}")
        if rsa_bits < _MIN_RSA_BITS or rsa_bits % 8:
            raise KeyStoreError(f"RSA keys need a multiple of 8 bits, at least {_MIN_RSA_BITS}")
        self._directory = directory
        self._algorithm = algorithm
        self._rsa_bits = rsa_bits

    def generate(self, now: datetime) -> str:
        """Create a new private key, which becomes the signing key (the directory is created if needed);
        its `kid`."""
        try:
            self._directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        except OSError as error:
            raise KeyStoreError(f"cannot create the key directory {self._directory}: {error.strerror}") from None
        key = self._new_key()
        kid = key.thumbprint()
        document = key.as_dict(private=True) | {"kid": kid, "alg": self._algorithm, "use": "sig"}
        _write_atomically(self._directory / f"{_stamp(now)}_{kid}.jwk", json.dumps(document).encode())
        return kid

    def rotate(self, now: datetime, *, token_lifetime: timedelta) -> str:
        """Create a new signing key and retire every other key at `now`: they keep verifying until
        `prune` removes them. The new key's `kid`."""
        stored = self._read_keys() if self._directory.is_dir() else []
        retirements = self._read_index()
        new_kid = self.generate(now)
        for stored_key in stored:
            if stored_key.kid not in retirements and stored_key.kid != new_kid:
                retirements[stored_key.kid] = _Retirement(retired_at=now, token_lifetime=token_lifetime)
        self._write_index(retirements)
        return new_kid

    def prune(self, now: datetime, *, token_lifetime: timedelta, margin: timedelta = PRUNE_MARGIN) -> list[str]:
        """Delete the retired keys that can no longer verify a live token: retired longer ago than the
        longer of `token_lifetime` and the lifetime at their retirement, plus `margin`. Their `kid`s."""
        self._require_directory()
        stored = {stored_key.kid: stored_key for stored_key in self._read_keys()}
        retirements = self._read_index()
        pruned: list[str] = []
        for kid, retirement in list(retirements.items()):
            if now < retirement.retired_at + max(token_lifetime, retirement.token_lifetime) + margin:
                continue
            del retirements[kid]
            if kid in stored:
                for path in stored[kid].paths:
                    _delete(path)
                pruned.append(kid)
        self._write_index(retirements)
        return pruned

    def load(self) -> LoadedKeys:
        """The signing key and every verification key.

        Raises:
            KeyStoreError: no directory, no usable key, an unreadable file or a key of the wrong type.
        """
        self._require_directory()
        stored = sorted(self._read_keys(), key=lambda stored_key: (stored_key.created_at, stored_key.kid), reverse=True)
        if not stored:
            raise KeyStoreError(f"no signing key in {self._directory}; create one with `bastion keys generate`")
        retirements = self._read_index()
        signer = next((stored_key for stored_key in stored if stored_key.kid not in retirements), None)
        if signer is None:
            raise KeyStoreError(f"every key in {self._directory} is retired; add one with `bastion keys rotate`")
        ordered = [signer, *(stored_key for stored_key in stored if stored_key is not signer)]
        return LoadedKeys(
            algorithm=self._algorithm,
            signing_kid=signer.kid,
            signing_key=signer.key,
            verification_keys={stored_key.kid: _public_half(stored_key.key) for stored_key in ordered},
        )

    def _new_key(self) -> SigningKey:
        if self._algorithm == "EdDSA":
            return OKPKey.generate_key("Ed25519")
        if self._algorithm == "ES256":
            return ECKey.generate_key("P-256")
        return RSAKey.generate_key(self._rsa_bits)

    def _require_directory(self) -> None:
        if not self._directory.is_dir():
            raise KeyStoreError(f"the key directory {self._directory} does not exist")

    def _read_keys(self) -> list[_StoredKey]:
        by_kid: dict[str, _StoredKey] = {}
        for path in sorted(self._directory.iterdir()):
            if path.name.startswith(".") or path.suffix.lower() not in _KEY_SUFFIXES:
                continue
            stored = self._read_key(path)
            known = by_kid.get(stored.kid)
            if known is not None:  # the same key twice (a PEM and a JWK of it): one key, every file
                stored = _StoredKey(
                    kid=stored.kid,
                    key=stored.key,
                    created_at=max(known.created_at, stored.created_at),
                    paths=(*known.paths, *stored.paths),
                )
            by_kid[stored.kid] = stored
        return list(by_kid.values())

    def _read_key(self, path: Path) -> _StoredKey:
        try:
            status = path.stat()
            if not stat.S_ISREG(status.st_mode) or status.st_size > _MAX_FILE_BYTES:
                raise KeyStoreError(f"{path.name} is not a key file: not a regular file, or too large")
            content = path.read_bytes()
        except OSError as error:
            raise KeyStoreError(f"cannot read the key file {path.name}: {error.strerror}") from None
        if os.name == "posix" and status.st_mode & 0o077:
            logger.warning("The key file %s is readable by other users; restrict it to mode 0600.", path.name)
        key = _parse_jwk(content, path) if path.suffix.lower() == ".jwk" else _parse_pem(content, path)
        self._check_key(key, path)
        return _StoredKey(kid=key.thumbprint(), key=key, created_at=_created_at(path, status.st_mtime), paths=(path,))

    def _check_key(self, key: SigningKey, path: Path) -> None:
        if not key.is_private:
            raise KeyStoreError(f"{path.name} holds a public key; the directory needs private keys")
        fits = (
            (self._algorithm == "EdDSA" and isinstance(key, OKPKey) and key.curve_name == "Ed25519")
            or (self._algorithm == "ES256" and isinstance(key, ECKey) and key.curve_name == "P-256")
            or (self._algorithm == "RS256" and isinstance(key, RSAKey) and _rsa_bits(key) >= _MIN_RSA_BITS)
        )
        if not fits:
            raise KeyStoreError(
                f"{path.name} holds {_describe(key)} but {self._algorithm} needs {_EXPECTED[self._algorithm]}"
                + (f" of at least {_MIN_RSA_BITS} bits" if self._algorithm == "RS256" else "")
            )
        declared = key.get("alg")
        if declared is not None and declared != self._algorithm:
            raise KeyStoreError(f"{path.name} is declared for {declared}, not {self._algorithm}")
        if key.get("use") not in (None, "sig"):
            raise KeyStoreError(f"{path.name} is declared for another use than signing")

    def _read_index(self) -> dict[str, _Retirement]:
        path = self._directory / INDEX_FILE
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
                kid: _Retirement(
                    retired_at=_aware(datetime.fromisoformat(entry["retired_at"])),
                    token_lifetime=timedelta(seconds=int(entry["token_lifetime_seconds"])),
                )
                for kid, entry in document["retired"].items()
            }
        except (KeyError, TypeError, ValueError, AttributeError):
            raise KeyStoreError(f"{INDEX_FILE} is not a valid index of retired keys") from None

    def _write_index(self, retirements: Mapping[str, _Retirement]) -> None:
        document = {
            "retired": {
                kid: {
                    "retired_at": retirement.retired_at.astimezone(UTC).isoformat(),
                    "token_lifetime_seconds": int(retirement.token_lifetime.total_seconds()),
                }
                for kid, retirement in sorted(retirements.items())
            }
        }
        _write_atomically(self._directory / INDEX_FILE, json.dumps(document, indent=2).encode())


def _parse_jwk(content: bytes, path: Path) -> SigningKey:
    try:
        document: Any = json.loads(content)
    except ValueError:
        raise KeyStoreError(f"{path.name} is not a JSON Web Key") from None
    if not isinstance(document, dict):
        raise KeyStoreError(f"{path.name} is not a JSON Web Key")
    if document.get("kty") == "oct":
        raise KeyStoreError(f"{path.name} holds a symmetric key; asymmetric algorithms need a private key pair")
    try:
        key = JWKRegistry.import_key(document)
    except (JoseError, ValueError, TypeError, KeyError):
        raise KeyStoreError(f"{path.name} is not a valid JSON Web Key") from None
    if not isinstance(key, OKPKey | ECKey | RSAKey):
        raise KeyStoreError(f"{path.name} is not an asymmetric key")
    return key


def _parse_pem(content: bytes, path: Path) -> SigningKey:
    # joserfc needs to be told the key type of a PEM file: try each, and let `_check_key` judge the fit.
    for key_type in ("OKP", "EC", "RSA"):
        try:
            key = JWKRegistry.import_key(content, key_type)
        except (JoseError, ValueError, TypeError):
            continue
        if isinstance(key, OKPKey | ECKey | RSAKey):
            return key
    raise KeyStoreError(f"{path.name} is not an unencrypted PEM private key")


def _public_half(key: SigningKey) -> SigningKey:
    public = JWKRegistry.import_key(key.as_dict(private=False))
    if not isinstance(public, OKPKey | ECKey | RSAKey):  # pragma: no cover - the same key type comes back
        raise KeyStoreError("the public half of a key has another type")
    return public


def _rsa_bits(key: RSAKey) -> int:
    return key.public_key.key_size


def _describe(key: SigningKey) -> str:
    if isinstance(key, RSAKey):
        return f"a {_rsa_bits(key)}-bit RSA key"
    return f"an {key.key_type} {key.curve_name} key"


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


def _delete(path: Path) -> None:
    try:
        path.unlink(missing_ok=True)
    except OSError as error:
        raise KeyStoreError(f"cannot delete {path.name}: {error.strerror}") from None
