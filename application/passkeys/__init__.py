"""Passkeys (WebAuthn credentials): registering, listing, renaming and removing them."""
