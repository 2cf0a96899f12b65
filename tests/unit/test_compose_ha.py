"""docker-compose.ha.yml, the no-single-point-of-failure layout, says what docs/ha.md says.

There is no Docker engine here: the file is validated against the Compose Specification's
schema, merged with docker-compose.yml the way `docker compose -f A -f B` merges (enough of
it for these checks), and the shell its Redis containers run is executed with stand-ins for
redis-cli and the servers, to show which role each data node takes and what config a
sentinel writes.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from alerts.redisconn import is_sentinel_url, parse_sentinel_url

ROOT = Path(__file__).resolve().parents[2]
BASE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
HA = yaml.safe_load((ROOT / "docker-compose.ha.yml").read_text())
APP_SERVICES = {"worker", "deliverer", "beat", "beat-2", "web"}


def merged() -> dict[str, dict[str, Any]]:
    """The services of `-f docker-compose.yml -f docker-compose.ha.yml`: mappings merge key
    by key, `command` and other scalars or lists are replaced, volumes and env files add up."""
    services = {name: dict(spec) for name, spec in BASE["services"].items()}
    for name, override in HA["services"].items():
        spec = services.setdefault(name, {})
        for key, value in override.items():
            if isinstance(value, dict) and isinstance(spec.get(key), dict):
                spec[key] = {**spec[key], **value}
            elif key == "volumes" and key in spec:
                spec[key] = [*spec[key], *value]
            else:
                spec[key] = value
    return services


SERVICES = merged()


def compose_shell(anchor: str) -> str:
    """The script an `sh -c` service runs, after Compose's `$$` -> `$` interpolation."""
    command = HA[anchor]["command"]
    assert command[:2] == ["sh", "-c"]
    return str(command[2]).replace("$$", "$")


def test_valid_against_the_compose_specification() -> None:
    checker = Path(sys.executable).with_name("check-jsonschema")
    proc = subprocess.run(
        [str(checker), "--builtin-schema", "vendor.compose-spec", "docker-compose.ha.yml"],
        cwd=ROOT, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_the_layout_two_beats_scaled_workers_three_sentinels_and_replicas() -> None:
    beats = [n for n, s in SERVICES.items() if s.get("command") == ["beat"]]
    assert len(beats) >= 2
    assert SERVICES["worker"]["deploy"]["replicas"] >= 2
    assert SERVICES["deliverer"]["deploy"]["replicas"] >= 2
    sentinels = [n for n, s in SERVICES.items() if "redis-sentinel" in str(s.get("command"))]
    assert len(sentinels) == 3
    data_nodes = [n for n, s in SERVICES.items() if "redis-server" in str(s.get("command"))]
    assert len(data_nodes) >= 2  # a primary and at least one replica
    assert "web" in SERVICES


def test_every_service_is_healthchecked_restarted_and_defined() -> None:
    declared_volumes = set(BASE.get("volumes") or {}) | set(HA.get("volumes") or {})
    for name, service in SERVICES.items():
        assert "healthcheck" in service, name
        assert service.get("restart") == "unless-stopped", name
        assert service.get("image"), name
        for dependency in service.get("depends_on", {}):
            assert dependency in SERVICES, (name, dependency)
        for volume in service.get("volumes", []):
            source = volume.split(":", 1)[0]
            assert source.startswith((".", "/")) or source in declared_volumes, (name, source)


def test_every_app_process_finds_redis_through_the_sentinels() -> None:
    """The URL parses (alerts.redisconn), names the three sentinel services on their port and
    the primary the sentinels monitor; every app service waits for the sentinels."""
    monitor = next(
        line.split() for line in compose_shell("x-sentinel").splitlines()
        if line.startswith("sentinel monitor ")
    )  # fmt: skip
    _, _, master, first_primary, port, quorum = monitor
    sentinels = {n for n, s in SERVICES.items() if "redis-sentinel" in str(s.get("command"))}
    for name in APP_SERVICES:
        url = SERVICES[name]["environment"]["ALERTS_REDIS_URL"]
        assert is_sentinel_url(url)
        address = parse_sentinel_url(url)
        assert {host for host, _ in address.sentinels} == sentinels
        assert {p for _, p in address.sentinels} == {26379}
        assert address.master == master
        for sentinel in sentinels:
            assert SERVICES[name]["depends_on"][sentinel]["condition"] == "service_healthy"
    assert first_primary in SERVICES
    assert (port, int(quorum)) == ("6379", len(sentinels) // 2 + 1)


def test_each_sentinel_keeps_its_own_state() -> None:
    """A sentinel rewrites its config as failovers happen: one volume each, never shared."""
    sentinels = [s for s in SERVICES.values() if "redis-sentinel" in str(s.get("command"))]
    mounts = [v for s in sentinels for v in s["volumes"]]
    assert len(mounts) == len(set(mounts)) == len(sentinels)
    names = {s["environment"]["SENTINEL_NAME"] for s in sentinels}
    assert names == {n for n, s in SERVICES.items() if s in sentinels}


def _stub(directory: Path, name: str, body: str) -> None:
    path = directory / name
    path.write_text("#!/bin/sh\n" + body)
    path.chmod(path.stat().st_mode | stat.S_IEXEC)


def _node_role(tmp_path: Path, node: str, sentinels_say: str) -> str:
    """Run a data node's start script with redis-cli answering `sentinels_say` (empty: no
    sentinel answers) and the entrypoint printing its arguments; what it would start."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    answer = f'echo "{sentinels_say}"' if sentinels_say else "exit 1"
    _stub(bin_dir, "redis-cli", answer + "\n")
    _stub(bin_dir, "docker-entrypoint.sh", 'echo "ARGS $*"\n')
    env = {"PATH": f"{bin_dir}:{os.environ['PATH']}", "NODE_NAME": node,
           "REDIS_MAXMEMORY": "256mb"}  # fmt: skip
    out = subprocess.run(["sh", "-c", compose_shell("x-redis-node")], env=env,
                         capture_output=True, text=True, timeout=10, check=True).stdout  # fmt: skip
    return next(line for line in out.splitlines() if line.startswith("ARGS "))


@pytest.mark.parametrize(
    ("node", "sentinels_say", "replica_of"),
    [
        ("redis", "", None),  # the very first start: redis is the primary
        ("redis-replica-1", "", "redis"),
        ("redis", "redis", None),
        ("redis-replica-2", "redis", "redis"),
        # after a failover to replica-1: the old primary comes back as its replica
        ("redis", "redis-replica-1", "redis-replica-1"),
        ("redis-replica-1", "redis-replica-1", None),
    ],
)
def test_a_data_node_starts_in_the_role_the_sentinels_give_it(
    tmp_path: Path, node: str, sentinels_say: str, replica_of: str | None
) -> None:
    args = _node_role(tmp_path, node, sentinels_say)
    assert f"--replica-announce-ip {node}" in args
    assert "--min-replicas-to-write 1" in args
    if replica_of is None:
        assert "--replicaof" not in args
    else:
        assert f"--replicaof {replica_of} 6379" in args


def test_a_sentinel_writes_its_config_once(tmp_path: Path) -> None:
    """First start: a config naming itself and monitoring the first primary by host name.
    A restart keeps the config Sentinel rewrote (its knowledge of failovers)."""
    bin_dir, data = tmp_path / "bin", tmp_path / "data"
    bin_dir.mkdir()
    data.mkdir()
    _stub(bin_dir, "redis-sentinel", 'cat "$1"\n')
    script = compose_shell("x-sentinel").replace("/data", str(data))
    env = {"PATH": f"{bin_dir}:{os.environ['PATH']}", "SENTINEL_NAME": "sentinel-2"}

    def start() -> str:
        return subprocess.run(["sh", "-c", script], env=env, capture_output=True, text=True,
                              timeout=10, check=True).stdout  # fmt: skip

    config = start()
    assert "sentinel announce-ip sentinel-2" in config
    assert "sentinel resolve-hostnames yes" in config.splitlines()
    lines = config.splitlines()
    assert lines.index("sentinel resolve-hostnames yes") < next(
        i for i, line in enumerate(lines) if line.startswith("sentinel monitor")
    )  # a host name in `monitor` needs resolve-hostnames first
    (data / "sentinel.conf").write_text("# rewritten by sentinel after a failover\n")
    assert start() == "# rewritten by sentinel after a failover\n"
