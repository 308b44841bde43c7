"""An SMTP server for tests: aiosmtpd on 127.0.0.1, on a free port, in a thread and event loop of its own.

- `LocalSmtpServer(...)`: `start()` / `stop()` (or `with LocalSmtpServer() as server:`); stopped, the
  port refuses connections, and `start()` again listens on the same port. `received` holds what
  was accepted, as `ReceivedMail` (the parsed `EmailMessage` plus the envelope). Set `refusing` to
  answer `451 4.3.0 try again later` to the `refused_command` (`"DATA"` by default, or `"RCPT"`);
  set `on_accept` to act at the moment a message is accepted (say, take the database away).
  Its own thread makes it usable from sync tests and async tests alike: blocking calls (`start`,
  `stop`) take milliseconds and never wait on the test's event loop.
- `SelfSignedCertificate.create(directory)`: a certificate for 127.0.0.1 and localhost, with the
  server context to offer STARTTLS or implicit TLS and a client context that trusts it.
"""

from __future__ import annotations

import ipaddress
import socket
import ssl
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from types import TracebackType
from typing import Any, Literal

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

HOST = "127.0.0.1"
REFUSAL = "451 4.3.0 try again later"
_PARSER = BytesParser(policy=policy.default)


@dataclass(frozen=True, slots=True)
class ReceivedMail:
    """One accepted message. `message` is parsed with CRLF turned into LF; `raw` is the DATA as sent."""

    mail_from: str
    rcpt_tos: tuple[str, ...]
    message: EmailMessage
    raw: bytes
    over_tls: bool
    login: str | None


class _Handler:
    """aiosmtpd handler hooks; they run on the server's thread."""

    def __init__(self, owner: LocalSmtpServer) -> None:
        self._owner = owner

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: Any) -> str:  # noqa: N802
        if self._owner.refusing and self._owner.refused_command == "RCPT":
            return REFUSAL
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        if self._owner.refusing and self._owner.refused_command == "DATA":
            return REFUSAL
        raw = bytes(envelope.original_content)
        message = _PARSER.parsebytes(raw.replace(b"\r\n", b"\n"))
        login = session.auth_data if isinstance(session.auth_data, str) else None
        over_tls = server.transport.get_extra_info("ssl_object") is not None
        accepted = ReceivedMail(envelope.mail_from, tuple(envelope.rcpt_tos), message, raw, over_tls, login)
        self._owner.received.append(accepted)
        if self._owner.on_accept is not None:
            self._owner.on_accept(accepted)
        return "250 Message accepted for delivery"


class LocalSmtpServer:
    """See the module docstring. `tls_context` (a server context) enables STARTTLS, or TLS from the
    first byte with `implicit_tls`; `credentials` make AUTH mandatory (aiosmtpd offers AUTH only after
    STARTTLS, so they need a `tls_context` without `implicit_tls`)."""

    def __init__(
        self,
        *,
        tls_context: ssl.SSLContext | None = None,
        implicit_tls: bool = False,
        require_starttls: bool = False,
        credentials: tuple[str, str] | None = None,
    ) -> None:
        self.host = HOST
        self.port = _free_port()
        self.received: list[ReceivedMail] = []
        self.refusing = False
        self.refused_command: Literal["RCPT", "DATA"] = "DATA"
        # Called on the server's thread with each accepted message, before the client hears "250".
        self.on_accept: Callable[[ReceivedMail], None] | None = None
        self._tls_context = tls_context
        self._implicit_tls = implicit_tls
        self._require_starttls = require_starttls
        self._credentials = credentials
        self._controller: Controller | None = None
        self._lock = threading.Lock()

    @property
    def running(self) -> bool:
        return self._controller is not None

    def start(self) -> None:
        with self._lock:
            if self._controller is not None:
                return
            # A new controller each time: a stopped one has closed its event loop.
            controller = Controller(_Handler(self), hostname=self.host, port=self.port, **self._smtp_options())
            controller.start()
            self._controller = controller

    def stop(self) -> None:
        with self._lock:
            if self._controller is not None:
                self._controller.stop()
                self._controller = None

    def __enter__(self) -> LocalSmtpServer:
        self.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None) -> None:
        self.stop()

    def _smtp_options(self) -> dict[str, Any]:
        # `server_hostname` spares aiosmtpd a blocking getfqdn() on every connection.
        options: dict[str, Any] = {"server_hostname": "smtp.test", "ready_timeout": 10.0}
        if self._tls_context is not None and self._implicit_tls:
            options["ssl_context"] = self._tls_context
        elif self._tls_context is not None:
            options["tls_context"] = self._tls_context
            options["require_starttls"] = self._require_starttls
        if self._credentials is not None:
            options["authenticator"] = self._authenticate
            options["auth_required"] = True
        return options

    def _authenticate(self, server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any) -> AuthResult:
        if not isinstance(auth_data, LoginPassword) or self._credentials is None:
            return AuthResult(success=False, handled=False)
        login, password = auth_data.login.decode(), auth_data.password.decode()
        if (login, password) != self._credentials:
            return AuthResult(success=False, handled=False)
        return AuthResult(success=True, auth_data=login)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


@dataclass(frozen=True, slots=True)
class SelfSignedCertificate:
    """A throw-away certificate for 127.0.0.1 and localhost, valid for a day."""

    certificate: Path
    private_key: Path

    @classmethod
    def create(cls, directory: Path) -> SelfSignedCertificate:
        key = ec.generate_private_key(ec.SECP256R1())
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "bastion test smtp")])
        now = datetime.now(UTC)
        certificate = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(hours=1))
            .not_valid_after(now + timedelta(days=1))
            .add_extension(
                x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address(HOST)), x509.DNSName("localhost")]),
                critical=False,
            )
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(key.public_key()), critical=False)
            .sign(key, hashes.SHA256())
        )
        certificate_path, key_path = directory / "smtp-cert.pem", directory / "smtp-key.pem"
        certificate_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
        key_path.write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
        )
        return cls(certificate_path, key_path)

    def server_context(self) -> ssl.SSLContext:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(self.certificate, self.private_key)
        return context

    def client_context(self) -> ssl.SSLContext:
        """Validates as production does (hostname included), trusting this certificate only."""
        return ssl.create_default_context(cafile=str(self.certificate))
