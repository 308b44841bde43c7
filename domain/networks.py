"""IP ranges: the CIDR ranges a client may come from, and whether an address is inside them."""

from __future__ import annotations

from collections.abc import Iterable
from ipaddress import IPv4Network, IPv6Address, IPv6Network, ip_address, ip_network

Network = IPv4Network | IPv6Network


def parse_network(value: str) -> Network:
    """An IPv4 or IPv6 CIDR range; a bare address is a range of one, and host bits are dropped.

    Raises:
        ValueError: neither an address nor a range.
    """
    return ip_network(value.strip(), strict=False)


def ip_allowed(ip: str | None, networks: Iterable[Network]) -> bool:
    """Whether a client at `ip` is inside one of `networks`; with no networks any client is, and an
    unknown or malformed `ip` is inside none. An IPv4-mapped IPv6 address (`::ffff:a.b.c.d`) is
    also judged as the IPv4 address it maps."""
    allowed = tuple(networks)
    if not allowed:
        return True
    try:
        address = ip_address(ip or "")
    except ValueError:
        return False
    # A dual-stack socket reports an IPv4 client as ::ffff:a.b.c.d; it is judged as a.b.c.d too.
    mapped = address.ipv4_mapped if isinstance(address, IPv6Address) else None
    return any(address in network or (mapped is not None and mapped in network) for network in allowed)
