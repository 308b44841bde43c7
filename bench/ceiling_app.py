"""The framework's ceiling: a bare Litestar app with one JSON /health handler and nothing else.

It answers the same body as Bastion's `GET /health`, is served by the same uvicorn options
(httptools, uvloop, one process, no access log), and has no middleware, no dependencies and no
database. `bench/run.py` divides every Bastion measurement by this app's requests/s in the same run.

    .venv/bin/uvicorn --app-dir bench --http httptools --loop uvloop --no-access-log ceiling_app:app
"""

from __future__ import annotations

import msgspec
from litestar import Litestar, get


class Health(msgspec.Struct, frozen=True):
    status: str
    app_name: str
    environment: str


_BODY = Health(status="healthy", app_name="Bastion", environment="development")


@get("/health")
async def health() -> Health:
    return _BODY


app = Litestar(route_handlers=[health])
