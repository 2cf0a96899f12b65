"""structlog set-up, once per process: JSON lines off a TTY, console on one, secrets redacted last.

Event names are dotted `area.thing.outcome` (`source.poll.failed`, `delivery.sent`); context such
as source, event_id and delivery key is bound, not repeated in messages.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterable, MutableMapping
from typing import Any

import structlog

from alerts.redact import redact_text

_SECRETS: list[str] = []


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


def configure_logging(
    *, level: str = "INFO", fmt: str = "auto", secrets: Iterable[str] = ()
) -> None:
    add_secrets(secrets)
    use_json = fmt == "json" or (fmt == "auto" and not sys.stderr.isatty())
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
        logger_factory=structlog.PrintLoggerFactory(file=sys.stderr),
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
    logging.getLogger("httpx").setLevel(logging.WARNING)
    # Celery's per-task "received"/"succeeded" lines repeat what our decision lines say.
    for name in ("celery.worker.strategy", "celery.app.trace", "celery.beat"):
        logging.getLogger(name).setLevel(max(logging.WARNING, logging.getLevelName(level)))


class _RedactingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact_text(record.getMessage(), _SECRETS)
        record.args = None
        return True
