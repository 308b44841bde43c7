"""Alembic environment of the SQL adapters; run it through `adapters.sql.migrate`, not the alembic CLI."""
