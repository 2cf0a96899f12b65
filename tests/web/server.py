"""The app served by a real uvicorn on 127.0.0.1 (a free port), as `alerts run` would serve it."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import httpx
from starlette.types import ASGIApp

from alerts.web.server import serve_in_background


@contextlib.contextmanager
def serve(app: ASGIApp) -> Iterator[str]:
    """Yield the base URL while uvicorn serves `app` in a thread; stop it after."""
    server = serve_in_background(app)
    try:
        yield server.url
    finally:
        server.stop()


@contextlib.contextmanager
def http_client(app: ASGIApp) -> Iterator[httpx.Client]:
    """An httpx client pointed at `app` served by uvicorn (redirects followed, as a browser)."""
    with serve(app) as base_url, httpx.Client(base_url=base_url, follow_redirects=True) as client:
        yield client
