"""`alerts web` as a real process: serves the API over the configured Redis, and its replay
button puts a real Celery message for `alerts.deliver` on the deliver queue."""

from __future__ import annotations

import base64
import json
import signal
import socket
from pathlib import Path

import httpx
import pytest
import redis

from alerts.embedded import EmbeddedRedis
from alerts.notify.deadletter import DeadLetter, DeadLetters
from tests.support.processes import AlertsProcess, wait_until

pytestmark = pytest.mark.integration

TOKEN = "command-token"  # noqa: S105


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM])
def test_alerts_web_serves_and_replays_through_celery(
    redis_server: EmbeddedRedis, redis_client: redis.Redis, tmp_path: Path, stop: signal.Signals
) -> None:
    DeadLetters(redis_client).push(
        DeadLetter(
            "kp-1:1", "webhook-x", "HTTP 500", "server_error", 9, "2026-11-25T00:00:00+00:00"
        )
    )
    port = free_port()
    env = {
        "ALERTS_REDIS_URL": redis_server.url,
        "ALERTS_SOURCES": '["https://a.example/rss"]',
        "ALERTS_WEBHOOK_URLS": '["https://hooks.example/canary-web-command"]',
        "ALERTS_WEB_TOKEN": TOKEN,
        "ALERTS_LOG_FORMAT": "json",
    }
    proc = AlertsProcess(
        ["web", "--port", str(port)], env=env, cwd=tmp_path, log=tmp_path / "web.log"
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until(lambda: _up(base), timeout_s=20, what="alerts web to answer /healthz")
        auth = {"Authorization": f"Bearer {TOKEN}"}
        assert httpx.get(f"{base}/api/dlq").status_code == 401
        sources = httpx.get(f"{base}/api/sources", headers=auth).json()
        assert [s["host"] for s in sources] == ["a.example"]
        replayed = httpx.post(f"{base}/api/dlq/1/replay", headers=auth)
        assert replayed.status_code == 202, replayed.text
        assert DeadLetters(redis_client).count() == 0
        (raw,) = redis_client.lrange("deliver", 0, -1)
        message = json.loads(raw)
        assert message["headers"]["task"] == "alerts.deliver"
        args, _kwargs, _embed = json.loads(base64.b64decode(message["body"]))
        assert args == ["kp-1:1", "webhook-x"]
    finally:
        code = proc.stop(stop)
    assert code == 0, proc.text()


def _up(base: str) -> bool:
    try:
        return httpx.get(f"{base}/healthz", timeout=1).status_code == 200
    except httpx.TransportError:
        return False
