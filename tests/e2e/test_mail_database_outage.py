"""Mail from a real server process on PostgreSQL whose database goes away at the worst moment: just
after the SMTP server accepted a message, before the worker could mark it sent."""

from __future__ import annotations

import asyncio
import threading
import time
from pathlib import Path

import httpx
import pytest
from sqlalchemy.engine import make_url

from tests.backends import migrated_database
from tests.e2e.servers import PASSWORD, server, wait_for
from tests.smtp_server import LocalSmtpServer, ReceivedMail
from tests.tcp_proxy import TcpProxy

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

MESSAGES = 5
OUTAGE_S = 3.0


def _scenario(tmp_path: Path, database_url: str, schema: str) -> list[str]:
    """Run a server through the outage; the recipients of every message the SMTP server accepted."""
    url = make_url(database_url)
    proxy = TcpProxy(url.host or "127.0.0.1", url.port or 5432)
    smtp = LocalSmtpServer()
    smtp.start()
    smtp.stop()  # no mail leaves while the accounts are made
    settings = {
        "database_url": url.set(port=proxy.port).render_as_string(hide_password=False),
        "database_schema": schema,
        "smtp_host": "127.0.0.1",
        "smtp_port": str(smtp.port),
        "smtp_starttls": "false",
    }
    outages: list[float] = []

    def database_goes_away(mail: ReceivedMail) -> None:
        if not outages:
            outages.append(time.monotonic())
            proxy.cut()
            threading.Timer(OUTAGE_S, proxy.restore).start()

    smtp.on_accept = database_goes_away
    try:
        with server(tmp_path, **settings) as base:
            for number in range(MESSAGES):
                body = {"email": f"user{number}@example.org", "username": f"user{number}", "password": PASSWORD}
                assert httpx.post(f"{base}/auth/register", json=body).status_code == 201
            smtp.start()
            wait_for(lambda: len(smtp.received) >= MESSAGES, 60)
            time.sleep(3)  # several more rounds of the worker: nothing is sent again
        assert outages, "the database was taken away after the first accepted message"
        return sorted(mail.rcpt_tos[0] for mail in smtp.received)
    finally:
        smtp.stop()
        proxy.close()


async def test_a_message_accepted_while_the_database_goes_away_is_sent_once_and_the_rest_follow(
    tmp_path: Path,
) -> None:
    async with migrated_database("postgres", tmp_path) as database:
        recipients = await asyncio.to_thread(_scenario, tmp_path, database.url, database.schema or "")

    assert recipients == sorted(f"user{number}@example.org" for number in range(MESSAGES))
