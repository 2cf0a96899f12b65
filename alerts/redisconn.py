"""Settings → Redis connections: the one place that knows the forms of ALERTS_REDIS_URL.

Every process (run, worker, beat, web, the CLI) gets its Redis client from `redis_client` and
Celery's broker settings from `broker_connection`, so a Sentinel, TLS or ACL set-up works the
same everywhere. The forms:

    redis://[user:password@]host:6379/0          one Redis over TCP
    rediss://[user:password@]host:6379/0         the same over TLS
    unix:///path/to/redis.sock                   a local socket
    sentinel://[user:password@]h1:26379,h2:26379,h3:26379/0?master=mymaster
    sentinels://...                              the same, TLS to the sentinels and to Redis

With Sentinel, the client asks the sentinels which server is the primary and asks again after
a failover; `user:password` are the ACL user and password of the Redis servers, while the
sentinels' own (if they require one) are ALERTS_REDIS_SENTINEL_USERNAME / _PASSWORD. TLS
verifies the server's certificate against the system's CAs or ALERTS_REDIS_CA_FILE; a client
certificate (Redis's default `tls-auth-clients yes`) is ALERTS_REDIS_CERT_FILE / _KEY_FILE.

Nothing here reads the environment, and no error message quotes a URL: it may hold a password.
"""

from __future__ import annotations

import ssl
import urllib.parse
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry
from redis.sentinel import Sentinel, SentinelManagedConnection

if TYPE_CHECKING:
    from alerts.config import Settings

    _Redis = redis.Redis[bytes]
else:
    _Redis = redis.Redis

SENTINEL_SCHEMES = {"sentinel": False, "sentinels": True}  # scheme -> TLS
DIRECT_SCHEMES = {"redis": False, "rediss": True, "unix": False, "redis+socket": False}
DEFAULT_SENTINEL_PORT = 26379
SENTINEL_TIMEOUT_S = 2.0  # a sentinel answers from memory: longer means it is gone
CERT_REQS = {"required": ssl.CERT_REQUIRED, "optional": ssl.CERT_OPTIONAL, "none": ssl.CERT_NONE}
_SENTINEL_QUERY = {"master", "ssl_cert_reqs"}


def scheme_of(url: str) -> str:
    return url.partition("://")[0].lower() if "://" in url else ""


def is_sentinel_url(url: str) -> bool:
    return scheme_of(url) in SENTINEL_SCHEMES


def is_tls_url(url: str) -> bool:
    scheme = scheme_of(url)
    return SENTINEL_SCHEMES.get(scheme, False) or DIRECT_SCHEMES.get(scheme, False)


@dataclass(frozen=True)
class SentinelAddress:
    """A parsed `sentinel://` URL. `repr` leaves the password out."""

    sentinels: tuple[tuple[str, int], ...]
    master: str
    db: int = 0
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    tls: bool = False
    cert_reqs: str = "required"


def parse_sentinel_url(url: str) -> SentinelAddress:
    """`sentinel[s]://[user:password@]host[:port],host[:port]/db?master=NAME`, or ValueError
    saying what is wrong (never quoting the URL, which may hold a password)."""
    scheme, _, rest = url.partition("://")
    if scheme.lower() not in SENTINEL_SCHEMES:
        raise ValueError("a Sentinel URL starts with sentinel:// or sentinels://")
    if ";" in rest:
        raise ValueError(
            "list the sentinels in one URL, separated by commas: "
            "sentinel://host1:26379,host2:26379/0?master=mymaster"
        )
    where, _, query = rest.partition("?")
    credentials, at, location = where.rpartition("@")  # a password may hold `/` or `@`
    hosts, _, path = location.partition("/")
    username, password = _credentials(credentials) if at else (None, None)
    params = _query(query)
    master = params.get("master", "")
    if not master:
        raise ValueError("a Sentinel URL needs the primary's name: add ?master=mymaster")
    cert_reqs = params.get("ssl_cert_reqs", "required").lower()
    if cert_reqs not in CERT_REQS:
        raise ValueError("ssl_cert_reqs must be required, optional or none")
    return SentinelAddress(
        sentinels=tuple(_host_port(part) for part in hosts.split(",")),
        master=master,
        db=_database(path),
        username=username,
        password=password,
        tls=SENTINEL_SCHEMES[scheme.lower()],
        cert_reqs=cert_reqs,
    )


def _credentials(text: str) -> tuple[str | None, str | None]:
    user, colon, password = text.partition(":")
    username = urllib.parse.unquote(user) or None
    return username, (urllib.parse.unquote(password) if colon else None) or None


def _query(query: str) -> dict[str, str]:
    params = dict(urllib.parse.parse_qsl(query, keep_blank_values=True))
    unknown = sorted(set(params) - _SENTINEL_QUERY)
    if unknown:
        raise ValueError(
            f"unknown Sentinel URL parameter {unknown[0]!r} (known: master, ssl_cert_reqs)"
        )
    return params


def _host_port(part: str) -> tuple[str, int]:
    """`host`, `host:port`, `[::1]:port` → (host, port); the port defaults to 26379."""
    try:
        split = urllib.parse.urlsplit("//" + part.strip())
        port = split.port
    except ValueError:
        raise ValueError("a sentinel's port must be a number from 1 to 65535") from None
    if not split.hostname or split.path or split.username is not None:
        raise ValueError("each sentinel is host or host:port, separated by commas")
    return split.hostname, port or DEFAULT_SENTINEL_PORT


def _database(path: str) -> int:
    path = path.strip("/")
    if not path:
        return 0
    if not path.isdigit():
        raise ValueError("the path of a Sentinel URL is a database number, such as /0")
    return int(path)


@dataclass(frozen=True)
class TlsFiles:
    """Where the TLS material lives (ALERTS_REDIS_CA_FILE, _CERT_FILE, _KEY_FILE)."""

    ca_file: str | None = None
    cert_file: str | None = None
    key_file: str | None = None


def tls_files(settings: Settings) -> TlsFiles:
    def text(path: object | None) -> str | None:
        return str(path) if path is not None else None

    return TlsFiles(
        text(settings.redis_ca_file), text(settings.redis_cert_file), text(settings.redis_key_file)
    )


def tls_options(url: str, files: TlsFiles) -> dict[str, Any] | None:
    """The `ssl_*` arguments for a TLS URL (None for a plain one): redis-py's connection
    arguments, and what kombu's `broker_use_ssl` takes. The server's certificate is verified
    unless the URL says `ssl_cert_reqs=none` (or `optional`)."""
    if not is_tls_url(url):
        return None
    if is_sentinel_url(url):
        reqs = parse_sentinel_url(url).cert_reqs
    else:
        query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query))
        reqs = query.get("ssl_cert_reqs", "required").lower()
    options: dict[str, Any] = {"ssl_cert_reqs": CERT_REQS.get(reqs, ssl.CERT_REQUIRED)}
    if files.ca_file:
        options["ssl_ca_certs"] = files.ca_file
    if files.cert_file:
        options["ssl_certfile"] = files.cert_file
    if files.key_file:
        options["ssl_keyfile"] = files.key_file
    return options


@dataclass(frozen=True)
class Timeouts:
    """Socket timeouts of one client. A bounded read is what notices a primary that vanished
    without closing its connections (a failover, a dead host) instead of waiting forever."""

    socket_timeout: float = 10.0
    socket_connect_timeout: float = 5.0
    health_check_interval: int = 30

    def as_kwargs(self) -> dict[str, Any]:
        return {
            "socket_timeout": self.socket_timeout,
            "socket_connect_timeout": self.socket_connect_timeout,
            "health_check_interval": self.health_check_interval,
        }


NO_REPLICAS = "NOREPLICAS"


class FailoverAwareConnection(SentinelManagedConnection):
    """A connection to the primary the sentinels name, which follows a failover.

    After a failover the old primary lives on for seconds before Sentinel demotes it, taking
    writes that the demotion throws away. With `min-replicas-to-write 1` (README: Redis
    Sentinel) it refuses them (NOREPLICAS) once its replicas have left: this connection then
    drops, and the next one asks the sentinels, as redis-py does on READONLY. A primary that
    has really lost every replica answers the same, and no write can succeed there either.
    """

    _asking_sentinels = False

    def connect_check_health(self, *args: Any, **kwargs: Any) -> None:
        """Every (re)connection goes where the sentinels say. redis-py 8.1 reconnects a dropped
        connection that is used again directly (a pipeline's UNWATCH after an error) to the
        address it had: after a failover, the old primary, where a worker's restore of
        unacknowledged messages looped until the old primary's demotion (~10 s)."""
        if getattr(self, "_sock", None) is not None or self._asking_sentinels:
            super().connect_check_health(*args, **kwargs)  # type: ignore[misc]
            return
        self._asking_sentinels = True
        try:
            self.connect()  # SentinelManagedConnection: look the primary up, connect_to it
        finally:
            self._asking_sentinels = False

    def read_response(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().read_response(*args, **kwargs)
        except redis.ResponseError as err:
            if not str(err).startswith(NO_REPLICAS):
                raise
            self.disconnect()
            raise redis.ConnectionError(
                "the primary refuses writes (NOREPLICAS): it has lost its replicas, or a "
                "failover has replaced it; asking the sentinels again"
            ) from None


class FailoverAwareSSLConnection(FailoverAwareConnection, redis.SSLConnection):
    """FailoverAwareConnection over TLS."""


class SentinelBackedRedis(_Redis):
    """A client of whichever server the sentinels name as primary; closing it also closes
    its connections to the sentinels."""

    def close(self) -> None:
        try:
            super().close()
        finally:
            pool = self.connection_pool
            manager = getattr(pool, "sentinel_manager", None)
            for sentinel in getattr(manager, "sentinels", ()):
                sentinel.close()


def sentinel_kwargs(
    address: SentinelAddress, settings: Settings, tls: dict[str, Any] | None, timeouts: Timeouts
) -> dict[str, Any]:
    """How to talk to the sentinels themselves: the sentinels' own credentials (not the data
    nodes' ACL user), TLS as for the data connections, and no retries and a short connect
    timeout: the next sentinel is the retry. (redis-py's default retries cost ~5 s per sentinel
    that refuses connections, and a sentinel on a dead host would hold every look-up up for
    its full connect timeout.)"""
    kwargs: dict[str, Any] = {
        "socket_timeout": min(timeouts.socket_timeout, SENTINEL_TIMEOUT_S),
        "socket_connect_timeout": min(timeouts.socket_connect_timeout, SENTINEL_TIMEOUT_S),
        "retry": Retry(NoBackoff(), 0),
    }
    if settings.redis_sentinel_username:
        kwargs["username"] = settings.redis_sentinel_username
    if settings.redis_sentinel_password is not None:
        kwargs["password"] = settings.redis_sentinel_password.get_secret_value()
    if tls is not None:
        kwargs.update(ssl=True, **tls)
    return kwargs


def redis_url_of(settings: Settings, url: str | None = None) -> str:
    chosen = url or settings.redis_url
    if not chosen:
        raise ValueError("a Redis URL is needed (ALERTS_REDIS_URL)")
    return chosen


def redis_client(
    settings: Settings, *, url: str | None = None, timeouts: Timeouts | None = None
) -> redis.Redis[bytes]:
    """The service's Redis client for `url` (default ALERTS_REDIS_URL), whatever its form."""
    url = redis_url_of(settings, url)
    timeouts = timeouts or Timeouts()
    tls = tls_options(url, tls_files(settings))
    if not is_sentinel_url(url):
        return redis.Redis.from_url(url, **timeouts.as_kwargs(), **(tls or {}))
    address = parse_sentinel_url(url)
    sentinel = Sentinel(
        list(address.sentinels),
        sentinel_kwargs=sentinel_kwargs(address, settings, tls, timeouts),
    )
    client: redis.Redis[bytes] = sentinel.master_for(
        address.master,
        redis_class=SentinelBackedRedis,
        connection_class=FailoverAwareSSLConnection if tls else FailoverAwareConnection,
        db=address.db,
        username=address.username,
        password=address.password,
        **timeouts.as_kwargs(),
        **(tls or {}),
    )
    return client


@dataclass(frozen=True)
class BrokerConnection:
    """What Celery needs to reach the broker: `broker_url`, transport options to merge into
    `broker_transport_options`, and `broker_use_ssl` (None without TLS)."""

    url: str
    transport_options: dict[str, Any]
    use_ssl: dict[str, Any] | None = field(default=None)


def broker_connection(
    settings: Settings, *, url: str | None = None, timeouts: Timeouts | None = None
) -> BrokerConnection:
    """Celery's broker settings for the same Redis the service uses.

    A Sentinel URL becomes kombu's own Sentinel transport: `sentinel://...;sentinel://...`,
    one part per sentinel, each with the credentials and database (kombu moves on to the next
    part after a failed connection, and reads them from the part it is on), with `master_name`
    and `sentinel_kwargs` as transport options.
    """
    url = redis_url_of(settings, url)
    timeouts = timeouts or Timeouts()
    tls = tls_options(url, tls_files(settings))
    options: dict[str, Any] = {
        "socket_timeout": timeouts.socket_timeout,
        "socket_connect_timeout": timeouts.socket_connect_timeout,
    }
    if not is_sentinel_url(url):
        return BrokerConnection(kombu_direct_url(url), options, tls)
    address = parse_sentinel_url(url)
    options.update(
        master_name=address.master,
        sentinel_kwargs=sentinel_kwargs(address, settings, tls, timeouts),
    )
    return BrokerConnection(_kombu_sentinel_url(address), options, tls)


def kombu_direct_url(url: str) -> str:
    """kombu spells redis-py's `unix:///path` as `redis+socket:///path`."""
    if url.startswith("unix://"):
        return "redis+socket://" + url.removeprefix("unix://")
    return url


def _kombu_sentinel_url(address: SentinelAddress) -> str:
    credentials = ""
    if address.username or address.password:
        user = urllib.parse.quote(address.username or "", safe="")
        password = urllib.parse.quote(address.password or "", safe="")
        credentials = f"{user}:{password}@" if address.password else f"{user}@"
    return ";".join(
        f"sentinel://{credentials}{_netloc_host(host)}:{port}/{address.db}"
        for host, port in address.sentinels
    )


def _netloc_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host
