"""Schema migrations of the SQL adapters and the SQLAlchemy async engine they run on.

`migrate` runs Alembic from code (`upgrade`, `upgrade_async`; no alembic.ini); `env.py` and
`versions/` are Alembic's environment and scripts; `engine` is SQLAlchemy's async engine
(aiosqlite or asyncpg), for migrations and tools only: the service runs on `adapters.sql.driver`.
"""
