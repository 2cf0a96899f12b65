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

# http(s) plus the Redis spellings: a Redis URL in an error message may carry a password.
_URL_RE = re.compile(
    r"(?:https?|rediss?|redis\+socket|unix|sentinels?)://[^\s'\"<>]+", re.IGNORECASE
)
_PATH_SCHEMES = frozenset({"redis", "rediss", "redis+socket", "unix"})
_SENTINEL_SCHEMES = frozenset({"sentinel", "sentinels"})
# What a Sentinel URL may show after `?`: the primary's name and the TLS check, no secret.
_SENTINEL_PARAM = re.compile(r"(?:master=[\w.-]{1,100}|ssl_cert_reqs=\w{1,10})\Z", re.ASCII)


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
    """A URL with what may be secret masked: credentials, query, and an HTTP path.

    `https://hooks.slack.com/services/T0/B0/XYZ` → `https://hooks.slack.com/***`. Scheme, host
    and port are kept: they are not secrets, and an address such as the dashboard's
    `http://127.0.0.1:8080` is useless without its port. Redis URLs keep their path (a database
    number or a socket path) but never a password: `redis://:pw@cache:6379/0` →
    `redis://***@cache:6379/0`. A Sentinel URL keeps its hosts, database and primary's name:
    `sentinel://***@s1:26379,s2:26379/0?master=mymaster`, part by part in kombu's
    `sentinel://...;sentinel://...` spelling.
    """
    scheme = url.partition("://")[0].lower()
    if scheme in _SENTINEL_SCHEMES:
        return ";".join(_mask_sentinel_url(part) for part in url.split(";"))
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return MASK
    scheme = parts.scheme.lower()
    if not scheme or not (parts.hostname or scheme in _PATH_SCHEMES):
        return MASK
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    credentials = f"{MASK}@" if "@" in parts.netloc else ""
    where = f"{scheme}://{credentials}{host}" + (f":{port}" if port is not None else "")
    if scheme in _PATH_SCHEMES:
        return where + parts.path + (f"?{MASK}" if parts.query else "")
    if parts.path in {"", "/"} and not parts.query and not parts.fragment:
        return where + parts.path
    return f"{where}/{MASK}"


def _mask_sentinel_url(url: str) -> str:
    """One `sentinel[s]://` URL masked; anything unexpected masks it whole. Everything before
    the last `@` is taken for credentials, so a password holding `/`, `?` or `@` never shows."""
    trimmed = url.rstrip(".,:)")  # the punctuation of the message it was found in
    if trimmed != url:
        return _mask_sentinel_url(trimmed) + url[len(trimmed) :]
    scheme, _, rest = url.partition("://")
    _, at, where = rest.rpartition("@")
    where, question, query = where.partition("?")
    hosts, slash, path = where.partition("/")
    if scheme.lower() not in _SENTINEL_SCHEMES or (path and not path.isdigit()):
        return MASK
    shown = []
    for part in hosts.split(","):
        try:
            split = urlsplit("//" + part)
            port = split.port
        except ValueError:
            return MASK
        if not split.hostname or split.path:
            return MASK
        host = f"[{split.hostname}]" if ":" in split.hostname else split.hostname
        shown.append(host + (f":{port}" if port is not None else ""))
    params = [p if _SENTINEL_PARAM.match(p) else MASK for p in query.split("&")] if query else []
    credentials = f"{MASK}@" if at else ""
    where = f"{scheme.lower()}://{credentials}{','.join(shown)}{slash}{path}"
    return where + (question + "&".join(params) if params else "")


def redact_text(text: str, secrets: Iterable[str] = ()) -> str:
    """Remove every known secret, then mask the path and credentials of any URL left."""
    for secret in sorted((s for s in secrets if s), key=len, reverse=True):
        text = text.replace(secret, MASK)
    return _URL_RE.sub(lambda m: mask_url(m.group(0)), text)
