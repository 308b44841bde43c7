"""Administration of accounts: listing, changing, unlocking and revoking users, the audit trail, the first admin."""
