"""Contract of Mailer over memory and SMTP (a local aiosmtpd server, see `tests/smtp_server.py`);
then what only the SMTP adapter promises (headers, injection, TLS, timeouts, masked logs), the memory
mailer's failure switches, and the log mailer of local development.

Bodies end with a newline: SMTP carries text as lines, and `EmailMessage` ends the last one.
"""

from __future__ import annotations

import logging
import socket
import time
from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Literal

import pytest

from adapters.mail.log_mailer import LogMailer
from adapters.mail.smtp_mailer import SmtpMailer
from adapters.memory.mailer import MemoryMailer
from application.errors import DependencyUnavailableError
from domain.mail import MailMessage
from domain.ports.mail import Mailer
from tests.smtp_server import HOST, LocalSmtpServer, ReceivedMail, SelfSignedCertificate

SENDER = "Bastion <no-reply@example.org>"
RECIPIENT = "ada@example.org"
# Longer than a mail line may be (78 characters): it must still arrive in one piece.
LINK = "http://127.0.0.1:8000/reset-password#token=" + "Zq8_-x" * 10
TEXT = f"Grüße, Ada!\n\nChoose a new password within 30 minutes:\n{LINK}\n\nÇa expire bientôt.\n"
HTML = f'<p>Grüße, Ada!</p>\n<p><a href="{LINK}">Choose a new password</a></p>\n'


def a_message(
    *, to: str = RECIPIENT, subject: str = "Grüße: reset your password", html: str | None = None
) -> MailMessage:
    return MailMessage(to=to, subject=subject, text=TEXT, html=html)


@dataclass(frozen=True, slots=True)
class Delivered:
    to: str
    subject: str
    text: str
    html: str | None


class MailerUnderTest(ABC):
    """A mailer with what the contract needs around it: what arrived, and an outage to switch on and off."""

    mailer: Mailer

    @abstractmethod
    def delivered(self) -> list[Delivered]: ...

    @abstractmethod
    def break_down(self) -> None: ...

    @abstractmethod
    def recover(self) -> None: ...


class MemoryLeg(MailerUnderTest):
    def __init__(self) -> None:
        self.mailer = self.memory = MemoryMailer()

    def delivered(self) -> list[Delivered]:
        return [Delivered(sent.to, sent.subject, sent.text, sent.html) for sent in self.memory.sent]

    def break_down(self) -> None:
        self.memory.down = True

    def recover(self) -> None:
        self.memory.down = False


class SmtpLeg(MailerUnderTest):
    def __init__(self, server: LocalSmtpServer) -> None:
        self.server = server
        self.mailer = smtp_mailer(server)

    def delivered(self) -> list[Delivered]:
        return [_as_delivered(mail) for mail in self.server.received]

    def break_down(self) -> None:
        self.server.stop()

    def recover(self) -> None:
        self.server.start()


def smtp_mailer(server: LocalSmtpServer, **options: object) -> SmtpMailer:
    settings: dict[str, object] = {"starttls": False, "ssl": False, "timeout_seconds": 5.0} | options
    return SmtpMailer(host=server.host, port=server.port, sender=SENDER, **settings)  # type: ignore[arg-type]


def _as_delivered(mail: ReceivedMail) -> Delivered:
    plain = mail.message.get_body(("plain",))
    html = mail.message.get_body(("html",))
    assert plain is not None
    return Delivered(
        to=str(mail.message["To"]),
        subject=str(mail.message["Subject"]),
        text=plain.get_content(),
        html=None if html is None else html.get_content(),
    )


@pytest.fixture
def smtp_server() -> Iterator[LocalSmtpServer]:
    with LocalSmtpServer() as server:
        yield server


@pytest.fixture(params=["memory", "smtp"])
def under_test(request: pytest.FixtureRequest) -> Iterator[MailerUnderTest]:
    if request.param == "memory":
        yield MemoryLeg()
        return
    with LocalSmtpServer() as server:
        yield SmtpLeg(server)


# The contract, on every implementation.


async def test_a_sent_message_arrives_once_with_its_recipient_subject_and_exact_text(
    under_test: MailerUnderTest,
) -> None:
    await under_test.mailer.send(a_message())

    assert under_test.delivered() == [Delivered(RECIPIENT, "Grüße: reset your password", TEXT, None)]


async def test_the_html_alternative_arrives_with_the_text(under_test: MailerUnderTest) -> None:
    await under_test.mailer.send(a_message(html=HTML))

    [delivered] = under_test.delivered()
    assert delivered.text == TEXT
    assert delivered.html == HTML


async def test_messages_arrive_in_the_order_they_were_sent(under_test: MailerUnderTest) -> None:
    await under_test.mailer.send(a_message(subject="first"))
    await under_test.mailer.send(a_message(to="grace@example.net", subject="second"))

    assert [(delivered.to, delivered.subject) for delivered in under_test.delivered()] == [
        (RECIPIENT, "first"),
        ("grace@example.net", "second"),
    ]


async def test_sending_during_an_outage_raises_dependency_unavailable_and_delivers_nothing(
    under_test: MailerUnderTest,
) -> None:
    under_test.break_down()

    with pytest.raises(DependencyUnavailableError) as raised:
        await under_test.mailer.send(a_message())

    assert raised.value.dependency == "smtp"
    assert under_test.delivered() == []


async def test_sending_works_again_once_the_outage_ends(under_test: MailerUnderTest) -> None:
    under_test.break_down()
    with pytest.raises(DependencyUnavailableError):
        await under_test.mailer.send(a_message(subject="lost"))

    under_test.recover()
    await under_test.mailer.send(a_message(subject="delivered"))

    assert [delivered.subject for delivered in under_test.delivered()] == ["delivered"]


# SMTP only: the message on the wire.


async def test_smtp_sets_from_date_and_a_message_id_of_the_sender_domain(smtp_server: LocalSmtpServer) -> None:
    await smtp_mailer(smtp_server).send(a_message())
    await smtp_mailer(smtp_server).send(a_message())

    first, second = (mail.message for mail in smtp_server.received)
    assert first["From"] == SENDER
    assert first["Message-ID"].endswith("@example.org>")
    assert first["Message-ID"] != second["Message-ID"]
    assert abs(datetime.now(UTC) - first["Date"].datetime) < timedelta(minutes=1)


async def test_smtp_envelope_names_the_sender_address_and_the_one_recipient(smtp_server: LocalSmtpServer) -> None:
    await smtp_mailer(smtp_server).send(a_message())

    [mail] = smtp_server.received
    assert mail.mail_from == "no-reply@example.org"
    assert mail.rcpt_tos == (RECIPIENT,)


async def test_smtp_parts_are_utf8_and_7bit_safe(smtp_server: LocalSmtpServer) -> None:
    await smtp_mailer(smtp_server).send(a_message(html=HTML))

    [mail] = smtp_server.received
    assert mail.raw.isascii()
    assert all(len(line) <= 78 for line in mail.raw.split(b"\r\n"))
    assert [part.get_content_charset() for part in mail.message.walk() if not part.is_multipart()] == ["utf-8"] * 2


@pytest.mark.parametrize(
    "subject",
    ["Reset\r\nBcc: eve@evil.example", "Reset\nBcc: eve@evil.example", "Reset\rBcc: eve@evil.example", "Reset\u2028x"],
)
async def test_smtp_refuses_a_line_break_in_the_subject_and_sends_nothing(
    smtp_server: LocalSmtpServer, subject: str
) -> None:
    with pytest.raises(ValueError, match="linefeed or carriage return"):
        await smtp_mailer(smtp_server).send(a_message(subject=subject))

    assert smtp_server.received == []


@pytest.mark.parametrize(
    "recipient",
    [
        "ada@example.org\r\nBcc: eve@evil.example",
        "ada@example.org\nBcc: eve@evil.example",
        "ada@example.org, eve@evil.example",
        "Ada <ada@example.org>",
        "ada",
    ],
)
async def test_smtp_refuses_a_recipient_that_is_not_one_plain_address(
    smtp_server: LocalSmtpServer, recipient: str
) -> None:
    with pytest.raises(ValueError, match="single plain address"):
        await smtp_mailer(smtp_server).send(a_message(to=recipient))

    assert smtp_server.received == []


# SMTP only: failures.


@pytest.mark.parametrize("command", ["RCPT", "DATA"])
async def test_smtp_refusal_raises_dependency_unavailable_until_the_server_accepts_again(
    smtp_server: LocalSmtpServer, command: Literal["RCPT", "DATA"]
) -> None:
    mailer = smtp_mailer(smtp_server)
    smtp_server.refused_command = command
    smtp_server.refusing = True

    with pytest.raises(DependencyUnavailableError):
        await mailer.send(a_message(subject="refused"))
    smtp_server.refusing = False
    await mailer.send(a_message(subject="accepted"))

    assert [str(mail.message["Subject"]) for mail in smtp_server.received] == ["accepted"]


async def test_smtp_failure_is_logged_with_type_code_and_masked_recipient_only(
    smtp_server: LocalSmtpServer, caplog: pytest.LogCaptureFixture
) -> None:
    smtp_server.refusing = True

    with caplog.at_level(logging.WARNING, logger="bastion.mail"), pytest.raises(DependencyUnavailableError) as raised:
        await smtp_mailer(smtp_server).send(a_message())

    [record] = [record for record in caplog.records if record.name == "bastion.mail"]
    logged = record.getMessage()
    assert record.levelno == logging.WARNING
    assert "a***@example.org" in logged
    assert "SMTPDataError" in logged
    assert "451" in logged
    assert RECIPIENT not in logged
    assert LINK not in logged
    assert record.exc_info is None
    # Nothing of the driver's text (which may quote the address) rides along with the error.
    assert raised.value.__cause__ is None
    assert raised.value.__suppress_context__


async def test_smtp_server_that_never_answers_times_out_as_dependency_unavailable() -> None:
    with socket.socket() as silent:
        silent.bind((HOST, 0))
        silent.listen()
        mailer = SmtpMailer(
            host=HOST, port=silent.getsockname()[1], sender=SENDER, starttls=False, ssl=False, timeout_seconds=0.3
        )
        started = time.monotonic()

        with pytest.raises(DependencyUnavailableError):
            await mailer.send(a_message())

    assert time.monotonic() - started < 3


def test_smtp_mailer_connects_to_nothing_when_built() -> None:
    with socket.socket() as closed:
        closed.bind((HOST, 0))
        port = closed.getsockname()[1]

    SmtpMailer(host=HOST, port=port, sender=SENDER, starttls=True, ssl=False)


@pytest.mark.parametrize(
    "options",
    [
        {"starttls": True, "ssl": True},
        {"starttls": False, "ssl": False, "username": "mailer"},
        {"starttls": False, "ssl": False, "password": "secret"},
        {"starttls": False, "ssl": False, "timeout_seconds": 0},
        {"starttls": False, "ssl": False, "sender": "Bastion"},
        {"starttls": False, "ssl": False, "sender": "no-reply@example.org\r\nBcc: eve@evil.example"},
    ],
)
def test_smtp_mailer_refuses_contradictory_or_incomplete_settings(options: dict[str, object]) -> None:
    settings: dict[str, object] = {"host": HOST, "port": 25, "sender": SENDER} | options
    with pytest.raises(ValueError):  # noqa: PT011 - each case has its own message
        SmtpMailer(**settings)  # type: ignore[arg-type]


# SMTP only: TLS and login.


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> SelfSignedCertificate:
    return SelfSignedCertificate.create(tmp_path_factory.mktemp("smtp-tls"))


async def test_smtp_starttls_upgrades_before_logging_in_and_sending(certificate: SelfSignedCertificate) -> None:
    server = LocalSmtpServer(
        tls_context=certificate.server_context(), require_starttls=True, credentials=("mailer", "s3cret")
    )
    with server:
        mailer = smtp_mailer(
            server, starttls=True, tls_context=certificate.client_context(), username="mailer", password="s3cret"
        )
        await mailer.send(a_message())

    [mail] = server.received
    assert mail.over_tls
    assert mail.login == "mailer"


async def test_smtp_wrong_credentials_raise_dependency_unavailable(certificate: SelfSignedCertificate) -> None:
    server = LocalSmtpServer(tls_context=certificate.server_context(), credentials=("mailer", "s3cret"))
    with server:
        mailer = smtp_mailer(
            server, starttls=True, tls_context=certificate.client_context(), username="mailer", password="wrong"
        )
        with pytest.raises(DependencyUnavailableError):
            await mailer.send(a_message())

    assert server.received == []


async def test_smtp_starttls_refuses_a_certificate_the_context_does_not_trust(
    certificate: SelfSignedCertificate, tmp_path: Path
) -> None:
    stranger = SelfSignedCertificate.create(tmp_path)
    with LocalSmtpServer(tls_context=certificate.server_context()) as server:
        trusting_the_wrong_one = smtp_mailer(server, starttls=True, tls_context=stranger.client_context())
        system_trust = smtp_mailer(server, starttls=True)

        for mailer in (trusting_the_wrong_one, system_trust):
            with pytest.raises(DependencyUnavailableError):
                await mailer.send(a_message())

    assert server.received == []


async def test_smtp_ssl_speaks_tls_from_the_first_byte(certificate: SelfSignedCertificate) -> None:
    with LocalSmtpServer(tls_context=certificate.server_context(), implicit_tls=True) as server:
        await smtp_mailer(server, ssl=True, tls_context=certificate.client_context()).send(a_message())

    [mail] = server.received
    assert mail.over_tls


# The memory mailer's failure switches.


async def test_memory_mailer_fails_only_the_next_n_sends_when_told() -> None:
    mailer = MemoryMailer()
    mailer.fail_next(2)

    outcomes: list[str] = []
    for subject in ("one", "two", "three"):
        try:
            await mailer.send(a_message(subject=subject))
            outcomes.append("sent")
        except DependencyUnavailableError:
            outcomes.append("failed")

    assert outcomes == ["failed", "failed", "sent"]
    assert [message.subject for message in mailer.sent] == ["three"]


# The log mailer of local development.


async def test_log_mailer_writes_recipient_subject_and_link_at_info(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="bastion.mail"):
        await LogMailer().send(a_message(html=HTML))

    [record] = [record for record in caplog.records if record.name == "bastion.mail"]
    assert record.levelno == logging.INFO
    logged = record.getMessage()
    assert RECIPIENT in logged
    assert "Grüße: reset your password" in logged
    assert LINK in logged
