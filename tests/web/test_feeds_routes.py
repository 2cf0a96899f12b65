"""The feed routes through the real app (uvicorn) over a real redis-server holding alerts that
the real pipeline stored: Atom entries and CAP messages, conditional GET, the token, 404s."""

from __future__ import annotations

import base64
import contextlib
import itertools
from collections.abc import Callable, Iterator
from datetime import timedelta
from functools import cache
from pathlib import Path
from typing import Any

import feedparser
import httpx
import pytest
from lxml import etree

from alerts.bootstrap import Runtime
from alerts.models import Item
from alerts.pipeline import process_items
from alerts.web import create_app
from alerts.web.cap import CAP_NS
from tests.support.fakes import fake_classify
from tests.web.conftest import HOSTILE_TITLE, World
from tests.web.server import http_client

pytestmark = pytest.mark.integration

TOKEN = "feed-token-0123456789"  # noqa: S105
SCHEMA_PATH = Path(__file__).parents[1] / "contract" / "schemas" / "CAP-v1.2.xsd"
NS = {"cap": CAP_NS}
FEEDS = ("/feeds/alerts.atom", "/feeds/cap.atom")

Client = Callable[..., httpx.Client]


@cache
def cap_schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(SCHEMA_PATH)))


@pytest.fixture
def client() -> Iterator[Client]:
    """`client(runtime, **create_app options)`: an HTTP client of that app served by uvicorn."""
    with contextlib.ExitStack() as stack:

        def make(rt: Runtime, **kwargs: Any) -> httpx.Client:
            served = stack.enter_context(http_client(create_app(rt, **kwargs)))
            served.follow_redirects = False
            return served

        yield make


@pytest.fixture
def stream(world: World) -> World:
    """The web tests' world, then what came later: an update of the North Korean launch
    (landed inside Japan's EEZ) and a report retracting it."""
    later = world.now + timedelta(minutes=20)
    more = [
        Item("a3", "feed-a", "KP FIRES class=ICBM count=2 eez=yes", "https://a.example/3",
             published_at=later - timedelta(minutes=1)),
        Item("c1", "feed-c", "KP CORRECTS it was a satellite", "https://c.example/1",
             published_at=later + timedelta(minutes=1)),
    ]  # fmt: skip
    tokens = (f"later{n}" for n in itertools.count(1))
    for item, at in ((more[0], later), (more[1], later + timedelta(minutes=2))):
        process_items([item], events=world.rt.events, classify=fake_classify,
                      policy=world.rt.policy, now=at, new_token=lambda: next(tokens))  # fmt: skip
    return world


def parsed_feed(response: httpx.Response) -> feedparser.FeedParserDict:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/atom+xml")
    etree.fromstring(response.content)  # strict: well-formed or it raises
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.get("bozo_exception")
    return feed


def cap_message(client: httpx.Client, url: str, **kwargs: Any) -> etree._Element:
    response = client.get(url, **kwargs)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/cap+xml")
    root = etree.fromstring(response.content)
    assert cap_schema().validate(root), cap_schema().error_log
    return root


def basic(password: str, user: str = "reader") -> dict[str, str]:
    pair = base64.b64encode(f"{user}:{password}".encode()).decode()
    return {"Authorization": f"Basic {pair}"}


class TestAlertsFeed:
    def test_every_stored_revision_newest_first_threaded_by_event(
        self, stream: World, client: Client
    ) -> None:
        feed = parsed_feed(client(stream.rt).get("/feeds/alerts.atom"))
        events = [t["term"] for e in feed.entries for t in e.tags
                  if t["scheme"] == "urn:missile-alerts:event"]  # fmt: skip
        assert events == [stream.kp_event, stream.kp_event, stream.ir_event, stream.kp_event]
        retraction, update, iran, first = feed.entries
        assert retraction.title == "Correction: Ballistic missile launch — North Korea"
        assert update.title.startswith("Update #2: Ballistic missile launch")
        assert retraction["thr_in-reply-to"]["ref"] == first.id
        assert update["thr_in-reply-to"]["ref"] == first.id
        assert "thr_in-reply-to" not in iran
        assert first.link == "https://a.example/1"
        assert "Class: ICBM" in first.content[0].value
        # the hostile report: its text shown as text, its javascript: link left out
        assert iran.summary == HOSTILE_TITLE
        assert [link["type"] for link in iran.links] == ["application/cap+xml"]
        assert feed.feed.links[0]["href"].endswith("/feeds/alerts.atom")

    def test_every_cap_link_of_the_feed_serves_a_valid_message(
        self, stream: World, client: Client
    ) -> None:
        served = client(stream.rt)
        feed = parsed_feed(served.get("/feeds/alerts.atom"))
        cap_links = [link["href"] for e in feed.entries for link in e.links
                     if link.get("type") == "application/cap+xml"]  # fmt: skip
        assert len(cap_links) == 4
        kinds = [cap_message(served, url).findtext("cap:msgType", namespaces=NS)
                 for url in cap_links]  # fmt: skip
        assert kinds == ["Cancel", "Update", "Alert", "Alert"]

    def test_no_alerts_is_an_empty_feed(self, runtime: Runtime, client: Client) -> None:
        response = client(runtime).get("/feeds/alerts.atom")
        assert parsed_feed(response).entries == []
        assert "last-modified" not in response.headers


class TestCap:
    def test_the_index_links_each_message_and_updates_reference_the_earlier_ones(
        self, stream: World, client: Client
    ) -> None:
        served = client(stream.rt)
        index = parsed_feed(served.get("/feeds/cap.atom"))
        messages = {
            e.cap_identifier: cap_message(served, e.links[0]["href"]) for e in index.entries
        }
        assert all(e.links[0]["type"] == "application/cap+xml" for e in index.entries)
        first = messages[f"{stream.kp_event}-r1"]
        cancel = messages[f"{stream.kp_event}-r3"]
        sender = first.findtext("cap:sender", namespaces=NS)
        assert sender == "missile-alerts@localhost"
        assert cancel.findtext("cap:msgType", namespaces=NS) == "Cancel"
        assert cancel.findtext("cap:references", namespaces=NS).split() == [
            f"{sender},{m.findtext('cap:identifier', namespaces=NS)},"
            f"{m.findtext('cap:sent', namespaces=NS)}"
            for m in (first, messages[f"{stream.kp_event}-r2"])
        ]
        update = messages[f"{stream.kp_event}-r2"]
        assert update.findtext("cap:info/cap:severity", namespaces=NS) == "Extreme"
        assert update.findtext("cap:info/cap:area/cap:areaDesc", namespaces=NS) == (
            "Japan's exclusive economic zone (EEZ)"
        )
        assert first.find("cap:info/cap:area", NS) is None

    def test_the_sender_names_the_first_allowed_host(self, stream: World, client: Client) -> None:
        served = client(stream.rt, allowed_hosts=["alerts.example.org"])
        root = cap_message(served, f"/feeds/cap/{stream.ir_event}-r1.xml")
        assert root.findtext("cap:sender", namespaces=NS) == "missile-alerts@alerts.example.org"

    def test_an_unknown_message_is_404(self, stream: World, client: Client) -> None:
        served = client(stream.rt)
        for name in ("nothing-r1", "no-such-thing", "x-r0", f"{stream.kp_event}-r9",
                     f"{stream.kp_event}-r99999999", f"{stream.kp_event}%2Fr1"):  # fmt: skip
            assert served.get(f"/feeds/cap/{name}.xml").status_code == 404, name


class TestConditionalGet:
    def test_304_to_a_current_copy(self, stream: World, client: Client) -> None:
        served = client(stream.rt)
        for path in (*FEEDS, f"/feeds/cap/{stream.ir_event}-r1.xml"):
            self.check_conditional_get(served, path)

    @staticmethod
    def check_conditional_get(served: httpx.Client, path: str) -> None:
        first = served.get(path)
        assert first.status_code == 200
        etag, modified = first.headers["etag"], first.headers["last-modified"]
        assert "no-cache" in first.headers["cache-control"]
        again = served.get(path, headers={"If-None-Match": etag})
        assert (again.status_code, again.content) == (304, b"")
        assert again.headers["etag"] == etag
        assert served.get(path, headers={"If-Modified-Since": modified}).status_code == 304
        assert served.get(path, headers={"If-None-Match": '"stale"'}).status_code == 200
        assert served.head(path).status_code == 200

    def test_a_new_revision_changes_the_validators(self, world: World, client: Client) -> None:
        served = client(world.rt)
        before = served.get("/feeds/alerts.atom")
        later = world.now + timedelta(minutes=20)
        item = Item("a9", "feed-a", "KP FIRES class=ICBM count=2 eez=yes", "https://a.example/9",
                    published_at=later)  # fmt: skip
        process_items([item], events=world.rt.events, classify=fake_classify,
                      policy=world.rt.policy, now=later, new_token=lambda: "t9")  # fmt: skip
        after = served.get("/feeds/alerts.atom", headers={"If-None-Match": before.headers["etag"]})
        assert after.status_code == 200
        assert after.headers["etag"] != before.headers["etag"]
        assert len(parsed_feed(after).entries) == len(parsed_feed(before).entries) + 1


class TestToken:
    def test_a_token_guards_every_feed_bearer_or_basic_opens_it(
        self, stream: World, client: Client
    ) -> None:
        served = client(stream.rt, token=TOKEN)
        for path in (*FEEDS, f"/feeds/cap/{stream.kp_event}-r1.xml"):
            self.check_guarded(served, path)

    @staticmethod
    def check_guarded(served: httpx.Client, path: str) -> None:
        refused = served.get(path)
        assert refused.status_code == 401
        assert "Basic" in refused.headers["www-authenticate"]
        assert "kp-" not in refused.text
        assert served.get(path, headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 200
        assert served.get(path, headers=basic(TOKEN)).status_code == 200
        assert served.get(path, headers=basic("wrong")).status_code == 401
        assert served.get(path, headers={"Authorization": "Bearer wrong"}).status_code == 401
        assert served.get(path, headers={"Authorization": "Basic %%%"}).status_code == 401

    def test_a_feed_reader_url_with_credentials_works(self, stream: World, client: Client) -> None:
        """`https://reader:<token>@host/feeds/alerts.atom`, as a feed reader is given it."""
        served = client(stream.rt, token=TOKEN)
        url = httpx.URL(str(served.base_url)).copy_with(
            username="reader", password=TOKEN, path="/feeds/alerts.atom"
        )
        assert len(parsed_feed(httpx.get(url)).entries) == 4

    def test_basic_opens_the_feeds_only(self, stream: World, client: Client) -> None:
        served = client(stream.rt, token=TOKEN)
        assert served.get("/api/events", headers=basic(TOKEN)).status_code == 401

    def test_without_a_token_the_feeds_are_open(self, stream: World, client: Client) -> None:
        assert client(stream.rt).get("/feeds/cap.atom").status_code == 200
