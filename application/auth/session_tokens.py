"""Minting the tokens of a session: the access JWT and the chain of refresh tokens."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from domain.accounts import User
from domain.opaque_tokens import hash_token
from domain.ports.secret_generator import SecretGenerator
from domain.ports.token_issuer import TokenIssuer
from domain.sessions import AccessClaims, RefreshToken, Session, SessionPolicy, TokenPair, derive_successor


@dataclass(frozen=True, slots=True)
class MintedRefreshToken:
    value: str
    record: RefreshToken


class SessionTokens:
    """Issues access tokens and refresh tokens for sessions under one `SessionPolicy`.

    The first refresh token of a session is random; each next one is derived from its
    predecessor with a keyed hash (`successor_key`), so it can be recomputed but not guessed.
    """

    def __init__(
        self, issuer: TokenIssuer, secrets: SecretGenerator, policy: SessionPolicy, successor_key: bytes
    ) -> None:
        self._issuer, self._secrets, self._policy, self._key = issuer, secrets, policy, successor_key

    @property
    def policy(self) -> SessionPolicy:
        return self._policy

    def access_token(self, user: User, session: Session, now: datetime) -> str:
        claims = AccessClaims(
            subject=user.id,
            session_id=session.id,
            amr=session.amr,
            roles=tuple(sorted(role.value for role in user.roles)),
            issued_at=now,
            expires_at=now + self._policy.access_ttl,
        )
        return self._issuer.issue(claims)

    def first_refresh_token(self, session: Session, now: datetime) -> MintedRefreshToken:
        return self._refresh_token(self._secrets.token(), session, now)

    def successor_of(self, presented: str, session: Session, now: datetime) -> MintedRefreshToken:
        return self._refresh_token(derive_successor(presented, self._key), session, now)

    def pair(self, user: User, session: Session, refresh_token: str, now: datetime) -> TokenPair:
        return TokenPair(
            access_token=self.access_token(user, session, now),
            refresh_token=refresh_token,
            expires_in=int(self._policy.access_ttl.total_seconds()),
        )

    def _refresh_token(self, value: str, session: Session, now: datetime) -> MintedRefreshToken:
        record = RefreshToken(
            token_hash=hash_token(value),
            session_id=session.id,
            user_id=session.user_id,
            issued_at=now,
            expires_at=self._policy.refresh_expiry(session, now),
        )
        return MintedRefreshToken(value=value, record=record)
