"""Personal API keys: made, listed and revoked by their owner, checked on every request that presents one."""
