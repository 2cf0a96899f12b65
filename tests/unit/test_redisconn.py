"""ALERTS_REDIS_URL's forms (Sentinel, TLS, ACL) reach redis-py and kombu as they should.

No server is needed: redis-py's Sentinel and kombu's channel build their pools lazily, so what
they would connect with is read off the objects. tests/integration/test_sentinel_failover.py
and test_redis_tls.py connect for real.
"""

from __future__ import annotations

import ssl
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import kombu
import pytest
import redis
from kombu.transport import redis as kombu_redis
from kombu.transport import virtual
from redis.sentinel import SentinelConnectionPool, SentinelManagedConnection

from alerts.bootstrap import secret_values
from alerts.config import Settings, load_settings
from alerts.errors import ConfigError
from alerts.redact import mask_url, redact_text
from alerts.redisconn import (
    FailoverAwareConnection,
    FailoverAwareSSLConnection,
    SentinelAddress,
    SentinelBackedRedis,
    broker_connection,
    parse_sentinel_url,
    redis_client,
)
from tests.support.certs import TlsMaterial, make_tls_material

PASSWORD = "canary-acl/pw@1"  # needs percent-encoding in a URL
ENCODED = "canary-acl%2Fpw%401"
SENTINEL_PASSWORD = "canary-sentinel-pw"
SENTINEL_URL = (
    f"sentinel://alerts:{ENCODED}@s1.internal:26379,s2.internal,[::1]:26381/2?master=alerts-main"
)


@pytest.fixture(scope="module")
def tls(tmp_path_factory: pytest.TempPathFactory) -> TlsMaterial:
    return make_tls_material(tmp_path_factory.mktemp("certs"))


def settings(**overrides: Any) -> Settings:
    return load_settings(**overrides)


class TestSentinelUrl:
    def test_hosts_ports_database_primary_and_credentials(self) -> None:
        """Default port 26379, IPv6 in brackets, the password percent-decoded."""
        assert parse_sentinel_url(SENTINEL_URL) == SentinelAddress(
            sentinels=(("s1.internal", 26379), ("s2.internal", 26379), ("::1", 26381)),
            master="alerts-main",
            db=2,
            username="alerts",
            password=PASSWORD,
        )

    def test_password_written_without_percent_encoding(self) -> None:
        """Everything before the last `@` is credentials, `/` and `@` included."""
        address = parse_sentinel_url(f"sentinel://:{PASSWORD}@h1/0?master=m")
        assert (address.password, address.sentinels, address.db) == (PASSWORD, (("h1", 26379),), 0)

    def test_sentinels_scheme_means_tls_and_password_alone_is_allowed(self) -> None:
        address = parse_sentinel_url("sentinels://:pw@h1/0?master=m&ssl_cert_reqs=optional")
        assert (address.tls, address.username, address.password) == (True, None, "pw")
        assert address.cert_reqs == "optional"

    @pytest.mark.parametrize(
        ("url", "message"),
        [
            (f"sentinel://:{ENCODED}@h1:26379/0", "needs the primary's name"),
            (f"sentinel://:{ENCODED}@h1:99999/0?master=m", "port must be a number"),
            (f"sentinel://:{ENCODED}@h1:x/0?master=m", "port must be a number"),
            (f"sentinel://:{ENCODED}@h1/zero?master=m", "database number"),
            (f"sentinel://:{ENCODED}@h1/0?master=m&password=x", "unknown Sentinel URL param"),
            (f"sentinel://:{ENCODED}@h1,/0?master=m", "host or host:port"),
            (
                f"sentinel://:{ENCODED}@h1:26379;sentinel://h2:26379/0?master=m",
                "separated by commas",
            ),
        ],
    )
    def test_errors_say_what_is_wrong_never_the_password(self, url: str, message: str) -> None:
        with pytest.raises(ValueError, match=message) as info:
            parse_sentinel_url(url)
        assert "canary" not in str(info.value)


class TestSettings:
    def test_sentinel_url_is_accepted(self) -> None:
        assert settings(redis_url=SENTINEL_URL).redis_url == SENTINEL_URL

    def test_bad_sentinel_url_names_the_variable_not_the_password(self) -> None:
        with pytest.raises(ConfigError) as info:
            settings(redis_url=f"sentinel://:{PASSWORD}@h1:26379/0")
        assert str(info.value).startswith("ALERTS_REDIS_URL: a Sentinel URL needs")
        assert "canary" not in str(info.value)

    def test_unknown_scheme_lists_the_sentinel_forms(self) -> None:
        with pytest.raises(ConfigError, match="sentinel:// or sentinels://"):
            settings(redis_url="memcached://h1")

    @pytest.mark.parametrize("variable", ["redis_ca_file", "redis_cert_file"])
    def test_tls_files_without_a_tls_url_are_refused(self, tls: TlsMaterial, variable: str) -> None:
        """A CA file beside redis:// would be ignored: the user believes in TLS that is off."""
        with pytest.raises(ConfigError, match=rf"^ALERTS_{variable.upper()}: is set, but"):
            settings(redis_url="redis://cache:6379/0", **{variable: str(tls.client_cert)})

    def test_unreadable_ca_file(self, tmp_path: Path) -> None:
        with pytest.raises(ConfigError, match=r"^ALERTS_REDIS_CA_FILE: cannot read"):
            settings(redis_url="rediss://cache:6380/0", redis_ca_file=str(tmp_path / "none.pem"))

    def test_ca_file_holding_no_certificate(self, tmp_path: Path) -> None:
        junk = tmp_path / "ca.pem"
        junk.write_text("not a certificate\n")
        with pytest.raises(ConfigError, match=r"^ALERTS_REDIS_CA_FILE: holds no PEM"):
            settings(redis_url="rediss://cache:6380/0", redis_ca_file=str(junk))

    def test_client_key_that_does_not_match(self, tls: TlsMaterial) -> None:
        with pytest.raises(ConfigError, match=r"^ALERTS_REDIS_CERT_FILE: is not a PEM cert"):
            settings(
                redis_url="rediss://cache:6380/0",
                redis_cert_file=str(tls.client_cert),
                redis_key_file=str(tls.server_key),
            )

    def test_key_without_certificate(self, tls: TlsMaterial) -> None:
        with pytest.raises(ConfigError, match=r"^ALERTS_REDIS_KEY_FILE: is set without"):
            settings(redis_url="rediss://cache:6380/0", redis_key_file=str(tls.client_key))

    def test_sentinel_password_without_sentinels(self) -> None:
        with pytest.raises(ConfigError, match=r"^ALERTS_REDIS_SENTINEL_PASSWORD: is set, but"):
            settings(redis_url="redis://cache:6379/0", redis_sentinel_password=SENTINEL_PASSWORD)

    def test_empty_values_mean_unset(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """`ALERTS_REDIS_CA_FILE=` in a .env or compose file is unset, not the current dir."""
        monkeypatch.setenv("ALERTS_REDIS_URL", "redis://cache:6379/0")
        monkeypatch.setenv("ALERTS_REDIS_CA_FILE", "")
        monkeypatch.setenv("ALERTS_REDIS_SENTINEL_PASSWORD", "")
        loaded = load_settings()
        assert (loaded.redis_ca_file, loaded.redis_sentinel_password) == (None, None)


def _sentinel_settings(tls: TlsMaterial | None = None) -> Settings:
    files = (
        {
            "redis_ca_file": str(tls.ca),
            "redis_cert_file": str(tls.client_cert),
            "redis_key_file": str(tls.client_key),
        }
        if tls
        else {}
    )
    url = SENTINEL_URL.replace("sentinel://", "sentinels://") if tls else SENTINEL_URL
    return settings(redis_url=url, redis_sentinel_password=SENTINEL_PASSWORD, **files)


class TestServiceClient:
    def test_sentinel_client_asks_the_sentinels_with_their_password(self) -> None:
        client = redis_client(_sentinel_settings())
        try:
            assert isinstance(client, SentinelBackedRedis)
            pool = client.connection_pool
            assert isinstance(pool, SentinelConnectionPool)
            assert pool.service_name == "alerts-main"
            assert pool.connection_class is FailoverAwareConnection
            kwargs = pool.connection_kwargs
            assert (kwargs["username"], kwargs["password"], kwargs["db"]) == (
                "alerts",
                PASSWORD,
                2,
            )
            sentinels = pool.sentinel_manager.sentinels
            addresses = [
                (
                    s.connection_pool.connection_kwargs["host"],
                    s.connection_pool.connection_kwargs["port"],
                )
                for s in sentinels
            ]
            assert addresses == [("s1.internal", 26379), ("s2.internal", 26379), ("::1", 26381)]
            for sentinel in sentinels:
                options = sentinel.connection_pool.connection_kwargs
                assert options["password"] == SENTINEL_PASSWORD  # not the data nodes' password
                assert options["retry"].get_retries() == 0  # the next sentinel is the retry
                assert options["socket_connect_timeout"] <= 2
        finally:
            client.close()

    def test_sentinels_tls_reaches_data_and_sentinel_connections(self, tls: TlsMaterial) -> None:
        client = redis_client(_sentinel_settings(tls))
        try:
            pool = client.connection_pool
            assert pool.connection_class is FailoverAwareSSLConnection
            expected = {
                "ssl_cert_reqs": ssl.CERT_REQUIRED,
                "ssl_ca_certs": str(tls.ca),
                "ssl_certfile": str(tls.client_cert),
                "ssl_keyfile": str(tls.client_key),
            }
            assert expected.items() <= pool.connection_kwargs.items()
            for sentinel in pool.sentinel_manager.sentinels:
                assert sentinel.connection_pool.connection_class is redis.SSLConnection
                assert expected.items() <= sentinel.connection_pool.connection_kwargs.items()
        finally:
            client.close()

    def test_rediss_gets_the_ca_and_client_certificate(self, tls: TlsMaterial) -> None:
        client = redis_client(
            settings(
                redis_url=f"rediss://alerts:{ENCODED}@cache:6380/1",
                redis_ca_file=str(tls.ca),
                redis_cert_file=str(tls.client_cert),
                redis_key_file=str(tls.client_key),
            )
        )
        try:
            pool = client.connection_pool
            assert pool.connection_class is redis.SSLConnection
            connection = pool.make_connection()
            assert connection.ca_certs == str(tls.ca)
            assert (connection.certfile, connection.keyfile) == (
                str(tls.client_cert),
                str(tls.client_key),
            )
            assert connection.cert_reqs == ssl.CERT_REQUIRED
            assert (connection.username, connection.password) == ("alerts", PASSWORD)
        finally:
            client.close()

    def test_plain_url_gets_no_tls(self) -> None:
        client = redis_client(settings(redis_url="redis://cache:6379/0"))
        try:
            assert client.connection_pool.connection_class is redis.Connection
        finally:
            client.close()

    def test_closing_closes_the_sentinel_connections(self, monkeypatch: pytest.MonkeyPatch) -> None:
        client = redis_client(_sentinel_settings())
        closed: list[int] = []
        for sentinel in client.connection_pool.sentinel_manager.sentinels:
            monkeypatch.setattr(sentinel, "close", lambda s=sentinel: closed.append(id(s)))
        client.close()
        assert len(closed) == 3


@pytest.fixture
def celery_app() -> Iterator[Any]:
    """The global Celery app, its configuration put back afterwards."""
    from workers.app import app

    saved = {key: app.conf[key] for key in list(app.conf.keys())}
    yield app
    app.conf.update(saved)


def kombu_channel(url: str, options: dict[str, Any], use_ssl: Any) -> Any:
    """kombu's own Sentinel channel for these settings, without its connect-time PING."""
    from workers.app import use_failover_aware_connections

    use_failover_aware_connections()
    conn = kombu.Connection(url, transport_options=options, ssl=use_ssl)
    channel = kombu_redis.SentinelChannel.__new__(kombu_redis.SentinelChannel)
    virtual.Channel.__init__(channel, conn.transport)
    channel._sentinel_manager = channel._async_sentinel_manager = None
    return channel


class TestBroker:
    def test_every_sentinel_part_carries_credentials_and_database(self) -> None:
        """kombu moves on to the next `;` part after a failed connection and reads the
        password and database from the part it is on."""
        broker = broker_connection(_sentinel_settings())
        parts = broker.url.split(";")
        assert parts == [
            f"sentinel://alerts:{ENCODED}@s1.internal:26379/2",
            f"sentinel://alerts:{ENCODED}@s2.internal:26379/2",
            f"sentinel://alerts:{ENCODED}@[::1]:26381/2",
        ]
        assert broker.transport_options["master_name"] == "alerts-main"
        assert broker.transport_options["sentinel_kwargs"]["password"] == SENTINEL_PASSWORD
        assert broker.use_ssl is None

    def test_kombu_connects_where_the_service_does(self, tls: TlsMaterial) -> None:
        """kombu's Sentinel channel, fed our broker settings, asks the same sentinels with the
        same passwords and TLS files as the service's own client."""
        broker = broker_connection(_sentinel_settings(tls))
        channel = kombu_channel(broker.url, broker.transport_options, broker.use_ssl)
        pool = channel._sentinel_managed_pool()
        assert pool.service_name == "alerts-main"
        assert pool.connection_class is FailoverAwareSSLConnection
        kwargs = pool.connection_kwargs
        assert (kwargs["username"], kwargs["password"], kwargs["db"]) == ("alerts", PASSWORD, 2)
        assert (kwargs["ssl_ca_certs"], kwargs["ssl_certfile"]) == (
            str(tls.ca),
            str(tls.client_cert),
        )
        sentinels = channel._sentinel_manager.sentinels
        assert len(sentinels) == 3
        for sentinel in sentinels:
            options = sentinel.connection_pool.connection_kwargs
            assert options["password"] == SENTINEL_PASSWORD
            assert options["ssl_ca_certs"] == str(tls.ca)

    def test_celery_gets_url_ssl_and_transport_options(
        self, tls: TlsMaterial, celery_app: Any
    ) -> None:
        from workers.app import configure

        configured = configure(
            _sentinel_settings(tls), redis_url=_sentinel_settings(tls).redis_url or ""
        )
        conf = configured.conf
        assert conf.broker_url.startswith("sentinel://alerts:")
        assert conf.broker_use_ssl["ssl_ca_certs"] == str(tls.ca)
        assert conf.broker_use_ssl["ssl_cert_reqs"] == ssl.CERT_REQUIRED
        options = conf.broker_transport_options
        assert options["master_name"] == "alerts-main"
        assert options["visibility_timeout"] == 900  # the app's own options are kept
        assert options["socket_timeout"] == 10.0

    def test_rediss_broker_verifies_the_server(self, tls: TlsMaterial, celery_app: Any) -> None:
        """Without broker_use_ssl kombu takes rediss:// as `ssl_cert_reqs=CERT_NONE` (with a
        warning): TLS that accepts any certificate."""
        from workers.app import configure

        url = "rediss://:pw@cache:6380/0"
        conf = configure(settings(redis_url=url, redis_ca_file=str(tls.ca)), redis_url=url).conf
        assert conf.broker_use_ssl == {
            "ssl_cert_reqs": ssl.CERT_REQUIRED,
            "ssl_ca_certs": str(tls.ca),
        }

    def test_url_may_lower_the_check_for_both(self, celery_app: Any) -> None:
        """`?ssl_cert_reqs=none` (a test set-up) means the same to redis-py and kombu."""
        from workers.app import configure

        url = "rediss://cache:6380/0?ssl_cert_reqs=none"
        conf = configure(settings(redis_url=url), redis_url=url).conf
        assert conf.broker_use_ssl == {"ssl_cert_reqs": ssl.CERT_NONE}

    def test_worker_reconnects_promptly_and_forever(self, celery_app: Any) -> None:
        from workers.app import configure

        conf = configure(
            settings(redis_url="redis://cache:6379/0"), redis_url="redis://cache:6379/0"
        ).conf
        assert conf.worker_consumer == "workers.app:PromptReconnectConsumer"
        assert conf.broker_connection_max_retries is None

    def test_reconnect_waits_are_short(
        self, celery_app: Any, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Celery's own waits grow 2, 4, 6 ... 30 s between attempts to reach the broker."""
        from workers.app import PromptReconnectConsumer, configure

        configure(settings(redis_url="redis://cache:6379/0"), redis_url="redis://cache:6379/0")
        seen: dict[str, Any] = {}

        def record(self: kombu.Connection, *args: Any, **kwargs: Any) -> None:
            seen.update(kwargs)

        monkeypatch.setattr(kombu.Connection, "_ensure_connection", record)
        consumer = PromptReconnectConsumer.__new__(PromptReconnectConsumer)
        consumer.app = celery_app
        consumer.first_connection_attempt = False
        consumer.broker_connection_retry_attempt = 0
        consumer.ensure_connected(kombu.Connection("redis://127.0.0.1:1/0"))
        assert seen["interval_max"] <= 2
        assert seen["interval_start"] <= 0.5


class TestFailoverAwareConnection:
    def connection(self, address: tuple[str, int] = ("127.0.0.2", 2)) -> FailoverAwareConnection:
        class Proxy:
            check_connection = False
            is_master = True

            def get_master_address(self) -> tuple[str, int]:
                return address

        # its last address: nothing listens there, so a direct reconnection fails at once
        return FailoverAwareConnection(connection_pool=Proxy(), host="127.0.0.1", port=1)

    def test_noreplicas_drops_the_connection_as_a_connection_error(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Celery took it for a server error and the worker stopped ("Unrecoverable error")."""
        conn = self.connection()
        dropped: list[bool] = []

        def refuse(self: Any, *args: Any, **kwargs: Any) -> Any:
            raise redis.ResponseError("NOREPLICAS Not enough good replicas to write.")

        monkeypatch.setattr(SentinelManagedConnection, "read_response", refuse)
        monkeypatch.setattr(conn, "disconnect", lambda *a, **k: dropped.append(True))
        with pytest.raises(redis.ConnectionError, match="NOREPLICAS"):
            conn.read_response()
        assert dropped == [True]

    def test_other_errors_pass_through(self, monkeypatch: pytest.MonkeyPatch) -> None:
        conn = self.connection()

        def wrong_type(self: Any, *args: Any, **kwargs: Any) -> Any:
            raise redis.ResponseError("WRONGTYPE Operation against a key")

        monkeypatch.setattr(SentinelManagedConnection, "read_response", wrong_type)
        with pytest.raises(redis.ResponseError, match="WRONGTYPE"):
            conn.read_response()

    def test_a_dropped_connection_used_again_asks_the_sentinels(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """redis-py reconnected it to its old address: after a failover, the old primary."""
        conn = self.connection(address=("127.0.0.2", 2))
        tried: list[tuple[str, int]] = []

        def connect_to(self: Any, address: tuple[str, int]) -> None:
            tried.append(address)
            raise redis.ConnectionError("unreachable in a unit test")

        monkeypatch.setattr(SentinelManagedConnection, "connect_to", connect_to)
        with pytest.raises(redis.ConnectionError):
            conn.send_command("UNWATCH")
        assert tried == [("127.0.0.2", 2)]


class TestRedaction:
    def test_sentinel_url_keeps_hosts_database_and_primary(self) -> None:
        assert mask_url(SENTINEL_URL) == (
            "sentinel://***@s1.internal:26379,s2.internal,[::1]:26381/2?master=alerts-main"
        )

    def test_kombu_spelling_is_masked_part_by_part(self) -> None:
        broker = broker_connection(_sentinel_settings())
        text = f"Cannot connect to {broker.url}: Connection refused."
        redacted = redact_text(text, secret_values(_sentinel_settings()))
        assert "canary" not in redacted
        assert "sentinel://***@s2.internal:26379/2" in redacted

    def test_unknown_query_is_masked(self) -> None:
        assert mask_url("sentinels://h1/0?master=m&token=canary") == "sentinels://h1/0?master=m&***"

    def test_secret_values_hold_every_spelling_of_the_passwords(self) -> None:
        values = secret_values(_sentinel_settings())
        assert {PASSWORD, ENCODED, SENTINEL_PASSWORD} <= set(values)
