"""Contract of BreachedPasswordCheck over memory and the range API (against a local stand-in, see
`tests/range_api_server.py`); then what only the range adapter promises: only a 5-digit prefix
leaves the process, padding counts for nothing, and no answer in time accepts the password with a
warning that carries no password material."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator

import pytest

from adapters.http_client.range_breach_check import RangeBreachCheck, breached_in
from adapters.memory.breached_passwords import MemoryBreachedPasswords
from adapters.no_breach_check import NoBreachCheck
from domain.ports.breached_passwords import BreachedPasswordCheck
from entrypoints.container.lifecycle import production
from entrypoints.settings import Settings
from tests.range_api_server import HOST, LocalRangeApi, closed_port, sha1_hex

BREACHED = "Correct-Horse-Battery"
FRESH = "q3Zr9-Vt_LkP0aWx7Ny2Bc5Hd8Fg1Js4Mu6Eo"
LOGGER = "adapters.http_client.range_breach_check"


@pytest.fixture
async def range_api() -> AsyncIterator[LocalRangeApi]:
    api = LocalRangeApi([(BREACHED, 3), ("another one", 1)])
    await api.start()
    yield api
    await api.stop()


@pytest.fixture
async def range_check(range_api: LocalRangeApi) -> AsyncIterator[RangeBreachCheck]:
    check = RangeBreachCheck(range_api.url, timeout_seconds=0.5)
    await check.start()
    yield check
    await check.stop()


@pytest.fixture(params=["memory", "range"])
def check(request: pytest.FixtureRequest) -> BreachedPasswordCheck:
    if request.param == "memory":
        return MemoryBreachedPasswords({BREACHED})
    range_check: RangeBreachCheck = request.getfixturevalue("range_check")
    return range_check


async def test_a_breached_password_is_breached_and_another_is_not(check: BreachedPasswordCheck) -> None:
    assert await check.is_breached(BREACHED)
    assert not await check.is_breached(FRESH)


async def test_the_password_is_compared_exactly_as_given(check: BreachedPasswordCheck) -> None:
    assert not await check.is_breached(BREACHED.lower())
    assert not await check.is_breached(BREACHED + " ")


async def test_no_check_holds_nothing_breached() -> None:
    assert not await NoBreachCheck().is_breached(BREACHED)


async def test_only_the_first_five_hex_digits_of_the_sha1_leave_the_process(
    range_api: LocalRangeApi, range_check: RangeBreachCheck
) -> None:
    await range_check.is_breached(BREACHED)

    (head,) = range_api.requests
    digest = sha1_hex(BREACHED)
    assert head.startswith(f"GET /range/{digest[:5]} HTTP/1.1\r\n")
    assert digest[5:] not in head.upper()
    assert BREACHED.lower() not in head.lower()
    assert "add-padding: true" in head.lower()


async def test_a_padding_entry_with_count_zero_is_not_a_breach(
    range_api: LocalRangeApi, range_check: RangeBreachCheck
) -> None:
    range_api.breached[sha1_hex(BREACHED)] = 0
    assert not await range_check.is_breached(BREACHED)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("ABC:2\r\nDEF:0\r\n", True),
        ("abc:2\n", True),
        ("DEF:7\r\nABC:0\r\n", False),
        ("ABC:x\r\n", False),
        ("ABC\r\n", False),
        ("", False),
    ],
)
def test_the_answer_is_read_line_by_line(body: str, expected: bool) -> None:
    assert breached_in(body, "ABC") is expected


async def test_the_default_timeout_is_two_seconds() -> None:
    check = RangeBreachCheck("http://127.0.0.1:9/range/")
    assert check._timeout == 2.0


async def _accepts_with_a_warning(
    check: RangeBreachCheck, caplog: pytest.LogCaptureFixture, reason: str, *, within: float
) -> None:
    started = time.monotonic()
    with caplog.at_level(logging.WARNING, logger=LOGGER):
        assert not await check.is_breached(BREACHED)
    assert time.monotonic() - started < within
    (record,) = [record for record in caplog.records if record.name == LOGGER]
    assert record.levelno == logging.WARNING
    assert reason in record.getMessage()
    digest = sha1_hex(BREACHED)
    for material in (BREACHED, digest[:5], digest[5:], digest[5:].lower()):
        assert material not in caplog.text


async def test_an_api_that_answers_too_late_accepts_the_password_with_a_warning(
    range_api: LocalRangeApi, range_check: RangeBreachCheck, caplog: pytest.LogCaptureFixture
) -> None:
    range_api.delay = 5.0
    await _accepts_with_a_warning(range_check, caplog, "did not answer (TimeoutError)", within=2.0)


async def test_an_api_that_never_answers_accepts_the_password_with_a_warning(
    range_api: LocalRangeApi, range_check: RangeBreachCheck, caplog: pytest.LogCaptureFixture
) -> None:
    range_api.silent = True
    await _accepts_with_a_warning(range_check, caplog, "did not answer", within=2.0)


async def test_an_api_that_is_down_accepts_the_password_with_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    check = RangeBreachCheck(f"http://{HOST}:{closed_port()}/range/", timeout_seconds=0.5)
    try:
        await _accepts_with_a_warning(check, caplog, "did not answer (ConnectError)", within=2.0)
    finally:
        await check.stop()


@pytest.mark.parametrize("status", [500, 503, 429, 404])
async def test_an_api_that_answers_with_an_error_accepts_the_password_with_a_warning(
    status: int, range_api: LocalRangeApi, range_check: RangeBreachCheck, caplog: pytest.LogCaptureFixture
) -> None:
    range_api.status = status
    await _accepts_with_a_warning(range_check, caplog, f"answered {status}", within=2.0)


async def test_the_check_answers_again_once_the_api_is_back(
    range_api: LocalRangeApi, range_check: RangeBreachCheck
) -> None:
    range_api.status = 503
    assert not await range_check.is_breached(BREACHED)
    range_api.status = 200
    assert await range_check.is_breached(BREACHED)


async def test_concurrent_checks_share_one_client(range_api: LocalRangeApi, range_check: RangeBreachCheck) -> None:
    results = await asyncio.gather(*(range_check.is_breached(p) for p in [BREACHED, FRESH] * 5))
    assert results == [True, False] * 5


async def test_the_production_wiring_asks_the_configured_url(range_api: LocalRangeApi) -> None:
    settings = Settings.from_flat(
        environment="test", secret_key="s" * 48, password_breach_check="range", password_breach_url=range_api.url
    )
    _, adapters = production(settings)
    check = adapters.breached_passwords()
    try:
        assert await check.is_breached(BREACHED)
    finally:
        await check.stop()
    assert len(range_api.requests) == 1
