"""Cryptography adapters: password hashing with pwdlib and access tokens with joserfc."""
