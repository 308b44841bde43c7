"""Signing keys themselves, held as joserfc keys: the asymmetric algorithms, generating a key, reading one
from the content of a JWK or PEM file, checking that it fits an algorithm, and its public half."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from joserfc.errors import JoseError
from joserfc.jwk import ECKey, JWKRegistry, OKPKey, RSAKey

ASYMMETRIC_ALGORITHMS = ("EdDSA", "ES256", "RS256")
MIN_RSA_BITS = 2048
_EXPECTED = {"EdDSA": "an OKP Ed25519 private key", "ES256": "an EC P-256 private key", "RS256": "an RSA private key"}

SigningKey = OKPKey | ECKey | RSAKey


class KeyStoreError(ValueError):
    """The key directory cannot provide usable signing keys. The message names files, never key material."""


def new_key(algorithm: str, rsa_bits: int) -> SigningKey:
    """A new private key for `algorithm` (`rsa_bits` long for RS256)."""
    if algorithm == "EdDSA":
        return OKPKey.generate_key("Ed25519")
    if algorithm == "ES256":
        return ECKey.generate_key("P-256")
    return RSAKey.generate_key(rsa_bits)


def parse_key(content: bytes, path: Path) -> SigningKey:
    """The key in the content of `path`: a JWK for a `.jwk` file, PEM otherwise."""
    return _parse_jwk(content, path) if path.suffix.lower() == ".jwk" else _parse_pem(content, path)


def check_key(key: SigningKey, algorithm: str, path: Path) -> None:
    """Refuse, naming `path`, a key that is public, of another type or size, or declared for something else."""
    if not key.is_private:
        raise KeyStoreError(f"{path.name} holds a public key; the directory needs private keys")
    fits = (
        (algorithm == "EdDSA" and isinstance(key, OKPKey) and key.curve_name == "Ed25519")
        or (algorithm == "ES256" and isinstance(key, ECKey) and key.curve_name == "P-256")
        or (algorithm == "RS256" and isinstance(key, RSAKey) and _rsa_bits(key) >= MIN_RSA_BITS)
    )
    if not fits:
        raise KeyStoreError(
            f"{path.name} holds {_describe(key)} but {algorithm} needs {_EXPECTED[algorithm]}"
            + (f" of at least {MIN_RSA_BITS} bits" if algorithm == "RS256" else "")
        )
    declared = key.get("alg")
    if declared is not None and declared != algorithm:
        raise KeyStoreError(f"{path.name} is declared for {declared}, not {algorithm}")
    if key.get("use") not in (None, "sig"):
        raise KeyStoreError(f"{path.name} is declared for another use than signing")


def public_half(key: SigningKey) -> SigningKey:
    """The public key of `key`, with no private part."""
    public = JWKRegistry.import_key(key.as_dict(private=False))
    if not isinstance(public, OKPKey | ECKey | RSAKey):  # pragma: no cover - the same key type comes back
        raise KeyStoreError("the public half of a key has another type")
    return public


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
    # joserfc needs to be told the key type of a PEM file: try each, and let `check_key` judge the fit.
    for key_type in ("OKP", "EC", "RSA"):
        try:
            key = JWKRegistry.import_key(content, key_type)
        except (JoseError, ValueError, TypeError):
            continue
        if isinstance(key, OKPKey | ECKey | RSAKey):
            return key
    raise KeyStoreError(f"{path.name} is not an unencrypted PEM private key")


def _rsa_bits(key: RSAKey) -> int:
    return key.public_key.key_size


def _describe(key: SigningKey) -> str:
    if isinstance(key, RSAKey):
        return f"a {_rsa_bits(key)}-bit RSA key"
    return f"an {key.key_type} {key.curve_name} key"
