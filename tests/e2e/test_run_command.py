"""`alerts run`: the one-command mode with an embedded Redis, as the README starts it."""

from __future__ import annotations

import json
import signal
import socket
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path

import redis

from tests.integration.feed_server import FeedServer
from tests.integration.receivers import WebhookReceiver
from tests.support.feeds import Entry, rss
from tests.support.processes import AlertsProcess, alive, wait_until


def test_run_embeds_redis_alerts_and_stops_cleanly_on_ctrl_c(tmp_path: Path) -> None:
    """With no ALERTS_REDIS_URL, `alerts run` starts Redis itself, alerts, and Ctrl-C stops all."""
    data_dir = tmp_path / "data"
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        web_port = probe.getsockname()[1]
    with FeedServer() as feeds, WebhookReceiver() as slack:
        feeds.add("/wire.rss", rss([]), etag=True)
        env = {
            "ALERTS_DATA_DIR": str(data_dir),
            "ALERTS_SOURCES": json.dumps(
                [{"name": "wire", "url": feeds.url("/wire.rss"), "interval_seconds": 1}]
            ),
            "ALERTS_SLACK_WEBHOOK_URLS": json.dumps([slack.url("/services/T1/B1/canary-run")]),
            "ALERTS_LOG_FORMAT": "json",
            "ALERTS_WEB_PORT": str(web_port),
            "ALERTS_REDIS_MAXMEMORY": "64mb",
        }
        run = AlertsProcess(["run"], env=env, cwd=tmp_path, log=tmp_path / "run.log")
        try:
            wait_until(
                lambda: len(feeds.requests_to("/wire.rss")) >= 2,
                timeout_s=60,
                what="the first polls",
            )
            [started] = [e for e in run.events() if e.get("event") == "redis.embedded.started"]
            redis_pid = int(started["pid"])
            assert alive(redis_pid)
            assert (data_dir / "appendonly.aof").exists() or (data_dir / "appendonlydir").exists()
            embedded = redis.Redis(unix_socket_path=str(data_dir / "redis.sock"))
            assert embedded.config_get("maxmemory") == {"maxmemory": str(64 * 1024 * 1024)}
            assert embedded.config_get("maxmemory-policy") == {"maxmemory-policy": "noeviction"}
            embedded.close()

            published = datetime.now(UTC) - timedelta(minutes=1)
            feeds.set(
                "/wire.rss",
                rss(
                    [
                        Entry(
                            "kp-1",
                            "North Korea launches ICBM, Japan's defense ministry says",
                            "https://wire.example/kp-icbm",
                            published,
                        )
                    ]
                ),
                etag=True,
            )
            [message] = slack.wait_for(1, timeout=45)
            assert "https://wire.example/kp-icbm" in json.dumps(message.json)
            # the web service came up with it and shows the launch
            with urllib.request.urlopen(f"http://127.0.0.1:{web_port}/api/events", timeout=10) as r:
                events = json.load(r)
            assert "https://wire.example/kp-icbm" in json.dumps(events)

            code = run.stop(signal.SIGINT, timeout_s=30)
            assert code == 0, run.text()[-3000:]
            wait_until(lambda: not alive(redis_pid), timeout_s=10, what="embedded Redis to stop")
            assert not (data_dir / "redis.pid").exists()
            assert "canary" not in run.text()
        finally:
            run.stop(signal.SIGKILL)
            run.kill_group()
