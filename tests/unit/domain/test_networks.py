"""`domain.networks`: whether a client IP is inside the allowed ranges."""

from __future__ import annotations

import pytest

from domain.networks import ip_allowed, parse_network

RANGES = tuple(parse_network(value) for value in ("10.0.0.0/8", " 2001:db8::/32 ", "192.0.2.7"))


@pytest.mark.parametrize(
    ("ip", "allowed"),
    [
        ("10.200.3.4", True),
        ("11.0.0.1", False),
        ("2001:db8:ffff::1", True),
        ("2001:db9::1", False),
        ("192.0.2.7", True),
        ("192.0.2.8", False),
        ("::ffff:10.0.0.1", True),
        ("::ffff:11.0.0.1", False),
        ("testclient", False),
        ("", False),
        (None, False),
    ],
)
def test_an_ip_is_allowed_only_inside_a_range(ip: str | None, allowed: bool) -> None:
    assert ip_allowed(ip, RANGES) is allowed


def test_no_ranges_allow_any_client_even_an_unknown_one() -> None:
    assert ip_allowed("198.51.100.1", ())
    assert ip_allowed(None, ())


def test_a_bare_address_is_a_range_of_one_and_host_bits_are_dropped() -> None:
    assert (parse_network("192.0.2.7").prefixlen, str(parse_network("10.1.2.3/8"))) == (32, "10.0.0.0/8")
    with pytest.raises(ValueError, match="does not appear to be"):
        parse_network("10.0.0.0/33")
