"""The container's health probe: `python3 -m entrypoints.healthcheck [URL]` exits 0 when GET /health answers 200.

The request names the host of BASTION_PUBLIC_URL, the one a reverse proxy passes on, so that it
passes the BASTION_ALLOWED_HOSTS check of production like any real request. Settings are read as
the server reads them (environment, `.env`, BASTION_<NAME>_FILE).
"""

from __future__ import annotations

import sys
import urllib.request
from collections.abc import Sequence
from urllib.parse import urlsplit

from entrypoints.settings import SettingsError, load_settings

DEFAULT_URL = "http://127.0.0.1:8000/health"
TIMEOUT_SECONDS = 4


def main(argv: Sequence[str] | None = None) -> int:
    arguments = sys.argv[1:] if argv is None else list(argv)
    url = arguments[0] if arguments else DEFAULT_URL
    try:
        host = urlsplit(load_settings().server.base_url).netloc
    except SettingsError as exc:
        sys.stderr.write(f"unhealthy: {exc}\n")
        return 1
    request = urllib.request.Request(url, headers={"Host": host})  # noqa: S310 - a URL of our own
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
            healthy = response.status == 200
    except OSError as exc:  # URLError and HTTPError (any status from 400 on) included
        sys.stderr.write(f"unhealthy: {exc}\n")
        return 1
    return 0 if healthy else 1


if __name__ == "__main__":
    raise SystemExit(main())
