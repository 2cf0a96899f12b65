"""Start and stop the real `alerts` processes for end-to-end tests, logging to files."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

SECRET_MARKER = "canary"  # every secret the tests configure contains it
LEAKED: list[str] = []  # log files in which a secret was found (conftest fails the session)


class AlertsProcess:
    """`python -m workers <args>` with its own env, stdout+stderr captured to a log file."""

    def __init__(self, args: list[str], *, env: Mapping[str, str], cwd: Path, log: Path) -> None:
        self.args, self.log = args, log
        full_env = {k: v for k, v in os.environ.items() if not k.startswith("ALERTS_")}
        full_env.update(env)
        self._log_file = log.open("ab")
        self.proc = subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "workers", *args],
            env=full_env,
            cwd=cwd,
            stdout=self._log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def stop(self, sig: int = signal.SIGTERM, timeout_s: float = 30.0) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout_s)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(10)
        if not self._log_file.closed:
            self._log_file.close()
            if SECRET_MARKER in self.text().lower():
                LEAKED.append(str(self.log))
        return self.proc.returncode

    def kill_group(self) -> None:
        """Last-resort clean-up: kill the process and any pool children it left."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)

    def text(self) -> str:
        return self.log.read_text(errors="replace")

    def events(self) -> list[dict[str, Any]]:
        """The JSON log lines this process wrote."""
        out = []
        for line in self.text().splitlines():
            if line.startswith("{"):
                try:
                    out.append(json.loads(line))
                except json.JSONDecodeError:
                    continue
        return out


def alive(pid: int) -> bool:
    """The process exists and is not a zombie waiting to be reaped."""
    try:
        os.kill(pid, 0)
        status = Path(f"/proc/{pid}/status").read_bytes()
    except (ProcessLookupError, FileNotFoundError):
        return False
    return b"zombie" not in status.lower()


def child_pids(pid: int) -> list[int]:
    """The direct children of `pid` (Linux /proc)."""
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        with contextlib.suppress(OSError):
            found += [int(c) for c in (task / "children").read_text().split()]
    return found


def descendant_pids(pid: int) -> list[int]:
    """Every process under `pid`: its children, theirs, and so on."""
    found, todo = [], child_pids(pid)
    while todo:
        child = todo.pop()
        found.append(child)
        todo += child_pids(child)
    return found


def wait_until(
    condition: Callable[[], bool], *, timeout_s: float, what: str, interval_s: float = 0.1
) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(interval_s)
    raise TimeoutError(f"timed out after {timeout_s}s waiting for {what}")
