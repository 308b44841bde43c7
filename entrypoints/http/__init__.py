"""The Litestar HTTP entrypoint: routes, DTOs, problem mapping, auth guard and security headers."""
