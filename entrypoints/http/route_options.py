"""Keys of a route handler's `opt` that the HTTP layer's hooks read. Imports nothing, so that the hosted
pages can mark their routes without depending on the rest of the HTTP layer."""

from __future__ import annotations

# A route marked so sends a Content-Security-Policy of its own (the hosted pages: a nonce per answer).
OWN_CSP_OPT = "own_csp"
