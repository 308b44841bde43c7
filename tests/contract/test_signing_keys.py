"""SigningKeyStore: signing keys as files in a directory; generation, rotation, pruning and loading."""

from __future__ import annotations

import json
import os
import re
import stat
import warnings
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from joserfc.jwk import ECKey, OctKey, OKPKey, RSAKey

from adapters.crypto.key_directory import INDEX_FILE
from adapters.crypto.signing_key_material import KeyStoreError, SigningKey
from adapters.crypto.signing_key_store import PRUNE_MARGIN, SigningKeyStore

NOW = datetime(2031, 5, 17, 9, 30, tzinfo=UTC)
LIFETIME = timedelta(minutes=15)
ALGORITHMS = ["EdDSA", "ES256", "RS256"]
# 2048-bit RSA keeps the suite fast; the 3072-bit default has a test of its own.
FAST_RSA_BITS = 2048


def a_store(directory: Path, algorithm: str = "EdDSA") -> SigningKeyStore:
    return SigningKeyStore(directory, algorithm, rsa_bits=FAST_RSA_BITS)


def a_key(algorithm: str) -> SigningKey:
    if algorithm == "EdDSA":
        return OKPKey.generate_key("Ed25519")
    if algorithm == "ES256":
        return ECKey.generate_key("P-256")
    return RSAKey.generate_key(FAST_RSA_BITS)


def key_files(directory: Path) -> list[str]:
    return sorted(path.name for path in directory.iterdir() if path.suffix in (".jwk", ".pem"))


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


# Generation.


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_generate_writes_an_owner_only_private_jwk_named_by_creation_time_and_kid(
    tmp_path: Path, algorithm: str
) -> None:
    kid = a_store(tmp_path, algorithm).generate(NOW)

    path = tmp_path / f"20310517T093000Z_{kid}.jwk"
    document = json.loads(path.read_text())
    assert key_files(tmp_path) == [path.name]
    assert mode(path) == 0o600
    assert document["kid"] == kid
    assert document["alg"] == algorithm
    assert document["use"] == "sig"
    assert "d" in document


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_the_kid_is_the_rfc7638_thumbprint_and_the_key_fits_the_algorithm(tmp_path: Path, algorithm: str) -> None:
    kid = a_store(tmp_path, algorithm).generate(NOW)

    loaded = a_store(tmp_path, algorithm).load()

    assert loaded.algorithm == algorithm
    assert loaded.signing_kid == kid
    assert loaded.signing_key.thumbprint() == kid
    assert loaded.signing_key.is_private
    assert type(loaded.signing_key) is {"EdDSA": OKPKey, "ES256": ECKey, "RS256": RSAKey}[algorithm]


def test_rsa_keys_are_3072_bits_by_default(tmp_path: Path) -> None:
    SigningKeyStore(tmp_path, "RS256").generate(NOW)

    key = SigningKeyStore(tmp_path, "RS256").load().signing_key

    assert isinstance(key, RSAKey)
    assert key.public_key.key_size == 3072


def test_generate_creates_a_missing_directory_for_the_owner_only(tmp_path: Path) -> None:
    directory = tmp_path / "keys" / "jwt"

    a_store(directory).generate(NOW)

    assert mode(directory) & 0o077 == 0


def test_the_newest_generated_key_signs_and_the_older_one_still_verifies(tmp_path: Path) -> None:
    store = a_store(tmp_path)
    first = store.generate(NOW)
    second = store.generate(NOW + timedelta(seconds=1))

    loaded = store.load()

    assert loaded.signing_kid == second
    assert list(loaded.verification_keys) == [second, first]


@pytest.mark.parametrize("algorithm", ["HS256", "none", "PS256", "eddsa"])
def test_a_store_for_an_algorithm_without_key_pairs_is_refused(tmp_path: Path, algorithm: str) -> None:
    with pytest.raises(KeyStoreError, match="signing keys are for"):
        SigningKeyStore(tmp_path, algorithm)


@pytest.mark.parametrize("bits", [1024, 2047, 2050])
def test_weak_or_odd_rsa_sizes_are_refused(tmp_path: Path, bits: int) -> None:
    with pytest.raises(KeyStoreError, match="at least 2048"):
        SigningKeyStore(tmp_path, "RS256", rsa_bits=bits)


# Loading.


def test_verification_keys_are_public_halves_only(tmp_path: Path) -> None:
    store = a_store(tmp_path, "ES256")
    store.generate(NOW)
    store.rotate(NOW + timedelta(hours=1), token_lifetime=LIFETIME)

    loaded = store.load()

    assert len(loaded.verification_keys) == 2
    for key in loaded.verification_keys.values():
        assert not key.is_private
        assert "d" not in key.as_dict()


def test_a_missing_directory_is_refused(tmp_path: Path) -> None:
    with pytest.raises(KeyStoreError, match="does not exist"):
        a_store(tmp_path / "absent").load()


def test_a_directory_without_keys_is_refused(tmp_path: Path) -> None:
    (tmp_path / "README.txt").write_text("keys go here")

    with pytest.raises(KeyStoreError, match="no signing key"):
        a_store(tmp_path).load()


def test_files_other_than_keys_are_ignored(tmp_path: Path) -> None:
    kid = a_store(tmp_path).generate(NOW)
    (tmp_path / "README.txt").write_text("not a key")
    (tmp_path / ".editor-swap.jwk").write_text("not a key either")
    (tmp_path / "backup").mkdir()

    assert a_store(tmp_path).load().signing_kid == kid


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_an_operator_pem_private_key_is_loaded_with_its_thumbprint_as_kid(tmp_path: Path, algorithm: str) -> None:
    key = a_key(algorithm)
    (tmp_path / "operator.pem").write_bytes(key.as_pem(private=True))

    loaded = a_store(tmp_path, algorithm).load()

    assert loaded.signing_kid == key.thumbprint()
    assert list(loaded.verification_keys) == [key.thumbprint()]


def test_a_pem_key_newer_than_the_generated_one_signs(tmp_path: Path) -> None:
    generated = a_store(tmp_path).generate(NOW - timedelta(days=1))
    key = a_key("EdDSA")
    path = tmp_path / "operator.pem"
    path.write_bytes(key.as_pem(private=True))
    os.utime(path, (NOW.timestamp(), NOW.timestamp()))

    loaded = a_store(tmp_path).load()

    assert loaded.signing_kid == key.thumbprint()
    assert list(loaded.verification_keys) == [key.thumbprint(), generated]


def test_the_same_key_as_pem_and_jwk_is_one_key(tmp_path: Path) -> None:
    kid = a_store(tmp_path).generate(NOW)
    jwk_path = tmp_path / key_files(tmp_path)[0]
    key = OKPKey.import_key(json.loads(jwk_path.read_text()))
    (tmp_path / "copy.pem").write_bytes(key.as_pem(private=True))

    assert list(a_store(tmp_path).load().verification_keys) == [kid]


def test_a_private_jwk_written_by_hand_is_loaded(tmp_path: Path) -> None:
    key = a_key("ES256")
    (tmp_path / "hand-made.jwk").write_text(json.dumps(key.as_dict(private=True)))

    assert a_store(tmp_path, "ES256").load().signing_kid == key.thumbprint()


@pytest.mark.parametrize(
    ("algorithm", "make_key", "described"),
    [
        ("EdDSA", lambda: ECKey.generate_key("P-256"), "an EC P-256 key"),
        ("EdDSA", lambda: OKPKey.generate_key("Ed448"), "an OKP Ed448 key"),
        ("EdDSA", lambda: OKPKey.generate_key("X25519"), "an OKP X25519 key"),
        ("ES256", lambda: ECKey.generate_key("P-384"), "an EC P-384 key"),
        ("ES256", lambda: OKPKey.generate_key("Ed25519"), "an OKP Ed25519 key"),
        ("RS256", lambda: ECKey.generate_key("P-256"), "an EC P-256 key"),
    ],
)
@pytest.mark.parametrize("suffix", [".pem", ".jwk"])
def test_a_key_of_the_wrong_type_is_refused(
    tmp_path: Path, algorithm: str, make_key: object, described: str, suffix: str
) -> None:
    assert callable(make_key)
    key: SigningKey = make_key()
    content = key.as_pem(private=True) if suffix == ".pem" else json.dumps(key.as_dict(private=True)).encode()
    (tmp_path / f"wrong{suffix}").write_bytes(content)

    with pytest.raises(
        KeyStoreError, match=re.escape(f"wrong{suffix} holds {described} but {algorithm} needs")
    ) as raised:
        a_store(tmp_path, algorithm).load()

    assert str(key.as_dict(private=True)["d"]) not in str(raised.value)


@pytest.mark.filterwarnings("ignore:Key size should be >= 2048 bits")
def test_a_weak_rsa_key_is_refused(tmp_path: Path) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        weak = RSAKey.generate_key(1024)
    (tmp_path / "weak.pem").write_bytes(weak.as_pem(private=True))

    with pytest.raises(KeyStoreError, match="1024-bit RSA key but RS256 needs an RSA private key of at least 2048"):
        a_store(tmp_path, "RS256").load()


def test_a_key_declared_for_another_algorithm_is_refused(tmp_path: Path) -> None:
    key = a_key("RS256")
    (tmp_path / "ps.jwk").write_text(json.dumps(key.as_dict(private=True) | {"alg": "PS256"}))

    with pytest.raises(KeyStoreError, match=re.escape("ps.jwk is declared for PS256, not RS256")):
        a_store(tmp_path, "RS256").load()


def test_a_key_declared_for_encryption_is_refused(tmp_path: Path) -> None:
    key = a_key("ES256")
    (tmp_path / "enc.jwk").write_text(json.dumps(key.as_dict(private=True) | {"use": "enc"}))

    with pytest.raises(KeyStoreError, match="another use than signing"):
        a_store(tmp_path, "ES256").load()


@pytest.mark.parametrize("suffix", [".pem", ".jwk"])
def test_a_public_key_is_refused(tmp_path: Path, suffix: str) -> None:
    key = a_key("EdDSA")
    content = key.as_pem(private=False) if suffix == ".pem" else json.dumps(key.as_dict(private=False)).encode()
    (tmp_path / f"public{suffix}").write_bytes(content)

    with pytest.raises(KeyStoreError, match="holds a public key"):
        a_store(tmp_path).load()


def test_a_symmetric_jwk_is_refused(tmp_path: Path) -> None:
    (tmp_path / "shared.jwk").write_text(json.dumps(OctKey.generate_key(256).as_dict(private=True)))

    with pytest.raises(KeyStoreError, match="symmetric key"):
        a_store(tmp_path).load()


def test_an_encrypted_pem_key_is_refused(tmp_path: Path) -> None:
    (tmp_path / "locked.pem").write_bytes(a_key("EdDSA").as_pem(private=True, password="passphrase"))

    with pytest.raises(KeyStoreError, match=re.escape("locked.pem is not an unencrypted PEM private key")):
        a_store(tmp_path).load()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        (
            "garbage.pem",
            b"-----BEGIN PRIVATE KEY-----\nnot base64\n-----END PRIVATE KEY-----\n",
            "not an unencrypted PEM",
        ),
        ("empty.pem", b"", "not an unencrypted PEM"),
        ("garbage.jwk", b"{not json", "not a JSON Web Key"),
        ("list.jwk", b"[]", "not a JSON Web Key"),
        ("no-kty.jwk", b'{"x": "abc"}', "not a valid JSON Web Key"),
        ("bad-x.jwk", b'{"kty": "OKP", "crv": "Ed25519", "x": 1, "d": 2}', "not a valid JSON Web Key"),
        ("huge.jwk", b" " * (64 * 1024 + 1), "not a key file"),
    ],
)
def test_an_unparsable_key_file_is_refused_by_name(tmp_path: Path, name: str, content: bytes, message: str) -> None:
    (tmp_path / name).write_bytes(content)

    with pytest.raises(KeyStoreError, match=f"{re.escape(name)} .*{message}"):
        a_store(tmp_path).load()


def test_a_dangling_key_link_is_refused(tmp_path: Path) -> None:
    (tmp_path / "mounted.pem").symlink_to(tmp_path / "gone")

    with pytest.raises(KeyStoreError, match=re.escape("cannot read the key file mounted.pem")):
        a_store(tmp_path).load()


def test_an_unreadable_key_file_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Running as root, file modes do not stop reads: make the one read fail the way a mode 000 file would.
    a_store(tmp_path).generate(NOW)
    path = tmp_path / key_files(tmp_path)[0]
    read_bytes = Path.read_bytes

    def refuse(self: Path) -> bytes:
        if self == path:
            raise PermissionError(13, "Permission denied")
        return read_bytes(self)

    monkeypatch.setattr(Path, "read_bytes", refuse)

    with pytest.raises(KeyStoreError, match=re.escape(f"cannot read the key file {path.name}: Permission denied")):
        a_store(tmp_path).load()


def test_a_key_file_readable_by_others_is_reported_without_its_content(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    key = a_key("EdDSA")
    path = tmp_path / "loose.pem"
    path.write_bytes(key.as_pem(private=True))
    path.chmod(0o644)

    a_store(tmp_path).load()

    assert "loose.pem is readable by other users" in caplog.text
    assert "PRIVATE KEY" not in caplog.text
    assert str(key.as_dict(private=True)["d"]) not in caplog.text


# Rotation and pruning.


def test_rotate_makes_a_new_signing_key_and_keeps_the_old_one_for_verification(tmp_path: Path) -> None:
    store = a_store(tmp_path)
    old = store.generate(NOW)

    new = store.rotate(NOW + timedelta(days=30), token_lifetime=LIFETIME)

    loaded = store.load()
    assert new != old
    assert loaded.signing_kid == new
    assert list(loaded.verification_keys) == [new, old]


def test_rotate_records_when_each_key_was_retired(tmp_path: Path) -> None:
    store = a_store(tmp_path)
    first = store.generate(NOW)
    second = store.rotate(NOW + timedelta(hours=1), token_lifetime=LIFETIME)
    store.rotate(NOW + timedelta(hours=2), token_lifetime=timedelta(minutes=5))

    index = json.loads((tmp_path / INDEX_FILE).read_text())

    assert index == {
        "retired": {
            first: {"retired_at": "2031-05-17T10:30:00+00:00", "token_lifetime_seconds": 900},
            second: {"retired_at": "2031-05-17T11:30:00+00:00", "token_lifetime_seconds": 300},
        }
    }
    assert mode(tmp_path / INDEX_FILE) == 0o600


def test_rotate_in_an_empty_directory_just_generates(tmp_path: Path) -> None:
    kid = a_store(tmp_path / "new").rotate(NOW, token_lifetime=LIFETIME)

    assert a_store(tmp_path / "new").load().signing_kid == kid


def test_rotate_refuses_to_run_over_a_broken_key_file(tmp_path: Path) -> None:
    a_store(tmp_path).generate(NOW)
    (tmp_path / "broken.pem").write_bytes(b"nonsense")

    with pytest.raises(KeyStoreError, match=re.escape("broken.pem")):
        a_store(tmp_path).rotate(NOW, token_lifetime=LIFETIME)

    assert len(key_files(tmp_path)) == 2


def test_prune_keeps_a_retired_key_until_the_token_lifetime_and_margin_have_passed(tmp_path: Path) -> None:
    store = a_store(tmp_path)
    old = store.generate(NOW)
    rotated_at = NOW + timedelta(days=1)
    new = store.rotate(rotated_at, token_lifetime=LIFETIME)
    deadline = rotated_at + LIFETIME + PRUNE_MARGIN

    assert store.prune(deadline - timedelta(seconds=1), token_lifetime=LIFETIME) == []
    assert list(store.load().verification_keys) == [new, old]

    assert store.prune(deadline, token_lifetime=LIFETIME) == [old]
    assert list(store.load().verification_keys) == [new]
    assert key_files(tmp_path) == [f"20310518T093000Z_{new}.jwk"]
    assert json.loads((tmp_path / INDEX_FILE).read_text()) == {"retired": {}}


def test_prune_waits_for_the_longer_of_the_lifetime_at_retirement_and_now(tmp_path: Path) -> None:
    store = a_store(tmp_path)
    old = store.generate(NOW)
    store.rotate(NOW, token_lifetime=timedelta(hours=2))

    assert store.prune(NOW + LIFETIME + PRUNE_MARGIN, token_lifetime=LIFETIME) == []
    assert store.prune(NOW + timedelta(hours=2) + PRUNE_MARGIN, token_lifetime=LIFETIME) == [old]


def test_prune_takes_a_margin(tmp_path: Path) -> None:
    store = a_store(tmp_path)
    old = store.generate(NOW)
    store.rotate(NOW, token_lifetime=LIFETIME)

    assert store.prune(NOW + LIFETIME, token_lifetime=LIFETIME, margin=timedelta(0)) == [old]


def test_prune_never_removes_keys_that_were_not_retired(tmp_path: Path) -> None:
    store = a_store(tmp_path)
    first = store.generate(NOW)
    second = store.generate(NOW + timedelta(seconds=1))

    assert store.prune(NOW + timedelta(days=365), token_lifetime=LIFETIME) == []
    assert list(store.load().verification_keys) == [second, first]


def test_prune_removes_a_retired_operator_pem_key(tmp_path: Path) -> None:
    key = a_key("EdDSA")
    (tmp_path / "operator.pem").write_bytes(key.as_pem(private=True))
    store = a_store(tmp_path)
    new = store.rotate(NOW, token_lifetime=LIFETIME)

    assert store.prune(NOW + timedelta(days=1), token_lifetime=LIFETIME) == [key.thumbprint()]
    assert not (tmp_path / "operator.pem").exists()
    assert list(store.load().verification_keys) == [new]


def test_a_directory_where_every_key_is_retired_has_no_signing_key(tmp_path: Path) -> None:
    store = a_store(tmp_path)
    kid = store.generate(NOW)
    index = {"retired": {kid: {"retired_at": NOW.isoformat(), "token_lifetime_seconds": 900}}}
    (tmp_path / INDEX_FILE).write_text(json.dumps(index))

    with pytest.raises(KeyStoreError, match=r"every key .* is retired"):
        store.load()


@pytest.mark.parametrize(
    "content", ["{", "[]", '{"retired": []}', '{"retired": {"k": {"retired_at": "yesterday"}}}', '{"other": {}}']
)
def test_a_corrupt_index_is_refused(tmp_path: Path, content: str) -> None:
    store = a_store(tmp_path)
    store.generate(NOW)
    (tmp_path / INDEX_FILE).write_text(content)

    with pytest.raises(KeyStoreError, match=INDEX_FILE):
        store.load()


def test_times_must_be_aware(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="naive"):
        a_store(tmp_path).generate(datetime(2031, 5, 17, 9, 30))


def test_a_directory_that_cannot_be_created_is_refused(tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("")

    with pytest.raises(KeyStoreError, match="cannot create the key directory"):
        a_store(tmp_path / "a-file" / "keys").generate(NOW)
