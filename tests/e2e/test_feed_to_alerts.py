"""Feed → Slack and email, through real `alerts worker` and `alerts beat` processes on real Redis.

Feeds are real RSS and Atom documents served from 127.0.0.1; Slack is a local webhook receiver;
email goes to an aiosmtpd server. Everything a user would notice is asserted: exactly one Slack
message and one email per launch, none for a drill, none re-sent after a worker restart, and no
secret in any log line.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from alerts.embedded import EmbeddedRedis, start_embedded
from tests.integration.feed_server import FeedServer
from tests.integration.receivers import SmtpReceiver, WebhookReceiver
from tests.support.feeds import Entry, atom, rss
from tests.support.processes import AlertsProcess, wait_until

SLACK_PATH = "/services/T0E2E/B0E2E/canarySlackSecretToken"
SMTP_PASSWORD = "canary-smtp-password-never-logged"
DELIVERY_TIMEOUT_S = 45


def now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


@dataclass
class Stack:
    feeds: FeedServer
    slack: WebhookReceiver
    smtp: SmtpReceiver
    redis: EmbeddedRedis
    env: dict[str, str]
    tmp: Path
    processes: list[AlertsProcess]

    def start(self, *args: str) -> AlertsProcess:
        name = "-".join(args)
        proc = AlertsProcess(
            list(args),
            env=self.env,
            cwd=self.tmp,
            log=self.tmp / f"{name}-{len(self.processes)}.log",
        )
        self.processes.append(proc)
        return proc

    def polls_of(self, path: str) -> int:
        return len(self.feeds.requests_to(path))

    def wait_polls(self, path: str, more: int) -> None:
        """Let the workers poll `path` `more` more times (so 'nothing arrived' means something)."""
        target = self.polls_of(path) + more
        wait_until(
            lambda: self.polls_of(path) >= target, timeout_s=30, what=f"{more} more polls of {path}"
        )

    def logs(self) -> str:
        return "\n".join(p.text() for p in self.processes)

    def events(self, name: str) -> list[dict]:
        return [e for p in self.processes for e in p.events() if e.get("event") == name]


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[Stack]:
    redis = start_embedded(tmp_path / "redis", appendonly=True)
    old = now() - timedelta(days=2)
    with (
        FeedServer() as feeds,
        WebhookReceiver() as slack,
        SmtpReceiver(username="alerts", password=SMTP_PASSWORD) as smtp,
    ):
        feeds.add(
            "/wire.rss",
            rss(
                [
                    Entry(
                        "wire-old-1",
                        "North Korea fires ballistic missile, Japan says",
                        "https://wire.example/old-1",
                        old,
                    )
                ]
            ),
            etag=True,
        )
        feeds.add(
            "/ja.atom",
            atom(
                [Entry("nhk-weather-1", "関東で大雪の恐れ", "https://nhk.example/weather-1", old)]
            ),
            content_type="application/atom+xml",
            last_modified=True,
        )
        env = {
            "ALERTS_REDIS_URL": redis.url,
            "ALERTS_DATA_DIR": str(tmp_path / "data"),
            "ALERTS_SOURCES": json.dumps(
                [
                    {"name": "wire-rss", "url": feeds.url("/wire.rss"), "interval_seconds": 1},
                    {"name": "nhk-atom", "url": feeds.url("/ja.atom"), "interval_seconds": 1},
                ]
            ),
            "ALERTS_SLACK_WEBHOOK_URLS": json.dumps([slack.url(SLACK_PATH)]),
            "ALERTS_SMTP_HOST": "127.0.0.1",
            "ALERTS_SMTP_PORT": str(smtp.port),
            "ALERTS_SMTP_USERNAME": "alerts",
            "ALERTS_SMTP_PASSWORD": SMTP_PASSWORD,
            "ALERTS_SMTP_STARTTLS": "false",
            "ALERTS_EMAIL_FROM": "alerts@example.org",
            "ALERTS_EMAIL_TO": "desk@example.org",
            "ALERTS_LOG_FORMAT": "json",
            "ALERTS_LOG_LEVEL": "INFO",
        }
        s = Stack(feeds, slack, smtp, redis, env, tmp_path, [])
        try:
            yield s
        finally:
            for proc in s.processes:
                proc.stop()
                proc.kill_group()
            redis.stop()


def test_launch_report_becomes_one_slack_message_and_one_email(stack: Stack) -> None:
    """One launch, reported by two outlets in two languages, alerts once per destination."""
    worker = stack.start("worker")
    stack.start("beat")
    stack.wait_polls("/wire.rss", 2)
    stack.wait_polls("/ja.atom", 2)
    assert stack.slack.requests == []  # two-day-old launch news is remembered, never alerted

    launch_at = now() - timedelta(minutes=2)
    flash = Entry(
        "wire-kp-1",
        "North Korea fires ballistic missile into East Sea, JCS says",
        "https://wire.example/kp-launch-1",
        launch_at,
        # the day in Seoul, as wire copy dates it: a weekday days back would be old news
        "North Korea fired a ballistic missile toward the East Sea on "
        f"{launch_at.astimezone(ZoneInfo('Asia/Seoul')):%A}, "
        "South Korea's Joint Chiefs of Staff said.",
    )
    stack.feeds.set("/wire.rss", rss([flash]), etag=True)

    [slack_message] = stack.slack.wait_for(1, timeout=DELIVERY_TIMEOUT_S)
    [email] = stack.smtp.wait_for(1, timeout=DELIVERY_TIMEOUT_S)
    slack_text = json.dumps(slack_message.json, ensure_ascii=False)
    assert flash.title in slack_text
    assert flash.link in slack_text
    assert (
        flash.title in str(email["Subject"])
        or flash.title in email.get_body(("plain",)).get_content()
    )
    assert flash.link in email.get_body(("plain",)).get_content()
    assert flash.link in email.get_body(("html",)).get_content()

    # The same launch from another outlet, in Japanese, in the Atom feed: it adds no fact
    # (same authority, no new class), so it joins the event and alerts no one.
    follow_up = Entry(
        "nhk-kp-1",
        "北朝鮮が弾道ミサイル発射 韓国軍",
        "https://nhk.example/kp-launch-1",
        launch_at + timedelta(minutes=1),
        "韓国軍の合同参謀本部によりますと、北朝鮮が弾道ミサイルを発射しました。",
    )
    stack.feeds.set(
        "/ja.atom",
        atom([follow_up]),
        content_type="application/atom+xml",
        last_modified=datetime.now(UTC).strftime("%a, %d %b %Y %H:%M:%S GMT"),
    )
    wait_until(
        lambda: any(e.get("item") == "nhk-kp-1" for e in stack.events("detect.launch")),
        timeout_s=30,
        what="the Japanese report to be detected",
    )
    [joined] = [e for e in stack.events("detect.launch") if e.get("item") == "nhk-kp-1"]
    assert joined["outcome"] in {"join", "duplicate"}

    # A missile-defence drill story is not a launch.
    drill = Entry(
        "wire-drill-1",
        "South Korea, US and Japan hold joint ballistic missile defence drill",
        "https://wire.example/drill-1",
        now(),
        "The three countries staged a missile-defence exercise to track a simulated "
        "ballistic missile, the defence ministry said.",
    )
    stack.feeds.set("/wire.rss", rss([flash, drill]), etag=True)
    stack.wait_polls("/wire.rss", 3)

    # Restart the worker: nothing is re-sent.
    assert worker.stop() == 0
    stack.start("worker")
    stack.wait_polls("/wire.rss", 3)
    stack.wait_polls("/ja.atom", 3)
    time.sleep(1.0)  # let any (wrongly) enqueued delivery land
    assert len(stack.slack.requests) == 1
    assert len(stack.smtp.messages) == 1

    metrics = subprocess.run(
        [sys.executable, "-m", "workers", "metrics"],
        capture_output=True,
        text=True,
        env={**{k: v for k, v in os.environ.items() if not k.startswith("ALERTS_")}, **stack.env},
        cwd=stack.tmp,
        timeout=60,
        check=True,
    ).stdout
    assert 'alerts_deliveries_total{channel="slack",outcome="sent"} 1.0' in metrics
    assert 'alerts_deliveries_total{channel="email",outcome="sent"} 1.0' in metrics
    assert "alerts_publish_to_deliver_seconds_count 2.0" in metrics
    assert 'alerts_alerts_total{kind="new"} 1.0' in metrics

    logs = stack.logs()
    assert "canary" not in logs.lower()
    assert SMTP_PASSWORD not in logs
    assert stack.events("delivery.sent")


def test_new_facts_arrive_as_one_threaded_update(stack: Stack) -> None:
    """A later report adding the class and Japan's confirmation sends one update, revision 2."""
    stack.env["ALERTS_MIN_UPDATE_GAP_SECONDS"] = "0"
    stack.start("worker")
    stack.start("beat")
    stack.wait_polls("/wire.rss", 2)
    launch_at = now() - timedelta(minutes=3)
    flash = Entry(
        "wire-kp-2",
        "North Korea fires ballistic missile, JCS says",
        "https://wire.example/kp-2",
        launch_at,
    )
    stack.feeds.set("/wire.rss", rss([flash]), etag=True)
    [first] = stack.slack.wait_for(1, timeout=DELIVERY_TIMEOUT_S)
    stack.smtp.wait_for(1, timeout=DELIVERY_TIMEOUT_S)

    detail = Entry(
        "nhk-kp-2",
        "北朝鮮 短距離弾道ミサイル2発を発射 EEZ外に落下 防衛省",
        "https://nhk.example/kp-2",
        launch_at + timedelta(minutes=2),
        "防衛省によりますと、北朝鮮は短距離弾道ミサイル2発を発射し、"
        "いずれも日本のEEZ＝排他的経済水域の外側に落下したと推定されるということです。",
    )
    stack.feeds.set(
        "/ja.atom",
        atom([detail]),
        content_type="application/atom+xml",
        last_modified=datetime.now(UTC).strftime("%a, %d %b %Y %H:%M:%S GMT"),
    )
    first_msg, update = stack.slack.wait_for(2, timeout=DELIVERY_TIMEOUT_S)
    assert "Update" in json.dumps(update.json, ensure_ascii=False)
    emails = stack.smtp.wait_for(2, timeout=DELIVERY_TIMEOUT_S)
    assert emails[1]["In-Reply-To"] == emails[0]["Message-ID"]
    stack.wait_polls("/ja.atom", 3)
    time.sleep(1.0)
    assert len(stack.slack.requests) == 2
    assert first_msg is first


def test_each_subscriber_reads_the_launch_in_its_language(stack: Stack) -> None:
    """Issue 15: a Seoul desk (Korean, Seoul time) and a Tokyo desk (Japanese email, Tokyo
    time) get the same launch worded for them by the real worker; the default subscription
    stays English and UTC."""
    seoul_path = "/services/T0SEOUL/B0SEOUL/koreanDeskHookToken"
    stack.env["ALERTS_SUBSCRIPTIONS"] = json.dumps(
        [
            {"name": "seoul-desk", "language": "ko", "timezone": "Asia/Seoul",
             "destinations": [{"type": "slack", "url": stack.slack.url(seoul_path)}]},
            {"name": "tokyo-desk", "language": "ja", "timezone": "Asia/Tokyo",
             "destinations": [{"type": "email", "to": ["tokyo@example.org"]}]},
        ]
    )  # fmt: skip
    stack.start("worker")
    stack.start("beat")
    stack.wait_polls("/wire.rss", 2)
    flash = Entry(
        "wire-kp-lang-1",
        "North Korea fires ballistic missile into East Sea, JCS says",
        "https://wire.example/kp-lang-1",
        now() - timedelta(minutes=2),
        "North Korea fired a ballistic missile toward the East Sea, South Korea's Joint Chiefs "
        "of Staff said.",
    )
    stack.feeds.set("/wire.rss", rss([flash]), etag=True)

    messages = stack.slack.wait_for(2, timeout=DELIVERY_TIMEOUT_S)
    emails = stack.smtp.wait_for(2, timeout=DELIVERY_TIMEOUT_S)
    by_path = {m.path: json.dumps(m.json, ensure_ascii=False) for m in messages}
    korean = by_path[seoul_path]
    english = by_path[SLACK_PATH]
    assert "탄도미사일 발사" in korean
    assert "북한" in korean
    assert "KST" in korean
    assert "Ballistic missile launch" not in korean
    assert "Ballistic missile launch" in english
    assert "North Korea" in english
    assert flash.title in korean  # the report's own title is never translated
    by_to = {str(e["To"]): e for e in emails}
    tokyo = by_to["tokyo@example.org"]
    assert "弾道ミサイル発射" in str(tokyo["Subject"])
    assert "北朝鮮" in str(tokyo["Subject"])
    assert "JST" in tokyo.get_body(("plain",)).get_content()
    assert "Ballistic missile launch" in str(by_to["desk@example.org"]["Subject"])
