"""The caller's own account: profile, password change and reset, email verification, deletion, its mail."""
