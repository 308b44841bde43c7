"""Mailer adapters: SMTP with aiosmtplib, and the log for local development."""
