"""Mail from real server processes: to the log by default; through SMTP via the outbox, surviving an
SMTP outage and a restart, sent once by several processes."""

from __future__ import annotations

import re
import time
from pathlib import Path

import httpx
import pytest

from tests.e2e.servers import PASSWORD, ServerLog, server, wait_for
from tests.smtp_server import LocalSmtpServer

pytestmark = pytest.mark.slow


def _register(base: str, number: int) -> None:
    response = httpx.post(
        f"{base}/auth/register",
        json={"email": f"user{number}@example.org", "username": f"user{number}", "password": PASSWORD},
    )
    assert response.status_code == 201, response.text


def test_without_smtp_the_links_are_written_to_the_log(tmp_path: Path) -> None:
    log = ServerLog()
    with server(tmp_path, log=log) as base:
        _register(base, 1)
        time.sleep(2.5)  # a couple of outbox polls
        assert httpx.post(f"{base}/auth/password-reset", json={"email": "user1@example.org"}).status_code == 202
        time.sleep(2.5)
    assert re.search(r"http://localhost:8000/verify-email#token=[A-Za-z0-9_-]{43}", log.text)
    assert re.search(r"http://localhost:8000/reset-password#token=[A-Za-z0-9_-]{43}", log.text)


def test_mail_survives_an_smtp_outage_and_a_restart_and_is_sent_once(tmp_path: Path) -> None:
    smtp = LocalSmtpServer()
    smtp.start()
    smtp.stop()  # the port is known, nothing listens
    settings = {"smtp_host": "127.0.0.1", "smtp_port": str(smtp.port), "smtp_starttls": "false"}
    with server(tmp_path, **settings) as base:
        _register(base, 0)
        time.sleep(2)  # the worker tries, fails, and schedules a retry
    smtp.start()
    try:
        with server(tmp_path, **settings) as first, server(tmp_path, **settings) as second:
            wait_for(lambda: len(smtp.received) >= 1, 20)
            for number in range(1, 7):
                _register((first, second)[number % 2], number)
            wait_for(lambda: len(smtp.received) >= 7, 20)
            time.sleep(3)  # several more polls of both workers
        recipients = sorted(mail.rcpt_tos[0] for mail in smtp.received)
        assert recipients == sorted(f"user{number}@example.org" for number in range(7))
        assert all("/verify-email#token=" in mail.message.get_content() for mail in smtp.received)
    finally:
        smtp.stop()
