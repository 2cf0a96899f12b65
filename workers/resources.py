"""Per-process Runtime: built on first use in each pool child (never shared across fork)."""

from __future__ import annotations

import os

from alerts.bootstrap import Runtime, build_runtime
from alerts.config import load_settings

_runtime: Runtime | None = None
_pid: int | None = None


def runtime() -> Runtime:
    global _runtime, _pid  # noqa: PLW0603 - one Runtime per process is the point
    if _runtime is None or _pid != os.getpid():
        _runtime = build_runtime(load_settings())
        _pid = os.getpid()
    return _runtime
