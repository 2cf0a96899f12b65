"""Hostile and broken sources beside a good one: each is marked unhealthy with its reason, and
none delays the good source's alert. Real worker and beat processes, real HTTP, real Redis."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from alerts.embedded import start_embedded
from tests.integration.feed_server import FeedServer, generated_feed, gzip_bomb
from tests.integration.receivers import WebhookReceiver
from tests.support.feeds import Entry, rss
from tests.support.processes import AlertsProcess, wait_until

FEEDS = Path(__file__).parents[1] / "data" / "feeds"

# name -> the reason `alerts sources` must show for it
BAD = {
    "trickle": "timeout",
    "slow-headers": "timeout",
    "huge": "too_large",
    "gzip-bomb": "too_large",
    "redirect-loop": "blocked",
    "private-redirect": "blocked",
    "html-page": "parse",
    "entity-bomb": "parse",
    "xxe": "parse",
    "server-error": "http_status",
}


def serve_bad_sources(srv: FeedServer) -> None:
    feed = rss([Entry("x", "Filler", "https://x.example/1", datetime.now(UTC))])
    srv.add("/trickle", feed * 50, trickle_s=0.2, chunk_size=64)
    srv.add("/slow-headers", feed, trickle_s=0.3, trickle_headers=True, chunk_size=4)
    srv.add("/huge", stream=generated_feed(50_000_000))
    srv.add("/gzip-bomb", gzip_bomb(300_000_000), headers={"Content-Encoding": "gzip"})
    srv.redirect("/redirect-loop", "/redirect-loop-2")
    srv.redirect("/redirect-loop-2", "/redirect-loop")
    srv.redirect("/private-redirect", "http://169.254.169.254/latest/meta-data/")
    srv.add("/html-page", (FEEDS / "html_page.html").read_bytes(), content_type="text/html")
    srv.add("/entity-bomb", (FEEDS / "billion_laughs.xml").read_bytes())
    srv.add("/xxe", (FEEDS / "xxe.xml").read_bytes())
    srv.add("/server-error", b"oops", status=500, content_type="text/plain")


def test_bad_sources_are_marked_and_never_delay_a_launch_alert(tmp_path: Path) -> None:
    """The launch on the good feed arrives within seconds while ten bad sources misbehave."""
    redis = start_embedded(tmp_path / "redis", appendonly=False)
    processes: list[AlertsProcess] = []
    with FeedServer() as srv, WebhookReceiver() as hooks:
        serve_bad_sources(srv)
        srv.add("/good", rss([]), etag=True)
        sources = [{"name": n, "url": srv.url(f"/{n}"), "interval_seconds": 2} for n in BAD]
        sources.append({"name": "good", "url": srv.url("/good"), "interval_seconds": 1})
        env = {
            "ALERTS_REDIS_URL": redis.url,
            "ALERTS_DATA_DIR": str(tmp_path / "data"),
            "ALERTS_SOURCES": json.dumps(sources),
            "ALERTS_WEBHOOK_URLS": json.dumps([hooks.url("/hook-canary-secret")]),
            "ALERTS_FETCH_TIMEOUT_SECONDS": "4",
            "ALERTS_PER_HOST_CONCURRENCY": "16",  # every source shares 127.0.0.1 here
            "ALERTS_LOG_FORMAT": "json",
        }
        try:
            for command in ("worker", "beat"):
                processes.append(
                    AlertsProcess([command], env=env, cwd=tmp_path, log=tmp_path / f"{command}.log")
                )
            # let every bad source misbehave at least once, all at the same time
            wait_until(
                lambda: all(srv.requests_to(f"/{n}") for n in BAD),
                timeout_s=30,
                what="a first poll of every bad source",
            )
            published = datetime.now(UTC) - timedelta(seconds=30)
            srv.set(
                "/good",
                rss(
                    [
                        Entry(
                            "kp-9",
                            "North Korea fires ballistic missile, JCS says",
                            "https://wire.example/kp-9",
                            published,
                        )
                    ]
                ),
                etag=True,
            )
            changed_at = time.monotonic()
            hooks.wait_for(1, timeout=20)
            delay_s = time.monotonic() - changed_at
            assert delay_s < 6, f"the good source's alert took {delay_s:.1f} s"

            wait_until(
                lambda: _all_marked(env, tmp_path),
                timeout_s=40,
                what="every bad source to be marked with its reason",
            )
            [good] = [line for line in _sources_table(env, tmp_path) if line.startswith("good ")]
            assert " healthy " in good
            for process in processes:
                assert process.proc.poll() is None, "a worker or beat died"
        finally:
            for process in processes:
                process.stop()
                process.kill_group()
            redis.stop()


def _sources_table(env: dict[str, str], cwd: Path) -> list[str]:
    proc = subprocess.run(
        [sys.executable, "-m", "workers", "sources"],
        env={**env},
        capture_output=True,
        text=True,
        timeout=60,
        cwd=cwd,
        check=True,
    )
    return proc.stdout.splitlines()


def _all_marked(env: dict[str, str], cwd: Path) -> bool:
    rows = {line.split()[0]: line for line in _sources_table(env, cwd)[1:]}
    return all(
        name in rows
        and ("degraded" in rows[name] or "unhealthy" in rows[name])
        and f"{reason}:" in rows[name]
        for name, reason in BAD.items()
    )
