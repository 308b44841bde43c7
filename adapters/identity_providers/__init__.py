"""Social login providers through httpx: any OpenID Connect provider (joserfc checks its ID tokens) and GitHub."""
