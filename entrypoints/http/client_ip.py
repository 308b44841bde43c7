"""The client's address: the socket peer, or what a trusted proxy says it is."""

from __future__ import annotations

from collections.abc import Sequence
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network, ip_address
from typing import Any

from litestar.connection import ASGIConnection
from litestar.datastructures import Headers
from litestar.types import Scope

from domain.audit import RequestContext

Network = IPv4Network | IPv6Network
_STATE_KEY = "bastion_client_ip"


def _parse(value: str) -> IPv4Address | IPv6Address | None:
    try:
        return ip_address(value.strip().strip("[]"))
    except ValueError:
        return None


class ClientAddresses:
    """Resolves client addresses with `X-Forwarded-For` honoured only from trusted proxies.

    When the socket peer is a trusted proxy, the client is the right-most `X-Forwarded-For` entry
    that is not itself a trusted proxy: entries further left were written by the client and can be
    forged. A malformed entry on that walk ends it at the peer.
    """

    def __init__(self, trusted: Sequence[Network]) -> None:
        self._trusted = tuple(trusted)

    def _is_trusted(self, address: IPv4Address | IPv6Address) -> bool:
        return any(address in network for network in self._trusted)

    def from_trusted_proxy(self, scope: Scope) -> bool:
        """Whether the socket peer is a trusted proxy, whose forwarded headers are believed."""
        return bool(self._trusted) and self._trusted_peer(scope)

    def _trusted_peer(self, scope: Scope) -> bool:
        client = scope.get("client")
        peer = _parse(client[0]) if client else None
        return peer is not None and bool(self._trusted) and self._is_trusted(peer)

    def resolve(self, scope: Scope) -> str:
        client = scope.get("client")
        peer = client[0] if client else "unknown"
        if not self._trusted_peer(scope):
            return peer
        forwarded = ",".join(Headers.from_scope(scope).getall("x-forwarded-for", []))
        for hop in reversed([item for item in forwarded.split(",") if item.strip()]):
            address = _parse(hop)
            if address is None:
                return peer
            if not self._is_trusted(address):
                return str(address)
        return peer

    def is_https(self, scope: Scope) -> bool:
        """Whether the client's request came over HTTPS, as seen directly or through a trusted proxy."""
        if scope.get("scheme") == "https":
            return True
        if not self._trusted_peer(scope):
            return False
        proto = Headers.from_scope(scope).get("x-forwarded-proto", "")
        return proto.split(",")[-1].strip().lower() == "https"


def client_ip(connection: ASGIConnection[Any, Any, Any, Any]) -> str:
    """The client address of this request, resolved once and kept in the request state."""
    state = connection.scope.setdefault("state", {})
    cached = state.get(_STATE_KEY)
    if cached is None:
        resolver: ClientAddresses = connection.app.state.client_addresses
        cached = state[_STATE_KEY] = resolver.resolve(connection.scope)
    return str(cached)


USER_AGENT_MAX_LENGTH = 512


def request_context(connection: ASGIConnection[Any, Any, Any, Any]) -> RequestContext:
    """Where this request came from, for the audit trail and the session list."""
    user_agent = connection.headers.get("user-agent")
    return RequestContext(
        ip=client_ip(connection), user_agent=user_agent[:USER_AGENT_MAX_LENGTH] if user_agent else None
    )
