"""Two-factor authentication: TOTP and recovery codes."""
