"""SQLAlchemy 2 async adapters: repositories and unit of work over SQLite (aiosqlite) or PostgreSQL (asyncpg)."""
