"""Peers for the fault suite: a webhook receiver whose answers follow a policy (by time or by
request number) and that records what it answered, and an SMTP server on a chosen port.

Everything binds 127.0.0.1. The receiver records each request on arrival together with the
reply it is about to give, so a tally can tell raw requests from accepted (2xx) ones and count
distinct `webhook-id` values per (event_id, revision).
"""

from __future__ import annotations

import contextlib
import json
import socket
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self

from aiosmtpd.controller import Controller

from tests.integration.receivers import Reply, SmtpReceiver, _SmtpHandler

LOCALHOST = "127.0.0.1"

# A policy: (request number starting at 1, seconds since the receiver started) -> the reply.
Policy = Callable[[int, float], Reply]


@dataclass
class Hit:
    """One request as it arrived and the reply the receiver gave (or tried to give) it."""

    at: float
    number: int
    path: str
    headers: dict[str, str]
    body: bytes
    status: int
    delay_s: float
    answered: bool = False  # the reply was written without error
    payload: dict[str, Any] = field(default_factory=dict)
    reply: Reply = field(default_factory=Reply)

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    @property
    def webhook_id(self) -> str:
        return self.headers.get("webhook-id", "")


def always(reply: Reply) -> Policy:
    return lambda _n, _t: reply


class PolicyHook:
    """A threaded HTTP server answering by `policy` (swappable at any time)."""

    def __init__(self, policy: Policy | None = None) -> None:
        self.policy: Policy = policy or always(Reply(200))
        self._hits: list[Hit] = []
        self._lock = threading.Lock()
        self._started = time.monotonic()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    def url(self, path: str) -> str:
        assert self._server is not None
        return f"http://{LOCALHOST}:{self._server.server_address[1]}{path}"

    @property
    def port(self) -> int:
        assert self._server is not None
        return int(self._server.server_address[1])

    @property
    def hits(self) -> list[Hit]:
        with self._lock:
            return list(self._hits)

    def set_policy(self, policy: Policy) -> None:
        with self._lock:
            self.policy = policy

    def _arrive(self, path: str, headers: dict[str, str], body: bytes) -> Hit:
        with self._lock:
            number = len(self._hits) + 1
            reply = self.policy(number, time.monotonic() - self._started)
            try:
                payload = json.loads(body) if body else {}
            except ValueError:
                payload = {}
            hit = Hit(
                time.monotonic(), number, path, headers, body, reply.status, reply.delay_s,
                payload=payload, reply=reply,
            )  # fmt: skip
            self._hits.append(hit)
            return hit

    def start(self) -> Self:
        hook = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:  # noqa: N802
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                headers = {k.lower(): v for k, v in self.headers.items()}
                hit = hook._arrive(self.path, headers, body)
                reply = hit.reply
                if reply.delay_s:
                    time.sleep(reply.delay_s)
                content = reply.body.encode() if isinstance(reply.body, str) else reply.body
                try:
                    self.send_response(reply.status)
                    for name, value in reply.headers.items():
                        self.send_header(name, value)
                    self.send_header("Content-Type", "text/plain")
                    self.send_header("Content-Length", str(len(content)))
                    self.end_headers()
                    self.wfile.write(content)
                    self.wfile.flush()
                    hit.answered = True
                except OSError:
                    pass

            do_PUT = do_POST  # noqa: N815

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                pass

        class Server(ThreadingHTTPServer):
            daemon_threads = True
            block_on_close = False

            def handle_error(self, request: Any, client_address: Any) -> None:
                if not isinstance(sys.exc_info()[1], OSError):
                    super().handle_error(request, client_address)

        self._server = Server((LOCALHOST, 0), Handler)
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def close(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOCALHOST, 0))
        return int(sock.getsockname()[1])


class PortSmtp(SmtpReceiver):
    """SmtpReceiver on a port chosen in advance (receivers.SmtpReceiver always picks a new one),
    so a test can point the service at a closed port and bring the server up there later."""

    def __init__(self, port: int) -> None:
        super().__init__()
        self._fixed_port = port

    def start(self) -> Self:
        self.port = self._fixed_port
        deadline = time.monotonic() + 10
        while True:  # bounded: the port may linger in TIME_WAIT for a moment
            try:
                self._controller = Controller(
                    _SmtpHandler(self), hostname=self.host, port=self.port, ready_timeout=5
                )
                self._controller.start()
                return self
            except (OSError, RuntimeError):
                with contextlib.suppress(Exception):
                    if self._controller is not None:
                        self._controller.stop()
                self._controller = None
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
