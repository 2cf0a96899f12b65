"""Real local peers for delivery tests: an HTTP webhook receiver and an SMTP server.

Both run in the test process (threads) on 127.0.0.1 with a free port, so code in other
processes (Celery workers) reaches them only through `.url(...)` / `.host` + `.port`. Both are
context managers that shut down cleanly, record what arrived, and can be scripted to fail.

    with WebhookReceiver(Reply(500), Reply(429, headers={"Retry-After": "1"})) as hooks:
        url = hooks.url("/slack/T0/B0/secret")      # answers 500, then 429, then 200 "ok"
        ...
        first, second, third = hooks.wait_for(3, timeout=5)
        assert third.json["text"].startswith("Ballistic")

    with SmtpReceiver(username="bot", password="s3cret") as smtp:   # AUTH then required
        ... SmtpConfig(host=smtp.host, port=smtp.port, starttls=False, ...)
        [message] = smtp.wait_for(1, timeout=5)                 # email.message.EmailMessage
        assert message["Subject"].startswith("[missile-alert]")
"""

from __future__ import annotations

import collections
import contextlib
import json
import socket
import socketserver
import sys
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Generic, Self, TypeVar

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

LOCALHOST = "127.0.0.1"
T = TypeVar("T")


class _Recorder(Generic[T]):
    """A thread-safe list that tests can wait on."""

    def __init__(self) -> None:
        self._items: list[T] = []
        self._changed = threading.Condition()

    def add(self, item: T) -> None:
        with self._changed:
            self._items.append(item)
            self._changed.notify_all()

    def snapshot(self) -> list[T]:
        with self._changed:
            return list(self._items)

    def clear(self) -> None:
        with self._changed:
            self._items.clear()

    def wait_for(self, count: int, timeout: float, what: str) -> list[T]:
        with self._changed:
            if not self._changed.wait_for(lambda: len(self._items) >= count, timeout):
                raise TimeoutError(
                    f"expected {count} {what} within {timeout}s, got {len(self._items)}"
                )
            return list(self._items)


# ---- HTTP ----


@dataclass(frozen=True)
class Reply:
    """One scripted HTTP answer: status, headers and body, sent after `delay_s` seconds.

    The Content-Type is text/plain unless `headers` name one (see `Reply.json`).
    """

    status: int = 200
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes | str = b"ok"
    delay_s: float = 0.0

    @classmethod
    def json(cls, value: Any, status: int = 200, headers: Mapping[str, str] | None = None) -> Reply:
        """An application/json answer, as the Slack Web API or Discord give."""
        return cls(
            status,
            {"Content-Type": "application/json; charset=utf-8", **(headers or {})},
            json.dumps(value),
        )


@dataclass(frozen=True)
class RecordedRequest:
    """One request as it arrived. Header names are lower-cased."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> Any:
        return json.loads(self.body)


class WebhookReceiver:
    """A threaded HTTP server on 127.0.0.1:<free port> that records every request.

    Replies are answered in order (across all paths), then `default` (200 "ok") forever.
    Requests are recorded as they arrive, before any scripted delay.
    """

    def __init__(self, *replies: Reply, default: Reply | None = None) -> None:
        self._script: collections.deque[Reply] = collections.deque(replies)
        self._default = default or Reply()
        self._lock = threading.Lock()
        self._recorded: _Recorder[RecordedRequest] = _Recorder()
        self._server: _HttpServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("WebhookReceiver is not started")
        return self._server.server_address[1]

    @property
    def base_url(self) -> str:
        return f"http://{LOCALHOST}:{self.port}"

    def url(self, path: str = "/") -> str:
        """The absolute URL of `path` on this receiver."""
        return self.base_url + (path if path.startswith("/") else f"/{path}")

    @property
    def requests(self) -> list[RecordedRequest]:
        """Every request received so far, oldest first."""
        return self._recorded.snapshot()

    def wait_for(self, count: int = 1, timeout: float = 5.0) -> list[RecordedRequest]:
        """Block until `count` requests arrived; return all so far. TimeoutError otherwise."""
        return self._recorded.wait_for(count, timeout, "requests")

    def reply_with(self, *replies: Reply) -> None:
        """Append replies to the script."""
        with self._lock:
            self._script.extend(replies)

    def clear(self) -> None:
        """Forget recorded requests (the script is kept)."""
        self._recorded.clear()

    def set_default(self, reply: Reply) -> None:
        """Answer with `reply` once the script is used up (a destination that recovers)."""
        with self._lock:
            self._default = reply

    def start(self) -> Self:
        server = _HttpServer((LOCALHOST, 0), _make_handler(self._record, self._next))
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def close(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server.drop_connections()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def _record(self, request: RecordedRequest) -> None:
        self._recorded.add(request)

    def _next(self) -> Reply:
        with self._lock:
            return self._script.popleft() if self._script else self._default


class _HttpServer(ThreadingHTTPServer):
    """Threaded server that can drop kept-alive connections when closed, and stays quiet."""

    daemon_threads = True
    block_on_close = False

    def __init__(self, address: tuple[str, int], handler: type[BaseHTTPRequestHandler]) -> None:
        super().__init__(address, handler)
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._connections_lock:
            self._connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._connections_lock:
            self._connections.discard(request)
        super().shutdown_request(request)

    def drop_connections(self) -> None:
        with self._connections_lock:
            connections = list(self._connections)
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that went away mid-reply is part of the tests, not a failure.
        if not isinstance(sys.exc_info()[1], OSError):
            super().handle_error(request, client_address)


def _make_handler(
    record: Callable[[RecordedRequest], None], next_reply: Callable[[], Reply]
) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _handle(self) -> None:
            body = self._read_body()
            headers = {name.lower(): value for name, value in self.headers.items()}
            record(RecordedRequest(self.command, self.path, headers, body))
            reply = next_reply()
            if reply.delay_s:
                time.sleep(reply.delay_s)
            content = reply.body.encode() if isinstance(reply.body, str) else reply.body
            with contextlib.suppress(ConnectionError):  # the client may have timed out
                self.send_response(reply.status)
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                if not any(name.lower() == "content-type" for name in reply.headers):
                    self.send_header("Content-Type", "text/plain; charset=utf-8")
                self.send_header("Content-Length", str(len(content)))
                self.end_headers()
                self.wfile.write(content)
                self.wfile.flush()

        def _read_body(self) -> bytes:
            if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
                chunks = []
                while size := int(self.rfile.readline().split(b";")[0], 16):
                    chunks.append(self.rfile.read(size))
                    self.rfile.readline()
                self.rfile.readline()
                return b"".join(chunks)
            return self.rfile.read(int(self.headers.get("Content-Length") or 0))

        do_POST = do_PUT = do_PATCH = do_GET = do_DELETE = _handle  # noqa: N815

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


# ---- SMTP ----


@dataclass(frozen=True)
class ReceivedMail:
    """One accepted message with its envelope and the AUTH login used (None without AUTH)."""

    message: EmailMessage
    mail_from: str
    rcpt_tos: tuple[str, ...]
    login: str | None


class SmtpReceiver:
    """An aiosmtpd server on 127.0.0.1:<free port> recording messages as EmailMessage.

    Plain SMTP, no TLS (clients use `starttls=False`). With `username`/`password`, AUTH
    PLAIN/LOGIN is offered without TLS and MAIL FROM is refused (530) until authenticated.
    `reply_with("451 4.3.0 Try later")` answers the next DATA commands with those lines
    instead of accepting the message.
    """

    def __init__(
        self,
        *,
        username: str | None = None,
        password: str | None = None,
        replies: Iterable[str] = (),
    ) -> None:
        self.host = LOCALHOST
        self.port = 0
        self._credentials = (username, password) if username is not None else None
        self._script: collections.deque[str] = collections.deque(replies)
        self._lock = threading.Lock()
        self._received: _Recorder[ReceivedMail] = _Recorder()
        self._controller: Controller | None = None

    @property
    def received(self) -> list[ReceivedMail]:
        return self._received.snapshot()

    @property
    def messages(self) -> list[EmailMessage]:
        """Every accepted message so far, oldest first."""
        return [mail.message for mail in self._received.snapshot()]

    def wait_for(self, count: int = 1, timeout: float = 5.0) -> list[EmailMessage]:
        """Block until `count` messages were accepted; return all so far. TimeoutError else."""
        mails = self._received.wait_for(count, timeout, "messages")
        return [mail.message for mail in mails]

    def reply_with(self, *lines: str) -> None:
        with self._lock:
            self._script.extend(lines)

    def clear(self) -> None:
        self._received.clear()

    def start(self) -> Self:
        kwargs: dict[str, Any] = {}
        if self._credentials is not None:
            kwargs = {"authenticator": self._authenticate, "auth_require_tls": False}
        self.port = _free_port()
        self._controller = Controller(
            _SmtpHandler(self), hostname=self.host, port=self.port, ready_timeout=5, **kwargs
        )
        self._controller.start()
        return self

    def close(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    @property
    def requires_auth(self) -> bool:
        return self._credentials is not None

    def _authenticate(
        self, server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any
    ) -> AuthResult:
        assert self._credentials is not None
        username, password = self._credentials
        ok = isinstance(auth_data, LoginPassword) and (
            auth_data.login.decode(),
            auth_data.password.decode(),
        ) == (username, password)
        return AuthResult(success=ok, handled=False, auth_data=auth_data if ok else None)

    def _next_reply(self) -> str | None:
        with self._lock:
            return self._script.popleft() if self._script else None

    def _record(self, mail: ReceivedMail) -> None:
        self._received.add(mail)


class _SmtpHandler:
    def __init__(self, receiver: SmtpReceiver) -> None:
        self._receiver = receiver

    async def handle_MAIL(  # noqa: N802 (aiosmtpd hook name)
        self, server: Any, session: Any, envelope: Any, address: str, mail_options: list[str]
    ) -> str:
        if self._receiver.requires_auth and not session.authenticated:
            return "530 5.7.0 Authentication required"
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        scripted = self._receiver._next_reply()
        if scripted is not None:
            return scripted
        message = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(message, EmailMessage)
        login = getattr(session.auth_data, "login", None)
        self._receiver._record(
            ReceivedMail(
                message,
                envelope.mail_from,
                tuple(envelope.rcpt_tos),
                login.decode() if isinstance(login, bytes) else login,
            )
        )
        return "250 2.0.0 Message accepted"


def _free_port() -> int:
    """A port free right now on 127.0.0.1 (aiosmtpd's Controller cannot bind port 0)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOCALHOST, 0))
        return int(sock.getsockname()[1])


class GarbledAuthSmtp:
    """An SMTP server on 127.0.0.1:<port> whose AUTH LOGIN challenge is not base64.

    smtplib then raises `binascii.Error` (a ValueError, not the OSError every SMTP failure is
    expected to be): a real peer making a real library raise something no channel maps.
    Counts the AUTH attempts it answered; each connection is closed after its answer.
    """

    def __init__(self) -> None:
        self.host = LOCALHOST
        self.port = 0
        self._attempts = 0
        self._lock = threading.Lock()
        self._server: socketserver.ThreadingTCPServer | None = None

    @property
    def auth_attempts(self) -> int:
        with self._lock:
            return self._attempts

    def start(self) -> Self:
        peer = self

        class Handler(socketserver.StreamRequestHandler):
            def handle(self) -> None:
                self.wfile.write(b"220 garbled.example ESMTP\r\n")
                for line in self.rfile:
                    command = line.strip().upper()
                    if command.startswith((b"EHLO", b"HELO")):
                        self.wfile.write(b"250-garbled.example\r\n250 AUTH LOGIN\r\n")
                    elif command.startswith(b"AUTH"):
                        with peer._lock:
                            peer._attempts += 1
                        self.wfile.write(b"334 a\r\n")  # "a" is no base64 text
                        return
                    elif command == b"QUIT":
                        self.wfile.write(b"221 bye\r\n")
                        return
                    else:
                        self.wfile.write(b"250 OK\r\n")

        server = socketserver.ThreadingTCPServer((self.host, 0), Handler)
        server.daemon_threads = True
        self.port = int(server.server_address[1])
        self._server = server
        threading.Thread(target=server.serve_forever, daemon=True).start()
        return self

    def close(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
