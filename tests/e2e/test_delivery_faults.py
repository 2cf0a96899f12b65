"""A failing destination: retried with backoff, dead-lettered, listed, replayed, sent once.
And `alerts test-alert` reporting each destination's result. Real workers, Redis, receivers."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from alerts.embedded import start_embedded
from tests.integration.feed_server import FeedServer
from tests.integration.receivers import GarbledAuthSmtp, Reply, WebhookReceiver
from tests.support.feeds import Entry, rss
from tests.support.processes import AlertsProcess, wait_until

HOOK_PATH = "/hooks/canary-webhook-secret-path"
# One worker taking polls and sends (prefork), or a polling worker and a delivery worker
# (threads), as docker compose and `alerts run` run them: retries, dead letters and the order
# of revisions hold in both.
WORKERS = {
    "one-worker": [["worker"]],
    "apart": [["worker", "--queues", "poll"],
              ["worker", "--queues", "deliver", "--hostname", "deliver@%h"]],
}  # fmt: skip
LAYOUTS = pytest.mark.parametrize("layout", list(WORKERS))


def start_workers_and_beat(layout: str, env: dict[str, str], cwd: Path) -> list[AlertsProcess]:
    return [AlertsProcess(args, env=env, cwd=cwd, log=cwd / f"{n}-{args[0]}.log")
            for n, args in enumerate([*WORKERS[layout], ["beat"]])]  # fmt: skip


def alerts_cli(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "workers", *args], env=env, cwd=cwd,
                          capture_output=True, text=True, timeout=60, check=False)  # fmt: skip


@LAYOUTS
def test_dead_letter_then_replay_delivers_once(tmp_path: Path, layout: str) -> None:
    """After every retry fails the alert waits in the dead-letter list; replay sends it once."""
    redis = start_embedded(tmp_path / "redis", appendonly=False)
    processes: list[AlertsProcess] = []
    with FeedServer() as feeds, WebhookReceiver(default=Reply(500, body="down")) as hook:
        feeds.add("/wire.rss", rss([]), etag=True)
        env = {
            "ALERTS_REDIS_URL": redis.url,
            "ALERTS_DATA_DIR": str(tmp_path / "data"),
            "ALERTS_SOURCES": json.dumps(
                [{"name": "wire", "url": feeds.url("/wire.rss"), "interval_seconds": 1}]
            ),
            "ALERTS_WEBHOOK_URLS": json.dumps([hook.url(HOOK_PATH)]),
            "ALERTS_DELIVERY_MAX_RETRIES": "2",
            "ALERTS_LOG_FORMAT": "json",
        }
        full_env = {**{k: v for k, v in os.environ.items() if not k.startswith("ALERTS_")},
                    **env}  # fmt: skip
        try:
            processes += start_workers_and_beat(layout, env, tmp_path)
            wait_until(lambda: len(feeds.requests_to("/wire.rss")) >= 2, timeout_s=30,
                       what="first polls")  # fmt: skip
            feeds.set(
                "/wire.rss",
                rss(
                    [
                        Entry(
                            "ir-1",
                            "Iran fires ballistic missiles at Israel, IDF says",
                            "https://wire.example/ir-1",
                            datetime.now(UTC) - timedelta(minutes=1),
                        )
                    ]
                ),
                etag=True,
            )

            def dead_letters() -> list[dict]:
                out = alerts_cli("dlq", "list", env=full_env, cwd=tmp_path).stdout
                return [json.loads(line) for line in out.splitlines()]

            wait_until(lambda: len(dead_letters()) == 1, timeout_s=60, what="a dead letter")
            assert len(hook.requests) == 3  # first attempt + 2 retries
            [letter] = dead_letters()
            assert letter["attempts"] == 3
            assert letter["reason"] == "server_error"
            assert "canary" not in json.dumps(letter)

            hook.set_default(Reply(200))  # the destination recovers
            replayed = alerts_cli("dlq", "replay", "--all", env=full_env, cwd=tmp_path)
            assert replayed.returncode == 0, replayed.stderr
            wait_until(lambda: hook.requests[-1:] and _status_ok(hook), timeout_s=30,
                       what="the replayed delivery")  # fmt: skip
            assert dead_letters() == []
            ids = {r.headers["webhook-id"] for r in hook.requests}
            assert len(ids) == 1  # every attempt and the replay carry the same webhook-id
            # replaying again sends nothing twice: the ledger knows it was delivered
            assert alerts_cli("dlq", "replay", "--all", env=full_env, cwd=tmp_path).returncode == 1
            logs = "\n".join(p.text() for p in processes)
            assert "canary" not in logs
            assert '"destination.failing"' in logs
        finally:
            for process in processes:
                process.stop()
                process.kill_group()
            redis.stop()


@LAYOUTS
def test_an_unexpected_send_failure_is_retried_then_dead_lettered(
    tmp_path: Path, layout: str
) -> None:
    """An SMTP server whose AUTH challenge is garbled makes smtplib raise binascii.Error, an
    exception no channel expects: the worker retries it and then dead-letters it with the
    error (it used to fail the task, leaving the delivery neither retried nor listed)."""
    redis = start_embedded(tmp_path / "redis", appendonly=False)
    processes: list[AlertsProcess] = []
    with FeedServer() as feeds, GarbledAuthSmtp() as smtp:
        feeds.add("/wire.rss", rss([]), etag=True)
        env = {
            "ALERTS_REDIS_URL": redis.url,
            "ALERTS_DATA_DIR": str(tmp_path / "data"),
            "ALERTS_SOURCES": json.dumps(
                [{"name": "wire", "url": feeds.url("/wire.rss"), "interval_seconds": 1}]
            ),
            "ALERTS_SMTP_HOST": smtp.host,
            "ALERTS_SMTP_PORT": str(smtp.port),
            "ALERTS_SMTP_STARTTLS": "false",
            "ALERTS_SMTP_USERNAME": "bot",
            "ALERTS_SMTP_PASSWORD": "smtp-canary-password",
            "ALERTS_EMAIL_TO": "ops@example.com",
            "ALERTS_DELIVERY_MAX_RETRIES": "1",
            "ALERTS_LOG_FORMAT": "json",
        }
        full_env = {**{k: v for k, v in os.environ.items() if not k.startswith("ALERTS_")},
                    **env}  # fmt: skip
        try:
            processes += start_workers_and_beat(layout, env, tmp_path)
            wait_until(lambda: len(feeds.requests_to("/wire.rss")) >= 2, timeout_s=30,
                       what="first polls")  # fmt: skip
            launch = Entry(
                "kp-1",
                "North Korea fires ballistic missile, JCS says",
                "https://wire.example/kp-1",
                datetime.now(UTC) - timedelta(minutes=1),
            )
            feeds.set("/wire.rss", rss([launch]), etag=True)  # fmt: skip

            def dead_letters() -> list[dict]:
                out = alerts_cli("dlq", "list", env=full_env, cwd=tmp_path).stdout
                return [json.loads(line) for line in out.splitlines() if line.startswith("{")]

            wait_until(lambda: len(dead_letters()) == 1, timeout_s=60, what="a dead letter")
            [letter] = dead_letters()
            assert smtp.auth_attempts == 2  # first attempt + 1 retry
            assert letter["attempts"] == 2
            assert "unexpected binascii.Error" in letter["error"]
            assert "canary" not in json.dumps(letter)
            logs = "\n".join(p.text() for p in processes)
            assert '"delivery.unexpected_error"' in logs
            assert "raised unexpected" not in logs
        finally:
            for process in processes:
                process.stop()
                process.kill_group()
            redis.stop()


def _status_ok(hook: WebhookReceiver) -> bool:
    return len(hook.requests) >= 4


def test_test_alert_reports_each_destination(tmp_path: Path) -> None:
    """`alerts test-alert` sends a marked test alert everywhere and says which failed."""
    with WebhookReceiver() as ok, WebhookReceiver(default=Reply(403, body="forbidden")) as bad:
        env = {
            "PATH": "/usr/bin:/bin",
            "ALERTS_SLACK_WEBHOOK_URLS": json.dumps([ok.url("/services/T/B/canary-slack")]),
            "ALERTS_WEBHOOK_URLS": json.dumps([bad.url("/canary-hook")]),
        }
        proc = alerts_cli("test-alert", env=env, cwd=tmp_path)
        assert proc.returncode == 1
        rows = [json.loads(line) for line in proc.stdout.splitlines()]
        assert [(r["channel"], r["result"]) for r in rows] == [
            ("slack", "sent"),
            ("webhook", "failed"),
        ]
        assert rows[1]["reason"] == "auth_error"
        assert "TEST" in json.dumps(ok.requests[0].json)
        assert "canary" not in proc.stdout + proc.stderr


@LAYOUTS
def test_update_never_overtakes_a_failing_new(tmp_path: Path, layout: str) -> None:
    """The `new` alert fails twice while its update is ready: the update still arrives second."""
    redis = start_embedded(tmp_path / "redis", appendonly=False)
    processes: list[AlertsProcess] = []
    with FeedServer() as feeds, WebhookReceiver(Reply(500), Reply(503)) as hook:
        feeds.add("/wire.rss", rss([]), etag=True)
        env = {
            "ALERTS_REDIS_URL": redis.url,
            "ALERTS_DATA_DIR": str(tmp_path / "data"),
            "ALERTS_SOURCES": json.dumps(
                [{"name": "wire", "url": feeds.url("/wire.rss"), "interval_seconds": 1}]
            ),
            "ALERTS_WEBHOOK_URLS": json.dumps([hook.url("/hook-canary")]),
            "ALERTS_MIN_UPDATE_GAP_SECONDS": "0",
            "ALERTS_LOG_FORMAT": "json",
        }
        try:
            processes += start_workers_and_beat(layout, env, tmp_path)
            wait_until(lambda: len(feeds.requests_to("/wire.rss")) >= 2, timeout_s=30,
                       what="first polls")  # fmt: skip
            at = datetime.now(UTC) - timedelta(minutes=2)
            flash = Entry(
                "kp-1",
                "North Korea fires ballistic missile, JCS says",
                "https://wire.example/kp-1",
                at,
            )
            detail = Entry("kp-2", "North Korea fires two short-range ballistic missiles, "
                           "Japan's defense ministry says", "https://wire.example/kp-2",
                           at + timedelta(minutes=1))  # fmt: skip
            feeds.set("/wire.rss", rss([flash, detail]), etag=True)
            wait_until(lambda: any(r.json["revision"] == 2 for r in hook.requests),
                       timeout_s=60, what="the update")  # fmt: skip
            delivered = [(r.json["kind"], r.json["revision"]) for r in hook.requests]
            # 500 and 503 for the `new`, then the `new`, then the update: never the update first
            assert delivered == [("new", 1), ("new", 1), ("new", 1), ("update", 2)]
        finally:
            for process in processes:
                process.stop()
                process.kill_group()
            redis.stop()
