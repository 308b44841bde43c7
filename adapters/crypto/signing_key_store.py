"""SigningKeyStore: the asymmetric keys that sign access tokens, kept as files in one directory."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from adapters.crypto.key_directory import (
    Retirement,
    create_directory,
    delete_files,
    read_keys,
    read_retirements,
    write_key,
    write_retirements,
)
from adapters.crypto.signing_key_material import (
    ASYMMETRIC_ALGORITHMS,
    MIN_RSA_BITS,
    KeyStoreError,
    SigningKey,
    new_key,
    public_half,
)

# How long a retired key outlives the last token it can have signed: room for clock skew and for
# servers that still sign with it until they restart after a rotation.
PRUNE_MARGIN = timedelta(hours=1)


@dataclass(frozen=True, slots=True)
class LoadedKeys:
    """The keys of one algorithm: the private key that signs, and the public keys that verify by `kid`
    (the signing key's public half first, then the others newest first)."""

    algorithm: str
    signing_kid: str
    signing_key: SigningKey
    verification_keys: Mapping[str, SigningKey]


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
        if rsa_bits < MIN_RSA_BITS or rsa_bits % 8:
            raise KeyStoreError(f"RSA keys need a multiple of 8 bits, at least {MIN_RSA_BITS}")
        self._directory = directory
        self._algorithm = algorithm
        self._rsa_bits = rsa_bits

    def generate(self, now: datetime) -> str:
        """Create a new private key, which becomes the signing key (the directory is created if needed);
        its `kid`."""
        create_directory(self._directory)
        return write_key(self._directory, new_key(self._algorithm, self._rsa_bits), self._algorithm, now)

    def rotate(self, now: datetime, *, token_lifetime: timedelta) -> str:
        """Create a new signing key and retire every other key at `now`: they keep verifying until
        `prune` removes them. The new key's `kid`."""
        stored = read_keys(self._directory, self._algorithm) if self._directory.is_dir() else []
        retirements = read_retirements(self._directory)
        new_kid = self.generate(now)
        for stored_key in stored:
            if stored_key.kid not in retirements and stored_key.kid != new_kid:
                retirements[stored_key.kid] = Retirement(retired_at=now, token_lifetime=token_lifetime)
        write_retirements(self._directory, retirements)
        return new_kid

    def prune(self, now: datetime, *, token_lifetime: timedelta, margin: timedelta = PRUNE_MARGIN) -> list[str]:
        """Delete the retired keys that can no longer verify a live token: retired longer ago than the
        longer of `token_lifetime` and the lifetime at their retirement, plus `margin`. Their `kid`s."""
        self._require_directory()
        stored = {stored_key.kid: stored_key for stored_key in read_keys(self._directory, self._algorithm)}
        retirements = read_retirements(self._directory)
        pruned: list[str] = []
        for kid, retirement in list(retirements.items()):
            if now < retirement.retired_at + max(token_lifetime, retirement.token_lifetime) + margin:
                continue
            del retirements[kid]
            if kid in stored:
                delete_files(stored[kid].paths)
                pruned.append(kid)
        write_retirements(self._directory, retirements)
        return pruned

    def load(self) -> LoadedKeys:
        """The signing key and every verification key.

        Raises:
            KeyStoreError: no directory, no usable key, an unreadable file or a key of the wrong type.
        """
        self._require_directory()
        stored = sorted(
            read_keys(self._directory, self._algorithm),
            key=lambda stored_key: (stored_key.created_at, stored_key.kid),
            reverse=True,
        )
        if not stored:
            raise KeyStoreError(f"no signing key in {self._directory}; create one with `bastion keys generate`")
        retirements = read_retirements(self._directory)
        signer = next((stored_key for stored_key in stored if stored_key.kid not in retirements), None)
        if signer is None:
            raise KeyStoreError(f"every key in {self._directory} is retired; add one with `bastion keys rotate`")
        ordered = [signer, *(stored_key for stored_key in stored if stored_key is not signer)]
        return LoadedKeys(
            algorithm=self._algorithm,
            signing_kid=signer.kid,
            signing_key=signer.key,
            verification_keys={stored_key.kid: public_half(stored_key.key) for stored_key in ordered},
        )

    def _require_directory(self) -> None:
        if not self._directory.is_dir():
            raise KeyStoreError(f"the key directory {self._directory} does not exist")
