"""The error tree. Errors are values with meaning; catch them where something can be done.

    AlertsError
    ├── ConfigError(variable)          a bad setting: start-up stops, naming the variable
    ├── SourceError(source, kind)      a poll failed; becomes the source's health state
    ├── DeliveryError(channel, reason, retryable, retry_after_s)
    │                                  a send failed; retried by Celery, then dead-lettered
    └── StoreError                     Redis said something we did not expect

Extra constructor arguments are keyword-only with defaults so the exceptions pickle and
rebuild through Celery (celery/celery#5665). Messages never hold secrets.
"""

from __future__ import annotations

from enum import StrEnum


class AlertsError(Exception):
    """Base of every error this service raises on purpose."""


class ConfigError(AlertsError):
    """A setting is missing or invalid. `variable` is the environment variable to fix."""

    def __init__(self, message: str, *, variable: str = "") -> None:
        super().__init__(message)
        self.variable = variable

    def __str__(self) -> str:
        message = super().__str__()
        return f"{self.variable}: {message}" if self.variable else message


class SourceErrorKind(StrEnum):
    NETWORK = "network"
    TIMEOUT = "timeout"
    HTTP_STATUS = "http_status"
    RATE_LIMITED = "rate_limited"
    TOO_LARGE = "too_large"
    PARSE = "parse"
    BLOCKED = "blocked"  # redirect loop, redirect to a private address, refused scheme


class SourceError(AlertsError):
    """Polling one source failed. The batch goes on; the source's health records it."""

    def __init__(
        self,
        message: str,
        *,
        source: str = "",
        kind: SourceErrorKind = SourceErrorKind.NETWORK,
        retry_after_s: float | None = None,
    ) -> None:
        super().__init__(message)
        self.source = source
        self.kind = kind
        self.retry_after_s = retry_after_s

    def __str__(self) -> str:
        return f"{self.kind}: {super().__str__()}"


class DeliveryReason(StrEnum):
    CLIENT_ERROR = "client_error"
    SERVER_ERROR = "server_error"
    AUTH_ERROR = "auth_error"
    RATE_LIMITED = "rate_limited"
    TIMEOUT = "timeout"
    NETWORK = "network"
    REJECTED = "rejected"
    UNEXPECTED = "unexpected"  # a channel raised something it should not: a bug, retried


class DeliveryError(AlertsError):
    """Sending to one destination failed. `retryable` says whether trying again may help."""

    def __init__(
        self,
        message: str,
        *,
        channel: str = "",
        reason: DeliveryReason = DeliveryReason.NETWORK,
        retryable: bool = True,
        retry_after_s: float | None = None,
    ) -> None:
        super().__init__(message)
        self.channel = channel
        self.reason = reason
        self.retryable = retryable
        self.retry_after_s = retry_after_s

    def __str__(self) -> str:
        return f"{self.channel} {self.reason}: {super().__str__()}"


class StoreError(AlertsError):
    """Redis state was missing or malformed where the pipeline needed it."""
