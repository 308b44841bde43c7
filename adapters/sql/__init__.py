"""SQL adapters: repositories and unit of work over SQLite (sqlite3) or PostgreSQL (asyncpg), with the
schema in SQLAlchemy Core and Alembic migrations."""
