"""Social login use cases: sign in (or up) with an OpenID Connect or OAuth 2.0 provider, the one-time
code exchange that ends it, and the identities linked to an account."""
