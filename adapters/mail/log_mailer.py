"""LogMailer: writes mail to the log instead of sending it."""

from __future__ import annotations

import logging

from domain.mail import MailMessage
from domain.ports.mail import Mailer

logger = logging.getLogger("bastion.mail")


class LogMailer(Mailer):
    """For local development only: each message (recipient, subject and plain-text body) is written
    at INFO to the `bastion.mail` logger, so that `make run` shows reset and verification links in
    the terminal. It logs full addresses and live tokens, which production logs must never hold:
    the container refuses it in production unless explicitly allowed.

    Nothing is delivered, so `send` never raises `DependencyUnavailableError`; the HTML part, which
    repeats the text, is not logged.
    """

    async def send(self, message: MailMessage) -> None:
        logger.info("mail to %s\nSubject: %s\n\n%s", message.to, message.subject, message.text)
