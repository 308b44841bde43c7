"""The ports: what the core needs from the world, as Protocols that adapters subclass.

Each docstring is the contract every implementation honours; `tests/contract/` tests exactly
those sentences.
"""
