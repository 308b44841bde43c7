"""Use cases: one module per command, talking to the world only through ports."""
