"""Word lists shipped with the service as data files (`data/`, origin and licence in its README)."""
