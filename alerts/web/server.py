"""Serving the app with uvicorn: in the foreground (`alerts web`) or in a background thread
(for a process whose main thread belongs to someone else, such as `alerts run`'s worker).

Logging is left to the process's own set-up (`log_config=None`), so uvicorn's lines pass through
the same redacting handler as everything else.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass

import uvicorn
from starlette.types import ASGIApp

START_TIMEOUT_S = 10.0


def _config(app: ASGIApp, *, access_log: bool) -> uvicorn.Config:
    return uvicorn.Config(
        app, log_config=None, access_log=access_log, lifespan="off", server_header=False
    )


class _Server(uvicorn.Server):
    """SIGINT or SIGTERM is how the web process is stopped: a graceful shutdown is a clean exit.

    (uvicorn re-raises the signal after shutting down, which turns it into status 130 or 143.)
    """

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        with super().capture_signals():
            try:
                yield
            finally:
                self._captured_signals.clear()


def serve_forever(app: ASGIApp, *, host: str, port: int) -> None:
    """Serve until SIGINT or SIGTERM, then return."""
    config = _config(app, access_log=True)
    config.host, config.port = host, port
    _Server(config).run()


@dataclass
class BackgroundServer:
    """A uvicorn server running in a daemon thread; `url` is where it listens."""

    server: uvicorn.Server
    thread: threading.Thread
    sock: socket.socket
    url: str

    def stop(self, timeout_s: float = START_TIMEOUT_S) -> None:
        self.server.should_exit = True
        self.thread.join(timeout_s)
        self.sock.close()


def serve_in_background(
    app: ASGIApp, *, host: str = "127.0.0.1", port: int = 0, access_log: bool = False
) -> BackgroundServer:
    """Start serving in a thread and return once the server accepts connections.

    `port=0` picks a free port (tests). uvicorn installs no signal handlers off the main thread,
    so the caller stops it with `stop()`.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    server = uvicorn.Server(_config(app, access_log=access_log))
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, name="alerts-web", daemon=True
    )
    thread.start()
    deadline = time.monotonic() + START_TIMEOUT_S
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            sock.close()
            raise RuntimeError(f"the web server did not start on {host}:{port}")
        time.sleep(0.01)
    bound = sock.getsockname()
    shown = f"[{bound[0]}]" if family == socket.AF_INET6 else bound[0]
    return BackgroundServer(server, thread, sock, f"http://{shown}:{bound[1]}")
