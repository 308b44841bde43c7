"""Signing in and out: registration, login, token refresh, logout, sessions, and checking access tokens."""
