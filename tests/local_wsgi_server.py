"""A WSGI application served by werkzeug in a thread of the test process, on a free port of 127.0.0.1.

- `LocalWsgiServer(app)`: `start()` / `stop()` (or `with`). `down()` closes the port (connections are
  refused) and `up()` listens again on the same port. `delay` (seconds) holds every answer back, for
  a slow server; `fail(path, status)` answers every request for `path` with `status` and an empty
  body. `url` is `http://127.0.0.1:<port>`.
- `follow_authorization(url)`: the browser's hop to an authorization endpoint: GET it and return the
  URL it redirects to (the client's callback with `code` and `state`, or an `error`).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from types import TracebackType
from typing import Any

import httpx
from werkzeug.serving import BaseWSGIServer, make_server

HOST = "127.0.0.1"

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class LocalWsgiServer:
    def __init__(self, app: WsgiApp) -> None:
        self._app = app
        self.delay = 0.0
        self.failing: dict[str, int] = {}
        self._port = 0
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self._port}"

    def start(self) -> None:
        self._server = make_server(HOST, self._port, self._slowed, threaded=True)
        self._port = self._server.server_port
        # A short poll interval: `stop()` waits for the serving loop's next poll.
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, name="local-wsgi-server", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        if self._server is not None:
            server, self._server = self._server, None
            server.shutdown()
            server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def down(self) -> None:
        """Stop listening: the port refuses connections until `up()`."""
        self.stop()

    def up(self) -> None:
        self.start()

    def fail(self, path: str, status: int) -> None:
        self.failing[path] = status

    def __enter__(self) -> LocalWsgiServer:
        self.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.stop()

    def _slowed(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if self.delay:
            time.sleep(self.delay)
        status = self.failing.get(environ.get("PATH_INFO", ""))
        if status is not None:
            start_response(f"{status} Failing", [("Content-Length", "0")])
            return [b""]
        return self._app(environ, start_response)


async def follow_authorization(url: str) -> str:
    """The URL the authorization endpoint at `url` sends the browser to."""
    async with httpx.AsyncClient(follow_redirects=False, timeout=5) as browser:
        response = await browser.get(url)
    assert response.status_code in (302, 303), (response.status_code, response.text[:200])
    return response.headers["location"]
