"""The Sentinel test cluster survives a port taken before its server binds it.

`free_port` finds a port free and closes it; another test's client can take it before
redis-server binds it, and that server exits at once ("Address already in use"). A CI run once
failed so, waiting for the replicas to sync. Here a real listening socket holds the port the
first replica is given: the cluster starts again on new ports, in a directory of its own.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

import tests.support.sentinel as sentinel
from tests.faults.peers import free_port


@pytest.fixture
def taken_port() -> Iterator[int]:
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        held.listen()
        yield int(held.getsockname()[1])


def test_a_server_whose_port_is_taken_starts_again_elsewhere(
    tmp_path: Path, taken_port: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    ports = iter([free_port(), taken_port])  # the primary's, then the first replica's
    monkeypatch.setattr(sentinel, "free_port", lambda: next(ports, None) or free_port())
    with sentinel.SentinelCluster(tmp_path, replicas=2, sentinels=3) as cluster:
        primary = cluster.primary_port()
        with cluster.data_client(primary) as client:
            assert client.info("replication")["connected_slaves"] == 2
        assert taken_port not in [s.port for s in cluster.servers]
        assert cluster.base == tmp_path / "try2"
    log = (tmp_path / "replica0" / "server.log").read_text(errors="replace")
    assert "Address already in use" in log
