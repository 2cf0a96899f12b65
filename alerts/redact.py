"""Secret values and masking, so webhook URLs, tokens and passwords never reach a log line.

`Secret` wraps a string whose `str()`/`repr()` is a mask; only `.reveal()` gives the value, and
only send functions call it. `redact_text` scrubs known secrets and URL credentials from any
text (exception messages, dead-letter records) as a second line of defence.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import urlsplit

MASK = "***"

_URL_RE = re.compile(r"https?://[^\s'\"<>]+")


class Secret:
    """A string that renders as a mask. Compare and hash by value; reveal only to send."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def masked(self) -> str:
        """A hint safe to log: scheme and host of a URL, nothing of the rest."""
        return mask_url(self._value) if "://" in self._value else MASK

    def __str__(self) -> str:
        return self.masked()

    def __repr__(self) -> str:
        return f"Secret({self.masked()!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)

    def __reduce__(self) -> tuple[type[Secret], tuple[str]]:
        return (Secret, (self._value,))


def mask_url(url: str) -> str:
    """`https://hooks.slack.com/services/T0/B0/XYZ` → `https://hooks.slack.com/***`."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return MASK
    if not parts.scheme or not parts.hostname:
        return MASK
    return f"{parts.scheme}://{parts.hostname}/{MASK}"


def redact_text(text: str, secrets: Iterable[str] = ()) -> str:
    """Remove every known secret, then mask the path and credentials of any URL left."""
    for secret in sorted((s for s in secrets if s), key=len, reverse=True):
        text = text.replace(secret, MASK)
    return _URL_RE.sub(lambda m: mask_url(m.group(0)), text)
