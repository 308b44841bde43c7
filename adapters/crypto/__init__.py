"""Cryptography adapters: password hashing with pwdlib; access tokens signed by hand (HS256) or with joserfc;
secrets sealed at rest with AES-GCM."""
