"""Per-process Runtime: built on first use in each pool child (never shared across fork), and
once however many of a threaded worker's threads ask at once."""

from __future__ import annotations

import os
import threading

from alerts.bootstrap import Runtime, build_runtime
from alerts.config import load_settings

_runtime: Runtime | None = None
_pid: int | None = None
_building = threading.Lock()


def runtime() -> Runtime:
    global _runtime, _pid  # noqa: PLW0603 - one Runtime per process is the point
    if _runtime is None or _pid != os.getpid():
        with _building:
            if _runtime is None or _pid != os.getpid():
                _runtime = build_runtime(load_settings())
                _pid = os.getpid()
    return _runtime
