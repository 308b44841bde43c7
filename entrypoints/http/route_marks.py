"""Marks a route puts in its `opt` for the middleware and hooks that serve every route, in a module
of their own that imports nothing (the hosted pages use them without depending on the API's code)."""

OWN_CSP_OPT = "own_csp"
"""A route marked so sends a Content-Security-Policy of its own (the hosted pages: a nonce per answer)."""
