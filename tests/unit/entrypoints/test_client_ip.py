from __future__ import annotations

from ipaddress import ip_network
from typing import Any

import pytest

from entrypoints.http.client_ip import ClientAddresses

PROXIES = ClientAddresses([ip_network("10.0.0.0/8"), ip_network("192.0.2.1/32"), ip_network("2001:db8::/32")])


def scope(peer: str, *headers: tuple[str, str], scheme: str = "http") -> Any:
    return {
        "type": "http",
        "client": (peer, 50000),
        "scheme": scheme,
        "headers": [(name.encode(), value.encode()) for name, value in headers],
    }


def test_without_trusted_proxies_the_peer_is_the_client_whatever_the_headers_say() -> None:
    resolver = ClientAddresses([])
    assert resolver.resolve(scope("203.0.113.9", ("x-forwarded-for", "1.2.3.4"))) == "203.0.113.9"


def test_forwarded_for_from_an_untrusted_peer_is_ignored() -> None:
    assert PROXIES.resolve(scope("203.0.113.9", ("x-forwarded-for", "10.1.1.1, 1.2.3.4"))) == "203.0.113.9"


def test_a_trusted_peer_gives_the_right_most_untrusted_entry() -> None:
    spoofed = scope("10.0.0.5", ("x-forwarded-for", "6.6.6.6, 198.51.100.7, 10.0.0.9"))
    assert PROXIES.resolve(spoofed) == "198.51.100.7"


def test_several_forwarded_for_headers_are_read_as_one_list() -> None:
    split = scope("192.0.2.1", ("x-forwarded-for", "6.6.6.6"), ("x-forwarded-for", "198.51.100.7"))
    assert PROXIES.resolve(split) == "198.51.100.7"


def test_ipv6_entries_and_networks_work() -> None:
    assert PROXIES.resolve(scope("2001:db8::1", ("x-forwarded-for", "2001:db9::5"))) == "2001:db9::5"


@pytest.mark.parametrize("header", ["not-an-ip", "1.2.3.4, garbage", "", " , "])
def test_malformed_or_empty_entries_fall_back_to_the_peer(header: str) -> None:
    assert PROXIES.resolve(scope("10.0.0.5", ("x-forwarded-for", header))) == "10.0.0.5"


def test_only_trusted_hops_means_the_peer() -> None:
    assert PROXIES.resolve(scope("10.0.0.5", ("x-forwarded-for", "10.0.0.7, 10.0.0.6"))) == "10.0.0.5"


def test_https_is_seen_directly_or_through_a_trusted_proxy_only() -> None:
    assert PROXIES.is_https(scope("203.0.113.9", scheme="https"))
    assert PROXIES.is_https(scope("10.0.0.5", ("x-forwarded-proto", "https")))
    assert not PROXIES.is_https(scope("203.0.113.9", ("x-forwarded-proto", "https")))
