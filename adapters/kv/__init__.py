"""Redis adapters (coredis): rate limiting, lockout counting and the revocation list, shared by every process."""
