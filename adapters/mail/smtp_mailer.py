"""SmtpMailer: hands each message to an SMTP server with aiosmtplib."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime
from email.errors import HeaderParseError
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr
from ssl import SSLContext

import aiosmtplib

from application.errors import DependencyUnavailableError
from domain.mail import MailMessage
from domain.ports.mail import Mailer

logger = logging.getLogger("bastion.mail")

DEPENDENCY = "smtp"
DEFAULT_TIMEOUT_SECONDS = 10.0
# Quoted-printable keeps every part 7-bit with lines under 78 characters, so a server without
# 8BITMIME relays the non-ASCII text and the long links unchanged.
_TRANSFER_ENCODING = "quoted-printable"


class SmtpMailer(Mailer):
    """Opens one SMTP connection per message (nothing is connected in `__init__`), optionally
    upgraded with STARTTLS (`starttls`) or encrypted from the first byte (`ssl`, usually port 465),
    logs in when credentials are given (empty strings count as none), sends, and closes.

    - `starttls=False` and `ssl=False` send in clear text, with no opportunistic upgrade: meant for a
      relay on the same host or network only.
    - Certificates are validated against `tls_context`, or the system's trust store when it is None.
    - `timeout_seconds` bounds the whole hand-over (connection, TLS, login and data) of one message.
    - Every failure to hand a message over (refused connection, timeout, TLS or login failure, any
      SMTP error reply, temporary or permanent) raises `DependencyUnavailableError("smtp")` and is
      logged at WARNING with the error's type and SMTP code and a masked recipient only.
    - A recipient that is not a single plain address, or a line break in the subject, raises
      `ValueError` before anything is sent: no header can be injected.
    """

    def __init__(
        self,
        *,
        host: str,
        port: int,
        sender: str,
        username: str | None = None,
        password: str | None = None,
        starttls: bool,
        ssl: bool,
        timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS,
        tls_context: SSLContext | None = None,
    ) -> None:
        if starttls and ssl:
            raise ValueError("starttls and ssl exclude each other: ssl encrypts from the start")
        if bool(username) != bool(password):
            raise ValueError("SMTP credentials need both a username and a password")
        if timeout_seconds <= 0:
            raise ValueError("timeout_seconds must be positive")
        self._host, self._port = host, port
        self._sender = sender
        self._envelope_sender, self._domain = _parse_sender(sender)
        self._username, self._password = username or None, password or None
        self._starttls, self._ssl = starttls, ssl
        self._timeout = timeout_seconds
        self._tls_context = tls_context

    async def send(self, message: MailMessage) -> None:
        recipient = _single_address(message.to)
        email_message = self._build(message, recipient)
        try:
            async with asyncio.timeout(self._timeout):
                await aiosmtplib.send(
                    email_message,
                    sender=self._envelope_sender,
                    recipients=[recipient],
                    hostname=self._host,
                    port=self._port,
                    username=self._username,
                    password=self._password,
                    use_tls=self._ssl,
                    start_tls=self._starttls,
                    tls_context=self._tls_context,
                    timeout=self._timeout,
                )
        except (aiosmtplib.SMTPException, OSError) as error:  # TimeoutError and ssl.SSLError are OSErrors
            logger.warning(
                "could not hand mail for %s to %s:%d: %s (SMTP code %s)",
                masked_address(recipient),
                self._host,
                self._port,
                type(error).__name__,
                _smtp_code(error) or "none",
            )
            # `from None`: the driver's text may quote the recipient address, and whoever logs this
            # error with its traceback must not print it.
            raise DependencyUnavailableError(DEPENDENCY) from None

    def _build(self, message: MailMessage, recipient: str) -> EmailMessage:
        email_message = EmailMessage()
        # EmailMessage refuses header values with line breaks (ValueError), which covers the subject.
        email_message["From"] = self._sender
        email_message["To"] = recipient
        email_message["Subject"] = message.subject
        email_message["Date"] = format_datetime(datetime.now(UTC))
        email_message["Message-ID"] = (
            f"<{message.message_id}@{self._domain}>" if message.message_id else make_msgid(domain=self._domain)
        )
        email_message.set_content(message.text, charset="utf-8", cte=_TRANSFER_ENCODING)
        if message.html is not None:
            email_message.add_alternative(message.html, subtype="html", charset="utf-8", cte=_TRANSFER_ENCODING)
        return email_message


def masked_address(address: str) -> str:
    """`ada@example.org` as `a***@example.org`: enough to tell mails apart in a log, not to read the address."""
    local, at, domain = address.rpartition("@")
    if not at or not local:
        return "***"
    return f"{local[0]}***@{domain}"


def _parse_sender(sender: str) -> tuple[str, str]:
    """The envelope address and its domain (for Message-ID) of a From value like `Bastion <no-reply@x.org>`."""
    if "\r" in sender or "\n" in sender:
        raise ValueError("the sender must not contain a line break")
    address = parseaddr(sender)[1]
    domain = address.rpartition("@")[2]
    if "@" not in address or not domain:
        raise ValueError("the sender must contain an address like no-reply@example.org")
    return address, domain


def _single_address(recipient: str) -> str:
    try:
        return Address(addr_spec=recipient).addr_spec
    except (ValueError, HeaderParseError) as error:
        raise ValueError("a mail recipient must be a single plain address, without name or line break") from error


def _smtp_code(error: Exception) -> int | None:
    if isinstance(error, aiosmtplib.SMTPResponseException):
        return error.code
    if isinstance(error, aiosmtplib.SMTPRecipientsRefused) and error.recipients:
        return error.recipients[0].code
    return None
