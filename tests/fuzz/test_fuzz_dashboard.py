"""Fuzz the dashboard: hostile feed reports stored through the pipeline, then GET / audited.

Reports go through `process_items` (with the token-driven `fake_classify`) into a real Redis,
and the app is served by a real uvicorn, as in tests/web. The page must hold only the tags the
template writes (so no `<script`, `<img`...), no `on*=` event-handler attribute, and no link
that is not http(s) or our own path, whatever the titles, URLs, sources and facts say.
Small budget: each input is a flush, a pipeline run and an HTTP request.
"""

from __future__ import annotations

import contextlib
import itertools
import re
import tempfile
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from importlib import resources
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from alerts.bootstrap import Runtime, build_runtime
from alerts.config import load_settings
from alerts.embedded import EmbeddedRedis, start_embedded
from alerts.models import Item
from alerts.pipeline import process_items
from alerts.web import create_app
from tests.fuzz.strategies import INJECTIONS, Property, fuzz_settings, hostile_url, small_text
from tests.support.fakes import fake_classify
from tests.web.server import http_client

pytestmark = pytest.mark.integration

TEMPLATE = resources.files("alerts.web").joinpath("templates/dashboard.html").read_text()
TEMPLATE_TAGS = frozenset(t.lower() for t in re.findall(r"<([A-Za-z][A-Za-z0-9]*)", TEMPLATE))

# fake_classify reads whitespace-separated tokens: `KP FIRES class=… by=…`; a hostile token
# holds no whitespace, and `count=` (parsed as an int by the fake) is avoided.
_no_space = st.sampled_from([t for t in INJECTIONS if t.strip() and not re.search(r"\s", t)])
hostile_token = st.lists(_no_space, min_size=1, max_size=4).map("".join)
reports = st.lists(
    st.fixed_dictionaries(
        {
            "country": st.sampled_from(["KP", "IR", "RU", "YE"]),
            "class": hostile_token,
            "by": hostile_token,
            "text": small_text.map(lambda t: t.replace("count=", "count:")),
            "url": hostile_url,
            "source": st.one_of(st.sampled_from(["feed-a"]), hostile_token),
        }
    ),
    min_size=1,
    max_size=3,
)


class _PageAudit(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in TEMPLATE_TAGS:
            self.problems.append(f"tag <{tag}> the template does not write")
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"event handler {name}= on <{tag}>")
            if name in {"href", "src", "action", "formaction"} and not re.match(
                r"(?i)(https?://|/(?!/)|#)", value or ""
            ):
                self.problems.append(f"{name}={value!r} on <{tag}>")


def check_dashboard(rt: Runtime, client: httpx.Client, batch: list[dict[str, str]]) -> None:
    rt.redis.flushall()
    now = datetime.now(UTC).replace(microsecond=0)
    items = [
        Item(
            f"i{n}",
            r["source"],
            f"{r['country']} FIRES class={r['class']} by={r['by']} {r['text']}",
            r["url"],
            published_at=now - timedelta(minutes=5 - n),
        )
        for n, r in enumerate(batch)
    ]
    tokens = (f"tok{n}" for n in itertools.count(1))
    process_items(
        items,
        events=rt.events,
        classify=fake_classify,
        policy=rt.policy,
        now=now,
        new_token=lambda: next(tokens),
    )
    page = client.get("/")
    assert page.status_code == 200
    html = page.text
    assert html.count('<article class="event') >= 1, "no event reached the page"
    assert not re.search(r"(?i)<\s*(script|img|iframe|object|embed)", html)
    audit = _PageAudit()
    audit.feed(html)
    audit.close()
    assert audit.problems == []


@contextlib.contextmanager
def dashboard(redis_url: str) -> Iterator[Callable[[Any], None]]:
    """A runtime over `redis_url`, its app served by uvicorn, and the check bound to both."""
    settings = load_settings(sources=[{"name": "feed-a", "url": "https://a.example/rss"}])
    rt = build_runtime(settings, redis_url=redis_url)
    try:
        with http_client(create_app(rt)) as client:
            yield lambda batch: check_dashboard(rt, client, batch)
    finally:
        rt.redis.flushall()
        rt.close()


@contextlib.contextmanager
def dashboard_with_own_redis() -> Iterator[Callable[[Any], None]]:
    """For bench/fuzz_report.py: a private redis-server, as tests/conftest.py starts one."""
    with tempfile.TemporaryDirectory() as directory:
        server: EmbeddedRedis = start_embedded(Path(directory), appendonly=False)
        try:
            with dashboard(server.url) as check:
                yield check
        finally:
            server.stop()


PROPERTIES: dict[str, Property] = {
    "dashboard.hostile_reports": Property(reports, context=dashboard_with_own_redis),
}


def test_dashboard_escapes_hostile_feed_text(redis_server: EmbeddedRedis) -> None:
    with dashboard(redis_server.url) as check:

        @fuzz_settings(30)
        @given(reports)
        def run(batch: list[dict[str, str]]) -> None:
            check(batch)

        run()
