"""structlog set-up, once per process: JSON lines off a TTY, console on one, secrets redacted last.

Event names are dotted `area.thing.outcome` (`source.poll.failed`, `delivery.sent`); context such
as source, event_id and delivery key is bound, not repeated in messages.

Every line is one write() of the line and its newline: processes sharing a pipe (`alerts run`'s
worker, pool and beat) would otherwise glue lines together. `structured_output` makes the same
true of what libraries print past the logger (Celery's shutdown notices, a child's traceback).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import sys
import threading
from collections.abc import Iterable, Iterator, MutableMapping
from datetime import UTC, datetime
from typing import Any, TextIO

import structlog

from alerts.redact import redact_text

_SECRETS: list[str] = []
RELAY_DRAIN_S = 2.0


def add_secrets(secrets: Iterable[str]) -> None:
    """Register secret values that must never appear in any log line."""
    for secret in secrets:
        if secret and secret not in _SECRETS:
            _SECRETS.append(secret)


def redact_event(
    _logger: Any, _name: str, event: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    """Processor: scrub every value (nested ones too) of secrets and URL paths."""
    for key, value in list(event.items()):
        event[key] = _redacted(value)
    return event


def _redacted(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, str):
        return redact_text(value, _SECRETS)
    if isinstance(value, list | tuple | set | frozenset):
        return [_redacted(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _redacted(v) for k, v in value.items()}
    return redact_text(str(value), _SECRETS)


def uses_json(fmt: str) -> bool:
    """Whether log lines are JSON: asked for, or `auto` with stderr not a terminal."""
    return fmt == "json" or (fmt == "auto" and not sys.stderr.isatty())


def configure_logging(
    *, level: str = "INFO", fmt: str = "auto", secrets: Iterable[str] = ()
) -> None:
    add_secrets(secrets)
    use_json = uses_json(fmt)
    renderer: Any = (
        structlog.processors.JSONRenderer() if use_json else structlog.dev.ConsoleRenderer()
    )
    processors: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        structlog.processors.format_exc_info,
        redact_event,
        renderer,
    ]
    structlog.configure(
        processors=processors,
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level)),
        # WriteLogger sends line and newline in one write: print() makes two, and two
        # processes sharing a pipe (beat and worker under `alerts run`) then glue lines.
        logger_factory=structlog.WriteLoggerFactory(file=sys.stderr),
        cache_logger_on_first_use=False,
    )
    # Celery, kombu and httpx log through stdlib: render their records with the same
    # processors, so every line on stderr is one redacted event (JSON off a terminal).
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(_RedactingFilter())
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=[
                structlog.stdlib.add_logger_name,
                structlog.processors.add_log_level,
                structlog.processors.TimeStamper(fmt="iso", utc=True),
            ],
            processors=[
                structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                structlog.processors.format_exc_info,
                redact_event,
                renderer,
            ],
        )
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # warnings.warn (Celery's multi-line warning to root, deprecations) becomes one event too.
    logging.captureWarnings(True)
    logging.getLogger("httpx").setLevel(logging.WARNING)
    # Celery's per-task "received"/"succeeded" lines repeat what our decision lines say.
    for name in ("celery.worker.strategy", "celery.app.trace", "celery.beat"):
        logging.getLogger(name).setLevel(max(logging.WARNING, logging.getLevelName(level)))


class _RedactingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact_text(record.getMessage(), _SECRETS)
        record.args = None
        return True


@contextlib.contextmanager
def structured_output(*, enabled: bool = True) -> Iterator[None]:
    """While active, every line written to stdout or stderr, by this process or any child it
    forks, leaves on stderr as one JSON object.

    The logger keeps writing straight to stderr (one write per line, as before). File
    descriptors 1 and 2 become a pipe for everything else (a library's print, a child's
    traceback), read by a thread that wraps each such line as an event of logger `stdio`,
    redacted like the rest, written with one write(); blank lines are dropped. For the
    long-running commands off a terminal, whose stdout and stderr are their log.
    """
    if not enabled:
        yield
        return
    for stream in (sys.stdout, sys.stderr):
        stream.flush()
    saved_stdout, saved_stderr, relay_out = os.dup(1), os.dup(2), os.dup(2)
    log_stream = open(  # noqa: SIM115 - closed in the finally below
        os.dup(2), "w", encoding="utf-8", errors="backslashreplace", buffering=1
    )
    read_end, write_end = os.pipe()
    with contextlib.suppress(OSError, AttributeError):  # room for bursts: Linux only
        fcntl.fcntl(write_end, fcntl.F_SETPIPE_SZ, 1 << 20)
    os.dup2(write_end, 1)
    os.dup2(write_end, 2)
    os.close(write_end)
    relay = threading.Thread(
        target=_relay_lines, args=(read_end, relay_out), name="alerts-stdio", daemon=True
    )
    relay.start()
    _log_to(log_stream)
    try:
        yield
    finally:
        with contextlib.suppress(OSError, ValueError):
            sys.stdout.flush()
            sys.stderr.flush()
        os.dup2(saved_stdout, 1)
        os.dup2(saved_stderr, 2)
        os.close(saved_stdout)
        os.close(saved_stderr)
        _log_to(sys.stderr)
        log_stream.close()
        relay.join(RELAY_DRAIN_S)  # EOF once no process holds the pipe any more


def _log_to(stream: TextIO) -> None:
    """Point structlog and the stdlib handlers configure_logging installed at `stream`."""
    structlog.configure(logger_factory=structlog.WriteLoggerFactory(file=stream))
    for handler in logging.getLogger().handlers:
        if isinstance(handler, logging.StreamHandler):
            handler.setStream(stream)


def _relay_lines(read_fd: int, out_fd: int) -> None:
    pending = b""
    try:
        while chunk := os.read(read_fd, 65536):
            *lines, pending = (pending + chunk).split(b"\n")
            for line in lines:
                _write_all(out_fd, as_json_line(line))
        _write_all(out_fd, as_json_line(pending))
    except OSError:
        return
    finally:
        os.close(read_fd)
    os.close(out_fd)


def as_json_line(raw: bytes) -> bytes:
    """`raw` (one line, no newline) as one JSON object line; b"" for a blank line."""
    text = raw.decode("utf-8", "replace").rstrip("\r")
    if not text.strip():
        return b""
    if text.startswith("{"):
        with contextlib.suppress(ValueError):
            if isinstance(json.loads(text), dict):
                return text.encode() + b"\n"
    event = {
        "event": redact_text(text.strip(), _SECRETS),
        "logger": "stdio",
        "level": "info",
        "timestamp": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
    }
    return json.dumps(event, ensure_ascii=False).encode() + b"\n"


def _write_all(fd: int, data: bytes) -> None:
    while data:
        data = data[os.write(fd, data) :]
