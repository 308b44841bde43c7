"""WebAuthn (passkeys), with py_webauthn."""
