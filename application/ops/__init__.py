"""Operations: readiness, request throttling, outbox delivery and the revocation list seeded at start."""
